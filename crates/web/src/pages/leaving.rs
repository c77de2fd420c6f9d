//! A leaver's checklist (`/people/{id}/leaving`, issue 6 item 4): made from the council's
//! records when a person is marked as left, read back with what the records show now, and
//! ticked or waived item by item by the Clerk. Those who may see people read it; only the Clerk
//! changes it. Every lookup is scoped to the signed-in person's council, so another council's
//! person is "not found".

use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, PersonId, VaultItemId};
use custodian_core::leaver::{
    Facts, How, ItemState, LeaverChecklist, LeaverError, Task, build_checklist, close, mark_done,
    waive,
};
use custodian_core::permission::Action;
use custodian_core::person::{Person, PersonStatus};
use custodian_core::ports::{
    AssetStore, AuditLog, AuditQuery, DeviceStore, LeaverStore, PersonStore, StoreError, VaultStore,
};
use serde::Deserialize;
use std::collections::HashMap;

/// The council's records a checklist is made from and read against.
struct Records {
    assets: Vec<custodian_core::asset::Asset>,
    devices: Vec<custodian_core::device::Device>,
    vault_items: Vec<custodian_core::vault::VaultItem>,
}

impl Records {
    async fn of(state: &AppState, council: CouncilId) -> Result<Self, AppError> {
        let store = state.store();
        Ok(Self {
            assets: store.all_assets(council).await?,
            devices: store.devices(council).await?,
            vault_items: store.vault_items(council).await?,
        })
    }

    fn facts<'a>(&'a self, person: &'a Person) -> Facts<'a> {
        Facts {
            person,
            assets: &self.assets,
            devices: &self.devices,
            vault_items: &self.vault_items,
        }
    }
}

/// Each leaving checklist of the council with items still open, and how many: for the home
/// page. The records are read only when some checklist is not yet recorded as closed.
pub async fn open_checklists(
    state: &AppState,
    council: CouncilId,
) -> Result<Vec<(PersonId, usize)>, AppError> {
    let checklists: Vec<_> = state
        .store()
        .leaver_checklists(council)
        .await?
        .into_iter()
        .filter(|c| c.closed_at.is_none())
        .collect();
    if checklists.is_empty() {
        return Ok(Vec::new());
    }
    let records = Records::of(state, council).await?;
    let people = state.people(council).await?;
    Ok(checklists
        .iter()
        .filter_map(|checklist| {
            let person = people.iter().find(|p| p.id == checklist.person_id)?;
            let open = checklist.open_count(&records.facts(person));
            (open > 0).then_some((person.id, open))
        })
        .collect())
}

/// Every vault item `person` revealed, from the vault's log.
async fn revealed_by(
    state: &AppState,
    council: CouncilId,
    person: PersonId,
    items: &[custodian_core::vault::VaultItem],
) -> Result<Vec<VaultItemId>, AppError> {
    let query = AuditQuery {
        actor: Some(Actor::Person(person).to_storage()),
        action_prefix: Some("vault.revealed".to_owned()),
        limit: 10_000,
        ..AuditQuery::default()
    };
    let entries = state.store().entries(council, &query).await?;
    Ok(items
        .iter()
        .filter(|item| {
            let subject = item.audit_subject();
            entries.iter().any(|e| e.subject == subject)
        })
        .map(|item| item.id)
        .collect())
}

/// Makes the checklist for `person` (as they will be once marked as left) from the council's
/// records now, with its audit entry.
pub async fn checklist_for(
    state: &AppState,
    person: &Person,
    by: PersonId,
) -> Result<(LeaverChecklist, AuditEvent), AppError> {
    let council = person.council_id;
    let records = Records::of(state, council).await?;
    let revealed = revealed_by(state, council, person.id, &records.vault_items).await?;
    Ok(build_checklist(
        person,
        &records.assets,
        &records.devices,
        &records.vault_items,
        &revealed,
        by,
        state.now(),
    ))
}

