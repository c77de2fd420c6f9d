//! Wiping and disposal (clause 2.2.12): a data wipe is recorded (how, who, when, certificate),
//! and only then may the item be disposed of. Both pages say plainly when the item is not ready.

use super::{Choice, People, load, unexpected, words};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::asset::{
    self, Asset, AssetError, AssetStatus, WipeMethod, WipeRecord, record_wipe,
};
use custodian_core::permission::Action;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{AssetStore, AssetStoreError};
use serde::Deserialize;

const METHODS: [(&str, &str); 5] = [
    (
        "overwrite",
        "Overwritten with a wiping tool (for example a disk-wiping program)",
    ),
    (
        "crypto_erase",
        "Encryption key erased (most phones and modern laptops)",
    ),
    (
        "factory_reset",
        "Factory reset (\"erase all content and settings\")",
    ),
    (
        "physical_destruction",
        "Storage physically destroyed (shredded or drilled)",
    ),
    ("other", "Another way"),
];

#[derive(Deserialize, Default)]
pub struct WipeForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    method_other: String,
    #[serde(default)]
    wiped_by: String,
    #[serde(default)]
    wiped_on: String,
    #[serde(default)]
    certificate: String,
}

#[derive(Template)]
#[template(path = "assets/wipe.html")]
struct WipePage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    blocked: Option<String>,
    id: String,
    number: String,
    description: String,
    methods: Vec<Choice>,
    people: Vec<Choice>,
    form: WipeForm,
}

/// Why a wipe cannot be recorded now, if it cannot.
fn wipe_blocked(asset: &Asset) -> Option<String> {
    let number = asset.number.to_string();
    match asset.status {
        AssetStatus::Issued { .. } => Some(AssetError::StillIssued { number }.to_string()),
        AssetStatus::Disposed => Some(AssetError::AlreadyDisposed { number }.to_string()),
        _ => None,
    }
}

async fn wipe_page(
    state: &AppState,
    signed_in: &SignedIn,
    asset: &Asset,
    form: WipeForm,
    errors: Errors,
) -> Result<Response, AppError> {
    let people = People::of(state, signed_in.council_id()).await?;
    Ok(render(&WipePage {
        chrome: chrome(signed_in, "/assets"),
        errors,
        blocked: wipe_blocked(asset),
        id: asset.id.to_string(),
        number: asset.number.to_string(),
        description: asset.make_and_model(),
        methods: METHODS
            .iter()
            .map(|(v, l)| Choice::new(*v, *l, &form.method))
            .collect(),
        people: people.active_choices(&form.wiped_by),
        form,
    })?
    .into_response())
}

pub async fn wipe_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    let today = london_today(state.now());
    let form = WipeForm {
        wiped_on: today.strftime("%-d/%-m/%Y").to_string(),
        ..WipeForm::default()
    };
    wipe_page(&state, &signed_in, &asset, form, Errors::new()).await
}

