//! Settings, Email: the council's SMTP settings (the password sealed with the vault key and
//! never shown), a test message to oneself, and the outbox, where the Clerk sees every message
//! not sent yet (why, how often tried, when next) and can try one again now.
//!
//! Routes check the role (view: `ViewCouncilSettings`; change: `EditCouncilSettings`) and
//! the council: a message id from another council is not found.

use crate::error::AppError;
use crate::forms::Errors;
use crate::mail::{enqueue, seal_password, wake};
use crate::nav::{chrome, local_time, render};
use crate::pages::home::Attention;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use custodian_core::CouncilId;
use custodian_core::audit::AuditEvent;
use custodian_core::mail::{
    MailId, MailKind, MailSettings, MailSettingsInput, MailStatus, NewMail, OutgoingMail,
    SmtpSecurity, check_settings,
};
use custodian_core::permission::Action;
use custodian_core::ports::{MailStore, MailTrouble, StoreError};
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings/email", get(show).post(save))
        .route("/settings/email/test", post(send_test))
        .route("/settings/email/{id}/retry", post(retry))
}

/// How long a given-up message keeps counting on the Clerk's home page.
const GIVEN_UP_SHOWN_DAYS: i64 = 7;
/// Sent messages listed below the unsent ones.
const SENT_SHOWN: i64 = 20;

/// The form's values as shown (never the password).
#[derive(Clone, Default, Deserialize)]
pub struct MailForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    host: String,
    #[serde(default)]
    port: String,
    #[serde(default)]
    security: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    remove_password: Option<String>,
    #[serde(default)]
    from_address: String,
    #[serde(default)]
    from_name: String,
    #[serde(default)]
    digest_hour: String,
}

impl std::fmt::Debug for MailForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailForm")
            .field("host", &self.host)
            .field("password", &"[hidden]")
            .finish_non_exhaustive()
    }
}

impl MailForm {
    fn of(settings: &MailSettings) -> Self {
        Self {
            enabled: settings.enabled.then(|| "on".to_owned()),
            host: settings.host.as_str().to_owned(),
            port: settings.port.to_string(),
            security: settings.security.as_str().to_owned(),
            username: settings.username.clone(),
            password: String::new(),
            remove_password: None,
            from_address: settings.from_address.as_str().to_owned(),
            from_name: settings.from_name.clone(),
            digest_hour: settings.digest_hour.to_string(),
        }
    }

    fn blank(signed_in: &SignedIn) -> Self {
        Self {
            port: "587".to_owned(),
            security: SmtpSecurity::StartTls.as_str().to_owned(),
            from_name: signed_in.current.council.name.to_string(),
            digest_hour: "7".to_owned(),
            ..Self::default()
        }
    }
}

struct OutboxRow {
    id: String,
    to: String,
    subject: String,
    kind: &'static str,
    status: &'static str,
    status_class: &'static str,
    attempts: u32,
    last_error: String,
    next_try: String,
    can_retry: bool,
}

