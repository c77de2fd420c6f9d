//! Setting, changing or removing one secret of an item (`/vault/{id}/secret`, the Clerk), and
//! confirming the supplier's default password was changed (`/vault/{id}/default-changed`).
//! A new password is a rotation: it clears "compromised" and "change now". A password is
//! checked for strength as on the add form and never written back into the page.

use super::form::{Choice, Warning, check_password};
use super::{load, locked_page, vault_key};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use crate::vault_box::{seal_new_item, seal_secret};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::permission::Action;
use custodian_core::ports::{StoreError, VaultChange, VaultStore};
use custodian_core::vault::{Confirmed, SecretField, VaultItem, check_secret, item_event};
use secrecy::zeroize::Zeroizing;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SecretForm {
    field: String,
    value: String,
    keep_password: Option<String>,
    words: String,
    suggest: Option<String>,
    remove: Option<String>,
    revision: String,
}

#[derive(Template)]
#[template(path = "vault/secret.html")]
struct SecretPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    revision: u32,
    errors: Errors,
    fields: Vec<Choice>,
    words: Vec<Choice>,
    suggested: Option<String>,
    suggested_strength: Option<&'static str>,
    warning: Option<Warning>,
    conflict: bool,
    /// Stored fields other than the password, which may be removed.
    removable: Vec<(&'static str, &'static str)>,
}

struct Shown {
    errors: Errors,
    field: String,
    words: usize,
    suggested: Option<String>,
    warning: Option<Warning>,
    conflict: bool,
}

fn show(signed_in: &SignedIn, item: &VaultItem, shown: Shown) -> Result<Response, AppError> {
    let field = if shown.field.is_empty() {
        "password"
    } else {
        shown.field.as_str()
    };
    let suggested_strength = shown.suggested.as_ref().map(|s| {
        let related = [item.name.as_str(), item.username.as_deref().unwrap_or("")];
        custodian_core::vault::strength(s, &related).label
    });
    Ok(render(&SecretPage {
        chrome: chrome(signed_in, "/vault"),
        id: item.id.to_string(),
        name: item.name.clone(),
        revision: item.revision,
        errors: shown.errors,
        fields: SecretField::ALL
            .into_iter()
            .map(|f| Choice {
                value: f.as_str().to_owned(),
                label: f.label().to_owned(),
                checked: f.as_str() == field,
            })
            .collect(),
        words: (3..=6)
            .map(|n| Choice {
                value: n.to_string(),
                label: format!("{n} words"),
                checked: n == shown.words,
            })
            .collect(),
        suggested: shown.suggested,
        suggested_strength,
        warning: shown.warning,
        conflict: shown.conflict,
        removable: SecretField::ALL
            .into_iter()
            .filter(|f| *f != SecretField::Password && item.has(*f))
            .map(|f| (f.as_str(), f.label()))
            .collect(),
    })?
    .into_response())
}

