//! Emergency access to the sealed credentials (4.1.2: a copy of the administrative passwords
//! held by the Chair "in a sealed envelope, only to be accessed in an emergency"), made honest:
//! the policy's emergency holder opens it with a reason; everyone the policy names is told at
//! once; after the policy's waiting time it opens unless someone objects, or at once if a
//! second holder agrees; it lasts a day and every sealed item revealed through it must have its
//! password changed (the reveal page flags it). Every step is audited under the subject
//! "vault_emergency:<id>". Nothing here touches a secret or the vault key.

use super::access::name_of;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::pages::notifications::to_each;
use crate::pages::policy::profile_in_force;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::AuditEvent;
use custodian_core::ids::EmergencyId;
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::ports::{AuditLog, StoreError, VaultStore};
use custodian_core::vault::{
    EMERGENCY_OPEN_HOURS, EmergencyAccess, EmergencyState, Tier, emergency_told_roles,
    second_holder_roles,
};
use serde::Deserialize;
use serde_json::json;

/// One emergency as the page shows it.
pub struct EmergencyView {
    pub id: String,
    pub state: &'static str,
    pub tag: &'static str,
    pub opened_by: String,
    pub opened_at: String,
    pub reason: String,
    /// When it opens, opened, or ended, in words.
    pub timing: String,
    pub objection: String,
    pub agreement: String,
    pub closed: String,
    pub can_object: bool,
    pub can_agree: bool,
    pub can_close: bool,
}

#[derive(Template)]
#[template(path = "vault/emergency.html")]
struct EmergencyPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    done: Option<&'static str>,
    holder: &'static str,
    policy_adopted: bool,
    wait_hours: u16,
    open_hours: i64,
    sealed_items: Vec<(String, String)>,
    live: Option<EmergencyView>,
    history: Vec<EmergencyView>,
    can_open: bool,
    /// The signed-in person opened the live emergency and it is open: they may reveal now.
    may_reveal_now: bool,
    reason: String,
    /// The council's current recovery kit, if one was issued.
    kit: Option<KitView>,
}

/// The recovery kit as the page shows it.
struct KitView {
    kit_id: String,
    issued: String,
    holders: Vec<String>,
    /// The holders now, when they differ from those the kit was issued to.
    now_holders: Vec<String>,
    out_of_date: bool,
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "opened" => Some(
            "Emergency access was opened. Everyone the policy names has been told, and may object.",
        ),
        "objected" => Some("Your objection was recorded. Emergency access will not open."),
        "agreed" => Some("Your agreement was recorded. Emergency access is open now."),
        "closed" => Some("Emergency access was closed. Nothing more can be revealed with it."),
        _ => None,
    }
}

fn view(
    signed_in: &SignedIn,
    people: &[Person],
    emergency: &EmergencyAccess,
    now: jiff::Timestamp,
) -> EmergencyView {
    let me = signed_in.person_id();
    let roles = signed_in.current.person.roles;
    let state = emergency.state(now);
    let (tag, timing) = match state {
        EmergencyState::Waiting { opens_at } => (
            "govuk-tag--yellow",
            format!("Opens at {} unless someone objects", local_time(opens_at)),
        ),
        EmergencyState::Open { since, until } => (
            "govuk-tag--red",
            format!(
                "Open since {}, until {}",
                local_time(since),
                local_time(until)
            ),
        ),
        EmergencyState::Objected => ("govuk-tag--grey", "Never opened".to_owned()),
        EmergencyState::Closed => ("govuk-tag--grey", String::new()),
        EmergencyState::Expired { at } => (
            "govuk-tag--grey",
            format!("Ended by itself at {}", local_time(at)),
        ),
    };
    let waiting = matches!(state, EmergencyState::Waiting { .. });
    let taking_part = signed_in.may(Action::EmergencyAccess);
    EmergencyView {
        id: emergency.id.to_string(),
        state: state.label(),
        tag,
        opened_by: name_of(people, emergency.opened_by),
        opened_at: local_time(emergency.opened_at),
        reason: emergency.reason.clone(),
        timing,
        objection: emergency.objection.as_ref().map_or_else(String::new, |o| {
            format!(
                "{} objected on {}: {}",
                name_of(people, o.by),
                local_time(o.at),
                o.reason
            )
        }),
        agreement: emergency.approval.map_or_else(String::new, |a| {
            format!("{} agreed on {}", name_of(people, a.by), local_time(a.at))
        }),
        closed: emergency.closed.map_or_else(String::new, |c| {
            format!(
                "Closed by {} on {}",
                name_of(people, c.by),
                local_time(c.at)
            )
        }),
        can_object: taking_part
            && waiting
            && emergency.opened_by != me
            && roles.intersects(emergency_told_roles()),
        can_agree: taking_part
            && waiting
            && emergency.opened_by != me
            && roles.intersects(second_holder_roles()),
        can_close: taking_part
            && state.is_live()
            && (emergency.opened_by == me || roles.intersects(second_holder_roles())),
    }
}

