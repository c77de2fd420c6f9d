//! The equipment register (issue 4, clause 1.1.5): the list, each item's page and history,
//! custody, loss reports, wipes and disposal, CSV import and export, the printable register and
//! QR labels.
//!
//! Every handler looks items up with the signed-in session's council, so another council's item
//! is "not found". Rules live in `core::asset`; these pages parse forms, call the rules and store
//! what they decide. Changes made from a page go through `update_asset_if_unchanged`, so two
//! people working on the same item cannot silently overwrite each other.

mod acknowledgements;
mod csv;
mod custody;
mod disposal;
mod form;
mod history;
mod holders;
mod list;
mod loss;
mod mine;
mod print;
mod show;
pub(crate) mod words;

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use custodian_core::asset::{Asset, AssetQuery, AssetStatus};
use custodian_core::ids::{AssetId, CouncilId, PersonId};
use custodian_core::person::{Person, PersonStatus};
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::{AssetStore, AssetStoreError};
use sha2::{Digest, Sha256};

/// The register's routes, merged into the signed-in pages by `lib.rs`. Static segments
/// (`/assets/new`, `/assets/print`...) win over `/assets/{id}` in axum's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(list::page))
        .route("/assets/new", get(form::new_form).post(form::create))
        .route("/assets.csv", get(csv::download))
        .route(
            "/assets/import",
            get(csv::upload_form)
                .post(csv::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::session::MAX_UPLOAD_BYTES,
                )),
        )
        .route(
            "/assets/import/confirm",
            post(csv::confirm).layer(axum::extract::DefaultBodyLimit::max(
                crate::session::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/assets/holders", get(holders::page))
        .route("/assets/print", get(print::register))
        .route("/assets/labels", get(print::labels))
        .route("/assets/{id}", get(show::page))
        .route("/assets/{id}/edit", get(form::edit_form).post(form::update))
        .route(
            "/assets/{id}/issue",
            get(custody::issue_form).post(custody::issue),
        )
        .route(
            "/assets/{id}/transfer",
            get(custody::transfer_form).post(custody::transfer),
        )
        .route("/assets/{id}/return", post(custody::return_to_store))
        .route(
            "/assets/{id}/report-loss",
            get(loss::form).post(loss::submit),
        )
        .route(
            "/assets/{id}/wipe",
            get(disposal::wipe_form).post(disposal::wipe),
        )
        .route(
            "/assets/{id}/dispose",
            get(disposal::dispose_form).post(disposal::dispose),
        )
        .route("/my-equipment", get(mine::page))
        .route("/my-equipment/acknowledge", post(mine::acknowledge))
}

/// An item of the signed-in person's council; anything else (another council's item, an id
/// that is not one) is "not found".
async fn load(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<Asset, AppError> {
    let id = AssetId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store().asset(signed_in.council_id(), id).await?)
}

/// The policy profile in force (the model's defaults until one is adopted).
async fn profile_in_force(state: &AppState, council: CouncilId) -> Result<PolicyProfile, AppError> {
    Ok(crate::pages::policy::profile_in_force(state, council)
        .await?
        .0)
}

/// Every item matching `query`, read a page of the largest size at a time (for the printable
/// register, the label sheet and who has what).
async fn all_matching(
    state: &AppState,
    council: CouncilId,
    mut query: AssetQuery,
) -> Result<Vec<Asset>, AppError> {
    query.page_size = AssetQuery::MAX_PAGE_SIZE;
    query.page = 1;
    let mut all = Vec::new();
    loop {
        let page = state.store().assets(council, &query).await?;
        let done = page.assets.is_empty() || u64::from(query.page) >= page.pages();
        all.extend(page.assets);
        if done {
            return Ok(all);
        }
        query.page += 1;
    }
}

/// The first value of `key` in a query string, if any: small pages read their one parameter
/// this way so a repeated or odd parameter is ignored rather than refused.
fn query_value(raw: Option<&str>, key: &str) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The items issued to `person`, by number, for their page on the People list.
pub(crate) async fn held_by(
    state: &AppState,
    council: CouncilId,
    person: PersonId,
) -> Result<Vec<AssetRow>, AppError> {
    let query = AssetQuery {
        holder: Some(person),
        status: Some(custodian_core::asset::StatusFilter::Issued),
        ..AssetQuery::default()
    };
    let held = all_matching(state, council, query).await?;
    let people = People::of(state, council).await?;
    Ok(held.iter().map(|a| AssetRow::of(a, &people)).collect())
}

/// A short fingerprint of everything stored about the item. An edit form carries the one it was
/// opened with; if the item's fingerprint differs when the form comes back, someone else changed
/// it meanwhile.
fn fingerprint(asset: &Asset) -> String {
    let digest = Sha256::digest(format!("{asset:?}").as_bytes());
    hex::encode(&digest[..16])
}

/// The people of a council, to name holders, approvers and wipers.
struct People(std::sync::Arc<Vec<Person>>);

impl People {
    async fn of(state: &AppState, council: CouncilId) -> Result<Self, AppError> {
        Ok(Self(state.people(council).await?))
    }

    fn get(&self, id: PersonId) -> Option<&Person> {
        self.0.iter().find(|p| p.id == id)
    }

    /// The person's name, or a plain stand-in if they are no longer listed.
    fn name(&self, id: PersonId) -> String {
        self.get(id).map_or_else(
            || "someone no longer listed".to_owned(),
            |p| p.name.to_string(),
        )
    }

    fn has_left(&self, id: PersonId) -> bool {
        self.get(id).is_some_and(|p| p.status == PersonStatus::Left)
    }

    /// Active people, by name, as choices for a form (issue to, approved by, wiped by).
    fn active_choices(&self, selected: &str) -> Vec<Choice> {
        let mut active: Vec<&Person> = self
            .0
            .iter()
            .filter(|p| p.status == PersonStatus::Active)
            .collect();
        active.sort_by_key(|p| p.name.as_str().to_lowercase());
        active
            .into_iter()
            .map(|p| Choice::new(p.id.to_string(), p.name.to_string(), selected))
            .collect()
    }

    /// One of the council's active people, by the id a form sent.
    fn active(&self, id: &str) -> Option<&Person> {
        let id = PersonId::parse(id.trim()).ok()?;
        self.get(id).filter(|p| p.status == PersonStatus::Active)
    }
}

/// One option of a select or radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, selected: &str) -> Self {
        let value = value.into();
        Self {
            checked: value == selected,
            value,
            label: label.into(),
        }
    }
}

