//! Council settings: the council's name and which roles must use a second factor.

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::AuditEvent;
use custodian_core::council::{CouncilName, CouncilSettings};
use custodian_core::permission::Action;
use custodian_core::person::{Role, RoleSet};
use custodian_core::ports::CouncilStore;
use serde::Deserialize;
use serde_json::json;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    name: String,
    kind: &'static str,
    roles: Vec<(&'static str, &'static str, bool)>,
    can_edit: bool,
    saved: bool,
}

fn page(
    signed_in: &SignedIn,
    errors: Errors,
    name: String,
    selected: RoleSet,
    saved: bool,
) -> Result<Response, AppError> {
    Ok(render(&SettingsPage {
        chrome: chrome(signed_in, "/settings"),
        errors,
        name,
        kind: signed_in.current.council.kind.label(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(), selected.contains(*r)))
            .collect(),
        can_edit: signed_in.may(Action::EditCouncilSettings),
        saved,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(
    signed_in: SignedIn,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewCouncilSettings).await?;
    let council = &signed_in.current.council;
    page(
        &signed_in,
        Errors::new(),
        council.name.to_string(),
        council.settings.mfa_required_roles,
        query.saved.is_some(),
    )
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mfa_roles: Vec<String>,
}

pub async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditCouncilSettings).await?;
    let mut errors = Errors::new();
    let name = errors.check("name", CouncilName::parse(&form.name));
    let roles = errors.check(
        "mfa_roles",
        form.mfa_roles.iter().try_fold(RoleSet::empty(), |set, r| {
            Role::parse(r).map(|r| set.with(r))
        }),
    );
    let (Some(name), Some(roles)) = (name, roles) else {
        let selected = form
            .mfa_roles
            .iter()
            .filter_map(|r| Role::parse(r).ok())
            .fold(RoleSet::empty(), RoleSet::with);
        return page(&signed_in, errors, form.name, selected, false);
    };
    change_settings(&state, &signed_in, &name, roles, None).await?;
    Ok(Redirect::to("/settings?saved=1").into_response())
}

/// Stores the council's name and MFA roles with their audit entry; `reason` says why when the
/// change was not made on this page (adopting a policy sets the MFA roles).
pub async fn change_settings(
    state: &AppState,
    signed_in: &SignedIn,
    name: &custodian_core::council::CouncilName,
    roles: RoleSet,
    reason: Option<String>,
) -> Result<(), AppError> {
    let council = &signed_in.current.council;
    let settings = CouncilSettings {
        mfa_required_roles: roles,
    };
    let mut details = json!({
        "name_changed": council.name != *name,
        "mfa_required_roles": roles.to_storage(),
    });
    if let Some(reason) = reason {
        details["reason"] = json!(reason);
    }
    let event = AuditEvent::new(
        council.id,
        state.now(),
        signed_in.actor(),
        "council.settings_changed",
    )
    .subject(format!("council:{}", council.id))
    .details(details);
    state
        .store()
        .update_council(council.id, name, &settings, &event)
        .await?;
    Ok(())
}