fn live_of(emergencies: &[EmergencyAccess], now: jiff::Timestamp) -> Option<&EmergencyAccess> {
    emergencies.iter().find(|e| e.state(now).is_live())
}

async fn emergency_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    reason: &str,
    done: Option<&'static str>,
) -> Result<Html<String>, AppError> {
    let council = signed_in.council_id();
    let now = state.now();
    let (profile, policy_adopted) = profile_in_force(state, council).await?;
    let holder = profile.emergency_credentials_holder;
    let items = state.store().vault_items(council).await?;
    let emergencies = state.store().emergencies(council).await?;
    let people = state.people(council).await?;
    let live = live_of(&emergencies, now);
    let may_reveal_now = live.is_some_and(|e| {
        e.opened_by == signed_in.person_id() && matches!(e.state(now), EmergencyState::Open { .. })
    });
    render(&EmergencyPage {
        chrome: chrome(signed_in, "/vault"),
        errors,
        done,
        holder: holder.in_words(),
        policy_adopted,
        wait_hours: profile.emergency_access_wait_hours,
        open_hours: EMERGENCY_OPEN_HOURS,
        sealed_items: items
            .iter()
            .filter(|i| i.tier == Tier::Sealed)
            .map(|i| (i.id.to_string(), i.name.clone()))
            .collect(),
        live: live.map(|e| view(signed_in, &people, e, now)),
        history: emergencies
            .iter()
            .filter(|e| !e.state(now).is_live())
            .map(|e| view(signed_in, &people, e, now))
            .collect(),
        can_open: live.is_none()
            && signed_in.may(Action::EmergencyAccess)
            && signed_in.current.person.roles.contains(holder.role()),
        may_reveal_now,
        reason: reason.to_owned(),
        kit: state.store().recovery_kit(council).await?.map(|kit| {
            let now_holders = custodian_core::vault::kit_holders(&people);
            KitView {
                out_of_date: now_holders != kit.holders,
                kit_id: kit.kit_id,
                issued: crate::nav::local_time(kit.issued_at),
                holders: kit.holders,
                now_holders,
            }
        }),
    })
}

/// Those who take part in emergency access, and those who oversee the vault, may see the page.
async fn require_page(signed_in: &SignedIn) -> Result<(), AppError> {
    if signed_in.may(Action::ViewVault) {
        return Ok(());
    }
    signed_in.require(Action::EmergencyAccess).await
}

/// `GET /vault/emergency`.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<DoneQuery>,
) -> Result<Response, AppError> {
    require_page(&signed_in).await?;
    let done = done_message(query.done.as_deref());
    Ok(emergency_page(&state, &signed_in, Errors::new(), "", done)
        .await?
        .into_response())
}

/// The page again, with why the step was refused; nothing was stored.
async fn refuse(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    field: &'static str,
    message: String,
    reason: &str,
) -> Result<Response, AppError> {
    let mut errors = Errors::new();
    errors.add(field, message);
    let page = emergency_page(state, signed_in, errors, reason, None).await?;
    Ok((status, page).into_response())
}

fn emergency_event(
    signed_in: &SignedIn,
    emergency: &EmergencyAccess,
    now: jiff::Timestamp,
    action: &str,
) -> AuditEvent {
    AuditEvent::new(signed_in.council_id(), now, signed_in.actor(), action)
        .subject(format!("vault_emergency:{}", emergency.id))
}

/// `POST /vault/emergency/open`: the policy's emergency holder only, with a reason, and never
/// while another emergency is waiting or open. Everyone the policy names is told at once.
pub async fn open(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EmergencyAccess).await?;
    let council = signed_in.council_id();
    let now = state.now();
    let (profile, _) = profile_in_force(&state, council).await?;
    let holder = profile.emergency_credentials_holder;
    if !signed_in.current.person.roles.contains(holder.role()) {
        // Taking part is not the same as holding the envelope: the refusal is recorded as
        // any other refused action is.
        let event = AuditEvent::new(council, now, signed_in.actor(), "permission.denied")
            .details(json!({ "action": "OpenEmergencyAccess" }));
        state.store().append(&event).await?;
        return Err(AppError::Forbidden);
    }
    let emergencies = state.store().emergencies(council).await?;
    let people = state.people(council).await?;
    if let Some(live) = live_of(&emergencies, now) {
        let message = format!(
            "Emergency access is already under way: {} opened it on {}. Close it before opening another.",
            name_of(&people, live.opened_by),
            local_time(live.opened_at)
        );
        return refuse(
            &state,
            &signed_in,
            StatusCode::CONFLICT,
            "reason",
            message,
            &form.reason,
        )
        .await;
    }
    let emergency = match EmergencyAccess::open(
        EmergencyId::generate(),
        council,
        signed_in.person_id(),
        &form.reason,
        profile.emergency_access_wait_hours,
        now,
    ) {
        Ok(emergency) => emergency,
        Err(e) => {
            return refuse(
                &state,
                &signed_in,
                StatusCode::UNPROCESSABLE_ENTITY,
                "reason",
                e.to_string(),
                &form.reason,
            )
            .await;
        }
    };
    let opens_at = match emergency.state(now) {
        EmergencyState::Waiting { opens_at } => format!("at {}", local_time(opens_at)),
        _ => "now".to_owned(),
    };
    let message = format!(
        "{} opened emergency access to the sealed passwords: \"{}\". It opens {opens_at} unless someone objects. If you did not expect this, object now.",
        signed_in.current.person.name, emergency.reason
    );
    let notifications = to_each(
        council,
        &people,
        |p| p.roles.intersects(emergency_told_roles()),
        &[signed_in.person_id()],
        &message,
        "/vault/emergency",
        now,
    );
    let event =
        emergency_event(&signed_in, &emergency, now, "vault.emergency_opened").details(json!({
            "reason": emergency.reason,
            "wait_hours": emergency.wait_hours,
            "told": notifications.iter().map(|n| n.person_id.to_string()).collect::<Vec<_>>(),
        }));
    state
        .store()
        .insert_emergency(&emergency, &notifications, &event)
        .await?;
    let told: Vec<_> = notifications.iter().map(|n| n.person_id).collect();
    crate::mail::queue_emergency_alerts(
        &state,
        council,
        &told,
        &emergency.id.to_string(),
        signed_in.current.person.name.as_str(),
        &opens_at,
    )
    .await;
    Ok(Redirect::to("/vault/emergency?done=opened").into_response())
}

