//! The vault's list (`/vault`): items by kind with what needs doing about each. Officers who
//! view the vault see every item of the council; anyone else who uses it sees only the items
//! they may reveal now (day to day, by a grant, or in an emergency).

use super::item::{Tag, tags};
use super::vault_key;
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodian_core::permission::Action;
use custodian_core::ports::VaultStore;
use custodian_core::vault::{ItemKind, Tier, reveal_basis};

pub struct Entry {
    pub id: String,
    pub name: String,
    pub sealed: bool,
    pub tags: Vec<Tag>,
}

pub struct Group {
    pub label: &'static str,
    pub entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "vault/list.html")]
struct ListPage {
    chrome: crate::chrome::Chrome,
    groups: Vec<Group>,
    locked: bool,
    may_add: bool,
    sees_all: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let sees_all = signed_in.may(Action::ViewVault);
    if !sees_all {
        signed_in.require(Action::UseVault).await?;
    }
    let council = signed_in.council_id();
    let now = state.now();
    let mut items = state.store().vault_items(council).await?;
    if !sees_all {
        let grants = state.store().grants(council).await?;
        let emergencies = state.store().emergencies(council).await?;
        let person = signed_in.person_id();
        let roles = signed_in.current.person.roles;
        items
            .retain(|item| reveal_basis(item, person, roles, &grants, &emergencies, now).is_some());
    }
    let groups = ItemKind::ALL
        .iter()
        .filter_map(|kind| {
            let entries: Vec<Entry> = items
                .iter()
                .filter(|i| i.kind == *kind)
                .map(|i| Entry {
                    id: i.id.to_string(),
                    name: i.name.clone(),
                    sealed: i.tier == Tier::Sealed,
                    tags: tags(i, now),
                })
                .collect();
            (!entries.is_empty()).then_some(Group {
                label: kind.label(),
                entries,
            })
        })
        .collect();
    Ok(render(&ListPage {
        chrome: chrome(&signed_in, "/vault"),
        groups,
        locked: vault_key(&state).is_none(),
        may_add: signed_in.may(Action::ManageVault),
        sees_all,
    })?
    .into_response())
}
