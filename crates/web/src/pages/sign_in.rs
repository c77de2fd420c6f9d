//! Signing in and out: password, second factor, choosing a council, ending sessions.

use crate::auth;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render, safe_next, visitor_chrome};
use crate::session::{HalfSignedIn, SESSION_COOKIE, SignedIn, Visitor, set_cookie};
use crate::state::AppState;
use crate::throttle::{self, Verdict};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{AccountId, CouncilId};
use custodian_core::person::{Email, Person};
use custodian_core::ports::{
    Account, AccountStore, CouncilStore, PasskeyStore, PersonStore, Session, SessionStore,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    email: String,
    next: String,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    next: Option<String>,
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<SignInQuery>,
) -> Result<Response, AppError> {
    // A brand-new installation has nobody to sign in: send the first visitor to set-up.
    if super::onboarding::setup_open(&state).await? {
        return Ok(Redirect::to("/setup").into_response());
    }
    if visitor
        .current
        .as_ref()
        .is_some_and(|c| c.session.mfa_passed)
    {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = match query.notice.as_deref() {
        Some("signed-out") => Some("You have signed out."),
        Some("signed-out-everywhere") => Some("You have signed out on every device."),
        _ => None,
    };
    Ok(render(&SignInPage {
        chrome: visitor_chrome(&visitor),
        errors: Errors::new(),
        email: String::new(),
        next: safe_next(query.next.as_deref()).to_owned(),
        notice,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

const WRONG_DETAILS: &str = "The email address or password is not right. Check them and try again";

pub async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let password = SecretString::from(form.password);
    let next = safe_next(Some(&form.next)).to_owned();
    let page = |errors: Errors, email: &str| SignInPage {
        chrome: visitor_chrome(&visitor),
        errors,
        email: email.to_owned(),
        next: next.clone(),
        notice: None,
    };
    let mut errors = Errors::new();
    let email = errors.check("email", Email::parse(&form.email));
    if password.expose_secret().is_empty() {
        errors.add("password", "Enter your password");
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(render(&page(errors, &form.email))?.into_response());
    };
    let now = state.now();
    let throttle = &state.inner().throttle;
    let account = state.store().account_by_email(&email).await?;
    let locked_until = account
        .as_ref()
        .and_then(|a| a.locked_until)
        .filter(|t| *t > now);
    let wait = match (throttle.check(email.as_str(), now), locked_until) {
        (Verdict::WaitUntil(t), _) | (Verdict::Allowed, Some(t)) => Some(t),
        (Verdict::Allowed, None) => None,
    };
    if let Some(until) = wait {
        errors.add(
            "email",
            format!(
                "There have been too many attempts to sign in with this email address. Try again after {}",
                local_time(until)
            ),
        );
        return Ok(render(&page(errors, email.as_str()))?.into_response());
    }
    // Verify against a dummy hash when there is no account, so timing reveals nothing.
    let phc = account.as_ref().map_or_else(
        || auth::dummy_hash().to_owned(),
        |a| a.password_hash.clone(),
    );
    let verified = auth::verify_password_off_thread(password, phc).await;
    let Some(account) = account.filter(|_| verified) else {
        let failures = throttle.fail(email.as_str(), now);
        if let Some(account) = state.store().account_by_email(&email).await? {
            record_failure(&state, &account, i64::from(failures)).await?;
        }
        errors.add("email", WRONG_DETAILS);
        return Ok(render(&page(errors, email.as_str()))?.into_response());
    };
    throttle.succeed(email.as_str());
    let memberships: Vec<Person> = state
        .store()
        .people_for_account(account.id)
        .await?
        .into_iter()
        .filter(Person::may_sign_in)
        .collect();
    let Some(first) = memberships.first() else {
        errors.add(
            "email",
            "You no longer have access to any council in Custodian. If this is a mistake, ask your Clerk",
        );
        return Ok(render(&page(errors, email.as_str()))?.into_response());
    };
    if account.failed_attempts > 0 || account.locked_until.is_some() {
        state
            .store()
            .record_failed_sign_in(account.id, 0, None, &[])
            .await?;
    }
    let has_passkeys = !state.store().passkeys(account.id).await?.is_empty();
    let mfa_passed = account.totp_secret.is_none() && !has_passkeys;
    let target = if !mfa_passed {
        "/sign-in/mfa".to_owned()
    } else if memberships.len() > 1 {
        "/choose-council".to_owned()
    } else {
        next
    };
    let cookie = start_session(&state, account.id, first, mfa_passed).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

async fn record_failure(
    state: &AppState,
    account: &Account,
    failures: i64,
) -> Result<(), AppError> {
    let now = state.now();
    let attempts = account.failed_attempts.max(failures - 1) + 1;
    let locked_until =
        (attempts >= i64::from(throttle::LOCK_AFTER)).then(|| throttle::lock_ends(now));
    let people = state.store().people_for_account(account.id).await?;
    let events: Vec<AuditEvent> = people
        .iter()
        .map(|p| {
            AuditEvent::new(p.council_id, now, Actor::Anonymous, "signin.failed")
                .subject(format!("person:{}", p.id))
                .details(
                    json!({ "consecutive_failures": attempts, "locked": locked_until.is_some() }),
                )
        })
        .collect();
    state
        .store()
        .record_failed_sign_in(account.id, attempts, locked_until, &events)
        .await?;
    Ok(())
}

/// Starts a session for `person` and returns the `Set-Cookie` header value.
pub async fn start_session(
    state: &AppState,
    account: AccountId,
    person: &Person,
    mfa_passed: bool,
) -> Result<axum::http::HeaderValue, AppError> {
    let now = state.now();
    let token = auth::new_token();
    let session = Session {
        token_hash: auth::token_hash(token.expose_secret()),
        account_id: account,
        council_id: person.council_id,
        person_id: person.id,
        csrf_token: auth::new_token().expose_secret().to_owned(),
        mfa_passed,
        created_at: now,
        last_seen_at: now,
    };
    let action = if mfa_passed {
        "signin.succeeded"
    } else {
        "signin.password_accepted"
    };
    let event = AuditEvent::new(person.council_id, now, Actor::Person(person.id), action)
        .subject(format!("person:{}", person.id));
    state.store().insert_session(&session, &event).await?;
    Ok(set_cookie(SESSION_COOKIE, token.expose_secret(), None))
}

#[derive(Template)]
#[template(path = "sign_in_mfa.html")]
struct MfaPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    /// The account has an authenticator app (and so recovery codes).
    has_totp: bool,
    /// The account has passkeys: offer "Use your passkey".
    has_passkeys: bool,
    /// Why passkeys cannot be used at this address, when they cannot.
    passkeys_unavailable: Option<&'static str>,
}

/// Which second factors the account has, for the page.
async fn second_factors(state: &AppState, account: &Account) -> Result<(bool, bool), AppError> {
    let has_passkeys = !state.store().passkeys(account.id).await?.is_empty();
    Ok((account.totp_secret.is_some(), has_passkeys))
}

pub async fn show_mfa(
    State(state): State<AppState>,
    half: HalfSignedIn,
) -> Result<Response, AppError> {
    if half.current.session.mfa_passed {
        return Ok(Redirect::to("/").into_response());
    }
    let account = state
        .store()
        .account(half.current.session.account_id)
        .await?;
    let (has_totp, has_passkeys) = second_factors(&state, &account).await?;
    Ok(render(&MfaPage {
        chrome: crate::chrome::Chrome::anonymous(half.csrf_token),
        errors: Errors::new(),
        has_totp,
        has_passkeys,
        passkeys_unavailable: state.inner().passkeys.relying_party().err(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct MfaForm {
    #[serde(default)]
    code: String,
}

pub async fn submit_mfa(
    State(state): State<AppState>,
    half: HalfSignedIn,
    Form(form): Form<MfaForm>,
) -> Result<Response, AppError> {
    let current = half.current;
    if current.session.mfa_passed {
        return Ok(Redirect::to("/").into_response());
    }
    let now = state.now();
    let key = format!("mfa:{}", current.session.account_id);
    let throttle = &state.inner().throttle;
    let mut errors = Errors::new();
    let mut account = state.store().account(current.session.account_id).await?;
    let (has_totp, has_passkeys) = second_factors(&state, &account).await?;
    let page = |errors: Errors| MfaPage {
        chrome: crate::chrome::Chrome::anonymous(half.csrf_token.clone()),
        errors,
        has_totp,
        has_passkeys,
        passkeys_unavailable: state.inner().passkeys.relying_party().err(),
    };
    if let Verdict::WaitUntil(until) = throttle.check(&key, now) {
        errors.add(
            "code",
            format!(
                "Too many wrong codes. Try again after {}",
                local_time(until)
            ),
        );
        return Ok(render(&page(errors))?.into_response());
    }
    let outcome = crate::mfa::check_code(&mut account, &form.code, now);
    let method = match outcome {
        crate::mfa::CodeCheck::Totp => "totp",
        crate::mfa::CodeCheck::RecoveryCode => "recovery_code",
        crate::mfa::CodeCheck::Wrong(message) => {
            throttle.fail(&key, now);
            let event = AuditEvent::new(
                current.council.id,
                now,
                Actor::Person(current.person.id),
                "signin.mfa_failed",
            )
            .subject(format!("person:{}", current.person.id));
            custodian_core::ports::AuditLog::append(state.store(), &event).await?;
            errors.add("code", message);
            return Ok(render(&page(errors))?.into_response());
        }
    };
    throttle.succeed(&key);
    let event = AuditEvent::new(
        current.council.id,
        now,
        Actor::Person(current.person.id),
        "signin.succeeded",
    )
    .subject(format!("person:{}", current.person.id))
    .details(json!({ "second_factor": method }));
    // Using a recovery code uses it up; the account update carries the audit entry.
    state
        .store()
        .update_account_security(&account, &event)
        .await?;
    let mut session = current.session;
    session.mfa_passed = true;
    session.last_seen_at = now;
    state.store().update_session(&session).await?;
    let memberships = state.store().people_for_account(account.id).await?;
    let target = if memberships.iter().filter(|p| p.may_sign_in()).count() > 1 {
        "/choose-council"
    } else {
        "/"
    };
    Ok(Redirect::to(target).into_response())
}

pub async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    if let Some(current) = visitor.current {
        let event = AuditEvent::new(
            current.council.id,
            state.now(),
            Actor::Person(current.person.id),
            "signout",
        )
        .subject(format!("person:{}", current.person.id));
        state
            .store()
            .delete_session(&current.token_hash, Some(&event))
            .await?;
    }
    Ok((
        [(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)))],
        Redirect::to("/sign-in?notice=signed-out"),
    )
        .into_response())
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let event = AuditEvent::new(
        current.council.id,
        state.now(),
        signed_in.actor(),
        "signout.everywhere",
    )
    .subject(format!("person:{}", current.person.id));
    state
        .store()
        .delete_account_sessions(current.session.account_id, &event)
        .await?;
    Ok((
        [(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)))],
        Redirect::to("/sign-in?notice=signed-out-everywhere"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "choose_council.html")]
struct ChooseCouncilPage {
    chrome: crate::chrome::Chrome,
    councils: Vec<(String, String, bool)>,
}

pub async fn show_choose_council(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let mut councils = Vec::new();
    for person in state
        .store()
        .people_for_account(signed_in.current.session.account_id)
        .await?
        .into_iter()
        .filter(Person::may_sign_in)
    {
        let council = state.store().council(person.council_id).await?;
        let here = council.id == signed_in.council_id();
        councils.push((council.id.to_string(), council.name.to_string(), here));
    }
    Ok(render(&ChooseCouncilPage {
        chrome: chrome(&signed_in, ""),
        councils,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct ChooseCouncilForm {
    council: String,
}

pub async fn choose_council(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<ChooseCouncilForm>,
) -> Result<Response, AppError> {
    let target = CouncilId::parse(&form.council).map_err(|_| AppError::NotFound)?;
    let person = state
        .store()
        .people_for_account(signed_in.current.session.account_id)
        .await?
        .into_iter()
        .find(|p| p.council_id == target && p.may_sign_in())
        .ok_or(AppError::NotFound)?;
    let mut session = signed_in.current.session.clone();
    let now = state.now();
    session.council_id = person.council_id;
    session.person_id = person.id;
    session.last_seen_at = now;
    state.store().update_session(&session).await?;
    let event = AuditEvent::new(
        person.council_id,
        now,
        Actor::Person(person.id),
        "session.council_chosen",
    )
    .subject(format!("person:{}", person.id));
    custodian_core::ports::AuditLog::append(state.store(), &event).await?;
    Ok(Redirect::to("/").into_response())
}