/// One line of the checklist as shown.
pub struct ItemRow {
    pub key: String,
    /// Unique within the page, for form field ids.
    pub index: usize,
    pub label: String,
    pub link: Option<(String, &'static str)>,
    pub state: &'static str,
    pub state_class: &'static str,
    /// Who did it and when, how, or why it was waived.
    pub detail: Option<String>,
    pub open: bool,
    /// Ticked by hand (rather than shown by the records).
    pub by_hand: bool,
    /// For open items the records settle: what settles them.
    pub settled_by: Option<&'static str>,
}

fn link_text(task: &Task) -> &'static str {
    match task {
        Task::ReturnAsset(_) => "Open in the register",
        Task::ReturnCouncilDevice(_) | Task::ClearOwnDevice(_) => "Open the device",
        Task::RotateCredential(_) | Task::HandOverSocialMedia(_) => "Open in the vault",
        Task::RevokeSignIn | Task::UpdateSocialMediaProfiles => "",
    }
}

fn row(
    index: usize,
    view: &custodian_core::leaver::ItemView<'_>,
    names: &HashMap<PersonId, String>,
) -> ItemRow {
    let task = view.item.task;
    let who = |by: &PersonId| {
        names
            .get(by)
            .cloned()
            .unwrap_or_else(|| "someone no longer listed".to_owned())
    };
    let (state, state_class, detail) = match &view.state {
        ItemState::Open => ("Open", "govuk-tag--yellow", None),
        ItemState::Done { by, at, how } => {
            let mut text = match how {
                How::SeenInData(words) => words.clone(),
                How::ByHand { .. } => "Done by hand.".to_owned(),
            };
            match (by, at) {
                (Some(by), Some(at)) => {
                    text.push_str(&format!(" Recorded by {} on {}.", who(by), local_time(*at)))
                }
                (None, Some(at)) => text.push_str(&format!(" On {}.", local_time(*at))),
                _ => {}
            }
            if let How::ByHand { note: Some(note) } = how {
                text.push_str(&format!(" Note: {note}"));
            }
            ("Done", "govuk-tag--green", Some(text))
        }
        ItemState::Waived { by, at, reason } => (
            "Waived",
            "govuk-tag--grey",
            Some(format!(
                "Waived by {} on {}. Reason: {reason}",
                who(by),
                local_time(*at)
            )),
        ),
    };
    ItemRow {
        key: task.key(),
        index,
        label: view.item.label.clone(),
        link: task.link().map(|href| (href, link_text(&task))),
        state,
        state_class,
        detail,
        open: view.state.is_open(),
        by_hand: !task.shown_by_data(),
        settled_by: task.settled_by(),
    }
}

#[derive(Template)]
#[template(path = "leaving.html")]
struct LeavingPage {
    chrome: crate::chrome::Chrome,
    person_id: String,
    name: String,
    left: bool,
    problem: Option<String>,
    done: Option<&'static str>,
    checklist: Option<ChecklistView>,
    can_change: bool,
}

struct ChecklistView {
    made: String,
    items: Vec<ItemRow>,
    open: usize,
    closed: bool,
    /// When it was recorded closed.
    closed_at: Option<String>,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    problem: Option<String>,
    done: Option<&'static str>,
) -> Result<axum::response::Html<String>, AppError> {
    let council = signed_in.council_id();
    let stored = state.store().leaver_checklist(council, person.id).await?;
    let checklist = match &stored {
        None => None,
        Some(list) => {
            let records = Records::of(state, council).await?;
            let names: HashMap<PersonId, String> = state
                .people(council)
                .await?
                .iter()
                .map(|p| (p.id, p.name.to_string()))
                .collect();
            let views = list.current(&records.facts(person));
            let open = views.iter().filter(|v| v.state.is_open()).count();
            Some(ChecklistView {
                made: format!(
                    "Made on {} by {}.",
                    local_time(list.created_at),
                    names
                        .get(&list.created_by)
                        .map_or("someone no longer listed", String::as_str)
                ),
                items: views
                    .iter()
                    .enumerate()
                    .map(|(i, v)| row(i, v, &names))
                    .collect(),
                open,
                closed: open == 0,
                closed_at: list.closed_at.map(local_time),
            })
        }
    };
    render(&LeavingPage {
        chrome: chrome(signed_in, "/people"),
        person_id: person.id.to_string(),
        name: person.name.to_string(),
        left: person.status == PersonStatus::Left,
        problem,
        done,
        checklist,
        can_change: signed_in.may(Action::EditPerson),
    })
}

