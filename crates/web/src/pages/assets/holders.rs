//! Who has what: every issued item grouped by the person holding it, with people who have left
//! first (their items must be collected and wiped) and items not yet acknowledged flagged.

use super::{AssetRow, People, all_matching};
use crate::error::AppError;
use crate::nav::{chrome, local_date, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodian_core::asset::{AssetQuery, StatusFilter};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use std::collections::BTreeMap;

pub struct HolderGroup {
    pub id: String,
    pub name: String,
    pub left: Option<String>,
    pub items: Vec<AssetRow>,
    pub unacknowledged: usize,
}

#[derive(Template)]
#[template(path = "assets/holders.html")]
struct HoldersPage {
    chrome: crate::chrome::Chrome,
    groups: Vec<HolderGroup>,
    issued: usize,
    with_leavers: usize,
    unacknowledged: usize,
    can_see_people: bool,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewRegister).await?;
    let council = signed_in.council_id();
    let people = People::of(&state, council).await?;
    let query = AssetQuery {
        status: Some(StatusFilter::Issued),
        ..AssetQuery::default()
    };
    let issued = all_matching(&state, council, query).await?;
    let mut by_holder: BTreeMap<PersonId, Vec<AssetRow>> = BTreeMap::new();
    for asset in &issued {
        if let Some(holder) = asset.holder() {
            by_holder
                .entry(holder)
                .or_default()
                .push(AssetRow::of(asset, &people));
        }
    }
    let mut groups: Vec<HolderGroup> = by_holder
        .into_iter()
        .map(|(id, items)| HolderGroup {
            id: id.to_string(),
            name: people.name(id),
            left: people
                .get(id)
                .filter(|_| people.has_left(id))
                .map(|p| p.leave_date.map(local_date).unwrap_or_default()),
            unacknowledged: items.iter().filter(|r| r.awaiting_acknowledgement).count(),
            items,
        })
        .collect();
    // Leavers first (action needed), then by name.
    groups.sort_by_key(|g| (g.left.is_none(), g.name.to_lowercase()));
    Ok(render(&HoldersPage {
        chrome: chrome(&signed_in, "/assets"),
        issued: issued.len(),
        with_leavers: groups
            .iter()
            .filter(|g| g.left.is_some())
            .map(|g| g.items.len())
            .sum(),
        unacknowledged: groups.iter().map(|g| g.unacknowledged).sum(),
        groups,
        can_see_people: signed_in.may(Action::ViewPeople),
    })?
    .into_response())
}
