//! Passkeys as a second factor: the "Your passkeys" page (list, add, remove) and the JSON
//! endpoints that `assets/passkeys.js` calls for the WebAuthn ceremonies, when adding a passkey
//! and when signing in with one.
//!
//! The JSON endpoints answer `{"error": "..."}` (a sentence to show) with a 4xx or 503 status,
//! or `{"redirect": "/..."}` when the browser should move on. Like every POST, they need the
//! CSRF token (sent in the `x-csrf-token` header). Nothing here trusts the browser's word: the
//! challenge state stays on the server (see `crate::passkeys`).

use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::passkeys::{self, Ceremony};
use crate::session::{Current, HalfSignedIn, SignedIn};
use crate::state::AppState;
use crate::throttle::Verdict;
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ports::{
    AccountStore, AuditLog, PasskeyRecord, PasskeyStore, PersonStore, SessionStore,
};
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::{Passkey, PublicKeyCredential, RegisterPublicKeyCredential};

/// A JSON error the page script shows as it is.
fn json_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Tells the page script where to go next.
fn json_redirect(to: &str) -> Response {
    Json(json!({ "redirect": to })).into_response()
}

fn unavailable(reason: &str) -> Response {
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!(
            "Passkeys cannot be used at this address. {reason} You can still use an authenticator app."
        ),
    )
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("passkey: {error}"))
}

/// An account's stored passkeys with their credentials read. A record that cannot be read is
/// left out and logged: one damaged row must not stop the others from working.
fn readable(records: &[PasskeyRecord]) -> Vec<(&PasskeyRecord, Passkey)> {
    records
        .iter()
        .filter_map(|record| match passkeys::from_stored(record) {
            Ok(key) => Some((record, key)),
            Err(e) => {
                tracing::warn!(passkey = %record.id, error = %e, "a stored passkey cannot be read");
                None
            }
        })
        .collect()
}

fn mfa_required(current: &Current) -> bool {
    current
        .council
        .settings
        .mfa_required_roles
        .intersects(current.person.roles)
}

struct PasskeyRow {
    id: String,
    name: String,
    added: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "passkeys.html")]
struct PasskeysPage {
    chrome: crate::chrome::Chrome,
    passkeys: Vec<PasskeyRow>,
    /// Why passkeys cannot be used at this address, when they cannot.
    unavailable: Option<&'static str>,
    notice: Option<&'static str>,
    /// The council requires a second factor and this account has no other.
    only_factor_required: bool,
}

#[derive(Deserialize, Default)]
pub struct PasskeysQuery {
    notice: Option<String>,
}

