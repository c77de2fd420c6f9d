//! Accepting an invitation (setting a password) and the first-run setup of an installation.

use super::sign_in::start_session;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{local_time, render};
use crate::provisioning::{self, ProvisionError};
use crate::session::Visitor;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::Actor;
use custodian_core::council::{CouncilKind, CouncilName, Founding};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::passphrase;
use custodian_core::person::{Email, PersonName};
use custodian_core::ports::{AccountStore, CouncilStore, LinkPurpose, PasskeyStore};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// These pages are for someone who is not (yet) signed in as the person concerned, so they never
/// show a signed-in header, even when the browser has someone else's session.
fn plain_chrome(visitor: &Visitor) -> crate::chrome::Chrome {
    crate::chrome::Chrome::anonymous(visitor.csrf_token.clone())
}

fn suggestion() -> String {
    passphrase::suggest(&mut rand::rngs::OsRng, 3)
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    token: String,
    person_name: String,
    council_name: String,
    existing_account: bool,
    /// A password-reset link rather than an invitation.
    reset: bool,
    expires: String,
    suggestion: String,
}

#[derive(Template)]
#[template(path = "invitation_invalid.html")]
struct InvitationInvalidPage {
    chrome: crate::chrome::Chrome,
    message: String,
}

fn invalid(visitor: &Visitor, error: ProvisionError) -> Result<Response, AppError> {
    match error {
        ProvisionError::InvitationUnknown
        | ProvisionError::InvitationExpired
        | ProvisionError::InvitationUsed => Ok((
            axum::http::StatusCode::NOT_FOUND,
            render(&InvitationInvalidPage {
                chrome: plain_chrome(visitor),
                message: error.to_string(),
            })?,
        )
            .into_response()),
        other => Err(other.into()),
    }
}

