//! Recording the council's adoption of a draft: the date of the meeting and its minute
//! reference. The exact text adopted is fixed by its hash, and the declaration people sign is
//! fixed with it.

use super::{VersionRow, load_version};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::permission::Action;
use custodian_core::policy::version::{
    MinuteReference, PolicyVersion, PolicyVersionError, adopt, london_today,
};
use custodian_core::policy::{AdoptionBlock, declaration_text, render_policy};
use custodian_core::ports::PolicyStore;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AdoptForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    minute_reference: String,
}

#[derive(Template)]
#[template(path = "policy/adopt.html")]
struct AdoptPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    version: VersionRow,
    weakness_count: usize,
    form: AdoptForm,
}

fn page(
    signed_in: &SignedIn,
    version: &PolicyVersion,
    errors: Errors,
    form: AdoptForm,
) -> Result<Response, AppError> {
    Ok(render(&AdoptPage {
        chrome: chrome(signed_in, "/policy"),
        errors,
        version: VersionRow::of(version),
        weakness_count: version.profile.weaknesses().len(),
        form,
    })?
    .into_response())
}

async fn draft(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<PolicyVersion, AppError> {
    signed_in.require(Action::AdoptPolicy).await?;
    load_version(state, signed_in.council_id(), id).await
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let version = draft(&state, &signed_in, &id).await?;
    if !version.is_draft() {
        return Ok(Redirect::to(&format!("/policy/versions/{}", version.id)).into_response());
    }
    let today = london_today(state.now());
    let form = AdoptForm {
        day: today.day().to_string(),
        month: today.month().to_string(),
        year: today.year().to_string(),
        minute_reference: String::new(),
    };
    page(&signed_in, &version, Errors::new(), form)
}

/// Makes Custodian's own sign-in follow the policy just adopted: the roles it says must use a
/// second factor (4.1.7) become the council's setting. This is a second, separately audited
/// change; if it fails the adoption stands and the settings page still shows the old roles.
async fn apply_mfa_roles(
    state: &AppState,
    signed_in: &SignedIn,
    adopted: &PolicyVersion,
) -> Result<(), AppError> {
    let council = &signed_in.current.council;
    let roles = adopted.profile.mfa_required_roles;
    if council.settings.mfa_required_roles == roles {
        return Ok(());
    }
    crate::pages::settings::change_settings(
        state,
        signed_in,
        &council.name,
        roles,
        Some(format!("policy version {} adopted", adopted.number)),
    )
    .await
}

/// Day, month and year boxes (the GOV.UK date pattern) to a date, or a message for the first box
/// that is wrong.
fn meeting_date(form: &AdoptForm) -> Result<jiff::civil::Date, String> {
    let part = |text: &str, name: &str| -> Result<i16, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("The date of the meeting must include a {name}"));
        }
        text.parse::<i16>()
            .map_err(|_| format!("The {name} must be a number, like 3"))
    };
    let (day, month, year) = (
        part(&form.day, "day")?,
        part(&form.month, "month")?,
        part(&form.year, "year")?,
    );
    if !(1000..=9999).contains(&year) {
        return Err("The year must have 4 digits, like 2026".to_owned());
    }
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err("The date of the meeting must be a real date".to_owned());
    };
    jiff::civil::Date::new(year, month, day)
        .map_err(|_| "The date of the meeting must be a real date".to_owned())
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AdoptForm>,
) -> Result<Response, AppError> {
    let version = draft(&state, &signed_in, &id).await?;
    if !version.is_draft() {
        return Ok(Redirect::to(&format!("/policy/versions/{}", version.id)).into_response());
    }
    let mut errors = Errors::new();
    let date = meeting_date(&form).map_err(|m| errors.add("day", m)).ok();
    let minute = if form.minute_reference.trim().is_empty() {
        errors.add(
            "minute_reference",
            "Enter the minute reference of the decision, for example COU/229/25-26",
        );
        None
    } else {
        errors.check(
            "minute_reference",
            MinuteReference::parse(&form.minute_reference),
        )
    };
    let (Some(date), Some(minute)) = (date, minute) else {
        return page(&signed_in, &version, errors, form);
    };
    // The words adopted, with the adoption block filled in, are what people sign up to.
    let adopted_document = render_policy(
        &version.profile,
        signed_in.current.council.name.as_str(),
        &AdoptionBlock {
            adopted_on: Some(date),
            minute_reference: Some(minute.to_string()),
            review_due: None,
            review_interval_months: version.profile.review_interval_months,
        },
    );
    let adopted = adopt(
        &version,
        date,
        minute,
        state.now(),
        &adopted_document.content_hash(),
        &declaration_text(&adopted_document),
        signed_in.person_id(),
    );
    match adopted {
        Ok(adopted) => {
            state
                .store()
                .adopt(
                    signed_in.council_id(),
                    version.id,
                    &adopted.adoption,
                    &adopted.event,
                )
                .await?;
            apply_mfa_roles(&state, &signed_in, &adopted.version).await?;
            Ok(Redirect::to(&format!("/policy/versions/{}?adopted=1", version.id)).into_response())
        }
        Err(e @ (PolicyVersionError::AdoptedInFuture | PolicyVersionError::AdoptedTooLongAgo)) => {
            errors.add("day", e.to_string());
            page(&signed_in, &version, errors, form)
        }
        Err(e) => Err(AppError::Internal(anyhow::Error::new(e))),
    }
}
