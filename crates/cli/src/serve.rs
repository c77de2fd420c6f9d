//! `custodian serve`: prepares the database, offers a one-time setup code while no council
//! exists, and serves the web interface until asked to stop.

use crate::BadInput;
use crate::config::Settings;
use crate::database::open_and_migrate;
use anyhow::Context;
use custodian_core::ports::*;
use custodian_web::ServeOptions;
use secrecy::ExposeSecret;
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::process::ExitCode;
use tokio::net::TcpListener;

pub async fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let (store, _applied) = open_and_migrate(&settings).await?;
    tracing::info!(database = %settings.database_label(), "database ready");
    let listener = bind(&settings.bind).await?;
    let local = listener
        .local_addr()
        .context("Custodian could not tell which address it is listening on")?;
    let public_url = match &settings.public_url {
        Some(url) => url.clone(),
        None => {
            if local.ip().is_unspecified() {
                tracing::warn!(
                    "listening on every network address; set --public-url (or CUSTODIAN_PUBLIC_URL) \
                     to the address other computers use, so links in invitations work"
                );
            }
            default_public_url(local)
        }
    };
    let councils = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let setup_code = councils.is_empty().then(custodian_web::auth::new_token);
    let vault_key = match crate::vault_key::unlock(&store, &settings).await? {
        crate::vault_key::Unlocked::Key(key) => Some(key),
        crate::vault_key::Unlocked::Locked(why) => {
            tracing::warn!("{why}");
            println!("Note: {why}.");
            None
        }
    };

    let shutdown = shutdown_signal();
    println!("Custodian is running at {public_url}/ (press Ctrl-C to stop)");
    if let Some(code) = &setup_code {
        println!();
        println!("No council has been set up yet.");
        println!(
            "Open {public_url}/setup and enter this setup code: {}",
            code.expose_secret()
        );
        println!("The code is new each time Custodian starts; keep it to yourself.");
    }
    tracing::info!(address = %local, "listening");

    let options = ServeOptions {
        public_url,
        setup_code,
        vault_key,
    };
    let served = custodian_web::serve(store.clone(), listener, options, shutdown).await;
    store.close().await;
    served.context("The web server stopped unexpectedly")?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Listens on `address`. An address that is not an address at all is bad input; one that is
/// busy or not allowed is a failure, with what to do next.
pub async fn bind(address: &str) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(address).await {
        Ok(listener) => Ok(listener),
        Err(error) if error.kind() == ErrorKind::InvalidInput => Err(BadInput(format!(
            "{address:?} is not an address Custodian can listen on; use an address and port such as 127.0.0.1:8080"
        ))
        .into()),
        Err(error) if error.kind() == ErrorKind::AddrInUse => anyhow::bail!(
            "Something else is already using {address}. Stop it, or choose another port with --bind"
        ),
        Err(error) => Err(error).with_context(|| format!("Custodian could not listen on {address}")),
    }
}

/// The address to put in links when no public address is set: the listening address, with
/// "every address" replaced by this computer's own.
pub fn default_public_url(local: SocketAddr) -> String {
    if local.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", local.port())
    } else {
        format!("http://{local}")
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what service managers send), so the server can
/// finish the requests in hand before it stops. The signals are caught from the moment this is
/// called (not when the future is first polled), so call it before announcing the address: a
/// stop request that arrives straight after the announcement is still a clean stop.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |stream: std::io::Result<tokio::signal::unix::Signal>| async move {
                match stream {
                    Ok(mut stream) => {
                        stream.recv().await;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for a stop signal");
                        std::future::pending::<()>().await;
                    }
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("stopping: finishing requests in progress");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_never_point_at_every_address() {
        assert_eq!(
            default_public_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            default_public_url("192.168.1.5:80".parse().unwrap()),
            "http://192.168.1.5:80"
        );
    }
}
