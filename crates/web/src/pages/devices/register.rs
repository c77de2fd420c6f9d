//! Registering a council-owned device (`/devices/new`): the Clerk or IT provider records it,
//! who uses it (or that it is shared), and optionally the item of the equipment register it is,
//! found by its asset number.

use super::views::Choice;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::asset::{Asset, AssetNumber, AssetQuery, SerialNumber, parse_optional};
use custodian_core::device::{
    DeviceKind, DeviceName, NewDevice, Platform, register_council_device,
};
use custodian_core::ids::{CouncilId, DeviceId, PersonId};
use custodian_core::permission::Action;
use custodian_core::person::PersonStatus;
use custodian_core::ports::{AssetStore, DeviceStore};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    name: String,
    kind: String,
    platform: String,
    serial: String,
    user: String,
    asset_number: String,
}

#[derive(Template)]
#[template(path = "devices/new.html")]
struct NewPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    form: NewForm,
    kinds: Vec<Choice>,
    platforms: Vec<Choice>,
    people: Vec<Choice>,
}

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: NewForm,
) -> Result<Response, AppError> {
    let people = state.people(signed_in.council_id()).await?;
    let mut choices: Vec<&custodian_core::person::Person> = people
        .iter()
        .filter(|p| p.status != PersonStatus::Left)
        .collect();
    choices.sort_by_key(|p| p.name.as_str().to_lowercase());
    Ok(render(&NewPage {
        chrome: chrome(signed_in, "/devices"),
        errors,
        kinds: DeviceKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), &form.kind))
            .collect(),
        platforms: Platform::ALL
            .iter()
            .map(|p| Choice::new(p.as_str(), p.label(), &form.platform))
            .collect(),
        people: choices
            .iter()
            .map(|p| Choice::new(p.id.to_string(), p.name.as_str(), &form.user))
            .collect(),
        form,
    })?
    .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::RecordDeviceEvidence).await?;
    show(&state, &signed_in, Errors::new(), NewForm::default()).await
}

/// The register item numbered `number`, ignoring capitals; `None` when there is none.
async fn asset_numbered(
    state: &AppState,
    council: CouncilId,
    number: &AssetNumber,
) -> Result<Option<Asset>, AppError> {
    let mut query = AssetQuery {
        text: Some(number.to_string()),
        page_size: AssetQuery::MAX_PAGE_SIZE,
        ..AssetQuery::default()
    };
    loop {
        let page = state.store().assets(council, &query).await?;
        if let Some(found) = page.assets.iter().find(|a| a.number == *number) {
            return Ok(Some(found.clone()));
        }
        if page.assets.is_empty() || u64::from(page.page) >= page.pages() {
            return Ok(None);
        }
        query.page = page.page + 1;
    }
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<NewForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::RecordDeviceEvidence).await?;
    let council = signed_in.council_id();
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
    let mut serial = errors
        .check("serial", parse_optional(&form.serial, SerialNumber::parse))
        .flatten();
    let user = match form.user.trim() {
        "" => None,
        id => {
            let people = state.people(council).await?;
            let found = PersonId::parse(id)
                .ok()
                .and_then(|id| people.iter().find(|p| p.id == id).cloned());
            if found.is_none() {
                errors.add(
                    "user",
                    "Choose someone from the list, or that the device is shared.",
                );
            }
            found
        }
    };
    let asset = match errors
        .check(
            "asset_number",
            parse_optional(&form.asset_number, AssetNumber::parse),
        )
        .flatten()
    {
        Some(number) => {
            let found = asset_numbered(&state, council, &number).await?;
            if found.is_none() {
                errors.add(
                    "asset_number",
                    format!("The equipment register has no item numbered {number}. Check the number on the item's label, or leave it empty."),
                );
            }
            found
        }
        None => None,
    };
    let (Some(name), Some(kind), Some(platform)) = (name, kind, platform) else {
        return show(&state, &signed_in, errors, form).await;
    };
    if !errors.is_empty() {
        return show(&state, &signed_in, errors, form).await;
    }
    // The register usually knows the serial number already.
    if serial.is_none() {
        serial = asset.as_ref().and_then(|a| a.serial.clone());
    }
    let id = DeviceId::generate();
    let input = NewDevice {
        name,
        kind,
        platform,
        serial,
    };
    match register_council_device(
        council,
        id,
        input,
        user.as_ref(),
        asset.map(|a| a.id),
        signed_in.actor(),
        state.now(),
    ) {
        Ok((device, event)) => {
            state.store().insert_device(&device, &event).await?;
            Ok(Redirect::to(&format!("/devices/{id}?registered=1")).into_response())
        }
        Err(e) => {
            errors.add("user", e.to_string());
            show(&state, &signed_in, errors, form).await
        }
    }
}