/// An item as a row of a list: the register, who has what, your equipment, the printout.
pub struct AssetRow {
    pub id: String,
    pub number: String,
    pub description: String,
    pub category: &'static str,
    pub status: String,
    pub status_class: &'static str,
    pub holder: String,
    pub holder_left: bool,
    pub awaiting_acknowledgement: bool,
    pub purchased: String,
    pub cost: String,
    pub location: String,
    pub serial: String,
}

impl AssetRow {
    fn of(asset: &Asset, people: &People) -> Self {
        let holder = asset.holder();
        let awaiting = matches!(
            asset.status,
            AssetStatus::Issued {
                acknowledged_at: None,
                ..
            }
        );
        Self {
            id: asset.id.to_string(),
            number: asset.number.to_string(),
            description: asset.make_and_model(),
            category: asset.category.label(),
            status: status_words(asset),
            status_class: status_class(&asset.status),
            holder: holder.map(|p| people.name(p)).unwrap_or_default(),
            holder_left: holder.is_some_and(|p| people.has_left(p)),
            awaiting_acknowledgement: awaiting,
            purchased: asset
                .purchased_on
                .map(crate::nav::local_date)
                .unwrap_or_default(),
            cost: asset.cost_pence.map(words::money).unwrap_or_default(),
            location: asset.location.clone(),
            serial: asset
                .serial
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

/// The status as a tag reads: "In store", "Issued", "Awaiting acknowledgement"...
fn status_words(asset: &Asset) -> String {
    match asset.status {
        AssetStatus::Issued {
            acknowledged_at: None,
            ..
        } => "Issued, not acknowledged".to_owned(),
        AssetStatus::Disposed => "Disposed of".to_owned(),
        ref other => {
            let words = other.in_words();
            let mut chars = words.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

fn status_class(status: &AssetStatus) -> &'static str {
    match status {
        AssetStatus::InStore => "govuk-tag--blue",
        AssetStatus::Issued {
            acknowledged_at: None,
            ..
        } => "govuk-tag--yellow",
        AssetStatus::Issued { .. } => "govuk-tag--green",
        AssetStatus::Lost | AssetStatus::Stolen => "govuk-tag--red",
        AssetStatus::Damaged => "govuk-tag--orange",
        AssetStatus::Disposed => "govuk-tag--grey",
    }
}

/// A store failure no form can fix (the database, a record that vanished) as the error page.
fn unexpected(error: AssetStoreError) -> AppError {
    match error {
        AssetStoreError::Store(e) => e.into(),
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}
