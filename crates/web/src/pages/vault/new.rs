//! Adding an item (`/vault/new`, the Clerk): its details, who may reveal it, and its first
//! secrets, each password checked for strength and against suppliers' defaults as entered.
//! Bad input re-shows the form with every problem by field and stores nothing.

use super::form::{Choices, ItemForm, Warning, add_detail_problems, check_password, other_secrets};
use super::{locked_page, vault_key};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use crate::vault_box::seal_new_item;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::ids::VaultItemId;
use custodian_core::permission::Action;
use custodian_core::ports::{StoreError, VaultChange, VaultStore};
use custodian_core::vault::{Confirmed, SecretField, VaultItem, item_event};
use secrecy::zeroize::Zeroizing;
use serde_json::json;

#[derive(Template)]
#[template(path = "vault/form.html")]
pub(super) struct FormPage {
    pub chrome: crate::chrome::Chrome,
    pub errors: Errors,
    pub form: ItemForm,
    pub choices: Choices,
    pub is_new: bool,
    pub action: String,
    pub cancel: String,
    /// A passphrase Custodian suggested, shown so it can be kept (the page is never cached).
    pub suggested: Option<String>,
    pub suggested_strength: Option<&'static str>,
    pub warning: Option<Warning>,
    /// "Changed by someone else" on the change form.
    pub conflict: Option<String>,
}

async fn show(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: ItemForm,
    suggested: Option<String>,
    warning: Option<Warning>,
) -> Result<Response, AppError> {
    let choices = Choices::of(state, signed_in.council_id(), &form).await?;
    let suggested_strength = suggested.as_ref().map(|s| {
        custodian_core::vault::strength(s, &[form.name.as_str(), form.username.as_str()]).label
    });
    Ok(render(&FormPage {
        chrome: chrome(signed_in, "/vault"),
        errors,
        form,
        choices,
        is_new: true,
        action: "/vault/new".to_owned(),
        cancel: "/vault".to_owned(),
        suggested,
        suggested_strength,
        warning,
        conflict: None,
    })?
    .into_response())
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageVault).await?;
    if vault_key(&state).is_none() {
        return locked_page(&signed_in);
    }
    show(
        &state,
        &signed_in,
        Errors::new(),
        ItemForm::default(),
        None,
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(mut form): Form<ItemForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageVault).await?;
    let Some(key) = vault_key(&state) else {
        return locked_page(&signed_in);
    };
    if form.suggest.is_some() {
        let words = form.word_count();
        let suggestion = custodian_core::passphrase::suggest(&mut rand::rngs::OsRng, words);
        form.password.clear();
        return show(
            &state,
            &signed_in,
            Errors::new(),
            form,
            Some(suggestion),
            None,
        )
        .await;
    }
    let mut errors = Errors::new();
    let details = form.details(&mut errors);
    let checked = match details.check() {
        Ok(checked) => Some(checked),
        Err(problems) => {
            add_detail_problems(&mut errors, problems);
            None
        }
    };
    let typed = Zeroizing::new(std::mem::take(&mut form.password));
    let (password, warning) = check_password(
        &typed,
        form.keep_password.is_some(),
        &[form.name.as_str(), form.username.as_str()],
        &mut errors,
    );
    let password = password.map(Zeroizing::new);
    let mut values: Vec<(SecretField, Zeroizing<String>)> = other_secrets(&form, &mut errors)
        .into_iter()
        .map(|(field, value)| (field, Zeroizing::new(value)))
        .collect();
    let (Some(checked), true) = (checked, errors.is_empty()) else {
        // Secrets typed are not shown again: the person enters them once more.
        form.keep_password = None;
        return show(&state, &signed_in, errors, form, None, warning).await;
    };
    if let Some(password) = password {
        values.insert(0, (SecretField::Password, password));
    }
    let now = state.now();
    let mut item = VaultItem::new(
        VaultItemId::generate(),
        signed_in.council_id(),
        checked,
        now,
    );
    for (field, _) in &values {
        item.replace_secret(*field, now);
    }
    let mut events = Vec::new();
    let fields: Vec<&str> = values.iter().map(|(f, _)| f.as_str()).collect();
    events.push(item_event(
        &item,
        now,
        signed_in.actor(),
        "vault.item_added",
        json!({ "kind": item.kind.as_str(), "tier": item.tier.as_str(), "fields": fields }),
    ));
    if form.default_changed.is_some() {
        item.default_changed = Some(Confirmed {
            by: signed_in.person_id(),
            at: now,
        });
        events.push(item_event(
            &item,
            now,
            signed_in.actor(),
            "vault.default_changed_confirmed",
            json!({}),
        ));
    }
    let plain: Vec<(SecretField, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
    let (wrapped, sealed) = seal_new_item(&key, &item, &plain)?;
    let change = VaultChange {
        item: Some(&item),
        sealed: &sealed,
        events: &events,
        ..VaultChange::default()
    };
    match state.store().insert_vault_item(&wrapped, &change).await {
        Ok(()) => Ok(Redirect::to(&format!("/vault/{}?added=1", item.id)).into_response()),
        Err(StoreError::NotFound(_)) => {
            errors.add(
                "people",
                "Someone chosen is no longer one of the council's people. Choose again.",
            );
            show(&state, &signed_in, errors, form, None, None).await
        }
        Err(other) => Err(other.into()),
    }
}
