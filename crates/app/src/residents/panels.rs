//! Panels: surveys for residents and experience experts (ervaringsdeskundigen), made by
//! policy staff, answered anonymously through a public link or with one-time invitation
//! codes, and published per question with disclosure control. A survey may be linked to an
//! area programme, whose results report then shows the residents' evaluation.
//!
//! Answers hold no personal data: a response has only its survey and time. Nobody's IP
//! address or browser is stored; "one response per person" is enforced only where it can
//! be, with invitation codes (the code's hash is stored and spent with the response).

use crate::{App, AppError};
use leefwijk_domain::disclosure::DisclosureControl;
use leefwijk_domain::residents::panels::{
    check_text, code_from_random, code_hash, question_result, AnswerMode, PanelKind, QuestionDef, QuestionKind,
    QuestionResult, SurveyStatus, CODE_CHARS, MAX_QUESTIONS, MAX_TITLE_CHARS,
};
use leefwijk_domain::Lang;
use leefwijk_store::{AnswerRefusal, PanelRecord, QuestionRecord, SurveyRecord, User};
use serde::{Deserialize, Serialize};

/// `[residents.panels]`: disclosure control of published results and the most codes one
/// request may generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PanelsConfig {
    pub disclosure: DisclosureControl,
    pub max_codes_per_request: u32,
    /// Days after a survey closed that its open-text answers are kept; then retention
    /// blanks them (the counts stay).
    pub open_answer_retention_days: u32,
}

impl Default for PanelsConfig {
    fn default() -> Self {
        PanelsConfig {
            disclosure: DisclosureControl::default(),
            max_codes_per_request: 500,
            open_answer_retention_days: 365,
        }
    }
}

/// The panels configuration in force (`[residents.panels]`).
pub fn config(app: &App) -> PanelsConfig {
    app.residents.panels
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::BadRequest(m.into())
}

fn now() -> i64 {
    crate::access::identity::now_ms()
}

/// Panels and surveys are managed by policy staff and administrators of the collaboration.
fn manager(user: &User) -> Result<(), AppError> {
    if matches!(user.role.as_str(), "beleidsmedewerker" | "beheerder") {
        Ok(())
    } else {
        Err(AppError::Forbidden("only policy staff and administrators manage panels and surveys".into()))
    }
}

