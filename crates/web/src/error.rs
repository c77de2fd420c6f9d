//! Errors mapped to HTTP in one place. A 5xx page shows only a request id; the whole cause
//! chain goes to the log under that id. Nothing secret is ever put in an error message.

use crate::chrome::Chrome;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use custodian_core::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist in the signed-in person's council (or at all: we never say which).
    #[error("not found")]
    NotFound,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token was missing or wrong.
    #[error("the form had expired or was not sent by Custodian")]
    BadCsrf,
    /// The form or file sent was larger than Custodian accepts.
    #[error("the request was too large")]
    TooLarge,
    /// The database is not reachable right now.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(_) => AppError::NotFound,
            StoreError::Unavailable(e) => AppError::Unavailable(format_chain(e.as_ref())),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(anyhow::Error::new(error))
    }
}

impl From<crate::provisioning::ProvisionError> for AppError {
    fn from(error: crate::provisioning::ProvisionError) -> Self {
        match error {
            crate::provisioning::ProvisionError::Store(e) => e.into(),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

fn format_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    title: &'static str,
    message: &'static str,
    request_id: Option<String>,
}

tokio::task_local! {
    /// The current request's id, so an error page can show it.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let request_id = current_request_id();
        let (status, title, message, show_id) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, the item may have been removed or may belong to another council.",
                false,
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "You cannot do this",
                "Your role does not allow this. If you need to do it, ask your Clerk. This attempt has been recorded in the audit log.",
                false,
            ),
            AppError::BadCsrf => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security, forms stop working after you sign out or after a while. Go back, refresh the page and try again.",
                false,
            ),
            AppError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The file or form is too large",
                "Nothing was changed. Files can be up to 8 MB and forms up to 1 MB. If a Word document is larger, remove its pictures or save it as plain text, then try again.",
                false,
            ),
            AppError::Unavailable(detail) => {
                tracing::error!(request_id = ?request_id, error = %detail, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, Custodian cannot reach its database",
                    "Nothing was changed. Try again in a few minutes. If it keeps happening, tell your IT provider and give them the reference below.",
                    true,
                )
            }
            AppError::Internal(error) => {
                tracing::error!(request_id = ?request_id, error = format!("{error:#}"), "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, something went wrong",
                    "Nothing was changed. Try again. If it keeps happening, tell your IT provider and give them the reference below.",
                    true,
                )
            }
        };
        let page = ErrorPage {
            chrome: Chrome::anonymous(String::new()),
            title,
            message,
            request_id: if show_id { request_id } else { None },
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, title).into_response(),
        }
    }
}