pub async fn show_invitation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let now = state.now();
    let (invitation, person) =
        match provisioning::usable_invitation(state.store(), &token, now).await {
            Ok(found) => found,
            Err(e) => return invalid(&visitor, e),
        };
    let council = state.store().council(invitation.council_id).await?;
    let reset = invitation.purpose == LinkPurpose::PasswordReset;
    let existing_account = !reset
        && state
            .store()
            .account_by_email(&person.email)
            .await?
            .is_some();
    Ok(render(&InvitationPage {
        chrome: plain_chrome(&visitor),
        errors: Errors::new(),
        token,
        person_name: person.name.to_string(),
        council_name: council.name.to_string(),
        existing_account,
        reset,
        expires: local_time(invitation.expires_at),
        suggestion: suggestion(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    Form(form): Form<InvitationForm>,
) -> Result<Response, AppError> {
    let now = state.now();
    let (invitation, person) =
        match provisioning::usable_invitation(state.store(), &token, now).await {
            Ok(found) => found,
            Err(e) => return invalid(&visitor, e),
        };
    let council = state.store().council(invitation.council_id).await?;
    let reset = invitation.purpose == LinkPurpose::PasswordReset;
    let existing = if reset {
        None
    } else {
        state.store().account_by_email(&person.email).await?
    };
    let mut errors = Errors::new();
    if existing.is_none() && form.password != form.confirm {
        errors.add(
            "confirm",
            "The two passwords do not match. Type the same password twice",
        );
    }
    let result = if !errors.is_empty() {
        None
    } else if reset {
        Some(
            provisioning::complete_password_reset(
                state.store(),
                &token,
                SecretString::from(form.password),
                council.name.as_str(),
                now,
            )
            .await,
        )
    } else {
        Some(
            provisioning::accept_invitation(
                state.store(),
                &token,
                SecretString::from(form.password),
                council.name.as_str(),
                now,
            )
            .await,
        )
    };
    match result {
        Some(Ok((account, person))) => {
            let account = state.store().account(account).await?;
            // Someone with a second factor still has to give it, even straight after choosing a
            // password: the link proves only access to their email.
            let has_second_factor = account.totp_secret.is_some()
                || !state.store().passkeys(account.id).await?.is_empty();
            let cookie = start_session(&state, account.id, &person, !has_second_factor).await?;
            let target = if has_second_factor {
                "/sign-in/mfa"
            } else {
                "/"
            };
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response())
        }
        Some(Err(ProvisionError::Password(problem))) => {
            errors.add("password", problem.to_string());
            invitation_again(
                &visitor,
                errors,
                token,
                &person,
                &council,
                existing.is_some(),
                &invitation,
            )
        }
        Some(Err(ProvisionError::ExistingAccountPasswordMismatch)) => {
            errors.add(
                "password",
                ProvisionError::ExistingAccountPasswordMismatch.to_string(),
            );
            invitation_again(
                &visitor,
                errors,
                token,
                &person,
                &council,
                true,
                &invitation,
            )
        }
        Some(Err(e)) => invalid(&visitor, e),
        None => invitation_again(
            &visitor,
            errors,
            token,
            &person,
            &council,
            existing.is_some(),
            &invitation,
        ),
    }
}

fn invitation_again(
    visitor: &Visitor,
    errors: Errors,
    token: String,
    person: &custodian_core::person::Person,
    council: &custodian_core::council::Council,
    existing_account: bool,
    link: &custodian_core::ports::Invitation,
) -> Result<Response, AppError> {
    Ok(render(&InvitationPage {
        chrome: plain_chrome(visitor),
        errors,
        token,
        person_name: person.name.to_string(),
        council_name: council.name.to_string(),
        existing_account,
        reset: link.purpose == LinkPurpose::PasswordReset,
        expires: local_time(link.expires_at),
        suggestion: suggestion(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    form: SetupForm,
    suggestion: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct SetupForm {
    #[serde(default)]
    setup_code: String,
    #[serde(default)]
    council_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    clerk_name: String,
    #[serde(default)]
    clerk_email: String,
    #[serde(default)]
    password: String,
}

/// Whether the first-run setup page is open: no council yet, and a setup code was printed.
pub async fn setup_open(state: &AppState) -> Result<bool, AppError> {
    let has_code = state
        .inner()
        .setup_code
        .lock()
        .map(|c| c.is_some())
        .unwrap_or(false);
    Ok(has_code && state.store().councils().await?.is_empty())
}

pub async fn show_setup(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    if !setup_open(&state).await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    Ok(render(&SetupPage {
        chrome: plain_chrome(&visitor),
        errors: Errors::new(),
        form: SetupForm {
            kind: "parish".to_owned(),
            ..SetupForm::default()
        },
        suggestion: suggestion(),
    })?
    .into_response())
}

pub async fn submit_setup(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    if !setup_open(&state).await? {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    let mut errors = Errors::new();
    let code_ok = state
        .inner()
        .setup_code
        .lock()
        .ok()
        .and_then(|c| {
            c.as_ref().map(|c| {
                bool::from(
                    c.expose_secret()
                        .trim()
                        .as_bytes()
                        .ct_eq(form.setup_code.trim().as_bytes()),
                )
            })
        })
        .unwrap_or(false);
    if !code_ok {
        errors.add("setup_code", "The setup code is not right. Copy it from the message Custodian printed when it started");
    }
    let name = errors.check("council_name", CouncilName::parse(&form.council_name));
    let kind = errors.check("kind", CouncilKind::parse(&form.kind));
    let clerk_name = errors.check("clerk_name", PersonName::parse(&form.clerk_name));
    let clerk_email = errors.check("clerk_email", Email::parse(&form.clerk_email));
    if let (Some(n), Some(cn), Some(ce)) = (&name, &clerk_name, &clerk_email)
        && let Err(problem) = custodian_core::password::check_new_password(
            &form.password,
            &[cn.as_str(), ce.as_str(), n.as_str()],
        )
    {
        errors.add("password", problem.to_string());
    }
    let (Some(name), Some(kind), Some(clerk_name), Some(clerk_email)) =
        (name, kind, clerk_name, clerk_email)
    else {
        return setup_again(&visitor, errors, form);
    };
    if !errors.is_empty() {
        return setup_again(&visitor, errors, form);
    }
    let now = state.now();
    let founding = Founding {
        council_id: CouncilId::generate(),
        name: name.clone(),
        kind,
        clerk_id: PersonId::generate(),
        clerk_name,
        clerk_email,
    };
    let (_, _, token) = provisioning::found(state.store(), founding, Actor::Anonymous, now).await?;
    let (account, clerk) = provisioning::accept_invitation(
        state.store(),
        token.expose_secret(),
        SecretString::from(form.password),
        name.as_str(),
        now,
    )
    .await?;
    if let Ok(mut code) = state.inner().setup_code.lock() {
        *code = None;
    }
    let cookie = start_session(&state, account, &clerk, true).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

fn setup_again(
    visitor: &Visitor,
    errors: Errors,
    mut form: SetupForm,
) -> Result<Response, AppError> {
    form.password.clear();
    Ok(render(&SetupPage {
        chrome: plain_chrome(visitor),
        errors,
        form,
        suggestion: suggestion(),
    })?
    .into_response())
}