fn opt_text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn check_area(code: &Option<String>) -> Result<Option<String>, AppError> {
    match opt_text(code) {
        None => Ok(None),
        Some(c) => leefwijk_domain::AreaCode::parse(&c)
            .map(|a| Some(a.to_string()))
            .map_err(|e| bad(format!("area_code: {e}"))),
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPanel {
    pub name: String,
    /// "residents" or "experience_experts".
    pub kind: String,
    /// The area the panel is for (gemeente, wijk or buurt code), if any.
    pub area_code: Option<String>,
}

pub async fn create_panel(app: &App, user: &User, input: &NewPanel) -> Result<PanelRecord, AppError> {
    manager(user)?;
    let name = check_text("name", &input.name, MAX_TITLE_CHARS).map_err(|e| bad(e.to_string()))?;
    let kind =
        PanelKind::parse(input.kind.trim()).ok_or_else(|| bad("kind: choose 'residents' or 'experience_experts'"))?;
    let record = PanelRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: user.tenant_id.clone(),
        name,
        kind: kind.as_str().to_string(),
        area_code: check_area(&input.area_code)?,
        created_by: user.id.clone(),
        created_at: now(),
    };
    app.store.add_panel(&record).await?;
    Ok(record)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewSurvey {
    pub panel_id: String,
    pub title: String,
    #[serde(default)]
    pub intro: String,
    /// The area programme whose evaluation this survey is part of.
    pub programme_id: Option<String>,
    pub area_code: Option<String>,
    /// "open" (anyone with the link) or "invitation" (one-time codes).
    pub mode: String,
}

pub async fn create_survey(app: &App, user: &User, input: &NewSurvey) -> Result<SurveyRecord, AppError> {
    manager(user)?;
    let panel = app
        .store
        .panel(input.panel_id.trim())
        .await?
        .filter(|p| p.tenant_id == user.tenant_id)
        .ok_or_else(|| bad("panel_id: not a panel of your collaboration"))?;
    let title = check_text("title", &input.title, MAX_TITLE_CHARS).map_err(|e| bad(e.to_string()))?;
    let intro: String = input.intro.trim().chars().take(2000).collect();
    let mode = AnswerMode::parse(input.mode.trim()).ok_or_else(|| bad("mode: choose 'open' or 'invitation'"))?;
    let programme_id = match opt_text(&input.programme_id) {
        None => None,
        Some(id) => {
            let p = app.store.programme(&id).await?.filter(|p| p.tenant_id == user.tenant_id);
            Some(p.ok_or_else(|| bad("programme_id: not a programme of your collaboration"))?.id)
        }
    };
    let t = now();
    let record = SurveyRecord {
        id: uuid::Uuid::now_v7().to_string(),
        tenant_id: user.tenant_id.clone(),
        panel_id: panel.id,
        title,
        intro,
        programme_id,
        area_code: check_area(&input.area_code)?.or(panel.area_code),
        mode: mode.as_str().to_string(),
        status: SurveyStatus::Draft.as_str().to_string(),
        created_by: user.id.clone(),
        created_at: t,
        updated_at: t,
    };
    app.store.add_survey(&record).await?;
    Ok(record)
}

/// The survey, when it belongs to the user's collaboration (otherwise not found).
async fn owned_survey(app: &App, user: &User, id: &str) -> Result<SurveyRecord, AppError> {
    manager(user)?;
    app.store
        .survey(id)
        .await?
        .filter(|s| s.tenant_id == user.tenant_id)
        .ok_or_else(|| AppError::NotFound(format!("survey {id}")))
}

/// Adds a question to a draft survey; returns its id.
pub async fn add_question(app: &App, user: &User, survey_id: &str, q: &QuestionDef) -> Result<String, AppError> {
    let survey = owned_survey(app, user, survey_id).await?;
    if survey.status != SurveyStatus::Draft.as_str() {
        return Err(AppError::Conflict(
            "questions can only be added while the survey is in preparation (draft), so answers stay comparable".into(),
        ));
    }
    let q = q.validate().map_err(|e| bad(e.to_string()))?;
    if app.store.questions(&survey.id).await?.len() >= MAX_QUESTIONS {
        return Err(bad(format!("a survey has at most {MAX_QUESTIONS} questions")));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let stored = app
        .store
        .add_question(&QuestionRecord {
            id: id.clone(),
            survey_id: survey.id,
            position: 0,
            kind: q.kind.as_str().to_string(),
            text: q.text,
            options: serde_json::to_string(&q.options).map_err(|e| AppError::Internal(e.to_string()))?,
        })
        .await?;
    if !stored {
        return Err(AppError::Conflict("the survey was opened meanwhile; questions can no longer change".into()));
    }
    Ok(id)
}

/// Opens, closes or reopens a survey.
pub async fn set_status(app: &App, user: &User, survey_id: &str, to: &str) -> Result<SurveyStatus, AppError> {
    let survey = owned_survey(app, user, survey_id).await?;
    let to = SurveyStatus::parse(to.trim()).ok_or_else(|| bad("status: choose 'open' or 'closed'"))?;
    let from = SurveyStatus::parse(&survey.status).ok_or_else(|| AppError::Internal("stored survey status".into()))?;
    if !from.can_move_to(to) {
        return Err(AppError::Conflict(format!(
            "a survey that is {} cannot become {}",
            from.label_nl(),
            to.label_nl()
        )));
    }
    if to == SurveyStatus::Open && app.store.questions(&survey.id).await?.is_empty() {
        return Err(bad("add at least one question before opening the survey"));
    }
    if !app.store.move_survey(&survey.id, from.as_str(), to.as_str(), now()).await? {
        return Err(AppError::Conflict("the survey changed meanwhile; reload and try again".into()));
    }
    Ok(to)
}

/// Generates `n` one-time invitation codes for a survey in invitation mode. The codes are
/// returned once, to hand out; only their hashes are stored.
pub async fn generate_codes(app: &App, user: &User, survey_id: &str, n: u32) -> Result<Vec<String>, AppError> {
    let survey = owned_survey(app, user, survey_id).await?;
    if survey.mode != AnswerMode::Invitation.as_str() {
        return Err(bad("this survey is open to anyone with the link; codes are for invitation surveys"));
    }
    let max = config(app).max_codes_per_request;
    if n == 0 || n > max {
        return Err(bad(format!("count: 1 to {max} codes at a time")));
    }
    let mut codes = Vec::with_capacity(n as usize);
    while codes.len() < n as usize {
        let mut random = [0u8; CODE_CHARS];
        getrandom::getrandom(&mut random).map_err(|e| AppError::Internal(e.to_string()))?;
        let code = code_from_random(&random);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let hashes: Vec<String> = codes.iter().map(|c| code_hash(&survey.id, c)).collect();
    app.store.add_survey_codes(&survey.id, &hashes, now()).await?;
    Ok(codes)
}

/// A question as shown on the form.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormQuestion {
    pub id: String,
    pub kind: QuestionKind,
    pub text: String,
    pub options: Vec<String>,
}

/// A survey as the public sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicSurvey {
    pub id: String,
    pub title: String,
    pub intro: String,
    pub panel_name: String,
    pub panel_kind: PanelKind,
    pub status: SurveyStatus,
    pub mode: AnswerMode,
    pub area_code: Option<String>,
    pub programme_id: Option<String>,
    pub questions: Vec<FormQuestion>,
}

fn form_questions(stored: Vec<QuestionRecord>) -> Result<Vec<(FormQuestion, QuestionDef)>, AppError> {
    stored
        .into_iter()
        .map(|q| {
            let kind = QuestionKind::parse(&q.kind).ok_or_else(|| AppError::Internal("stored question kind".into()))?;
            let options: Vec<String> =
                serde_json::from_str(&q.options).map_err(|e| AppError::Internal(e.to_string()))?;
            let def = QuestionDef { kind, text: q.text.clone(), options: options.clone() };
            Ok((FormQuestion { id: q.id, kind, text: q.text, options }, def))
        })
        .collect()
}

/// A survey that is open or closed (a draft is not public yet: not found).
pub async fn public_survey(app: &App, id: &str) -> Result<PublicSurvey, AppError> {
    let s = app
        .store
        .survey(id)
        .await?
        .filter(|s| s.status != SurveyStatus::Draft.as_str())
        .ok_or_else(|| AppError::NotFound(format!("survey {id}")))?;
    survey_view(app, s).await
}

async fn survey_view(app: &App, s: SurveyRecord) -> Result<PublicSurvey, AppError> {
    let panel = app.store.panel(&s.panel_id).await?.ok_or_else(|| AppError::Internal("survey without panel".into()))?;
    let questions = form_questions(app.store.questions(&s.id).await?)?.into_iter().map(|(f, _)| f).collect();
    Ok(PublicSurvey {
        id: s.id,
        title: s.title,
        intro: s.intro,
        panel_name: panel.name,
        panel_kind: PanelKind::parse(&panel.kind).unwrap_or(PanelKind::Residents),
        status: SurveyStatus::parse(&s.status).unwrap_or(SurveyStatus::Closed),
        mode: AnswerMode::parse(&s.mode).unwrap_or(AnswerMode::Invitation),
        area_code: s.area_code,
        programme_id: s.programme_id,
        questions,
    })
}

/// What was wrong with a submitted form, per field ("code" or a question id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PanelFieldError)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_string(), message: message.into() }
}

/// Stores one response. `answers` are (question id, raw value) as posted; unknown
/// question ids are ignored. Field errors come back for the form to show.
pub async fn answer(
    app: &App,
    survey_id: &str,
    code: Option<&str>,
    answers: &[(String, String)],
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    let survey = public_survey(app, survey_id).await?;
    if survey.status != SurveyStatus::Open {
        return Err(AppError::Conflict("this survey is closed: answers are no longer accepted".into()));
    }
    let questions = form_questions(app.store.questions(survey_id).await?)?;
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (fq, def) in &questions {
        let raw = answers.iter().find(|(id, _)| id == &fq.id).map(|(_, v)| v.as_str()).unwrap_or_default();
        match def.check_answer(raw) {
            Ok(Some(v)) => values.push((fq.id.clone(), v)),
            Ok(None) => {}
            Err(e) => errors.push(field(&fq.id, e.to_string().trim_start_matches("answer: ").to_string())),
        }
    }
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let hash = match (survey.mode, code) {
        (AnswerMode::Invitation, None) => {
            errors.push(field("code", "fill in the invitation code from your letter or e-mail"));
            None
        }
        (AnswerMode::Invitation, Some(c)) => Some(code_hash(survey_id, c)),
        (AnswerMode::Open, _) => None,
    };
    if errors.is_empty() && values.is_empty() {
        errors.push(field("form", "answer at least one question"));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let id = uuid::Uuid::now_v7().to_string();
    match app.store.add_response(survey_id, &id, hash.as_deref(), &values, now()).await? {
        Ok(()) => Ok(Ok(())),
        Err(AnswerRefusal::NotOpen) => {
            Err(AppError::Conflict("this survey is closed: answers are no longer accepted".into()))
        }
        Err(AnswerRefusal::CodeInvalid) => Ok(Err(vec![field(
            "code",
            "this code is unknown for this survey or has been used already; each code answers once",
        )])),
    }
}

/// A survey's published results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyResults {
    pub id: String,
    pub title: String,
    pub panel_name: String,
    pub status: SurveyStatus,
    /// Responses, rounded; `None` when too few to publish anything.
    pub responses: Option<u64>,
    pub questions: Vec<QuestionResult>,
    /// The rule applied, for the reader.
    pub disclosure: DisclosureControl,
}

pub async fn results(app: &App, survey_id: &str) -> Result<SurveyResults, AppError> {
    let s = app
        .store
        .survey(survey_id)
        .await?
        .filter(|s| s.status != SurveyStatus::Draft.as_str())
        .ok_or_else(|| AppError::NotFound(format!("survey {survey_id}")))?;
    results_of(app, s).await
}

async fn results_of(app: &App, s: SurveyRecord) -> Result<SurveyResults, AppError> {
    let dc = config(app).disclosure;
    let view = survey_view(app, s.clone()).await?;
    let questions = form_questions(app.store.questions(&s.id).await?)?;
    let answers = app.store.survey_answers(&s.id).await?;
    let responses = app.store.response_count(&s.id).await?;
    Ok(SurveyResults {
        id: s.id,
        title: view.title,
        panel_name: view.panel_name,
        status: view.status,
        responses: dc.count(u64::try_from(responses).unwrap_or_default()),
        questions: questions
            .iter()
            .map(|(fq, def)| {
                let values: Vec<String> = answers.iter().filter(|(q, _)| *q == fq.id).map(|(_, v)| v.clone()).collect();
                question_result(def, &values, &dc)
            })
            .collect(),
        disclosure: dc,
    })
}

/// A survey in a list (public or for staff).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveySummary {
    pub id: String,
    pub title: String,
    pub panel_name: String,
    pub panel_kind: PanelKind,
    pub status: SurveyStatus,
    pub mode: AnswerMode,
    pub area_code: Option<String>,
    pub programme_id: Option<String>,
    /// Public form: `/enquete/{id}`; results: `/enquete/{id}/resultaten`.
    pub url: String,
    pub results_url: String,
}

