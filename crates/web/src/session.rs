//! Sessions, CSRF protection and the "who is signed in" extractors.
//!
//! One middleware runs on every request: it loads the session named by the session cookie
//! (ending it if idle or too old), checks the CSRF token of every state-changing request, and
//! gives every visitor a token to embed in forms. Handlers then take [`SignedIn`] (redirects to
//! sign-in when nobody is) or [`Visitor`] (anyone).

use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::Council;
use custodian_core::permission::{Action, may};
use custodian_core::person::Person;
use custodian_core::ports::{
    AccountStore, AuditLog, CouncilStore, PasskeyStore, PersonStore, Session, SessionStore,
};
use jiff::SignedDuration;
use secrecy::ExposeSecret;
use serde_json::json;
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "custodian_session";
pub const CSRF_COOKIE: &str = "custodian_csrf";
/// A session unused for this long ends.
pub const IDLE_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE_TIMEOUT: SignedDuration = SignedDuration::from_hours(12);
/// `last_seen_at` is written at most this often, so reading pages does not queue writes.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);
/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 1024 * 1024;
/// The largest file upload (a policy document as .docx, with its pictures) accepted.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// The signed-in person, their council and their session.
#[derive(Clone, Debug)]
pub struct Current {
    pub session: Session,
    pub person: Person,
    pub council: Council,
    /// The SHA-256 of the session cookie's value; never logged.
    pub token_hash: String,
    /// Whether the account has an authenticator app or a passkey.
    pub has_second_factor: bool,
}

/// What the middleware found, for the extractors.
#[derive(Clone, Debug)]
struct RequestAuth {
    current: Option<Current>,
    csrf_token: String,
    /// Set when the person must set up MFA before doing anything else.
    must_enrol_mfa: bool,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with the flags every Custodian cookie carries.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let age = max_age_secs.map_or(String::new(), |s| format!("; Max-Age={s}"));
    let text = format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax{age}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

async fn load_current(state: &AppState, token: &str) -> Result<Option<Current>, AppError> {
    let token_hash = crate::auth::token_hash(token);
    let store = state.store();
    let now = state.now();
    // Read before anything else, so a change committed meanwhile makes this entry stale.
    // Sessions, people and councils are not changed by audit-only commits (reveals).
    let change_count = store.records_change_count();
    let cache = &state.inner().sessions;
    if let Some(cached) = cache.get(&token_hash, change_count) {
        let idle = now.duration_since(cached.session.last_seen_at) > IDLE_TIMEOUT;
        let too_old = now.duration_since(cached.session.created_at) > ABSOLUTE_TIMEOUT;
        if !idle && !too_old {
            if now.duration_since(cached.session.last_seen_at) > TOUCH_EVERY {
                store.touch_session(&token_hash, now).await?;
                cache.forget(&token_hash);
            }
            return Ok(Some((*cached).clone()));
        }
    }
    let Some(session) = store.session(&token_hash).await? else {
        return Ok(None);
    };
    let idle = now.duration_since(session.last_seen_at) > IDLE_TIMEOUT;
    let too_old = now.duration_since(session.created_at) > ABSOLUTE_TIMEOUT;
    let person = store.person(session.council_id, session.person_id).await?;
    if idle || too_old || !person.may_sign_in() {
        let reason = if !person.may_sign_in() {
            "person_inactive"
        } else if idle {
            "idle"
        } else {
            "absolute_timeout"
        };
        let event = AuditEvent::new(
            session.council_id,
            now,
            Actor::Person(session.person_id),
            "session.ended",
        )
        .subject(format!("person:{}", session.person_id))
        .details(json!({ "reason": reason }));
        store.delete_session(&token_hash, Some(&event)).await?;
        return Ok(None);
    }
    let touched = now.duration_since(session.last_seen_at) > TOUCH_EVERY;
    if touched {
        store.touch_session(&token_hash, now).await?;
    }
    let council = store.council(session.council_id).await?;
    let account = store.account(session.account_id).await?;
    let has_second_factor =
        account.totp_secret.is_some() || !store.passkeys(account.id).await?.is_empty();
    let current = Current {
        session,
        person,
        council,
        token_hash: token_hash.clone(),
        has_second_factor,
    };
    if !touched {
        cache.put(token_hash, change_count, Arc::new(current.clone()));
    }
    Ok(Some(current))
}

/// The middleware: session, CSRF and the visitor's form token.
pub async fn session_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    let session_token = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned);
    let mut clear_session_cookie = false;
    let current = match &session_token {
        Some(token) => {
            let current = load_current(&state, token).await?;
            clear_session_cookie = current.is_none();
            current
        }
        None => None,
    };
    let anonymous_token = cookie(&parts.headers, CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned);
    let mut new_anonymous_token = None;
    let csrf_token = match (&current, &anonymous_token) {
        (Some(c), _) => c.session.csrf_token.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => {
            let token = crate::auth::new_token().expose_secret().to_owned();
            new_anonymous_token = Some(token.clone());
            token
        }
    };

    let body = if is_state_changing(&parts.method) {
        let boundary = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok());
        let limit = if boundary.is_some() {
            MAX_UPLOAD_BYTES
        } else {
            MAX_FORM_BYTES
        };
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let sent = match (header_token, boundary) {
            (Some(token), _) => token,
            (None, Some(boundary)) => multipart_csrf_token(bytes.clone(), boundary).await,
            (None, None) => form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == "csrf_token")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default(),
        };
        // A first visit has no cookie yet, so nothing it posts can carry a valid token.
        let expected = if new_anonymous_token.is_some() {
            ""
        } else {
            csrf_token.as_str()
        };
        if !tokens_match(&sent, expected) {
            if let Some(c) = &current {
                let event = AuditEvent::new(
                    c.council.id,
                    state.now(),
                    Actor::Person(c.person.id),
                    "request.refused_csrf",
                )
                .details(json!({ "path": parts.uri.path() }));
                state.store().append(&event).await?;
            }
            return Err(AppError::BadCsrf);
        }
        Body::from(bytes)
    } else {
        body
    };

    let must_enrol_mfa = match &current {
        Some(c)
            if c.council
                .settings
                .mfa_required_roles
                .intersects(c.person.roles) =>
        {
            // Either second factor satisfies the council: an authenticator app or a passkey.
            !c.has_second_factor
        }
        _ => false,
    };
    parts.extensions.insert(RequestAuth {
        current,
        csrf_token,
        must_enrol_mfa,
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    if let Some(token) = new_anonymous_token {
        headers.append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &token, None));
    }
    if clear_session_cookie && !headers.contains_key(header::SET_COOKIE) {
        headers.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
    }
    Ok(response)
}