pub async fn wipe(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<WipeForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    if wipe_blocked(&asset).is_some() {
        return wipe_page(&state, &signed_in, &asset, form, Errors::new()).await;
    }
    let people = People::of(&state, signed_in.council_id()).await?;
    let mut errors = Errors::new();
    let method = match form.method.as_str() {
        "overwrite" => Some(WipeMethod::Overwrite),
        "crypto_erase" => Some(WipeMethod::CryptoErase),
        "factory_reset" => Some(WipeMethod::FactoryReset),
        "physical_destruction" => Some(WipeMethod::PhysicalDestruction),
        "other" => Some(WipeMethod::Other(form.method_other.clone())),
        _ => {
            errors.add("method", "Choose how the data was wiped.");
            None
        }
    };
    let by = people.active(&form.wiped_by).map(|p| p.id);
    if by.is_none() {
        errors.add(
            "wiped_by",
            "Choose who wiped it. If a firm did it, choose who arranged it and give the firm's certificate reference.",
        );
    }
    let on = match words::parse_date(&form.wiped_on, "the date it was wiped") {
        Ok(Some(on)) => Some(on),
        Ok(None) => {
            errors.add("wiped_on", "Give the date the data was wiped.");
            None
        }
        Err(message) => {
            errors.add("wiped_on", message);
            None
        }
    };
    let (Some(method), Some(by), Some(on)) = (method, by, on) else {
        return wipe_page(&state, &signed_in, &asset, form, errors).await;
    };
    let record = WipeRecord {
        method,
        by,
        on,
        certificate_reference: Some(form.certificate.clone()),
    };
    let (wiped, event) = match record_wipe(&asset, record, signed_in.actor(), state.now()) {
        Ok(done) => done,
        Err(e) => {
            let field = match &e {
                AssetError::WipeInFuture(_) => "wiped_on",
                AssetError::EmptyWipeMethod => "method_other",
                AssetError::TextTooLong { field, .. }
                | AssetError::TextControlCharacters { field }
                    if *field == "wipe method" =>
                {
                    "method_other"
                }
                AssetError::TextTooLong { .. } | AssetError::TextControlCharacters { .. } => {
                    "certificate"
                }
                _ => "method",
            };
            errors.add(field, e.to_string());
            return wipe_page(&state, &signed_in, &asset, form, errors).await;
        }
    };
    match state
        .store()
        .update_asset_if_unchanged(&asset, &wiped, &event)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=wiped")).into_response()),
        Err(e @ AssetStoreError::ChangedSinceRead { .. }) => {
            errors.add("method", e.to_string());
            wipe_page(&state, &signed_in, &asset, form, errors).await
        }
        Err(e) => Err(unexpected(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct DisposeForm {
    #[serde(default)]
    recycler: String,
    #[serde(default)]
    certificate: String,
}

#[derive(Template)]
#[template(path = "assets/dispose.html")]
struct DisposePage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    blocked: Option<String>,
    /// Whether the refusal is only the missing wipe, so the page links to recording one.
    needs_wipe: bool,
    id: String,
    number: String,
    description: String,
    form: DisposeForm,
}

fn dispose_page(
    signed_in: &SignedIn,
    asset: &Asset,
    form: DisposeForm,
    errors: Errors,
    now: jiff::Timestamp,
) -> Result<Response, AppError> {
    // The rule is pure, so asking it with a placeholder recycler tells whether the item may be
    // disposed of at all, with its own plain reason when not.
    let blocked = asset::dispose(asset, "check", None, signed_in.actor(), now).err();
    Ok(render(&DisposePage {
        chrome: chrome(signed_in, "/assets"),
        errors,
        needs_wipe: matches!(blocked, Some(AssetError::NotWiped { .. })),
        blocked: blocked.map(|e| e.to_string()),
        id: asset.id.to_string(),
        number: asset.number.to_string(),
        description: asset.make_and_model(),
        form,
    })?
    .into_response())
}

pub async fn dispose_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    dispose_page(
        &signed_in,
        &asset,
        DisposeForm::default(),
        Errors::new(),
        state.now(),
    )
}

pub async fn dispose(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DisposeForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    let now = state.now();
    let mut errors = Errors::new();
    let (disposed, event) = match asset::dispose(
        &asset,
        &form.recycler,
        Some(&form.certificate),
        signed_in.actor(),
        now,
    ) {
        Ok(done) => done,
        Err(e) => {
            match &e {
                AssetError::EmptyRecycler => errors.add("recycler", e.to_string()),
                AssetError::TextTooLong { field, .. }
                | AssetError::TextControlCharacters { field } => errors.add(
                    if *field == "recycler" {
                        "recycler"
                    } else {
                        "certificate"
                    },
                    e.to_string(),
                ),
                // Not ready to be disposed of: the page says why at the top.
                _ => {}
            }
            return dispose_page(&signed_in, &asset, form, errors, now);
        }
    };
    match state
        .store()
        .update_asset_if_unchanged(&asset, &disposed, &event)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=disposed")).into_response()),
        Err(e @ AssetStoreError::ChangedSinceRead { .. }) => {
            errors.add("recycler", e.to_string());
            dispose_page(&signed_in, &asset, form, errors, now)
        }
        Err(e) => Err(unexpected(e)),
    }
}