#[derive(Template)]
#[template(path = "mail_settings.html")]
struct MailPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    form: MailForm,
    securities: Vec<(&'static str, &'static str)>,
    password_saved: bool,
    vault_locked: bool,
    configured: bool,
    can_edit: bool,
    done: Option<String>,
    outbox: Vec<OutboxRow>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: Option<MailForm>,
    done: Option<String>,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let settings = state.store().mail_settings(council).await?;
    let people = state.people(council).await?;
    let outbox = state
        .store()
        .mail_outbox(council, SENT_SHOWN)
        .await?
        .into_iter()
        .map(|q| {
            let status = q.status();
            let to = people
                .iter()
                .find(|p| p.id == q.mail.recipient)
                .map_or_else(
                    || q.mail.address.as_str().to_owned(),
                    |p| p.name.to_string(),
                );
            OutboxRow {
                id: q.mail.id.to_string(),
                to,
                subject: q.mail.subject.clone(),
                kind: q.mail.kind.label(),
                status: status.label(),
                status_class: match status {
                    MailStatus::Sent => "govuk-tag--green",
                    MailStatus::Queued => "govuk-tag--blue",
                    MailStatus::Retrying => "govuk-tag--yellow",
                    MailStatus::GivenUp => "govuk-tag--red",
                },
                attempts: q.attempts,
                last_error: q.last_error.clone().unwrap_or_default(),
                next_try: match status {
                    MailStatus::Queued | MailStatus::Retrying => {
                        q.next_attempt_at.map(local_time).unwrap_or_default()
                    }
                    _ => String::new(),
                },
                can_retry: matches!(status, MailStatus::Retrying | MailStatus::GivenUp),
            }
        })
        .collect();
    let form = form.unwrap_or_else(|| {
        settings
            .as_ref()
            .map_or_else(|| MailForm::blank(signed_in), MailForm::of)
    });
    Ok(render(&MailPage {
        chrome: chrome(signed_in, "/settings"),
        errors,
        form,
        securities: SmtpSecurity::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        password_saved: settings
            .as_ref()
            .is_some_and(|s| s.password_sealed.is_some()),
        vault_locked: state.inner().options.vault_key.is_none(),
        configured: settings.is_some(),
        can_edit: signed_in.may(Action::EditCouncilSettings),
        done,
        outbox,
    })?
    .into_response())
}

/// `GET /settings/email`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewCouncilSettings).await?;
    let done = query.done.as_deref().and_then(|d| match d {
        "saved" => Some("Email settings saved.".to_owned()),
        "test" => Some(format!(
            "A test message is queued to {}. It is sent within a minute; if it cannot be, the reason shows below.",
            signed_in.current.person.email.as_str()
        )),
        "retry" => Some("The message will be tried again now.".to_owned()),
        _ => None,
    });
    page(&state, &signed_in, Errors::new(), None, done).await
}

/// `POST /settings/email`: checks every field, seals a new password, and saves nothing if
/// anything is wrong.
pub async fn save(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<MailForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditCouncilSettings).await?;
    let council = signed_in.council_id();
    let now = state.now();
    let existing = state.store().mail_settings(council).await?;
    let mut errors = Errors::new();
    let (password_sealed, password_change) = if !form.password.is_empty() {
        match &state.inner().options.vault_key {
            None => {
                errors.add(
                    "password",
                    "The vault is locked, so a password cannot be saved now: it is kept sealed with the vault key. Ask whoever runs Custodian to start it with the vault unlocked, then save the password again.",
                );
                (None, "refused")
            }
            Some(key) => match seal_password(key, council, &form.password) {
                Ok(sealed) => (Some(sealed), "replaced"),
                Err(e) => return Err(AppError::Internal(anyhow::Error::new(e))),
            },
        }
    } else if form.remove_password.is_some() {
        (None, "removed")
    } else {
        let kept = existing.as_ref().and_then(|s| s.password_sealed.clone());
        let change = if kept.is_some() { "kept" } else { "none" };
        (kept, change)
    };
    let input = MailSettingsInput {
        enabled: form.enabled.is_some(),
        host: &form.host,
        port: &form.port,
        security: &form.security,
        username: &form.username,
        from_address: &form.from_address,
        from_name: &form.from_name,
        digest_hour: &form.digest_hour,
    };
    let settings = match check_settings(council, &input, password_sealed, now) {
        Ok(settings) if errors.is_empty() => settings,
        Ok(_) => return page(&state, &signed_in, errors, Some(cleared(form)), None).await,
        Err(problems) => {
            for (field, problem) in problems {
                errors.add(field, problem.to_string());
            }
            return page(&state, &signed_in, errors, Some(cleared(form)), None).await;
        }
    };
    let event = AuditEvent::new(council, now, signed_in.actor(), "mail.settings_changed")
        .subject(format!("council:{council}"))
        .details(json!({
            "enabled": settings.enabled,
            "host": settings.host.as_str(),
            "port": settings.port,
            "security": settings.security.as_str(),
            "user_name_set": !settings.username.is_empty(),
            "password": password_change,
            "digest_hour": settings.digest_hour,
        }));
    state.store().save_mail_settings(&settings, &event).await?;
    if settings.enabled {
        // Messages held while email was off can go now.
        wake();
    }
    Ok(Redirect::to("/settings/email?done=saved").into_response())
}