/// `GET /account/passkeys`
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PasskeysQuery>,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let account = state.store().account(current.session.account_id).await?;
    let records = state.store().passkeys(account.id).await?;
    let notice = match query.notice.as_deref() {
        Some("added") => {
            Some("Your passkey has been added. You can use it the next time you sign in.")
        }
        Some("removed") => Some("The passkey has been removed."),
        _ => None,
    };
    Ok(render(&PasskeysPage {
        chrome: chrome(&signed_in, "/account"),
        only_factor_required: mfa_required(current)
            && account.totp_secret.is_none()
            && records.len() <= 1,
        passkeys: records
            .into_iter()
            .map(|r| PasskeyRow {
                id: r.id,
                name: r.name,
                added: local_time(r.created_at),
                last_used: r
                    .last_used_at
                    .map_or_else(|| "Not yet".to_owned(), local_time),
            })
            .collect(),
        unavailable: state.inner().passkeys.relying_party().err(),
        notice,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct RegisterStart {
    #[serde(default)]
    name: String,
}

/// `POST /account/passkeys/register/start` (JSON `{"name": "..."}`): the options for the
/// browser's `navigator.credentials.create()`.
pub async fn register_start(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, AppError> {
    let Ok(start) = serde_json::from_slice::<RegisterStart>(&body) else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "Your browser sent a request Custodian could not read. Refresh the page and try again.",
        ));
    };
    let name = match passkeys::parse_name(&start.name) {
        Ok(name) => name,
        Err(message) => return Ok(json_error(StatusCode::BAD_REQUEST, message)),
    };
    let relying_party = match state.inner().passkeys.relying_party() {
        Ok(rp) => rp,
        Err(reason) => return Ok(unavailable(reason)),
    };
    let current = &signed_in.current;
    let account = state.store().account(current.session.account_id).await?;
    let records = state.store().passkeys(account.id).await?;
    // The browser refuses to make a second passkey on an authenticator that already has one.
    let exclude = readable(&records)
        .into_iter()
        .map(|(_, key)| key.cred_id().clone())
        .collect();
    let (options, registration) = relying_party
        .start_passkey_registration(
            account.id.as_uuid(),
            account.email.as_str(),
            current.person.name.as_str(),
            Some(exclude),
        )
        .map_err(internal)?;
    state.inner().passkeys.start(
        &current.token_hash,
        Ceremony::Registration {
            name,
            state: registration,
        },
        state.now(),
    );
    Ok(Json(options).into_response())
}

#[derive(Deserialize)]
struct RegisterFinish {
    #[serde(default)]
    name: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST /account/passkeys/register/finish` (JSON `{"name": "...", "credential": {...}}`):
/// checks the new credential against the challenge and stores it.
pub async fn register_finish(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, AppError> {
    let Ok(finish) = serde_json::from_slice::<RegisterFinish>(&body) else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "The passkey details your browser sent could not be read, so nothing was added. Try adding the passkey again.",
        ));
    };
    let typed_name = if finish.name.trim().is_empty() {
        None
    } else {
        match passkeys::parse_name(&finish.name) {
            Ok(name) => Some(name),
            Err(message) => return Ok(json_error(StatusCode::BAD_REQUEST, message)),
        }
    };
    let relying_party = match state.inner().passkeys.relying_party() {
        Ok(rp) => rp,
        Err(reason) => return Ok(unavailable(reason)),
    };
    let current = &signed_in.current;
    let now = state.now();
    let Some(Ceremony::Registration {
        name: started_name,
        state: registration,
    }) = state.inner().passkeys.take(&current.token_hash, now)
    else {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "This request to add a passkey has expired, so nothing was added. Try again.",
        ));
    };
    let key = match relying_party.finish_passkey_registration(&finish.credential, &registration) {
        Ok(key) => key,
        Err(e) => {
            tracing::info!(error = %e, "a new passkey was refused");
            return Ok(json_error(
                StatusCode::BAD_REQUEST,
                "Your passkey could not be checked, so it was not added. Try again.",
            ));
        }
    };
    let account_id = current.session.account_id;
    let records = state.store().passkeys(account_id).await?;
    if readable(&records)
        .iter()
        .any(|(_, existing)| existing.cred_id() == key.cred_id())
    {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "This passkey is already on your account.",
        ));
    }
    let record = PasskeyRecord {
        id: uuid::Uuid::now_v7().to_string(),
        account_id,
        name: typed_name.unwrap_or(started_name),
        credential: passkeys::to_stored(&key).map_err(internal)?,
        created_at: now,
        last_used_at: None,
    };
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "mfa.passkey_added",
    )
    .subject(format!("person:{}", current.person.id))
    .details(json!({ "passkey": record.id, "name": record.name }));
    state.store().insert_passkey(&record, &event).await?;
    Ok(json_redirect("/account/passkeys?notice=added"))
}

/// `POST /account/passkeys/{id}/remove`: another account's passkey is "not found".
pub async fn remove(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let account_id = current.session.account_id;
    let record = state
        .store()
        .passkeys(account_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    let event = AuditEvent::new(
        signed_in.council_id(),
        state.now(),
        signed_in.actor(),
        "mfa.passkey_removed",
    )
    .subject(format!("person:{}", current.person.id))
    .details(json!({ "passkey": record.id, "name": record.name }));
    state
        .store()
        .delete_passkey(account_id, &record.id, &event)
        .await?;
    Ok(Redirect::to("/account/passkeys?notice=removed").into_response())
}

/// The throttle key shared with security codes, so passkey and code failures add up.
fn throttle_key(current: &Current) -> String {
    format!("mfa:{}", current.session.account_id)
}

fn too_many(until: jiff::Timestamp) -> Response {
    json_error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!(
            "There have been too many failed attempts. Try again after {}",
            local_time(until)
        ),
    )
}

/// `POST /sign-in/mfa/passkey/start`: the options for `navigator.credentials.get()`.
pub async fn sign_in_start(
    State(state): State<AppState>,
    half: HalfSignedIn,
) -> Result<Response, AppError> {
    let current = &half.current;
    if current.session.mfa_passed {
        return Ok(json_redirect("/"));
    }
    let now = state.now();
    if let Verdict::WaitUntil(until) = state.inner().throttle.check(&throttle_key(current), now) {
        return Ok(too_many(until));
    }
    let relying_party = match state.inner().passkeys.relying_party() {
        Ok(rp) => rp,
        Err(reason) => return Ok(unavailable(reason)),
    };
    let records = state.store().passkeys(current.session.account_id).await?;
    let keys: Vec<Passkey> = readable(&records).into_iter().map(|(_, k)| k).collect();
    if keys.is_empty() {
        return Ok(json_error(
            StatusCode::BAD_REQUEST,
            "Your account has no passkeys. Enter a code from your authenticator app instead.",
        ));
    }
    let (options, authentication) = relying_party
        .start_passkey_authentication(&keys)
        .map_err(internal)?;
    state.inner().passkeys.start(
        &current.token_hash,
        Ceremony::Authentication(authentication),
        now,
    );
    Ok(Json(options).into_response())
}

#[derive(Deserialize)]
struct SignInFinish {
    credential: PublicKeyCredential,
}

/// Counts a failed passkey sign-in like a wrong code, records it, and says so.
async fn sign_in_failed(
    state: &AppState,
    current: &Current,
    reason: &'static str,
) -> Result<Response, AppError> {
    let now = state.now();
    state.inner().throttle.fail(&throttle_key(current), now);
    let event = AuditEvent::new(
        current.council.id,
        now,
        Actor::Person(current.person.id),
        "signin.mfa_failed",
    )
    .subject(format!("person:{}", current.person.id))
    .details(json!({ "second_factor": "passkey", "reason": reason }));
    state.store().append(&event).await?;
    Ok(json_error(
        StatusCode::BAD_REQUEST,
        "Your passkey was not accepted. Try again, or enter a code from your authenticator app if you have one.",
    ))
}

/// `POST /sign-in/mfa/passkey/finish` (JSON `{"credential": {...}}`): checks the signed
/// challenge, moves the passkey's counter on and finishes signing in.
pub async fn sign_in_finish(
    State(state): State<AppState>,
    half: HalfSignedIn,
    body: Bytes,
) -> Result<Response, AppError> {
    let current = &half.current;
    if current.session.mfa_passed {
        return Ok(json_redirect("/"));
    }
    let now = state.now();
    let key = throttle_key(current);
    if let Verdict::WaitUntil(until) = state.inner().throttle.check(&key, now) {
        return Ok(too_many(until));
    }
    let relying_party = match state.inner().passkeys.relying_party() {
        Ok(rp) => rp,
        Err(reason) => return Ok(unavailable(reason)),
    };
    let Ok(finish) = serde_json::from_slice::<SignInFinish>(&body) else {
        return sign_in_failed(&state, current, "unreadable").await;
    };
    let Some(Ceremony::Authentication(authentication)) =
        state.inner().passkeys.take(&current.token_hash, now)
    else {
        return sign_in_failed(&state, current, "no_challenge").await;
    };
    let result =
        match relying_party.finish_passkey_authentication(&finish.credential, &authentication) {
            Ok(result) => result,
            Err(e) => {
                tracing::info!(error = %e, "a passkey sign-in was refused");
                return sign_in_failed(&state, current, "not_verified").await;
            }
        };
    let records = state.store().passkeys(current.session.account_id).await?;
    let Some((record, mut passkey)) = readable(&records)
        .into_iter()
        .find(|(_, k)| k.cred_id() == result.cred_id())
    else {
        return sign_in_failed(&state, current, "unknown_passkey").await;
    };
    passkey.update_credential(&result);
    let used = PasskeyRecord {
        credential: passkeys::to_stored(&passkey).map_err(internal)?,
        last_used_at: Some(now),
        ..record.clone()
    };
    state.inner().throttle.succeed(&key);
    let event = AuditEvent::new(
        current.council.id,
        now,
        Actor::Person(current.person.id),
        "signin.succeeded",
    )
    .subject(format!("person:{}", current.person.id))
    .details(json!({ "second_factor": "passkey" }));
    state.store().record_passkey_use(&used, &event).await?;
    let mut session = current.session.clone();
    session.mfa_passed = true;
    session.last_seen_at = now;
    state.store().update_session(&session).await?;
    let memberships = state
        .store()
        .people_for_account(current.session.account_id)
        .await?;
    let target = if memberships.iter().filter(|p| p.may_sign_in()).count() > 1 {
        "/choose-council"
    } else {
        "/"
    };
    Ok(json_redirect(target))
}