async fn summarise(app: &App, s: &SurveyRecord) -> Result<SurveySummary, AppError> {
    let panel = app.store.panel(&s.panel_id).await?;
    Ok(SurveySummary {
        id: s.id.clone(),
        title: s.title.clone(),
        panel_name: panel.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        panel_kind: panel.and_then(|p| PanelKind::parse(&p.kind)).unwrap_or(PanelKind::Residents),
        status: SurveyStatus::parse(&s.status).unwrap_or(SurveyStatus::Closed),
        mode: AnswerMode::parse(&s.mode).unwrap_or(AnswerMode::Invitation),
        area_code: s.area_code.clone(),
        programme_id: s.programme_id.clone(),
        url: format!("/enquete/{}", s.id),
        results_url: format!("/enquete/{}/resultaten", s.id),
    })
}

/// Open surveys of every collaboration (public), newest first.
pub async fn open_surveys(app: &App) -> Result<Vec<SurveySummary>, AppError> {
    let mut out = Vec::new();
    for s in app.store.surveys_with_status(SurveyStatus::Open.as_str()).await? {
        out.push(summarise(app, &s).await?);
    }
    Ok(out)
}

/// Closed surveys whose results are published (public), newest first.
pub async fn closed_surveys(app: &App) -> Result<Vec<SurveySummary>, AppError> {
    let mut out = Vec::new();
    for s in app.store.surveys_with_status(SurveyStatus::Closed.as_str()).await? {
        out.push(summarise(app, &s).await?);
    }
    Ok(out)
}

