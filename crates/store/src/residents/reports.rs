//! Storage of public-space reports (meldingen), their history and routing rules.
