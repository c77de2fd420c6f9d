//! Changing an item's details (`/vault/{id}/edit`, the Clerk): name, kind, address, username,
//! tier, who may reveal it, rotation and renewal. Secrets change on their own page. The change
//! is stored only over the revision the form was shown at, so two people changing one item at
//! once cannot overwrite each other unseen.

use super::form::{Choices, ItemForm, add_detail_problems};
use super::load;
use super::new::FormPage;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::permission::Action;
use custodian_core::ports::{StoreError, VaultChange, VaultStore};
use custodian_core::vault::{VaultItem, item_event};
use serde_json::json;

const CHANGED_MEANWHILE: &str = "Someone else changed this item while you were editing it. Their change has been kept: check the details below and make your change again.";

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    item: &VaultItem,
    errors: Errors,
    form: ItemForm,
    conflict: Option<String>,
) -> Result<Response, AppError> {
    let choices = Choices::of(state, signed_in.council_id(), &form).await?;
    Ok(render(&FormPage {
        chrome: chrome(signed_in, "/vault"),
        errors,
        form,
        choices,
        is_new: false,
        action: format!("/vault/{}/edit", item.id),
        cancel: format!("/vault/{}", item.id),
        suggested: None,
        suggested_strength: None,
        warning: None,
        conflict,
    })?
    .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let item = load(&state, &signed_in, &id).await?;
    signed_in.require(Action::ManageVault).await?;
    show(
        &state,
        &signed_in,
        &item,
        Errors::new(),
        ItemForm::of(&item),
        None,
    )
    .await
}

/// The names of the details that differ, for the audit entry (never their values).
fn changed_fields(before: &VaultItem, after: &VaultItem) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut note = |name, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    note("name", before.name != after.name);
    note("kind", before.kind != after.kind);
    note("address", before.address != after.address);
    note("username", before.username != after.username);
    note("tier", before.tier != after.tier);
    note("allowed", before.allowed != after.allowed);
    note("rotation_days", before.rotation_days != after.rotation_days);
    note("renewal_due", before.renewal_due != after.renewal_due);
    changed
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let before = load(&state, &signed_in, &id).await?;
    signed_in.require(Action::ManageVault).await?;
    if form.revision.trim() != before.revision.to_string() {
        let fresh = ItemForm::of(&before);
        let message = Some(CHANGED_MEANWHILE.to_owned());
        return show(&state, &signed_in, &before, Errors::new(), fresh, message).await;
    }
    let mut errors = Errors::new();
    let details = form.details(&mut errors);
    let checked = match details.check() {
        Ok(checked) if errors.is_empty() => checked,
        Ok(_) => return show(&state, &signed_in, &before, errors, form, None).await,
        Err(problems) => {
            add_detail_problems(&mut errors, problems);
            return show(&state, &signed_in, &before, errors, form, None).await;
        }
    };
    let mut item = before.clone();
    item.apply(checked);
    let changed = changed_fields(&before, &item);
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/vault/{}", item.id)).into_response());
    }
    item.begin_change();
    let now = state.now();
    let events = [item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.item_changed",
        json!({ "changed": changed }),
    )];
    let change = VaultChange {
        item: Some(&item),
        events: &events,
        ..VaultChange::default()
    };
    match state
        .store()
        .change_vault(signed_in.council_id(), &change)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/vault/{}?changed=1", item.id)).into_response()),
        Err(StoreError::Conflict(_)) => {
            let latest = load(&state, &signed_in, &id).await?;
            let fresh = ItemForm::of(&latest);
            let message = Some(CHANGED_MEANWHILE.to_owned());
            show(&state, &signed_in, &latest, Errors::new(), fresh, message).await
        }
        Err(StoreError::NotFound("person")) => {
            errors.add(
                "people",
                "Someone chosen is no longer one of the council's people. Choose again.",
            );
            show(&state, &signed_in, &before, errors, form, None).await
        }
        Err(other) => Err(other.into()),
    }
}
