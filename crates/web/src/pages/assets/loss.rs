//! Reporting an item lost, stolen or damaged (clause 2.1.6). The holder reports their own item;
//! the Clerk any item; anyone else is refused. The report opens an incident (with the IMEI and
//! SIM number for blocking, the reminder to wipe remotely and the policy's liability rule) in the
//! same transaction as the item's new status.

use super::{Choice, load, profile_in_force, unexpected, words};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, london, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::asset::{Asset, AssetError, LossKind, LossReport, report_loss};
use custodian_core::ids::IncidentId;
use custodian_core::permission::Action;
use custodian_core::ports::{AssetStore, AssetStoreError};
use jiff::Timestamp;
use serde::Deserialize;

/// Refuses (403, audited) anyone who neither holds the item nor may report any item.
async fn require_may_report(signed_in: &SignedIn, asset: &Asset) -> Result<(), AppError> {
    if signed_in.may(Action::ReportAnyLoss) {
        return Ok(());
    }
    if asset.holder() == Some(signed_in.person_id()) {
        signed_in.require(Action::HoldEquipment).await
    } else {
        signed_in.require(Action::ReportAnyLoss).await
    }
}

#[derive(Deserialize, Default)]
pub struct LossForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    happened_on: String,
    #[serde(default)]
    happened_time: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    summary: String,
}

#[derive(Template)]
#[template(path = "assets/report_loss.html")]
struct LossPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    number: String,
    description: String,
    mobile: bool,
    kinds: Vec<Choice>,
    form: LossForm,
    back: String,
}

fn loss_page(
    signed_in: &SignedIn,
    asset: &Asset,
    form: LossForm,
    errors: Errors,
) -> Result<Response, AppError> {
    let in_register = signed_in.may(Action::ViewRegister);
    Ok(render(&LossPage {
        chrome: chrome(
            signed_in,
            if in_register {
                "/assets"
            } else {
                "/my-equipment"
            },
        ),
        errors,
        id: asset.id.to_string(),
        number: asset.number.to_string(),
        description: asset.make_and_model(),
        mobile: asset.category.has_mobile_identifiers(),
        kinds: [
            ("lost", "Lost"),
            ("stolen", "Stolen"),
            ("damaged", "Damaged"),
        ]
        .iter()
        .map(|(v, l)| Choice::new(*v, *l, &form.kind))
        .collect(),
        form,
        back: format!("/assets/{}", asset.id),
    })?
    .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let asset = load(&state, &signed_in, &id).await?;
    require_may_report(&signed_in, &asset).await?;
    loss_page(&signed_in, &asset, LossForm::default(), Errors::new())
}

/// When it happened, from the date and optional time typed (Europe/London); `None` when no date
/// was given. A time without a date is a mistake worth pointing out.
fn happened_at(form: &LossForm, errors: &mut Errors) -> Option<Timestamp> {
    let date = errors
        .check(
            "happened_on",
            words::parse_date(&form.happened_on, "the date it happened"),
        )
        .flatten();
    let time = errors
        .check("happened_time", words::parse_time(&form.happened_time))
        .flatten();
    match (date, time) {
        (Some(date), time) => date
            .to_datetime(time.unwrap_or_default())
            .to_zoned(london().clone())
            .ok()
            .map(|z| z.timestamp()),
        (None, Some(_)) => {
            errors.add("happened_on", "Give the date as well as the time.");
            None
        }
        (None, None) => None,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<LossForm>,
) -> Result<Response, AppError> {
    let asset = load(&state, &signed_in, &id).await?;
    require_may_report(&signed_in, &asset).await?;
    let mut errors = Errors::new();
    let kind = match form.kind.as_str() {
        "lost" => Some(LossKind::Lost),
        "stolen" => Some(LossKind::Stolen),
        "damaged" => Some(LossKind::Damaged),
        _ => {
            errors.add(
                "kind",
                "Choose whether the item was lost, stolen or damaged.",
            );
            None
        }
    };
    let happened_at = happened_at(&form, &mut errors);
    let now = state.now();
    if happened_at.is_some_and(|t| t > now) {
        errors.add("happened_on", AssetError::LossInFuture.to_string());
    }
    let what = form.summary.trim();
    if what.is_empty() {
        errors.add("summary", AssetError::EmptyLossSummary.to_string());
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return loss_page(&signed_in, &asset, form, errors);
    };
    let place = form.place.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = if place.is_empty() {
        what.to_owned()
    } else {
        format!("Where: {place}. {what}")
    };
    let profile = profile_in_force(&state, signed_in.council_id()).await?;
    let incident = IncidentId::generate();
    let report = LossReport {
        kind,
        reporter: signed_in.person_id(),
        reporter_may_report_any: signed_in.may(Action::ReportAnyLoss),
        summary,
        happened_at,
    };
    let loss = match report_loss(&asset, report, incident, &profile, now) {
        Ok(loss) => loss,
        Err(e) => {
            let field = match e {
                AssetError::LossInFuture => "happened_on",
                AssetError::EmptyLossSummary | AssetError::TextTooLong { .. } => "summary",
                _ => "kind",
            };
            errors.add(field, e.to_string());
            return loss_page(&signed_in, &asset, form, errors);
        }
    };
    match state.store().record_loss(&loss).await {
        Ok(()) => crate::pages::incidents::email_about(&state, &loss.incident).await,
        // Returned, reissued or already reported while the form was being filled in: say so
        // and show the item as it is now.
        Err(changed @ AssetStoreError::ChangedSinceRead { .. }) => {
            let asset = load(&state, &signed_in, &id).await?;
            errors.add("kind", changed.to_string());
            return loss_page(&signed_in, &asset, form, errors);
        }
        Err(other) => return Err(unexpected(other)),
    }
    // Whoever may read incidents goes to the new one, whose text says what to do now; anyone
    // else back to their equipment, which says the same.
    let target = if signed_in.may(Action::ViewIncidents) {
        format!("/incidents/{incident}")
    } else {
        format!("/my-equipment?reported={}", asset.id)
    };
    Ok(Redirect::to(&target).into_response())
}