fn fresh() -> Shown {
    Shown {
        errors: Errors::new(),
        field: String::new(),
        words: 3,
        suggested: None,
        warning: None,
        conflict: false,
    }
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let item = load(&state, &signed_in, &id).await?;
    signed_in.require(Action::ManageVault).await?;
    if vault_key(&state).is_none() {
        return locked_page(&signed_in);
    }
    show(&signed_in, &item, fresh())
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(mut form): Form<SecretForm>,
) -> Result<Response, AppError> {
    let before = load(&state, &signed_in, &id).await?;
    signed_in.require(Action::ManageVault).await?;
    let Some(key) = vault_key(&state) else {
        return locked_page(&signed_in);
    };
    let words = form
        .words
        .trim()
        .parse::<usize>()
        .map_or(3, |n| n.clamp(3, 6));
    if form.suggest.is_some() {
        let suggestion = custodian_core::passphrase::suggest(&mut rand::rngs::OsRng, words);
        let shown = Shown {
            field: "password".to_owned(),
            words,
            suggested: Some(suggestion),
            ..fresh()
        };
        return show(&signed_in, &before, shown);
    }
    if form.revision.trim() != before.revision.to_string() {
        return show(
            &signed_in,
            &before,
            Shown {
                conflict: true,
                ..fresh()
            },
        );
    }
    let mut errors = Errors::new();
    let now = state.now();
    let mut item = before.clone();
    item.begin_change();
    if let Some(remove) = form.remove.as_deref() {
        let Ok(field) = SecretField::parse(remove) else {
            return Err(AppError::NotFound);
        };
        if field == SecretField::Password || !item.remove_secret(field) {
            errors.add("field", "Only a stored two-step key, recovery codes or notes can be removed. Change the password instead.");
            return show(&signed_in, &before, Shown { errors, ..fresh() });
        }
        let events = [item_event(
            &item,
            now,
            signed_in.actor(),
            "vault.secret_removed",
            json!({ "field": field.as_str() }),
        )];
        return store(&state, &signed_in, &before, &item, &[], &events).await;
    }
    let Some(field) = errors.check("field", SecretField::parse(&form.field)) else {
        return show(&signed_in, &before, Shown { errors, ..fresh() });
    };
    let typed = Zeroizing::new(std::mem::take(&mut form.value));
    let value = if field == SecretField::Password {
        let related = [item.name.as_str(), item.username.as_deref().unwrap_or("")];
        let (checked, warning) =
            check_password(&typed, form.keep_password.is_some(), &related, &mut errors);
        if warning.is_some() || !errors.is_empty() {
            let shown = Shown {
                errors,
                field: form.field.clone(),
                words,
                warning,
                ..fresh()
            };
            return show(&signed_in, &before, shown);
        }
        match checked {
            Some(value) => Zeroizing::new(value),
            None => {
                errors.add("value", "Enter the new password.");
                return show(
                    &signed_in,
                    &before,
                    Shown {
                        errors,
                        field: form.field.clone(),
                        ..fresh()
                    },
                );
            }
        }
    } else {
        match errors.check("value", check_secret(field, &typed)) {
            Some(value) => Zeroizing::new(value),
            None => {
                return show(
                    &signed_in,
                    &before,
                    Shown {
                        errors,
                        field: form.field.clone(),
                        ..fresh()
                    },
                );
            }
        }
    };
    let version = item.replace_secret(field, now);
    let stored = state
        .store()
        .sealed_item(signed_in.council_id(), item.id)
        .await;
    let sealed = match stored {
        Ok(stored) => vec![seal_secret(
            &key,
            &item,
            &stored.wrapped_key,
            field,
            version,
            &value,
        )?],
        // An item stored without a key cannot happen through these pages; be plain about it.
        Err(StoreError::NotFound(_)) => seal_new_item(&key, &item, &[(field, value.as_str())])?.1,
        Err(other) => return Err(other.into()),
    };
    let events = [item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.secret_changed",
        json!({ "field": field.as_str(), "version": version }),
    )];
    store(&state, &signed_in, &before, &item, &sealed, &events).await
}

async fn store(
    state: &AppState,
    signed_in: &SignedIn,
    before: &VaultItem,
    item: &VaultItem,
    sealed: &[custodian_core::ports::SealedSecret],
    events: &[custodian_core::audit::AuditEvent],
) -> Result<Response, AppError> {
    let change = VaultChange {
        item: Some(item),
        sealed,
        events,
        ..VaultChange::default()
    };
    match state
        .store()
        .change_vault(signed_in.council_id(), &change)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/vault/{}?secret=1", item.id)).into_response()),
        Err(StoreError::Conflict(_)) => show(
            signed_in,
            before,
            Shown {
                conflict: true,
                ..fresh()
            },
        ),
        Err(other) => Err(other.into()),
    }
}

/// Records that the supplier's default password was changed at set-up (4.1.1).
pub async fn default_changed(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut item = load(&state, &signed_in, &id).await?;
    signed_in.require(Action::ManageVault).await?;
    if item.default_changed.is_some() {
        return Ok(Redirect::to(&format!("/vault/{}", item.id)).into_response());
    }
    let now = state.now();
    item.begin_change();
    item.default_changed = Some(Confirmed {
        by: signed_in.person_id(),
        at: now,
    });
    let events = [item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.default_changed_confirmed",
        json!({}),
    )];
    let change = VaultChange {
        item: Some(&item),
        events: &events,
        ..VaultChange::default()
    };
    state
        .store()
        .change_vault(signed_in.council_id(), &change)
        .await?;
    Ok(Redirect::to(&format!("/vault/{}?confirmed=1", item.id)).into_response())
}
