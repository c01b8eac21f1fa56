//! Storage of panels, surveys, questions and answers.
