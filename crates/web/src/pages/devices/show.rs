//! One device's page (`/devices/{id}`): for the person who uses it, or anyone who may view
//! compliance. Its details and decision, each finding with its clause and how-to, every fact
//! with its source and when it was confirmed, and its history from the audit log.

use super::history::{self, HistoryLine};
use super::views::{
    FactView, FindingView, Names, Tag, approval_sentence, approval_tag, decline_reason, facts,
    findings, kind_and_platform, status_tag,
};
use super::{is_own, load_visible, profile_in_force};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use custodian_core::device::{Device, Evaluator, Ownership};
use custodian_core::permission::Action;
use custodian_core::ports::AssetStore;

/// What this viewer may do with the device.
pub struct Actions {
    pub attest: bool,
    pub osquery: bool,
    pub decide: bool,
    pub retire: bool,
}

#[derive(Template)]
#[template(path = "devices/show.html")]
struct DevicePage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    details: Vec<(&'static str, String)>,
    asset: Option<(String, String)>,
    status: Option<Tag>,
    approval: Option<Tag>,
    decision: Option<String>,
    reason: Option<String>,
    findings: Vec<FindingView>,
    facts: Vec<FactView>,
    history: Vec<HistoryLine>,
    actions: Actions,
    back: (&'static str, &'static str),
    done: Option<&'static str>,
    problem: Option<String>,
    adopted: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let device = load_visible(&state, &signed_in, &id).await?;
    let done = match raw.as_deref().unwrap_or_default() {
        "attested=1" => Some("The answers have been recorded."),
        "recorded=1" => Some("The facts from the osquery report have been recorded."),
        "approved=1" => Some(
            "The request has been approved. The person can now use the device for council work.",
        ),
        "declined=1" => Some(
            "The request has been declined. The person will see your reason on their devices page.",
        ),
        "retired=1" => Some("The device is recorded as no longer used for council work."),
        "registered=1" => Some(
            "The device has been registered. Now record its security settings: upload an osquery report or answer the questions about it.",
        ),
        _ => None,
    };
    render_page(&state, &signed_in, &device, done, None).await
}

/// The device's page with a problem shown at the top (a refused change).
pub async fn with_problem(
    state: &AppState,
    signed_in: &SignedIn,
    device: &Device,
    problem: String,
) -> Result<Response, AppError> {
    render_page(state, signed_in, device, None, Some(problem)).await
}

async fn render_page(
    state: &AppState,
    signed_in: &SignedIn,
    device: &Device,
    done: Option<&'static str>,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let names = Names::of(state, council).await?;
    let (profile, adopted) = profile_in_force(state, council).await?;
    let evaluation = device
        .is_in_use()
        .then(|| Evaluator::new(&profile, state.now()).evaluate(&device.facts));
    let own = is_own(signed_in, device);
    let mut details = vec![
        ("Used by", names.user(device)),
        ("Owned by", device.ownership().label().to_owned()),
        ("Kind", kind_and_platform(device)),
    ];
    if let Some(serial) = &device.serial {
        details.push(("Serial number", serial.to_string()));
    }
    details.push(("Recorded in Custodian", local_time(device.registered_at)));
    let asset = match device.asset {
        Some(asset) if signed_in.may(Action::ViewRegister) => {
            let item = state.store().asset(council, asset).await?;
            Some((format!("/assets/{asset}"), item.describe()))
        }
        _ => None,
    };
    let actions = Actions {
        attest: device.is_in_use() && (own || signed_in.may(Action::RecordDeviceEvidence)),
        osquery: device.is_in_use() && signed_in.may(Action::RecordDeviceEvidence),
        decide: device.is_pending() && signed_in.may(Action::ApproveOwnDevice),
        retire: device.retired.is_none()
            && ((own && device.ownership() == Ownership::Personal)
                || signed_in.may(Action::ApproveOwnDevice)
                || signed_in.may(Action::RecordDeviceEvidence)),
    };
    let back = if signed_in.may(Action::ViewCompliance) && !own {
        ("/devices", "All devices")
    } else {
        ("/devices/mine", "Your devices")
    };
    let active = if back.0 == "/devices" {
        "/devices"
    } else {
        "/my-equipment"
    };
    Ok(render(&DevicePage {
        chrome: chrome(signed_in, active),
        id: device.id.to_string(),
        name: device.name.to_string(),
        details,
        asset,
        status: evaluation.as_ref().map(|e| status_tag(e.overall())),
        approval: approval_tag(device),
        decision: approval_sentence(device, &names),
        reason: decline_reason(device),
        findings: evaluation.as_ref().map(findings).unwrap_or_default(),
        facts: facts(device, &names),
        history: history::of(state, council, device).await?,
        actions,
        back,
        done,
        problem,
        adopted,
    })?
    .into_response())
}
