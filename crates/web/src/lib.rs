//! Custodian's web interface: the axum router, page handlers, askama templates and embedded
//! assets, with the sign-in, session, CSRF and security-header protections every page relies on.
//!
//! Handlers check the signed-in person's council and role through the permission matrix in
//! `custodian-core` before doing anything; they hold no domain rules of their own.
#![forbid(unsafe_code)]

pub mod assets;
pub mod auth;
mod cache;
pub mod chrome;
pub mod digest;
pub mod error;
mod forms;
pub mod mail;
mod mfa;
pub mod monitor_purge;
mod nav;
mod pages;
mod passkeys;
pub mod provisioning;
pub mod session;
mod state;
mod throttle;
pub mod vault_box;

use crate::error::{AppError, REQUEST_ID};
use crate::session::Visitor;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use custodian_core::time::{Clock, SystemClock};
use custodian_store::Store;
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;

/// How the server is run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address people use to reach Custodian, for links in invitations
    /// (e.g. `https://custodian.example-pc.gov.uk`). An `https` address also turns on HSTS.
    pub public_url: String,
    /// The one-time code that unlocks the first-run setup page while no council exists.
    pub setup_code: Option<SecretString>,
    /// The unlocked vault key (issue 5). `None` when the vault is locked: its pages say so,
    /// and nothing can be revealed or stored in it.
    pub vault_key: Option<Arc<custodian_vault::Key>>,
}

/// Builds the application with the system clock.
pub fn app(store: Store, options: ServeOptions) -> Router {
    app_with_clock(store, options, Arc::new(SystemClock))
}

