//! Panels: surveys for residents and experience experts (ervaringsdeskundigen), their
//! questions, the validation of answers, invitation codes, and results per question with
//! disclosure control. Open-text answers are never published, only counted.

use crate::access::hex;
use crate::disclosure::DisclosureControl;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Longest question text, option label and open answer (characters).
pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_OPTION_CHARS: usize = 200;
pub const MAX_OPEN_ANSWER_CHARS: usize = 2000;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_QUESTIONS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    Residents,
    /// Experience experts: people with lived experience of the problems the programme tackles.
    ExperienceExperts,
}

impl PanelKind {
    pub fn parse(s: &str) -> Option<PanelKind> {
        match s {
            "residents" => Some(PanelKind::Residents),
            "experience_experts" => Some(PanelKind::ExperienceExperts),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PanelKind::Residents => "residents",
            PanelKind::ExperienceExperts => "experience_experts",
        }
    }
    pub fn label_nl(self) -> &'static str {
        match self {
            PanelKind::Residents => "Bewonerspanel",
            PanelKind::ExperienceExperts => "Panel van ervaringsdeskundigen",
        }
    }
}

/// A survey is prepared (draft), answered (open) and then closed; it may be reopened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    Draft,
    Open,
    Closed,
}

impl SurveyStatus {
    pub fn parse(s: &str) -> Option<SurveyStatus> {
        match s {
            "draft" => Some(SurveyStatus::Draft),
            "open" => Some(SurveyStatus::Open),
            "closed" => Some(SurveyStatus::Closed),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "draft",
            SurveyStatus::Open => "open",
            SurveyStatus::Closed => "closed",
        }
    }
    pub fn label_nl(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "in voorbereiding",
            SurveyStatus::Open => "open",
            SurveyStatus::Closed => "gesloten",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "in preparation",
            SurveyStatus::Open => "open",
            SurveyStatus::Closed => "closed",
        }
    }
    /// Draft → open → closed, and closed → open (reopen). Nothing goes back to draft, so
    /// questions never change once answers may exist.
    pub fn can_move_to(self, to: SurveyStatus) -> bool {
        matches!(
            (self, to),
            (SurveyStatus::Draft, SurveyStatus::Open)
                | (SurveyStatus::Open, SurveyStatus::Closed)
                | (SurveyStatus::Closed, SurveyStatus::Open)
        )
    }
}

/// Who may answer: anyone with the link, or whoever holds an unused invitation code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerMode {
    Open,
    Invitation,
}

impl AnswerMode {
    pub fn parse(s: &str) -> Option<AnswerMode> {
        match s {
            "open" => Some(AnswerMode::Open),
            "invitation" => Some(AnswerMode::Invitation),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerMode::Open => "open",
            AnswerMode::Invitation => "invitation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    SingleChoice,
    /// 1 (very bad / fully disagree) to 5 (very good / fully agree).
    Scale,
    OpenText,
}

impl QuestionKind {
    pub fn parse(s: &str) -> Option<QuestionKind> {
        match s {
            "single_choice" => Some(QuestionKind::SingleChoice),
            "scale" => Some(QuestionKind::Scale),
            "open_text" => Some(QuestionKind::OpenText),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::Scale => "scale",
            QuestionKind::OpenText => "open_text",
        }
    }
}

/// A question as defined by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionDef {
    pub kind: QuestionKind,
    pub text: String,
    /// Choices of a single-choice question; empty otherwise.
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
}

fn invalid(field: &'static str, message: impl Into<String>) -> PanelError {
    PanelError::Invalid { field, message: message.into() }
}

/// Checks a title-like text: not empty, not too long, no control characters.
pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<String, PanelError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid(field, "fill this in"));
    }
    if t.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(invalid(field, "contains control characters"));
    }
    Ok(t.to_string())
}

impl QuestionDef {
    /// Validates and normalises (trimmed text and options).
    pub fn validate(&self) -> Result<QuestionDef, PanelError> {
        let text = check_text("text", &self.text, MAX_QUESTION_CHARS)?;
        let options: Vec<String> =
            self.options.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        match self.kind {
            QuestionKind::SingleChoice => {
                if options.len() < 2 || options.len() > MAX_OPTIONS {
                    return Err(invalid("options", format!("a single-choice question has 2 to {MAX_OPTIONS} options")));
                }
                for o in &options {
                    check_text("options", o, MAX_OPTION_CHARS)?;
                }
                let mut sorted = options.clone();
                sorted.sort();
                sorted.dedup();
                if sorted.len() != options.len() {
                    return Err(invalid("options", "two options have the same text"));
                }
            }
            QuestionKind::Scale | QuestionKind::OpenText => {
                if !options.is_empty() {
                    return Err(invalid("options", "only single-choice questions have options"));
                }
            }
        }
        Ok(QuestionDef { kind: self.kind, text, options })
    }

