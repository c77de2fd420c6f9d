//! The printable incident report: everything recorded about one incident on one page, for a
//! council meeting, the internal auditor or the ICO. Navigation is left off the paper by the
//! print stylesheet, as for the policy document.

use super::IncidentRow;
use super::show::{ActionView, BreachView, ClosureView, load};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "incidents/report.html")]
struct ReportPage {
    chrome: crate::chrome::Chrome,
    council: String,
    incident: IncidentRow,
    timeline: Vec<ActionView>,
    breach: Option<BreachView>,
    closure: Option<ClosureView>,
    printed: String,
}

pub async fn report(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = load(&state, &signed_in, &id).await?;
    Ok(render(&ReportPage {
        chrome: chrome(&signed_in, "/incidents"),
        council: signed_in.current.council.name.to_string(),
        incident: loaded.row,
        timeline: loaded.timeline,
        breach: loaded.breach,
        closure: loaded.closure,
        printed: format!(
            "{} by {}",
            local_time(state.now()),
            signed_in.current.person.name
        ),
    })?
    .into_response())
}
