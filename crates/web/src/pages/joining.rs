//! A joiner's checklist (`/people/{id}/joining`, issue 6 item 3): made when a person is
//! invited, read back with what the records show now (a password set, a second factor, the
//! declaration signed, equipment acknowledged, an own device registered), and ticked or waived
//! item by item by those who invite people (the Clerk and the IT provider). Officers read it.
//! Also the council-wide list of open joining and leaving checklists (`/people/checklists`),
//! and what the home page shows of them. Every lookup is scoped to the signed-in person's
//! council, so another council's person is "not found".

use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use custodian_core::asset::{Asset, AssetStatus};
use custodian_core::audit::AuditEvent;
use custodian_core::device::Device;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::joiner::{
    DeclarationFact, Facts, How, ItemState, JoinerChecklist, JoinerError, Task, build_checklist,
    close, mark_done, waive,
};
use custodian_core::permission::Action;
use custodian_core::person::{Person, RoleSet};
use custodian_core::policy::version::PolicyVersion;
use custodian_core::ports::{
    AccountStore, AssetStore, CouncilStore, DeviceStore, JoinerStore, PasskeyStore, PersonStore,
    PolicyStore, StoreError,
};
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::HashMap;

#[path = "joining_views.rs"]
mod views;
// For the home page; the lead wires them into `home.rs` (helpers do not edit it).
#[allow(unused_imports)]
pub use views::{clerk_attention, own_attention};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/checklists", get(views::checklists))
        .route("/people/{id}/joining", get(show))
        .route("/people/{id}/joining/create", post(create))
        .route("/people/{id}/joining/done", post(tick))
        .route("/people/{id}/joining/waive", post(waive_item))
        .route("/people/{id}/joining/close", post(record_closed))
}

/// The council's records a checklist is read against: read once for many people.
struct Records {
    assets: Vec<Asset>,
    devices: Vec<Device>,
    in_force: Option<PolicyVersion>,
    mfa_roles: RoleSet,
}

/// What the records show of one person's sign-in and signature.
struct PersonFacts {
    has_password: bool,
    has_second_factor: bool,
    mfa_required: bool,
    declaration: DeclarationFact,
}

impl Records {
    async fn of(state: &AppState, council: CouncilId) -> Result<Self, AppError> {
        let store = state.store();
        Ok(Self {
            assets: store.all_assets(council).await?,
            devices: store.devices(council).await?,
            in_force: store.in_force(council).await?,
            mfa_roles: store.council(council).await?.settings.mfa_required_roles,
        })
    }

    async fn person(&self, state: &AppState, person: &Person) -> Result<PersonFacts, AppError> {
        let store = state.store();
        let (has_password, has_second_factor) = match person.account_id {
            None => (false, false),
            Some(id) => {
                let account = store.account(id).await?;
                let second = account.totp_secret.is_some() || !store.passkeys(id).await?.is_empty();
                (!account.password_hash.is_empty(), second)
            }
        };
        let declaration = match &self.in_force {
            None => DeclarationFact::NoPolicyInForce,
            Some(version) if !version.profile.declaration_required => DeclarationFact::NotRequired,
            Some(version) => match store
                .declaration_of(person.council_id, version.id, person.id)
                .await?
            {
                Some(signed) => DeclarationFact::Signed {
                    at: signed.signed_at,
                },
                None => DeclarationFact::Unsigned,
            },
        };
        Ok(PersonFacts {
            has_password,
            has_second_factor,
            mfa_required: self.mfa_roles.intersects(person.roles),
            declaration,
        })
    }

    fn facts<'a>(&'a self, person: &'a Person, own: &PersonFacts) -> Facts<'a> {
        Facts {
            person,
            has_password: own.has_password,
            has_second_factor: own.has_second_factor,
            mfa_required: own.mfa_required,
            declaration: own.declaration,
            assets: &self.assets,
            devices: &self.devices,
        }
    }
}

/// One joining checklist not yet recorded closed, with what is open on it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenJoiner {
    pub person_id: PersonId,
    pub created_at: Timestamp,
    /// Open now, in the list's order; empty when the records have settled everything but no
    /// one has yet recorded the list closed.
    pub open: Vec<Task>,
}