/// The form as it is shown again: the typed password is never sent back.
fn cleared(form: MailForm) -> MailForm {
    MailForm {
        password: String::new(),
        ..form
    }
}

/// `POST /settings/email/test`: queues a test message to the person asking. Not audited: it
/// changes nothing but the outbox, where it shows.
pub async fn send_test(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditCouncilSettings).await?;
    let council = signed_in.council_id();
    let now = state.now();
    let enabled = state
        .store()
        .mail_settings(council)
        .await?
        .is_some_and(|s| s.enabled);
    if !enabled {
        let mut errors = Errors::new();
        errors.add(
            "enabled",
            "Email is not turned on: fill in the settings, tick \"Send email\", save, then send the test message.",
        );
        return page(&state, &signed_in, errors, None, None).await;
    }
    let me = &signed_in.current.person;
    let body = format!(
        "This is a test message from Custodian for {}, sent because {} asked for one in Settings, Email on {}.\n\nIf you can read this, the council's email settings work.\n",
        signed_in.current.council.name,
        me.name,
        local_time(now)
    );
    let mail = OutgoingMail::new(
        MailId::generate(),
        NewMail {
            council_id: council,
            recipient: me.id,
            address: &me.email,
            subject: "Custodian test message",
            body: &body,
            kind: MailKind::Test,
            dedupe_key: format!("test:{}:{}", me.id, now.as_millisecond()),
        },
        now,
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    enqueue(state.store(), &[mail]).await?;
    Ok(Redirect::to("/settings/email?done=test").into_response())
}

/// `POST /settings/email/{id}/retry`: "Try again now", audited.
pub async fn retry(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditCouncilSettings).await?;
    let id = MailId::parse(&id).map_err(|_| AppError::NotFound)?;
    let council = signed_in.council_id();
    let now = state.now();
    let event = AuditEvent::new(council, now, signed_in.actor(), "mail.retried")
        .subject(format!("mail:{id}"));
    match state.store().retry_mail_now(council, id, now, &event).await {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    wake();
    Ok(Redirect::to("/settings/email?done=retry").into_response())
}

/// For the Clerk's home page: "N emails could not be sent", while any message is being retried
/// or was given up in the last week. Empty for anyone who cannot change the settings.
pub fn attention(signed_in: &SignedIn, trouble: &MailTrouble) -> Vec<Attention> {
    if !signed_in.may(Action::EditCouncilSettings) {
        return Vec::new();
    }
    let count = trouble.retrying + trouble.given_up;
    if count == 0 {
        return Vec::new();
    }
    let text = match (count, trouble.given_up) {
        (1, 0) => "1 email could not be sent yet; Custodian is trying again.".to_owned(),
        (1, _) => "1 email could not be sent, and Custodian has given up on it.".to_owned(),
        (n, 0) => format!("{n} emails could not be sent yet; Custodian is trying again."),
        (n, g) => format!("{n} emails could not be sent ({g} given up)."),
    };
    vec![Attention {
        text,
        href: "/settings/email".into(),
        action: "See why emails could not be sent",
    }]
}

/// The council's mail problems for the home page: messages being retried, and those given up
/// within the last week. Read with the home page's cached figures (a send or failure is a
/// change to the records, which remakes them).
pub async fn trouble(state: &AppState, council: CouncilId) -> Result<MailTrouble, AppError> {
    let since = state.now() - SignedDuration::from_hours(24 * GIVEN_UP_SHOWN_DAYS);
    Ok(state.store().mail_trouble(council, since).await?)
}