    /// Checks one answer as typed or picked; `None` when left empty (every question is
    /// optional, so nobody is pushed to answer what they would rather not).
    pub fn check_answer(&self, raw: &str) -> Result<Option<String>, PanelError> {
        let v = raw.trim();
        if v.is_empty() {
            return Ok(None);
        }
        match self.kind {
            QuestionKind::SingleChoice => match v.parse::<usize>() {
                Ok(i) if i < self.options.len() => Ok(Some(i.to_string())),
                _ => Err(invalid("answer", "pick one of the options")),
            },
            QuestionKind::Scale => match v.parse::<u8>() {
                Ok(n @ 1..=5) => Ok(Some(n.to_string())),
                _ => Err(invalid("answer", "pick a value from 1 to 5")),
            },
            QuestionKind::OpenText => {
                if v.chars().count() > MAX_OPEN_ANSWER_CHARS {
                    return Err(invalid("answer", format!("at most {MAX_OPEN_ANSWER_CHARS} characters")));
                }
                Ok(Some(v.to_string()))
            }
        }
    }
}

/// One bar of a question's result: the label and the count as it may be shown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    pub label: String,
    /// Rounded; `None` when below the disclosure threshold.
    pub count: Option<u64>,
}

/// A question's result as published.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionResult {
    pub text: String,
    pub kind: QuestionKind,
    /// People who answered this question, rounded; `None` when too few.
    pub respondents: Option<u64>,
    /// Per option (single choice) or per scale point; empty for open text.
    pub rows: Vec<ResultRow>,
    /// Mean of a scale question, when enough people answered.
    pub mean: Option<f64>,
    /// For open text: only that answers exist, never their content.
    pub open_answers_not_published: bool,
}

/// The result of one question over its answers (validated values as stored).
pub fn question_result(q: &QuestionDef, answers: &[String], dc: &DisclosureControl) -> QuestionResult {
    let n = answers.len() as u64;
    let respondents = dc.count(n);
    let labels: Vec<String> = match q.kind {
        QuestionKind::SingleChoice => q.options.clone(),
        QuestionKind::Scale => (1..=5).map(|i| i.to_string()).collect(),
        QuestionKind::OpenText => Vec::new(),
    };
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let value = match q.kind {
                QuestionKind::Scale => (i + 1).to_string(),
                _ => i.to_string(),
            };
            let count = answers.iter().filter(|a| **a == value).count() as u64;
            // A cell is shown only when the question as a whole passes too: otherwise a
            // shown cell next to a hidden total could give the small total away.
            ResultRow { label: label.clone(), count: respondents.and(dc.count(count)) }
        })
        .collect();
    let mean = if q.kind == QuestionKind::Scale {
        let values: Vec<f64> = answers.iter().filter_map(|a| a.parse::<f64>().ok()).collect();
        let m = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        dc.over(n, m).map(|m| (m * 10.0).round() / 10.0)
    } else {
        None
    };
    QuestionResult {
        text: q.text.clone(),
        kind: q.kind,
        respondents,
        rows,
        mean,
        open_answers_not_published: q.kind == QuestionKind::OpenText,
    }
}

/// Letters and digits that cannot be mistaken for each other on paper (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters of an invitation code: 10 from 31 symbols is about 49 bits, far beyond
/// guessing within the rate limit.
pub const CODE_CHARS: usize = 10;