fn digits(code: &str) -> &str {
    code.trim_start_matches(|c: char| c.is_ascii_alphabetic())
}

/// Whether two area codes overlap: one lies within the other (GM9901 ⊃ WK990101 ⊃
/// BU99010101) or they are the same.
pub fn areas_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (digits(a), digits(b));
    !a.is_empty() && !b.is_empty() && (a.starts_with(b) || b.starts_with(a))
}

/// Open surveys for an area, for the public neighbourhood page: surveys of the area, of
/// an area that contains it or lies in it, or linked to a programme for such an area.
pub async fn area_summary(app: &App, area_code: &str) -> Result<Vec<SurveySummary>, AppError> {
    let mut out = Vec::new();
    for s in app.store.surveys_with_status(SurveyStatus::Open.as_str()).await? {
        let mut areas: Vec<String> = s.area_code.iter().cloned().collect();
        if areas.is_empty() {
            if let Some(pid) = &s.programme_id {
                if let Some(p) = app.store.programme(pid).await? {
                    areas = p.area_codes;
                }
            }
        }
        if areas.iter().any(|a| areas_overlap(a, area_code)) {
            out.push(summarise(app, &s).await?);
        }
    }
    Ok(out)
}

/// A survey for staff: with response and code counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffSurvey {
    pub summary: SurveySummary,
    pub questions: Vec<FormQuestion>,
    pub responses: i64,
    pub codes_issued: i64,
    pub codes_used: i64,
}