/// Every joining checklist of the council not yet recorded closed, oldest first, with its open
/// tasks: for the checklists page, the home page and the reminder schedule.
pub async fn open_checklists(
    state: &AppState,
    council: CouncilId,
) -> Result<Vec<OpenJoiner>, AppError> {
    let lists = state.store().open_joiner_checklists(council).await?;
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    let records = Records::of(state, council).await?;
    let people = state.people(council).await?;
    let mut open = Vec::with_capacity(lists.len());
    for list in &lists {
        let Some(person) = people.iter().find(|p| p.id == list.person_id) else {
            continue;
        };
        let own = records.person(state, person).await?;
        open.push(OpenJoiner {
            person_id: person.id,
            created_at: list.created_at,
            open: list.open_tasks(&records.facts(person, &own)),
        });
    }
    Ok(open)
}

/// Makes the checklist for a person about to be invited by the signed-in person, with its
/// audit entry, to store with the person (`JoinerStore::insert_person_with_checklist`).
pub fn checklist_for(
    state: &AppState,
    person: &Person,
    by: PersonId,
) -> (JoinerChecklist, AuditEvent) {
    build_checklist(person, by, state.now())
}

/// One line of the checklist as shown.
pub struct ItemRow {
    pub key: &'static str,
    pub label: String,
    pub link: Option<(String, &'static str)>,
    pub state: &'static str,
    pub state_class: &'static str,
    pub detail: Option<String>,
    pub open: bool,
    pub hint: String,
    pub may_tick: bool,
    pub may_waive: bool,
    /// The tick form asks for the council email address.
    pub asks_address: bool,
}

fn link_of(task: Task, person: &Person) -> Option<(String, &'static str)> {
    match task {
        Task::ReceiveEquipment => Some(("/assets".to_owned(), "Open the equipment register")),
        Task::SignDeclaration => Some((
            "/policy/declarations".to_owned(),
            "See who has signed the IT policy",
        )),
        Task::SetPassword if person.status == custodian_core::person::PersonStatus::Invited => {
            Some((
                format!("/people/{}", person.id),
                "Create a new invitation link on their page",
            ))
        }
        _ => None,
    }
}

fn row(
    view: &custodian_core::joiner::ItemView<'_>,
    person: &Person,
    own: &PersonFacts,
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
        ItemState::Open | ItemState::NotNeeded => ("Open", "govuk-tag--yellow", None),
        ItemState::Done { by, at, how } => {
            let mut text = match how {
                How::SeenInData(words) => words.clone(),
                How::ByHand { .. } => "Done by hand.".to_owned(),
            };
            match (by, at) {
                (Some(by), Some(at)) if *by == person.id => {
                    text.push_str(&format!(" On {}.", local_time(*at)));
                }
                (Some(by), Some(at)) => {
                    text.push_str(&format!(" Recorded by {} on {}.", who(by), local_time(*at)))
                }
                (None, Some(at)) => text.push_str(&format!(" On {}.", local_time(*at))),
                _ => {}
            }
            if let How::ByHand { note: Some(note) } = how {
                let label = if task == Task::CouncilEmail {
                    "Address"
                } else {
                    "Note"
                };
                text.push_str(&format!(" {label}: {note}"));
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
    let mut hint = task.settled_by().to_owned();
    if task == Task::SetUpMfa {
        hint.push_str(if own.mfa_required {
            " The council requires it for their role, so it cannot be waived."
        } else {
            " The council does not require it for their role, but the NCSC advises it for \
             everyone; waive it only with a reason."
        });
    }
    if task == Task::SignDeclaration && own.declaration == DeclarationFact::NoPolicyInForce {
        hint.push_str(
            " The council has not adopted an IT policy in Custodian yet: they sign once it does.",
        );
    }
    ItemRow {
        key: task.kind(),
        label: format!("{} ({}).", task.label(), task.clause()),
        link: link_of(task, person),
        state,
        state_class,
        detail,
        open: view.state.is_open(),
        hint,
        may_tick: task.ticked_by_hand(),
        may_waive: !(task == Task::SetUpMfa && own.mfa_required),
        asks_address: task == Task::CouncilEmail,
    }
}

#[derive(Template)]
#[template(path = "joining.html")]
struct JoiningPage {
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
    closed_at: Option<String>,
    /// The policy in force asks for no declaration, so that item is not listed.
    no_declaration: bool,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    problem: Option<String>,
    done: Option<&'static str>,
) -> Result<axum::response::Html<String>, AppError> {
    let council = signed_in.council_id();
    let stored = state.store().joiner_checklist(council, person.id).await?;
    let checklist = match &stored {
        None => None,
        Some(list) => {
            let records = Records::of(state, council).await?;
            let own = records.person(state, person).await?;
            let names: HashMap<PersonId, String> = state
                .people(council)
                .await?
                .iter()
                .map(|p| (p.id, p.name.to_string()))
                .collect();
            let views = list.current(&records.facts(person, &own));
            let open = views.iter().filter(|v| v.state.is_open()).count();
            Some(ChecklistView {
                made: format!(
                    "Made on {} by {}.",
                    local_time(list.created_at),
                    names
                        .get(&list.created_by)
                        .map_or("someone no longer listed", String::as_str)
                ),
                no_declaration: views.iter().any(|v| v.state == ItemState::NotNeeded),
                items: views
                    .iter()
                    .filter(|v| v.state != ItemState::NotNeeded)
                    .map(|v| row(v, person, &own, &names))
                    .collect(),
                open,
                closed: open == 0,
                closed_at: list.closed_at.map(local_time),
            })
        }
    };
    render(&JoiningPage {
        chrome: chrome(signed_in, "/people"),
        person_id: person.id.to_string(),
        name: person.name.to_string(),
        left: person.status == custodian_core::person::PersonStatus::Left,
        problem,
        done,
        checklist,
        can_change: signed_in.may(Action::InvitePerson),
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
        "made" => Some("The joining checklist was started."),
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
    let done = banner(shown.done.as_deref());
    Ok(page(&state, &signed_in, &person, None, done)
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
    let page = page(state, signed_in, person, Some(message), None).await?;
    Ok((status, page).into_response())
}

fn back_to(person: &Person, done: &str) -> Response {
    Redirect::to(&format!("/people/{}/joining?done={done}", person.id)).into_response()
}

/// Starts the checklist for someone invited before checklists existed.
pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    if person.status == custodian_core::person::PersonStatus::Left {
        let message = format!(
            "{} has left, so no joining checklist was started. See their leaving checklist instead.",
            person.name
        );
        return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
    }
    let (checklist, event) = checklist_for(&state, &person, signed_in.person_id());
    match state
        .store()
        .insert_joiner_checklist(&checklist, &event)
        .await
    {
        Ok(()) => Ok(back_to(&person, "made")),
        Err(StoreError::Conflict(message)) => {
            refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}

use super::leaving::{Change, ItemForm};

async fn settle(
    state: AppState,
    signed_in: SignedIn,
    id: String,
    form: ItemForm,
    change: Change,
) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    let Some(checklist) = state.store().joiner_checklist(council, person.id).await? else {
        return Err(AppError::NotFound);
    };
    let Some(task) = Task::parse(&form.item) else {
        let message = JoinerError::NoSuchItem.to_string();
        return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
    };
    let records = Records::of(&state, council).await?;
    let own = records.person(&state, &person).await?;
    let facts = records.facts(&person, &own);
    let (by, now) = (signed_in.person_id(), state.now());
    let settled = match change {
        Change::Tick => mark_done(&checklist, task, &form.note, &facts, by, now),
        Change::Waive => waive(&checklist, task, &form.reason, &facts, by, now),
    };
    let settled = match settled {
        Ok(settled) => settled,
        Err(
            e @ (JoinerError::ReasonMissing
            | JoinerError::ReasonTooLong
            | JoinerError::EmailMissing
            | JoinerError::EmailInvalid(_)),
        ) => {
            return refused(&state, &signed_in, &person, StatusCode::OK, e.to_string()).await;
        }
        Err(e) => {
            let message = e.to_string();
            return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
        }
    };
    match state
        .store()
        .settle_joiner_item(council, person.id, &settled)
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
    signed_in.require(Action::InvitePerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_person(&id)?).await?;
    let Some(checklist) = state.store().joiner_checklist(council, person.id).await? else {
        return Err(AppError::NotFound);
    };
    let records = Records::of(&state, council).await?;
    let own = records.person(&state, &person).await?;
    let now = state.now();
    let facts = records.facts(&person, &own);
    let event = match close(&checklist, &facts, signed_in.person_id(), now) {
        Ok(event) => event,
        Err(e) => {
            let message = e.to_string();
            return refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await;
        }
    };
    match state
        .store()
        .close_joiner_checklist(council, person.id, now, &event)
        .await
    {
        Ok(()) => Ok(back_to(&person, "closed")),
        Err(StoreError::Conflict(message)) => {
            refused(&state, &signed_in, &person, StatusCode::CONFLICT, message).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether `asset` is issued to `person` and waits for their acknowledgement.
#[allow(
    dead_code,
    reason = "used by own_attention, which the home page will call"
)]
fn awaits_acknowledgement(asset: &Asset, person: PersonId) -> bool {
    matches!(asset.status, AssetStatus::Issued { to, acknowledged_at: None, .. } if to == person)
}
