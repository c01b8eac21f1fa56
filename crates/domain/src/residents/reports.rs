//! Public-space reports (meldingen): categories, the status machine and the service-level clock.
