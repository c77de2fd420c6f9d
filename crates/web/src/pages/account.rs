//! "Your account": your details, your second factor, signing out everywhere.

use crate::error::AppError;
use crate::forms::Errors;
use crate::mfa;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodian_core::audit::AuditEvent;
use custodian_core::ports::{AccountStore, PasskeyStore};
use serde::Deserialize;
use serde_json::json;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: crate::chrome::Chrome,
    name: String,
    email: String,
    roles: String,
    council: String,
    has_mfa: bool,
    recovery_codes_left: usize,
    mfa_required: bool,
    passkeys: usize,
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let account = state.store().account(current.session.account_id).await?;
    let passkeys = state.store().passkeys(account.id).await?.len();
    Ok(render(&AccountPage {
        chrome: chrome(&signed_in, "/account"),
        name: current.person.name.to_string(),
        email: current.person.email.to_string(),
        roles: current.person.roles.labels(),
        council: current.council.name.to_string(),
        has_mfa: account.totp_secret.is_some(),
        recovery_codes_left: account.recovery_code_hashes.len(),
        mfa_required: current
            .council
            .settings
            .mfa_required_roles
            .intersects(current.person.roles),
        passkeys,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "mfa_setup.html")]
struct MfaSetupPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    secret: String,
    qr_svg: String,
    required: bool,
    already: bool,
}

#[derive(Template)]
#[template(path = "mfa_done.html")]
struct MfaDonePage {
    chrome: crate::chrome::Chrome,
    codes: Vec<String>,
}

fn setup_page(
    signed_in: &SignedIn,
    errors: Errors,
    secret: String,
    already: bool,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let qr_svg = mfa::qr_svg(&secret, current.person.email.as_str()).unwrap_or_default();
    Ok(render(&MfaSetupPage {
        chrome: chrome(signed_in, "/account"),
        errors,
        secret,
        qr_svg,
        required: current
            .council
            .settings
            .mfa_required_roles
            .intersects(current.person.roles),
        already,
    })?
    .into_response())
}

pub async fn show_mfa_setup(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let account = state
        .store()
        .account(signed_in.current.session.account_id)
        .await?;
    setup_page(
        &signed_in,
        Errors::new(),
        mfa::new_secret(),
        account.totp_secret.is_some(),
    )
}

#[derive(Deserialize)]
pub struct MfaSetupForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

pub async fn submit_mfa_setup(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<MfaSetupForm>,
) -> Result<Response, AppError> {
    let now = state.now();
    let mut account = state
        .store()
        .account(signed_in.current.session.account_id)
        .await?;
    let secret_ok = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &form.secret)
        .is_some_and(|b| b.len() >= 16);
    if !secret_ok {
        return setup_page(
            &signed_in,
            Errors::new(),
            mfa::new_secret(),
            account.totp_secret.is_some(),
        );
    }
    if !mfa::code_is_valid(&form.secret, &form.code, now) {
        let mut errors = Errors::new();
        errors.add(
            "code",
            "The code is not right. Enter the 6-digit code your app shows now for Custodian",
        );
        return setup_page(
            &signed_in,
            errors,
            form.secret,
            account.totp_secret.is_some(),
        );
    }
    let replacing = account.totp_secret.is_some();
    let (codes, hashes) = mfa::new_recovery_codes();
    account.totp_secret = Some(form.secret);
    account.recovery_code_hashes = hashes;
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "mfa.totp_enabled",
    )
    .subject(format!("person:{}", signed_in.current.person.id))
    .details(json!({ "replaced_previous": replacing }));
    state
        .store()
        .update_account_security(&account, &event)
        .await?;
    Ok(render(&MfaDonePage {
        chrome: chrome(&signed_in, "/account"),
        codes,
    })?
    .into_response())
}
