//! Panels: surveys, questions, answers and results with disclosure control.
