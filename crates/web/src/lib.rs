//! Custodian's web interface: the axum router, page handlers, askama templates and embedded
//! assets, with the sign-in, session, CSRF and security-header protections every page relies on.
//!
//! Handlers check the signed-in person's council and role through the permission matrix in
//! `custodian-core` before doing anything; they hold no domain rules of their own.
#![forbid(unsafe_code)]

pub mod auth;
pub mod provisioning;

use custodian_core::time::{Clock, SystemClock};
use custodian_store::Store;
use secrecy::SecretString;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// How the server is run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address people use to reach Custodian, for links in invitations
    /// (e.g. `https://custodian.example-pc.gov.uk`).
    pub public_url: String,
    /// The one-time code that unlocks the first-run setup page while no council exists.
    pub setup_code: Option<SecretString>,
}

/// Builds the application with the system clock.
pub fn app(store: Store, options: ServeOptions) -> axum::Router {
    app_with_clock(store, options, Arc::new(SystemClock))
}

/// Builds the application with a given clock (tests set the time).
pub fn app_with_clock(store: Store, options: ServeOptions, clock: Arc<dyn Clock>) -> axum::Router {
    let _ = (store, options, clock);
    axum::Router::new()
}

/// Serves until `shutdown` completes.
pub async fn serve(
    store: Store,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let router = app(store, options);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