/// Builds the application with a given clock (tests set the time).
pub fn app_with_clock(store: Store, options: ServeOptions, clock: Arc<dyn Clock>) -> Router {
    let hsts = options.public_url.starts_with("https://");
    let state = AppState::new(store, options, clock);
    use pages::*;
    let pages = Router::new()
        .route("/", get(home::page))
        .route("/sign-in", get(sign_in::show).post(sign_in::submit))
        .route(
            "/sign-in/mfa",
            get(sign_in::show_mfa).post(sign_in::submit_mfa),
        )
        .route("/sign-in/mfa/passkey/start", post(passkeys::sign_in_start))
        .route(
            "/sign-in/mfa/passkey/finish",
            post(passkeys::sign_in_finish),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route(
            "/choose-council",
            get(sign_in::show_choose_council).post(sign_in::choose_council),
        )
        .route(
            "/invitation/{token}",
            get(onboarding::show_invitation).post(onboarding::accept_invitation),
        )
        .route(
            "/setup",
            get(onboarding::show_setup).post(onboarding::submit_setup),
        )
        .route("/account", get(account::show))
        .route(
            "/account/mfa",
            get(account::show_mfa_setup).post(account::submit_mfa_setup),
        )
        .route("/account/passkeys", get(passkeys::show))
        .route(
            "/account/passkeys/register/start",
            post(passkeys::register_start),
        )
        .route(
            "/account/passkeys/register/finish",
            post(passkeys::register_finish),
        )
        .route("/account/passkeys/{id}/remove", post(passkeys::remove))
        .route(
            "/account/sign-out-everywhere",
            post(sign_in::sign_out_everywhere),
        )
        .route("/people", get(people::list))
        .route("/people/new", get(people::new_form).post(people::create))
        .route("/people/{id}", get(people::show))
        .route(
            "/people/{id}/edit",
            get(people::edit_form).post(people::update),
        )
        .route("/people/{id}/leave", post(people::mark_left))
        .route("/people/{id}/leaving", get(leaving::show))
        .route("/people/{id}/leaving/create", post(leaving::create))
        .route("/people/{id}/leaving/done", post(leaving::tick))
        .route("/people/{id}/leaving/waive", post(leaving::waive_item))
        .route("/people/{id}/leaving/close", post(leaving::record_closed))
        .route("/people/{id}/invite", post(people::reinvite))
        .route("/people/{id}/reset-password", post(people::reset_password))
        .route("/audit", get(audit::page))
        .route("/audit.csv", get(audit::csv))
        .route("/incidents", get(incidents::list))
        .route(
            "/incidents/new",
            get(incidents::new_form).post(incidents::create),
        )
        .route("/incidents/{id}", get(incidents::show))
        .route("/incidents/{id}/report", get(incidents::report))
        .route("/incidents/{id}/owner", post(incidents::set_owner))
        .route("/incidents/{id}/actions", post(incidents::add_action))
        .route("/incidents/{id}/aware", post(incidents::set_aware))
        .route("/incidents/{id}/ico", post(incidents::decide_ico))
        .route("/incidents/{id}/people-told", post(incidents::people_told))
        .route("/incidents/{id}/close", post(incidents::close))
        .route("/settings", get(settings::show).post(settings::update))
        .route("/policy", get(policy::overview))
        .route("/policy/drafts", post(policy::create_draft))
        .route("/policy/versions/{id}", get(policy::show_version))
        .route("/policy/versions/{id}/delete", post(policy::delete_version))
        .route(
            "/policy/versions/{id}/questions/{step}",
            get(policy::show_question).post(policy::answer_question),
        )
        .route(
            "/policy/versions/{id}/document",
            get(policy::document::show),
        )
        .route(
            "/policy/versions/{id}/policy.md",
            get(policy::document::markdown),
        )
        .route(
            "/policy/versions/{id}/policy.docx",
            get(policy::document::docx),
        )
        .route(
            "/policy/versions/{id}/adopt",
            get(policy::adopt::show).post(policy::adopt::submit),
        )
        .route("/policy/compare", get(policy::document::compare))
        .route(
            "/policy/import",
            get(policy::import::show)
                .post(policy::import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    session::MAX_UPLOAD_BYTES,
                )),
        )
        .route("/policy/import/confirm", post(policy::import::confirm))
        .route(
            "/policy/declaration",
            get(policy::declarations::show).post(policy::declarations::submit),
        )
        .route("/policy/declarations", get(policy::declarations::list))
        .route(
            "/policy/declarations/{version}/{person}",
            get(policy::declarations::record),
        )
        .route("/accessibility", get(accessibility))
        .merge(pages::assets::routes())
        .merge(pages::devices::routes())
        .merge(pages::approvals::routes())
        .merge(pages::health::routes())
        // vault access (W2)
        .route(
            "/vault/requests",
            get(vault::access::list).post(vault::access::create),
        )
        .route("/vault/requests/{id}/approve", post(vault::access::approve))
        .route("/vault/requests/{id}/decline", post(vault::access::decline))
        .route("/vault/requests/{id}/end", post(vault::access::end))
        .route("/vault/emergency", get(vault::emergency::show))
        .route("/vault/emergency/open", post(vault::emergency::open))
        .route(
            "/vault/emergency/{id}/object",
            post(vault::emergency::object),
        )
        .route("/vault/emergency/{id}/agree", post(vault::emergency::agree))
        .route("/vault/emergency/{id}/close", post(vault::emergency::close))
        .route("/notifications/{id}/dismiss", post(notifications::dismiss))
        // end vault access (W2)
        .merge(pages::vault::routes())
        .merge(pages::joining::routes())
        .merge(pages::mail::routes())
        .merge(pages::reminders::routes())
        .merge(pages::monitoring::routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::session_layer,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        // `crate::` because `use pages::*` above brings `pages::assets` (the register) into scope.
        .merge(crate::assets::routes())
        // The calendar feed: outside the session layer (calendar apps cannot sign in).
        .merge(crate::pages::reminders::feed_routes())
        // Log uploads from the IT provider's scripts: an upload key, not a session.
        .merge(crate::pages::monitoring::api_routes())
        .merge(pages)
        .layer(middleware::from_fn(move |req, next| {
            security_headers(hsts, req, next)
        }))
        .layer(middleware::from_fn(request_context))
        .with_state(state)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    store: Store,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let sender = mail::spawn_sender(
        mail::Mailer::for_serve(store.clone(), &options),
        Arc::new(SystemClock),
    );
    let digests = digest::spawn(
        store.clone(),
        options.public_url.clone(),
        Arc::new(SystemClock),
    );
    let purge = monitor_purge::spawn(store.clone(), Arc::new(SystemClock));
    let router = app(store, options);
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await;
    sender.abort();
    digests.abort();
    purge.abort();
    served?;
    Ok(())
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    chrome: chrome::Chrome,
}

async fn accessibility(visitor: Visitor) -> Result<Response, AppError> {
    Ok(nav::render(&AccessibilityPage {
        chrome: nav::visitor_chrome(&visitor),
    })?
    .into_response())
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Paths as they may be logged: the secret tokens in invitation links and calendar feeds are cut off.
fn loggable_path(path: &str) -> String {
    if path.starts_with("/invitation/") {
        "/invitation/[token]".to_owned()
    } else if path.starts_with("/calendar/") {
        "/calendar/[token]".to_owned()
    } else {
        path.chars().take(200).collect()
    }
}

/// Gives each request an id (shown on error pages, sent as `x-request-id`) and logs it
/// without query strings or tokens.
async fn request_context(request: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path());
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    tracing::info!(
        request_id = %id,
        %method,
        path = %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

async fn security_headers(hsts: bool, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "content-security-policy", CSP);
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Pages show personal data: never keep them in shared or back-button caches.
        set(headers, "cache-control", "no-store");
    }
    if hsts {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_tokens_are_not_logged() {
        assert_eq!(
            loggable_path("/invitation/abcdef0123"),
            "/invitation/[token]"
        );
        assert_eq!(loggable_path("/people"), "/people");
        assert_eq!(loggable_path("/calendar/0123abcd.ics"), "/calendar/[token]");
    }
}