/// An invitation code from random bytes (the caller supplies them from the OS), shown in
/// groups of five: "ABCDE-FGHJK".
pub fn code_from_random(random: &[u8; CODE_CHARS]) -> String {
    let chars: String =
        random.iter().map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

/// A code as typed: upper case, without spaces and dashes.
pub fn normalise_code(raw: &str) -> String {
    raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// What is stored of a code: a hash bound to the survey, so a database copy does not
/// give away usable codes and a code of one survey is useless for another.
pub fn code_hash(survey_id: &str, raw: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"leefwijk-survey-code\0");
    h.update(survey_id.as_bytes());
    h.update([0]);
    h.update(normalise_code(raw).as_bytes());
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn choice() -> QuestionDef {
        QuestionDef {
            kind: QuestionKind::SingleChoice,
            text: " Hoe veilig voelt u zich? ".into(),
            options: vec!["Veilig".into(), " Onveilig ".into(), "".into()],
        }
    }

    #[test]
    fn questions_are_validated_and_normalised() {
        let q = choice().validate().expect("valid");
        assert_eq!(q.text, "Hoe veilig voelt u zich?");
        assert_eq!(q.options, vec!["Veilig", "Onveilig"]);
        let one = QuestionDef { options: vec!["Alleen".into()], ..choice() };
        assert!(one.validate().is_err(), "one option is no choice");
        let dup = QuestionDef { options: vec!["Ja".into(), "Ja".into()], ..choice() };
        assert!(dup.validate().expect_err("duplicate").to_string().contains("same text"));
        let scale = QuestionDef { kind: QuestionKind::Scale, text: "Cijfer".into(), options: vec!["x".into()] };
        assert!(scale.validate().is_err(), "a scale has no options");
        let long = QuestionDef { kind: QuestionKind::OpenText, text: "x".repeat(501), options: vec![] };
        assert!(long.validate().expect_err("too long").to_string().contains("500"));
        let empty = QuestionDef { kind: QuestionKind::OpenText, text: "  ".into(), options: vec![] };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn answers_are_checked_per_kind() {
        let q = choice().validate().expect("valid");
        assert_eq!(q.check_answer("1"), Ok(Some("1".into())));
        assert_eq!(q.check_answer(""), Ok(None), "every question is optional");
        assert!(q.check_answer("2").is_err());
        assert!(q.check_answer("Veilig").is_err());
        let s = QuestionDef { kind: QuestionKind::Scale, text: "Cijfer".into(), options: vec![] };
        assert_eq!(s.check_answer(" 5 "), Ok(Some("5".into())));
        assert!(s.check_answer("0").is_err());
        assert!(s.check_answer("6").is_err());
        let o = QuestionDef { kind: QuestionKind::OpenText, text: "Tip".into(), options: vec![] };
        assert_eq!(o.check_answer("<b>meer bankjes</b>"), Ok(Some("<b>meer bankjes</b>".into())));
        assert!(o.check_answer(&"a".repeat(2001)).is_err());
    }

    #[test]
    fn status_moves_forward_and_may_reopen() {
        use SurveyStatus::*;
        assert!(Draft.can_move_to(Open));
        assert!(Open.can_move_to(Closed));
        assert!(Closed.can_move_to(Open));
        assert!(!Open.can_move_to(Draft));
        assert!(!Draft.can_move_to(Closed));
        assert!(!Open.can_move_to(Open));
    }

    #[test]
    fn results_hide_small_cells_and_never_publish_open_text() {
        let dc = DisclosureControl::default();
        let q = choice().validate().expect("valid");
        let mut answers: Vec<String> = vec!["0".into(); 14];
        answers.extend(vec!["1".to_string(); 4]);
        let r = question_result(&q, &answers, &dc);
        assert_eq!(r.respondents, Some(20), "18 rounded to 20");
        assert_eq!(r.rows[0].count, Some(15), "14 rounded to 15");
        assert_eq!(r.rows[1].count, None, "4 is under the threshold");

        let few = question_result(&q, &answers[..9], &dc);
        assert_eq!(few.respondents, None);
        assert!(few.rows.iter().all(|r| r.count.is_none()), "no cell shown next to a hidden total");

        let s = QuestionDef { kind: QuestionKind::Scale, text: "Cijfer".into(), options: vec![] };
        let scale: Vec<String> =
            ["4", "5", "3", "4", "4", "5", "2", "4", "4", "5"].iter().map(|v| v.to_string()).collect();
        let r = question_result(&s, &scale, &dc);
        assert_eq!(r.mean, Some(4.0));
        assert_eq!(r.rows.len(), 5);
        assert_eq!(question_result(&s, &scale[..5], &dc).mean, None);

        let o = QuestionDef { kind: QuestionKind::OpenText, text: "Tip".into(), options: vec![] };
        let texts: Vec<String> = (0..12).map(|i| format!("geheim {i}")).collect();
        let r = question_result(&o, &texts, &dc);
        assert!(r.open_answers_not_published && r.rows.is_empty());
        assert!(!format!("{r:?}").contains("geheim"), "the content is not in the result");
        assert_eq!(r.respondents, Some(10));
    }

    #[test]
    fn codes_are_readable_and_hashed_per_survey() {
        let code = code_from_random(&[0, 1, 2, 3, 4, 250, 251, 252, 253, 254]);
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(!code.contains('0') && !code.contains('O') && !code.contains('I'));
        assert_eq!(code_hash("s1", &code), code_hash("s1", &code.to_lowercase().replace('-', " ")));
        assert_ne!(code_hash("s1", &code), code_hash("s2", &code));
        assert_eq!(code_hash("s1", &code).len(), 64);
    }

    proptest! {
        #[test]
        fn a_shown_count_is_never_under_the_threshold(counts in proptest::collection::vec(0usize..30, 2..6)) {
            let dc = DisclosureControl::default();
            let options: Vec<String> = (0..counts.len()).map(|i| format!("optie {i}")).collect();
            let q = QuestionDef { kind: QuestionKind::SingleChoice, text: "Vraag".into(), options };
            let answers: Vec<String> =
                counts.iter().enumerate().flat_map(|(i, n)| std::iter::repeat_n(i.to_string(), *n)).collect();
            let r = question_result(&q, &answers, &dc);
            for (row, n) in r.rows.iter().zip(&counts) {
                match row.count {
                    Some(c) => {
                        prop_assert!(*n as u64 >= dc.min_cell);
                        prop_assert_eq!(c % dc.round_to, 0);
                        prop_assert!((c as i64 - *n as i64).abs() <= (dc.round_to / 2) as i64);
                    }
                    None => prop_assert!((*n as u64) < dc.min_cell || (answers.len() as u64) < dc.min_cell),
                }
            }
        }

        #[test]
        fn only_valid_answers_pass(raw in "\\PC{0,8}") {
            let s = QuestionDef { kind: QuestionKind::Scale, text: "Cijfer".into(), options: vec![] };
            if let Ok(Some(v)) = s.check_answer(&raw) {
                let n: u8 = v.parse().expect("digit");
                prop_assert!((1..=5).contains(&n));
            }
        }
    }
}
