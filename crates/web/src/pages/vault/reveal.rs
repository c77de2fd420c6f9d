//! Revealing one secret of one item (`POST /vault/{id}/reveal`), with a reason.
//!
//! Fail-closed (4.1.5, "all access ... must be logged and auditable"): the `vault.revealed`
//! entry is committed before the value is opened; if it cannot be written, the answer is 503
//! and nothing is revealed. A two-step seed is never shown: its current code is.
//!
//! A refused attempt ("attempts to access unauthorized passwords will be treated as a security
//! incident", 4.1.5) is audited, opens an incident reported by Custodian itself and tells every
//! active Clerk and Chair, in one transaction; the page says so with 403.

use super::{basis_for, clerks_and_chairs, clip, load, locked_page, notify, vault_key};
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use crate::vault_box::open_secret;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use custodian_core::audit::Actor;
use custodian_core::ids::IncidentId;
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::ports::{VaultChange, VaultStore};
use custodian_core::vault::{
    MAX_REASON_CHARS, RevealBasis, SecretField, VaultItem, check_reason, item_event,
};
use jiff::Timestamp;
use secrecy::zeroize::Zeroizing;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RevealForm {
    field: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "vault/revealed.html")]
struct RevealedPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    field_label: &'static str,
    /// The value, or the current two-step code; wiped when the page is dropped.
    value: Zeroizing<String>,
    is_code: bool,
    /// For a code: seconds until it changes.
    seconds_left: u64,
}

#[derive(Template)]
#[template(path = "vault/refused.html")]
struct RefusedPage {
    chrome: crate::chrome::Chrome,
    name: String,
}

#[derive(Template)]
#[template(path = "vault/not_recorded.html")]
struct NotRecordedPage {
    chrome: crate::chrome::Chrome,
    id: String,
    request_id: Option<String>,
}

/// Every response that shows a secret: never kept by a browser or a proxy.
fn no_store(status: StatusCode, html: axum::response::Html<String>) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], html).into_response()
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<RevealForm>,
) -> Result<Response, AppError> {
    let item = load(&state, &signed_in, &id).await?;
    let Some(basis) = basis_for(&state, &signed_in, &item).await? else {
        return refuse(&state, &signed_in, &item, &form).await;
    };
    let Some(key) = vault_key(&state) else {
        return locked_page(&signed_in);
    };
    let field = SecretField::parse(&form.field)
        .ok()
        .filter(|f| item.has(*f));
    let (Some(field), Ok(reason)) = (field, check_reason(&form.reason)) else {
        // Back to the item page, which shows what was missing.
        return super::item::show(&state, &signed_in, item, Some(form_problem(&form))).await;
    };
    // Read the sealed value before recording, so a missing row cannot leave a recorded reveal
    // that showed nothing; open it only after the record is committed.
    let stored = state
        .store()
        .sealed_item(signed_in.council_id(), item.id)
        .await?;
    let now = state.now();
    let mut details = json!({
        "field": field.as_str(),
        "reason": reason,
        "basis": basis.to_audit(),
    });
    if field == SecretField::TotpSeed {
        details["shown"] = json!("current code");
    }
    let mut changed = item.clone();
    if matches!(basis, RevealBasis::Emergency(_)) {
        // Opened in an emergency: the password must change once the emergency is over.
        changed.begin_change();
        changed.rotation_forced_at = Some(now);
    }
    let events = [item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.revealed",
        details,
    )];
    let change = VaultChange {
        item: matches!(basis, RevealBasis::Emergency(_)).then_some(&changed),
        events: &events,
        ..VaultChange::default()
    };
    if let Err(error) = state
        .store()
        .change_vault(signed_in.council_id(), &change)
        .await
    {
        let request_id = crate::error::current_request_id();
        tracing::error!(request_id = ?request_id, item = %item.id, error = %error, "reveal not recorded, so not shown");
        let page = render(&NotRecordedPage {
            chrome: chrome(&signed_in, "/vault"),
            id: item.id.to_string(),
            request_id,
        })?;
        return Ok(no_store(StatusCode::SERVICE_UNAVAILABLE, page));
    }
    let opened = open_secret(&key, &item, &stored, field)?;
    let (value, is_code, seconds_left) = if field == SecretField::TotpSeed {
        let (code, left) = current_code(&opened, now)?;
        (code, true, left)
    } else {
        (opened, false, 0)
    };
    let page = render(&RevealedPage {
        chrome: chrome(&signed_in, "/vault"),
        id: item.id.to_string(),
        name: item.name.clone(),
        field_label: field.label(),
        value,
        is_code,
        seconds_left,
    })?;
    Ok(no_store(StatusCode::OK, page))
}

fn form_problem(form: &RevealForm) -> String {
    match check_reason(&form.reason) {
        Err(e) if !form.field.trim().is_empty() => e.to_string(),
        Err(e) => format!("Choose what to reveal. {e}"),
        Ok(_) => "Choose what to reveal from the list.".to_owned(),
    }
}

/// The six-digit code a two-step seed gives now, and the seconds until it changes.
fn current_code(seed: &str, now: Timestamp) -> Result<(Zeroizing<String>, u64), AppError> {
    let bytes = Zeroizing::new(
        base32::decode(base32::Alphabet::Rfc4648 { padding: false }, seed).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("a stored two-step seed is not base32"))
        })?,
    );
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes.to_vec(),
        None,
        String::new(),
    );
    let seconds = u64::try_from(now.as_second()).unwrap_or(0);
    Ok((Zeroizing::new(totp.generate(seconds)), 30 - seconds % 30))
}

/// Records a refused attempt as an incident, tells the Clerks and Chairs, and answers 403.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    item: &VaultItem,
    form: &RevealForm,
) -> Result<Response, AppError> {
    let now = state.now();
    let council = signed_in.council_id();
    let person = signed_in.current.person.name.to_string();
    let field = SecretField::parse(&form.field).map_or("unknown", |f| f.as_str());
    let summary = format!(
        "{person} tried to reveal a secret of the vault item \"{}\" without being allowed to. Custodian refused and recorded the attempt.",
        item.name
    );
    let report = IncidentReport {
        kind: IncidentKind::SecurityIncident,
        summary,
        happened_at: Some(now),
    };
    let (incident, opened) =
        open_incident(council, IncidentId::generate(), report, Actor::System, now)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let refused = item_event(
        item,
        now,
        signed_in.actor(),
        "vault.reveal_refused",
        json!({ "field": field, "reason": clip(&form.reason, MAX_REASON_CHARS) }),
    );
    let told = clerks_and_chairs(state, signed_in).await?;
    let message = format!(
        "{person} tried to reveal \"{}\" in the password vault without being allowed to. The attempt was refused and an incident opened.",
        item.name
    );
    let notifications = notify(&told, &message, &format!("/incidents/{}", incident.id), now);
    let events = [refused, opened];
    let change = VaultChange {
        incident: Some(&incident),
        notifications: &notifications,
        events: &events,
        ..VaultChange::default()
    };
    state.store().change_vault(council, &change).await?;
    crate::pages::incidents::email_about(state, &incident).await;
    let page = render(&RefusedPage {
        chrome: chrome(signed_in, "/vault"),
        name: item.name.clone(),
    })?;
    Ok((StatusCode::FORBIDDEN, page).into_response())
}