fn parse_person(id: &str) -> Result<PersonId, AppError> {
    PersonId::parse(id).map_err(|_| AppError::NotFound)
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

fn banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "made" => Some("The checklist was made from the council's records."),
        "ticked" => Some("The item was marked as done."),
        "waived" => Some("The item was waived."),
        "closed" => Some("The checklist is recorded as closed."),
        _ => None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPeople).await?;
    let person = state
        .store()
        .person(signed_in.council_id(), parse_person(&id)?)
        .await?;
    Ok(page(
        &state,
        &signed_in,
        &person,
        None,
        banner(shown.done.as_deref()),
    )
    .await?
    .into_response())
}

/// The page again with a problem at the top: 200 for a form to correct, 409 for a change the
/// list's state refuses.
async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    Ok((
        status,
        page(state, signed_in, person, Some(message), None).await?,
    )
        .into_response())
}

fn back_to(person: &Person, done: &str) -> Response {
    Redirect::to(&format!("/people/{}/leaving?done={done}", person.id)).into_response()
}

/// Makes the checklist for someone marked as left before checklists existed.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditPerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    if person.status != PersonStatus::Left {
        let message = format!(
            "{} has not left. Mark them as left on their page; the checklist is made then.",
            person.name
        );
        return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
    }
    let (checklist, event) = checklist_for(&state, &person, signed_in.person_id()).await?;
    match state
        .store()
        .insert_leaver_checklist(&checklist, &event)
        .await
    {
        Ok(()) => Ok(back_to(&person, "made")),
        Err(StoreError::Conflict(message)) => {
            refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A tick or waiver posted for one checklist item (leaving and joining checklists alike).
#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    pub(super) item: String,
    #[serde(default)]
    pub(super) note: String,
    #[serde(default)]
    pub(super) reason: String,
}

/// What is done to a checklist item.
#[derive(Clone, Copy)]
pub(super) enum Change {
    Tick,
    Waive,
}

async fn settle(
    state: AppState,
    signed_in: SignedIn,
    id: String,
    form: ItemForm,
    change: Change,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditPerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    let Some(checklist) = state.store().leaver_checklist(council, person.id).await? else {
        return Err(AppError::NotFound);
    };
    let Some(task) = Task::parse_key(&form.item) else {
        let message = LeaverError::NoSuchItem.to_string();
        return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
    };
    let records = Records::of(&state, council).await?;
    let facts = records.facts(&person);
    let (by, now) = (signed_in.person_id(), state.now());
    let settled = match change {
        Change::Tick => mark_done(&checklist, task, &form.note, &facts, by, now),
        Change::Waive => waive(&checklist, task, &form.reason, &facts, by, now),
    };
    let settled = match settled {
        Ok(settled) => settled,
        Err(e @ (LeaverError::ReasonMissing | LeaverError::ReasonTooLong)) => {
            return refused(&state, &signed_in, &person, StatusCode::OK, e.to_string()).await;
        }
        Err(e) => {
            return refused(
                &state,
                &signed_in,
                &person,
                StatusCode::CONFLICT,
                e.to_string(),
            )
            .await;
        }
    };
    match state
        .store()
        .settle_leaver_item(council, person.id, &settled)
        .await
    {
        Ok(()) => Ok(back_to(
            &person,
            match (settled.closed_at, change) {
                (Some(_), _) => "closed",
                (None, Change::Tick) => "ticked",
                (None, Change::Waive) => "waived",
            },
        )),
        Err(StoreError::Conflict(message)) => {
            refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn tick(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    settle(state, signed_in, id, form, Change::Tick).await
}

pub async fn waive_item(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    settle(state, signed_in, id, form, Change::Waive).await
}

/// Records the list closed once the records alone have settled its last open items.
pub async fn record_closed(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditPerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    let Some(checklist) = state.store().leaver_checklist(council, person.id).await? else {
        return Err(AppError::NotFound);
    };
    let records = Records::of(&state, council).await?;
    let now = state.now();
    let event = match close(
        &checklist,
        &records.facts(&person),
        signed_in.person_id(),
        now,
    ) {
        Ok(event) => event,
        Err(e) => {
            return refused(
                &state,
                &signed_in,
                &person,
                StatusCode::CONFLICT,
                e.to_string(),
            )
            .await;
        }
    };
    match state
        .store()
        .close_leaver_checklist(council, person.id, now, &event)
        .await
    {
        Ok(()) => Ok(back_to(&person, "closed")),
        Err(StoreError::Conflict(message)) => {
            refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}
