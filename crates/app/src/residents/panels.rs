//! Panels: surveys for residents and experience experts.