/// The collaboration's panels and surveys, for the management page.
pub async fn overview(app: &App, user: &User) -> Result<(Vec<PanelRecord>, Vec<StaffSurvey>), AppError> {
    manager(user)?;
    let panels = app.store.panels(&user.tenant_id).await?;
    let mut surveys = Vec::new();
    for s in app.store.surveys_of_tenant(&user.tenant_id).await? {
        let (codes_issued, codes_used) = app.store.survey_code_counts(&s.id).await?;
        let questions = form_questions(app.store.questions(&s.id).await?)?.into_iter().map(|(f, _)| f).collect();
        surveys.push(StaffSurvey {
            summary: summarise(app, &s).await?,
            questions,
            responses: app.store.response_count(&s.id).await?,
            codes_issued,
            codes_used,
        });
    }
    Ok((panels, surveys))
}

fn one_decimal(v: f64, lang: Lang) -> String {
    let s = format!("{v:.1}");
    if lang == Lang::Nl {
        s.replace('.', ",")
    } else {
        s
    }
}

/// The residents' evaluation of a programme, from the surveys linked to it (open or
/// closed), as one paragraph in Dutch and one in English for the results report; `None`
/// when no survey is linked. The surveys are read once; their own titles and questions
/// stay in the language they were written in.
pub async fn programme_evaluation(app: &App, programme_id: &str) -> Result<Option<(String, String)>, AppError> {
    let mut results = Vec::new();
    for s in app.store.surveys_of_programme(programme_id).await? {
        if s.status != SurveyStatus::Draft.as_str() {
            results.push(results_of(app, s).await?);
        }
    }
    if results.is_empty() {
        return Ok(None);
    }
    let paragraph = |lang: Lang| results.iter().map(|r| evaluation_of(r, lang)).collect::<Vec<_>>().join(" ");
    Ok(Some((paragraph(Lang::Nl), paragraph(Lang::En))))
}

