//! Devices that touch council data and whether they meet the policy (issue 4, clauses 2.1.4 and
//! 2.2): "my devices", requests to use one's own device and the Clerk's decision, the
//! self-attestation form, osquery and MDM uploads, and the Clerk's compliance table.
//!
//! Every handler looks devices up with the signed-in session's council, so another council's
//! device is "not found". Rules live in `core::device`; these pages parse forms and files, call
//! the rules and store what they decide. Devices are evaluated against the adopted policy's
//! profile, or the model policy's when none is adopted yet (and the page says so).

mod attest;
mod compliance;
mod decide;
mod history;
mod mdm;
mod mine;
mod osquery;
mod register;
mod show;
mod upload;
mod views;

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use custodian_core::device::Device;
use custodian_core::ids::DeviceId;
use custodian_core::permission::Action;
use custodian_core::ports::{DeviceStore, StoreError};

/// The device routes, merged into the signed-in pages by `lib.rs`. Static segments
/// (`/devices/mine`, `/devices/new`...) win over `/devices/{id}` in axum's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/devices", get(compliance::page))
        .route("/devices/mine", get(mine::page).post(mine::request))
        .route("/devices/requests", get(decide::requests))
        .route("/devices/new", get(register::form).post(register::create))
        .route(
            "/devices/mdm",
            get(mdm::form).post(mdm::submit).layer(uploads()),
        )
        .route("/devices/{id}", get(show::page))
        .route(
            "/devices/{id}/attest",
            get(attest::form).post(attest::submit),
        )
        .route(
            "/devices/{id}/osquery",
            get(osquery::form).post(osquery::submit).layer(uploads()),
        )
        .route("/devices/{id}/approve", post(decide::approve))
        .route(
            "/devices/{id}/decline",
            get(decide::decline_form).post(decide::decline),
        )
        .route("/devices/{id}/retire", post(mine::retire))
}

/// File uploads (and the review steps that post a file's text back) may be as large as the
/// session middleware allows, not axum's default 2 MB.
fn uploads() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::session::MAX_UPLOAD_BYTES)
}

pub(super) use crate::pages::policy::profile_in_force;

/// A device of the signed-in person's council; anything else is "not found".
async fn load(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<Device, AppError> {
    let id = DeviceId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store().device(signed_in.council_id(), id).await?)
}

/// Whether the signed-in person uses `device` and may look after their own devices.
fn is_own(signed_in: &SignedIn, device: &Device) -> bool {
    device.user == Some(signed_in.person_id()) && signed_in.may(Action::HoldEquipment)
}

/// A device the signed-in person may see: their own, or any when they may view compliance.
/// Others are refused with 403 (and the refusal audited).
async fn load_visible(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Device, AppError> {
    let device = load(state, signed_in, id).await?;
    if !is_own(signed_in, &device) {
        signed_in.require(Action::ViewCompliance).await?;
    }
    Ok(device)
}

/// The message for a change the store refused because the device changed meanwhile; other
/// errors go on to the error page.
fn conflict_message(error: StoreError) -> Result<String, AppError> {
    match error {
        StoreError::Conflict(message) => Ok(message),
        other => Err(other.into()),
    }
}
