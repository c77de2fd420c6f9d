//! "Your equipment": the items the signed-in person holds, the acknowledgement of those newly
//! issued to them (one confirmation for all of them, with the exact text shown and its hash
//! kept), and the way to report one lost.

use super::acknowledgements::in_register_order;
use super::{AssetRow, People, all_matching, load, profile_in_force, query_value};
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::asset::{
    Asset, AssetQuery, AssetStatus, StatusFilter, acknowledge_many, acknowledgement_text,
};
use custodian_core::permission::Action;
use custodian_core::policy::version::sha256_hex;
use custodian_core::ports::{AssetStore, AssetStoreError, AuditQuery};
use serde::Deserialize;

/// What to do after reporting a loss, shown to someone who cannot open the incident itself.
pub struct Reported {
    pub number: String,
    pub kind: &'static str,
    pub imei: String,
    pub sim: String,
}

#[derive(Template)]
#[template(path = "assets/mine.html")]
struct MinePage {
    chrome: crate::chrome::Chrome,
    problem: Option<String>,
    acknowledged: Option<String>,
    reported: Option<Reported>,
    awaiting: Vec<AssetRow>,
    held: Vec<AssetRow>,
    text: String,
    text_hash: String,
}

/// The items issued to the person, in register order.
async fn held_by_me(state: &AppState, signed_in: &SignedIn) -> Result<Vec<Asset>, AppError> {
    let query = AssetQuery {
        holder: Some(signed_in.person_id()),
        status: Some(StatusFilter::Issued),
        ..AssetQuery::default()
    };
    let mut held = all_matching(state, signed_in.council_id(), query).await?;
    in_register_order(&mut held);
    Ok(held)
}

fn is_awaiting(asset: &Asset) -> bool {
    matches!(
        asset.status,
        AssetStatus::Issued {
            acknowledged_at: None,
            ..
        }
    )
}

async fn mine_page(
    state: &AppState,
    signed_in: &SignedIn,
    problem: Option<String>,
    acknowledged: Option<String>,
    reported: Option<Reported>,
) -> Result<axum::response::Html<String>, AppError> {
    let council = signed_in.council_id();
    let held = held_by_me(state, signed_in).await?;
    let people = People::of(state, council).await?;
    let awaiting: Vec<Asset> = held.iter().filter(|a| is_awaiting(a)).cloned().collect();
    let text = if awaiting.is_empty() {
        String::new()
    } else {
        acknowledgement_text(&awaiting, &profile_in_force(state, council).await?)
    };
    render(&MinePage {
        chrome: chrome(signed_in, "/my-equipment"),
        problem,
        acknowledged,
        reported,
        awaiting: awaiting.iter().map(|a| AssetRow::of(a, &people)).collect(),
        held: held
            .iter()
            .filter(|a| !is_awaiting(a))
            .map(|a| AssetRow::of(a, &people))
            .collect(),
        text_hash: if text.is_empty() {
            String::new()
        } else {
            sha256_hex(&text)
        },
        text,
    })
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::HoldEquipment).await?;
    let acknowledged = query_value(raw.as_deref(), "acknowledged").and_then(|n| {
        let n: u32 = n.parse().ok()?;
        Some(match n {
            0 => return None,
            1 => "Thank you. You have acknowledged the item.".to_owned(),
            n => format!("Thank you. You have acknowledged the {n} items."),
        })
    });
    // After reporting a loss: only an item this person reported and still in this council.
    let mut reported = None;
    if let Some(id) = query_value(raw.as_deref(), "reported")
        && let Ok(asset) = load(&state, &signed_in, &id).await
        && reported_by_me(&state, &signed_in, &asset).await?
    {
        let kind = match asset.status {
            AssetStatus::Lost => Some("lost"),
            AssetStatus::Stolen => Some("stolen"),
            AssetStatus::Damaged => Some("damaged"),
            _ => None,
        };
        reported = kind.map(|kind| Reported {
            number: asset.number.to_string(),
            kind,
            imei: asset
                .imei
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            sim: asset
                .sim
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        });
    }
    Ok(mine_page(&state, &signed_in, None, acknowledged, reported)
        .await?
        .into_response())
}

/// Whether the item's latest history entry is this person's loss report: the reminders (with the
/// IMEI and SIM number) are for the reporter only.
async fn reported_by_me(
    state: &AppState,
    signed_in: &SignedIn,
    asset: &Asset,
) -> Result<bool, AppError> {
    let query = AuditQuery {
        subject: Some(asset.subject()),
        limit: 1,
        ..AuditQuery::default()
    };
    let latest = state.audit_page(signed_in.council_id(), query).await?;
    Ok(latest.first().is_some_and(|e| {
        e.action.starts_with("asset.reported_") && e.actor == signed_in.actor().to_storage()
    }))
}

#[derive(Deserialize, Default)]
pub struct AcknowledgeForm {
    /// The ids of the items shown for acknowledgement.
    #[serde(default)]
    item: Vec<String>,
    /// The SHA-256 of the text shown, so a change of wording meanwhile is caught.
    #[serde(default)]
    text_hash: String,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<AcknowledgeForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::HoldEquipment).await?;
    let council = signed_in.council_id();
    let refused = |message: String| async {
        let page = mine_page(&state, &signed_in, Some(message), None, None).await?;
        Ok::<_, AppError>((StatusCode::CONFLICT, page).into_response())
    };
    let mut items = Vec::with_capacity(form.item.len());
    for id in &form.item {
        // An item of another council, or one that is not an id, is simply not found.
        items.push(load(&state, &signed_in, id).await?);
    }
    in_register_order(&mut items);
    let text = acknowledgement_text(&items, &profile_in_force(&state, council).await?);
    if items.is_empty() {
        return refused("Choose which items you are acknowledging.".to_owned()).await;
    }
    if sha256_hex(&text) != form.text_hash {
        return refused(
            "The items or the wording changed after you opened this page, so nothing was recorded. Read the text below again and confirm if it is right.".to_owned(),
        )
        .await;
    }
    let me = &signed_in.current.person;
    let done = match acknowledge_many(&items, me, None, &text, state.now()) {
        Ok(done) => done,
        Err(e) => return refused(e.to_string()).await,
    };
    match state.store().record_acknowledgements(&done).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/my-equipment?acknowledged={}", done.len())).into_response())
        }
        Err(AssetStoreError::Store(e)) => Err(e.into()),
        Err(e) => refused(e.to_string()).await,
    }
}