/// The `csrf_token` field of a file-upload form. Upload forms put it first, so reading stops
/// there; a form without one yields an empty token, which never matches.
async fn multipart_csrf_token(bytes: axum::body::Bytes, boundary: String) -> String {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf_token") {
            return field.text().await.unwrap_or_default();
        }
    }
    String::new()
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Anyone: signed in or not. Gives the form token.
pub struct Visitor {
    pub current: Option<Current>,
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let auth = parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))?;
        Ok(Visitor {
            current: auth.current,
            csrf_token: auth.csrf_token,
        })
    }
}

/// A signed-in person who has passed any second factor. Redirects to sign-in otherwise.
pub struct SignedIn {
    pub current: Current,
    pub csrf_token: String,
    state: AppState,
}

pub enum SignInRequired {
    Redirect(Redirect),
    Error(AppError),
}

impl IntoResponse for SignInRequired {
    fn into_response(self) -> Response {
        match self {
            SignInRequired::Redirect(r) => r.into_response(),
            SignInRequired::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = SignInRequired;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .ok_or_else(|| {
                SignInRequired::Error(AppError::Internal(anyhow::anyhow!("session layer missing")))
            })?;
        let Some(current) = auth.current else {
            let next = parts.uri.path();
            let target = if next == "/" || !next.starts_with('/') || next.starts_with("//") {
                "/sign-in".to_owned()
            } else {
                format!(
                    "/sign-in?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                )
            };
            return Err(SignInRequired::Redirect(Redirect::to(&target)));
        };
        if !current.session.mfa_passed {
            return Err(SignInRequired::Redirect(Redirect::to("/sign-in/mfa")));
        }
        let path = parts.uri.path();
        let enrolling = path.starts_with("/account/mfa") || path.starts_with("/account/passkeys");
        if auth.must_enrol_mfa && !enrolling {
            return Err(SignInRequired::Redirect(Redirect::to("/account/mfa")));
        }
        Ok(SignedIn {
            current,
            csrf_token: auth.csrf_token,
            state: state.clone(),
        })
    }
}

/// A signed-in person part-way through sign-in (password given, second factor not yet).
pub struct HalfSignedIn {
    pub current: Current,
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for HalfSignedIn {
    type Rejection = SignInRequired;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<RequestAuth>().cloned();
        match auth.and_then(|a| a.current.map(|c| (c, a.csrf_token))) {
            Some((current, csrf_token)) => Ok(HalfSignedIn {
                current,
                csrf_token,
            }),
            None => Err(SignInRequired::Redirect(Redirect::to("/sign-in"))),
        }
    }
}

impl SignedIn {
    /// Allows the action or refuses it with 403, recording the refusal in the audit log.
    pub async fn require(&self, action: Action) -> Result<(), AppError> {
        if may(self.current.person.roles, action) {
            return Ok(());
        }
        let event = AuditEvent::new(
            self.current.council.id,
            self.state.now(),
            Actor::Person(self.current.person.id),
            "permission.denied",
        )
        .details(json!({ "action": format!("{action:?}") }));
        self.state.store().append(&event).await?;
        Err(AppError::Forbidden)
    }

    pub fn may(&self, action: Action) -> bool {
        may(self.current.person.roles, action)
    }

    pub fn actor(&self) -> Actor {
        Actor::Person(self.current.person.id)
    }

    pub fn council_id(&self) -> custodian_core::CouncilId {
        self.current.council.id
    }

    pub fn person_id(&self) -> custodian_core::PersonId {
        self.current.person.id
    }
}