async fn load(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<EmergencyAccess, AppError> {
    let id = EmergencyId::parse(id).map_err(|_| AppError::NotFound)?;
    state
        .store()
        .emergencies(signed_in.council_id())
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(AppError::NotFound)
}

/// What changed, for [`change`].
enum Step {
    Object,
    Agree,
    Close,
}

impl Step {
    fn action(&self) -> &'static str {
        match self {
            Step::Object => "vault.emergency_objected",
            Step::Agree => "vault.emergency_agreed",
            Step::Close => "vault.emergency_closed",
        }
    }

    fn done(&self) -> &'static str {
        match self {
            Step::Object => "objected",
            Step::Agree => "agreed",
            Step::Close => "closed",
        }
    }
}

/// An objection, agreement or close: applied by the domain's rules, stored over the revision
/// it was made from, and told to everyone else taking part (and the opener).
async fn change(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
    step: Step,
    reason: &str,
) -> Result<Response, AppError> {
    signed_in.require(Action::EmergencyAccess).await?;
    let mut emergency = load(state, signed_in, id).await?;
    let now = state.now();
    let me = signed_in.person_id();
    let roles = signed_in.current.person.roles;
    let applied = match step {
        Step::Object => emergency.object(me, roles, reason, now),
        Step::Agree => emergency.approve(me, roles, now),
        Step::Close => emergency.close(me, roles, now),
    };
    if let Err(e) = applied {
        let field = if matches!(step, Step::Object) {
            "objection"
        } else {
            "live"
        };
        return refuse(
            state,
            signed_in,
            StatusCode::CONFLICT,
            field,
            e.to_string(),
            "",
        )
        .await;
    }
    let name = &signed_in.current.person.name;
    let (message, details) = match step {
        Step::Object => {
            let reason = emergency
                .objection
                .as_ref()
                .map(|o| o.reason.clone())
                .unwrap_or_default();
            (
                format!("{name} objected to emergency access, so it will not open: \"{reason}\"."),
                json!({ "reason": reason }),
            )
        }
        Step::Agree => (
            format!("{name} agreed to emergency access, so it is open now."),
            json!({}),
        ),
        Step::Close => (format!("{name} closed emergency access."), json!({})),
    };
    let people = state.people(signed_in.council_id()).await?;
    let opener = emergency.opened_by;
    let notifications = to_each(
        signed_in.council_id(),
        &people,
        |p| p.id == opener || p.roles.intersects(emergency_told_roles()),
        &[me],
        &message,
        "/vault/emergency",
        now,
    );
    let event = emergency_event(signed_in, &emergency, now, step.action()).details(details);
    match state
        .store()
        .save_emergency(&emergency, &notifications, &event)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/vault/emergency?done={}", step.done())).into_response()),
        Err(StoreError::Conflict(_)) => {
            refuse(
                state,
                signed_in,
                StatusCode::CONFLICT,
                "live",
                "Someone else changed this emergency access at the same time. Check it below and try again if needed.".to_owned(),
                "",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /vault/emergency/{id}/object`, with a reason: it never opens.
pub async fn object(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    change(&state, &signed_in, &id, Step::Object, &form.reason).await
}

/// `POST /vault/emergency/{id}/agree`: a second holder's agreement opens it at once.
pub async fn agree(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    change(&state, &signed_in, &id, Step::Agree, "").await
}

/// `POST /vault/emergency/{id}/close`: the opener or a second holder ends it.
pub async fn close(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    change(&state, &signed_in, &id, Step::Close, "").await
}
