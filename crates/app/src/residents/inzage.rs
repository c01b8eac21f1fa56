//! Own data (AVG inzage): requests by residents, handled by the privacy officer.