/// One survey's part of the evaluation, in `lang`.
fn evaluation_of(r: &SurveyResults, lang: Lang) -> String {
    let status = lang.t(r.status.label_nl(), r.status.label_en());
    let mut text = format!("{} ({}, {status}): ", r.title, r.panel_name);
    match r.responses {
        None => text.push_str(
            lang.t("te weinig reacties om resultaten te publiceren.", "too few responses to publish results."),
        ),
        Some(n) => {
            text.push_str(&match lang {
                Lang::Nl => format!("ongeveer {n} reacties"),
                Lang::En => format!("about {n} responses"),
            });
            let means: Vec<String> = r
                .questions
                .iter()
                .filter_map(|q| {
                    q.mean.map(|m| match lang {
                        Lang::Nl => format!("“{}” gemiddeld {} op 5", q.text, one_decimal(m, lang)),
                        Lang::En => format!("“{}” on average {} out of 5", q.text, one_decimal(m, lang)),
                    })
                })
                .collect();
            if !means.is_empty() {
                text.push_str("; ");
                text.push_str(&means.join("; "));
            }
            text.push('.');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_overlap_when_one_contains_the_other() {
        assert!(areas_overlap("WK990101", "BU99010101"));
        assert!(areas_overlap("BU99010101", "GM9901"));
        assert!(areas_overlap("BU99010101", "BU99010101"));
        assert!(!areas_overlap("WK990102", "BU99010101"));
        assert!(!areas_overlap("", "BU99010101"));
    }
}

/// The open-text answers to one question, for the survey's owners.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenAnswers {
    pub question: String,
    /// Sorted alphabetically, each question on its own: no order links one respondent's
    /// answers across questions.
    pub answers: Vec<String>,
}

/// What policy staff may read of the free text residents wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenAnswersView {
    pub survey_id: String,
    pub title: String,
    pub responses: i64,
    /// The texts are shown from this many responses on: with fewer, staff who handed out
    /// the invitation codes could tell who wrote what.
    pub shown_from: u64,
    /// Empty while hidden.
    pub questions: Vec<OpenAnswers>,
}

/// The open-text answers of a survey of the user's own collaboration (policy staff and
/// administrators). Free text may hold personal details, so every read is audited.
pub async fn open_answers(app: &App, user: &User, survey_id: &str) -> Result<OpenAnswersView, AppError> {
    let survey = owned_survey(app, user, survey_id).await?;
    let responses = app.store.response_count(&survey.id).await?;
    let shown_from = config(app).disclosure.min_cell;
    let mut questions = Vec::new();
    if u64::try_from(responses).unwrap_or(0) >= shown_from {
        let answers = app.store.survey_answers(&survey.id).await?;
        for (q, def) in form_questions(app.store.questions(&survey.id).await?)? {
            if def.kind != QuestionKind::OpenText {
                continue;
            }
            // Blank: cleared by retention after the survey closed.
            let mut texts: Vec<String> =
                answers.iter().filter(|(qid, v)| *qid == q.id && !v.is_empty()).map(|(_, v)| v.clone()).collect();
            texts.sort();
            questions.push(OpenAnswers { question: q.text, answers: texts });
        }
        let rule = format!("open answers of survey {} read by its owners ({responses} responses)", survey.id);
        let subject = format!("survey:{}", survey.id);
        let entry = super::allowed(super::AuditBy::staff(user), "panels", "read", "survey_text", &subject, rule);
        let mut tx = app.store.begin().await?;
        crate::access::logboek::audit_and_log(
            &mut tx,
            app.keys.audit(),
            entry,
            leefwijk_domain::access::logboek::OperationName::Read,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(OpenAnswersView { survey_id: survey.id, title: survey.title, responses, shown_from, questions })
}
