//! Notices of the involvement index: in the application (stored per organisation) and by
//! e-mail through the configured sender. A notice names organisations, never a person or
//! the reason of an involvement.

use crate::{App, AppError};
use leefwijk_store::NoticeRecord;
use serde::Deserialize;
use std::io::Write as _;
use std::path::PathBuf;

/// How notices leave Leefwijk by e-mail (`[mail]` in leefwijk.toml). `log` writes one line
/// per notice to the log (recipient organisation and notice id only); `file` appends the
/// messages as JSON lines to a file that the organisation's mail relay picks up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "sender", rename_all = "snake_case", deny_unknown_fields)]
pub enum MailSender {
    #[default]
    Log,
    File {
        path: PathBuf,
    },
}

impl MailSender {
    /// Sends a message to a person's e-mail address (a resident's verification code, a
    /// report's status). `log` records only that a message of this subject left, never
    /// the address or the body; `file` hands all of it to the relay.
    pub fn send_to_address(&self, to: &str, subject: &str, body: &str) -> Result<(), AppError> {
        match self {
            MailSender::Log => {
                tracing::info!(subject, "e-mail to a resident sent (address and body not logged)");
                Ok(())
            }
            MailSender::File { path } => {
                let line = serde_json::json!({ "to": to, "subject": subject, "body": body });
                append_line(path, &line.to_string())
            }
        }
    }

    fn send(&self, organisation: &str, notice: &NoticeRecord) -> Result<(), AppError> {
        match self {
            MailSender::Log => {
                tracing::info!(organisation, notice = %notice.id, kind = %notice.kind, "match notice sent");
                Ok(())
            }
            MailSender::File { path } => {
                // The Logboek operation that caused the notice, as W3C Trace Context, so
                // the receiving organisation can log it as its foreign operation.
                let line = serde_json::json!({
                    "to_organisation": organisation,
                    "subject": "Leefwijk: melding betrokkenheidsindex",
                    "body": notice.text,
                    "notice": notice.id,
                    "traceparent": crate::access::logboek::outgoing_traceparent(),
                });
                append_line(path, &line.to_string())
            }
        }
    }
}

fn append_line(path: &std::path::Path, line: &str) -> Result<(), AppError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| AppError::Internal(format!("mail outbox {}: {e}", path.display())))?;
    writeln!(f, "{line}").map_err(|e| AppError::Internal(format!("mail outbox: {e}")))
}

async fn names(app: &App, tenant: &str, ids: &[String]) -> Result<Vec<String>, AppError> {
    let orgs = app.store.organisations(tenant).await?;
    Ok(ids
        .iter()
        .map(|id| orgs.iter().find(|o| &o.id == id).map(|o| o.name.clone()).unwrap_or_else(|| id.clone()))
        .collect())
}

async fn send(
    app: &App,
    tenant: &str,
    match_id: &str,
    organisation: &str,
    kind: &str,
    text: String,
) -> Result<(), AppError> {
    let notice = NoticeRecord {
        id: uuid::Uuid::now_v7().to_string(),
        match_id: match_id.into(),
        organisation_id: organisation.into(),
        kind: kind.into(),
        text,
        created_at: crate::access::identity::now_ms(),
        read_at: None,
    };
    app.store.add_notice(tenant, &notice).await?;
    app.mail.send(organisation, &notice)
}

/// Every involved organisation hears who else is involved, and is asked to agree on one
/// coordinator.
pub async fn match_made(app: &App, tenant: &str, match_id: &str, organisations: &[String]) -> Result<(), AppError> {
    for org in organisations {
        let others: Vec<String> = organisations.iter().filter(|o| *o != org).cloned().collect();
        let text = format!(
            "Match {match_id}: ook betrokken bij deze persoon of dit huishouden: {}. Spreek af wie regisseur wordt (1 huishouden, 1 plan, 1 regisseur).",
            names(app, tenant, &others).await?.join(", ")
        );
        send(app, tenant, match_id, org, "match", text).await?;
    }
    Ok(())
}

pub async fn coordinator_chosen(
    app: &App,
    tenant: &str,
    match_id: &str,
    organisations: &[String],
    coordinator: &str,
) -> Result<(), AppError> {
    let name = names(app, tenant, &[coordinator.to_string()]).await?.join("");
    for org in organisations.iter().filter(|o| *o != coordinator) {
        send(app, tenant, match_id, org, "coordinator", format!("Match {match_id}: {name} is regisseur.")).await?;
    }
    Ok(())
}

/// No coordinator in time: the municipality's coordinator for the area is told.
pub async fn escalated(app: &App, tenant: &str, match_id: &str) -> Result<(), AppError> {
    let involved = names(app, tenant, &app.store.match_organisations(match_id).await?).await?;
    for org in app.store.organisations(tenant).await?.into_iter().filter(|o| o.kind == "gemeente") {
        send(
            app,
            tenant,
            match_id,
            &org.id,
            "escalation",
            format!(
                "Match {match_id}: geen regisseur gekozen binnen {} werkdagen. Betrokken: {}.",
                super::ESCALATION_WORKING_DAYS,
                involved.join(", ")
            ),
        )
        .await?;
    }
    Ok(())
}
