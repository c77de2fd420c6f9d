//! "Your devices" (`/devices/mine`): the signed-in person's devices, each with what needs doing
//! in plain words and how to do it, the form to ask to use an own device (clause 2.2.1), and
//! retiring a device no longer used for council work.

use super::views::{
    Choice, FindingView, Names, Tag, approval_sentence, approval_tag, decline_reason, findings,
    kind_and_platform, status_tag,
};
use super::{conflict_message, is_own, load, profile_in_force};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::asset::{SerialNumber, parse_optional};
use custodian_core::device::{
    DeviceKind, DeviceName, Evaluator, NewDevice, Ownership, Platform, request_own_device,
    retire as retire_device,
};
use custodian_core::ids::DeviceId;
use custodian_core::permission::Action;
use custodian_core::ports::{DeviceStore, PersonStore};
use serde::Deserialize;

/// One of the person's devices as the page shows it.
pub struct MyDevice {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub status: Option<Tag>,
    pub approval: Option<Tag>,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub findings: Vec<FindingView>,
    pub to_confirm: bool,
    pub in_use: bool,
    /// Their own device, which they may record as no longer used.
    pub personal: bool,
}

/// The request form's answers, kept when the page is shown again with errors.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RequestForm {
    name: String,
    kind: String,
    platform: String,
    serial: String,
}

#[derive(Template)]
#[template(path = "devices/mine.html")]
struct MinePage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    devices: Vec<MyDevice>,
    retired: Vec<MyDevice>,
    form: RequestForm,
    kinds: Vec<Choice>,
    platforms: Vec<Choice>,
    done: Option<&'static str>,
    adopted: bool,
}

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: RequestForm,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let devices = state
        .store()
        .devices_of(council, signed_in.person_id())
        .await?;
    let (profile, adopted) = profile_in_force(state, council).await?;
    let evaluator = Evaluator::new(&profile, state.now());
    let names = Names::of(state, council).await?;
    let (mut current, mut retired) = (Vec::new(), Vec::new());
    for device in &devices {
        let in_use = device.is_in_use();
        let evaluation = in_use.then(|| evaluator.evaluate(&device.facts));
        let shown = evaluation.as_ref().map(findings).unwrap_or_default();
        let view = MyDevice {
            id: device.id.to_string(),
            name: device.name.to_string(),
            kind: kind_and_platform(device),
            status: evaluation.as_ref().map(|e| status_tag(e.overall())),
            approval: approval_tag(device),
            decision: approval_sentence(device, &names),
            reason: decline_reason(device),
            to_confirm: shown.iter().any(|f| f.stale),
            findings: shown,
            in_use,
            personal: device.ownership() == Ownership::Personal,
        };
        if device.retired.is_some() {
            retired.push(view);
        } else {
            current.push(view);
        }
    }
    Ok(render(&MinePage {
        chrome: chrome(signed_in, "/my-equipment"),
        errors,
        devices: current,
        retired,
        kinds: DeviceKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), &form.kind))
            .collect(),
        platforms: Platform::ALL
            .iter()
            .map(|p| Choice::new(p.as_str(), p.label(), &form.platform))
            .collect(),
        form,
        done,
        adopted,
    })?
    .into_response())
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::HoldEquipment).await?;
    let done = match raw.as_deref().unwrap_or_default() {
        "retired=1" => Some("The device is recorded as no longer used for council work."),
        _ => None,
    };
    show(
        &state,
        &signed_in,
        Errors::new(),
        RequestForm::default(),
        done,
    )
    .await
}

/// Asks to use an own device for council work (2.2.1), then goes on to the questions about it.
pub async fn request(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<RequestForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::HoldEquipment).await?;
    let mut errors = Errors::new();
    let name = errors.check("name", DeviceName::parse(&form.name));
    let kind = DeviceKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choose what kind of device it is.");
    }
    let platform = Platform::parse(&form.platform);
    if platform.is_none() {
        errors.add("platform", "Choose the device's operating system.");
    }
    let serial = errors
        .check("serial", parse_optional(&form.serial, SerialNumber::parse))
        .flatten();
    let (Some(name), Some(kind), Some(platform)) = (name, kind, platform) else {
        return show(&state, &signed_in, errors, form, None).await;
    };
    if !errors.is_empty() {
        return show(&state, &signed_in, errors, form, None).await;
    }
    let council = signed_in.council_id();
    let person = state.store().person(council, signed_in.person_id()).await?;
    let id = DeviceId::generate();
    let input = NewDevice {
        name,
        kind,
        platform,
        serial,
    };
    match request_own_device(council, id, &person, input, state.now()) {
        Ok((device, event)) => {
            state.store().insert_device(&device, &event).await?;
            Ok(Redirect::to(&format!("/devices/{id}/attest?requested=1")).into_response())
        }
        Err(e) => {
            errors.add("name", e.to_string());
            show(&state, &signed_in, errors, form, None).await
        }
    }
}

/// Records that a device is no longer used for council work: by the person who uses it (or
/// withdrawing their request), or by the Clerk or IT provider.
pub async fn retire(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let device = load(&state, &signed_in, &id).await?;
    // A person stops using their own device; a council device is retired by the council.
    let own = is_own(&signed_in, &device) && device.ownership() == Ownership::Personal;
    if !own && !signed_in.may(Action::ApproveOwnDevice) {
        signed_in.require(Action::RecordDeviceEvidence).await?;
    }
    let target = if own {
        "/devices/mine?retired=1".to_owned()
    } else {
        format!("/devices/{}?retired=1", device.id)
    };
    let problem = match retire_device(&device, signed_in.person_id(), state.now()) {
        Ok((retired, event)) => match state.store().update_device(&retired, &event).await {
            Ok(()) => return Ok(Redirect::to(&target).into_response()),
            Err(e) => conflict_message(e)?,
        },
        Err(e) => e.to_string(),
    };
    super::show::with_problem(&state, &signed_in, &device, problem).await
}
