//! Matching the names in the logs to people (issue 7, item 2): the rules ("identities") that
//! tie a proxy user name or a client address to a person, or to a device in the register and
//! so to its user; the keys that matched no one, each with a link to match it; and ending a
//! rule when a device changes hands or a person leaves. Correcting records that were not the
//! person's is `correct.rs`.

use super::{
    Choice, council_person, key_from, key_kind, key_query, name_of, person_choices, plural,
    refusal, require_clerk, today,
};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::pages::monitoring::{audit_view, read_day, uk_date};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::AuditEvent;
use custodian_core::device::Device;
use custodian_core::ids::{DeviceId, MonitorIdentityId};
use custodian_core::person::Person;
use custodian_core::ports::{
    DeviceStore, IdentityError, IdentityKind, IdentityTarget, LocalDay, MonitorIdentity,
    MonitorStore, Reattributed,
};
use serde::Deserialize;
use serde_json::json;

/// How far back the list of unmatched names looks.
const UNMATCHED_DAYS: i32 = 30;
/// How far back the form looks for the first day a name was seen.
const FIRST_SEEN_DAYS: i32 = 400;

pub struct IdentityRow {
    pub id: String,
    pub kind: &'static str,
    pub value: String,
    pub who: String,
    pub from: String,
    /// Empty while the rule has no last day.
    pub to: String,
    pub ended: bool,
}

pub struct UnmatchedRow {
    pub kind: &'static str,
    pub value: String,
    pub days: u64,
    pub hits: u64,
    pub first: String,
    pub last: String,
    pub match_link: String,
}

#[derive(Template)]
#[template(path = "monitoring/names.html")]
struct NamesPage {
    chrome: crate::chrome::Chrome,
    done: Option<String>,
    identities: Vec<IdentityRow>,
    unmatched: Vec<UnmatchedRow>,
    since: String,
}

/// What the list says after a change (the redirect carries the counts).
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    matched: Option<String>,
    #[serde(default)]
    ended: Option<String>,
    #[serde(default)]
    corrected: Option<u64>,
    #[serde(default)]
    days: Option<u64>,
}

/// Whom an identity means, in words: a person, or a device and its user.
fn who(people: &[Person], devices: &[Device], target: IdentityTarget) -> String {
    match target {
        IdentityTarget::Person(id) => name_of(people, id),
        IdentityTarget::Device(id) => match devices.iter().find(|d| d.id == id) {
            Some(device) => match device.user {
                Some(user) => format!("{} (used by {})", device.name, name_of(people, user)),
                None => format!("{} (no user in the register)", device.name),
            },
            None => "a device no longer in the register".to_owned(),
        },
    }
}

/// Whose records an identity's are, for the sentence after matching: "Pat Jones's", or
/// "Pat Jones's, through Pat's laptop".
fn whose(people: &[Person], devices: &[Device], target: IdentityTarget) -> String {
    match target {
        IdentityTarget::Person(id) => format!("{}'s", name_of(people, id)),
        IdentityTarget::Device(id) => match devices.iter().find(|d| d.id == id) {
            Some(device) => match device.user {
                Some(user) => format!("{}'s, through {}", name_of(people, user), device.name),
                None => format!("no one's yet: {} has no user in the register", device.name),
            },
            None => "no one's: the device is no longer in the register".to_owned(),
        },
    }
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let today = today(&state);
    let since = LocalDay(today.0 - (UNMATCHED_DAYS - 1));
    let identities = state.store().identities(council).await?;
    let unmatched = state.store().unattributed(council, since, today).await?;
    audit_view(
        &state,
        &signed_in,
        "unmatched_names",
        None,
        json!({ "from": since.date().to_string(), "to": today.date().to_string() }),
    )
    .await?;
    let people = state.people(council).await?;
    let devices = state.store().devices(council).await?;
    let days = done.days.unwrap_or(0);
    let find = |id: &Option<String>| {
        let id = MonitorIdentityId::parse(id.as_deref()?).ok()?;
        identities.iter().find(|i| i.id == id)
    };
    let message = if let Some(identity) = find(&done.matched) {
        Some(format!(
            "{} of records are now {}.",
            plural(days, "day", "days"),
            whose(&people, &devices, identity.target)
        ))
    } else if let Some(identity) = find(&done.ended) {
        Some(format!(
            "The rule for {} now ends on {}. {} of records changed hands.",
            identity.value(),
            identity.valid_to.map(uk_date).unwrap_or_default(),
            plural(days, "day", "days")
        ))
    } else {
        done.corrected.map(|records| {
            format!(
                "Corrected: {} on {}.",
                plural(records, "record", "records"),
                plural(days, "day", "days")
            )
        })
    };
    let rows = identities
        .iter()
        .map(|i| IdentityRow {
            id: i.id.to_string(),
            kind: match i.kind {
                IdentityKind::User => "User name",
                IdentityKind::Address => "Address",
            },
            value: i.value().to_owned(),
            who: who(&people, &devices, i.target),
            from: uk_date(i.valid_from),
            to: i.valid_to.map(uk_date).unwrap_or_default(),
            ended: i.valid_to.is_some_and(|to| to < today),
        })
        .collect();
    let unmatched = unmatched
        .iter()
        .map(|u| {
            let (_, kind, value) = key_kind(&u.key);
            UnmatchedRow {
                kind,
                value: value.to_owned(),
                days: u.days,
                hits: u.hits,
                first: uk_date(u.first_day),
                last: uk_date(u.last_day),
                match_link: format!("/monitoring/names/new?{}", key_query(&u.key)),
            }
        })
        .collect();
    Ok(render(&NamesPage {
        chrome: chrome(&signed_in, "/monitoring"),
        done: message,
        identities: rows,
        unmatched,
        since: uk_date(since),
    })?
    .into_response())
}

/// The identity form, as typed (or prefilled from a "Match" link).
#[derive(Deserialize, Default)]
pub struct IdentityForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

#[derive(Template)]
#[template(path = "monitoring/names_new.html")]
struct NewPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    kinds: Vec<Choice>,
    value: String,
    people: Vec<Choice>,
    devices: Vec<Choice>,
    valid_from: String,
    valid_to: String,
}

async fn new_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: &IdentityForm,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let devices = state.store().devices(council).await?;
    let kind = if form.kind == "user" {
        "user"
    } else {
        "client"
    };
    let kinds = [
        (
            "user",
            "A user name the proxy asked for (for example jsmith)",
        ),
        (
            "client",
            "An address or computer name (for example 192.168.1.20 or LAPTOP-7)",
        ),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        checked: value == kind,
    })
    .collect();
    let people_choices = person_choices(&people, form.who.strip_prefix("person:").unwrap_or(""))
        .into_iter()
        .map(|c| Choice {
            value: format!("person:{}", c.value),
            ..c
        })
        .collect();
    let device_choices = devices
        .iter()
        .filter(|d| d.is_in_use())
        .map(|d| {
            let value = format!("device:{}", d.id);
            Choice {
                checked: value == form.who,
                label: who(&people, &devices, IdentityTarget::Device(d.id)),
                value,
            }
        })
        .collect();
    Ok((
        errors.status(),
        render(&NewPage {
            chrome: chrome(signed_in, "/monitoring"),
            errors,
            kinds,
            value: form.value.clone(),
            people: people_choices,
            devices: device_choices,
            valid_from: form.valid_from.clone(),
            valid_to: form.valid_to.clone(),
        })?,
    )
        .into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(mut form): Query<IdentityForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    if form.valid_from.is_empty() {
        // The first day the name was seen, so the records already stored become the person's;
        // today when it has not been seen (a rule made ahead of the logs).
        let today = today(&state);
        let first_seen = match key_from(&form.kind, &form.value) {
            Some(key) => state
                .store()
                .unattributed(
                    signed_in.council_id(),
                    LocalDay(today.0 - FIRST_SEEN_DAYS),
                    today,
                )
                .await?
                .into_iter()
                .filter(|u| u.key == key)
                .map(|u| u.first_day)
                .min(),
            None => None,
        };
        form.valid_from = uk_date(first_seen.unwrap_or(today));
    }
    new_page(&state, &signed_in, Errors::new(), &form).await
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<IdentityForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let mut errors = Errors::new();
    let kind = match form.kind.as_str() {
        "user" => Some(IdentityKind::User),
        "client" | "address" => Some(IdentityKind::Address),
        _ => {
            errors.add("kind", "Choose whether it is a user name or an address.");
            None
        }
    };
    let people = state.people(council).await?;
    let devices = state.store().devices(council).await?;
    let target = target_of(&form.who, &people, &devices, &mut errors);
    let valid_from = errors.check(
        "valid_from",
        read_day(form.valid_from.trim(), "The first day"),
    );
    let valid_to = match form.valid_to.trim() {
        "" => Some(None),
        text => errors
            .check("valid_to", read_day(text, "The last day"))
            .map(Some),
    };
    let (Some(kind), Some(target), Some(valid_from), Some(valid_to)) =
        (kind, target, valid_from, valid_to)
    else {
        return new_page(&state, &signed_in, errors, &form).await;
    };
    let identity = match MonitorIdentity::new(
        MonitorIdentityId::generate(),
        council,
        kind,
        &form.value,
        target,
        valid_from,
        valid_to,
        state.now(),
        signed_in.actor(),
    ) {
        Ok(identity) => identity,
        Err(problem) => {
            let field = match problem {
                IdentityError::EndsBeforeStart => "valid_to",
                IdentityError::Empty | IdentityError::Malformed => "value",
            };
            errors.add(field, problem.to_string());
            return new_page(&state, &signed_in, errors, &form).await;
        }
    };
    if !errors.is_empty() {
        return new_page(&state, &signed_in, errors, &form).await;
    }
    let subject = match target {
        IdentityTarget::Person(id) => format!("person:{id}"),
        IdentityTarget::Device(id) => format!("device:{id}"),
    };
    let (now, actor) = (state.now(), signed_in.actor());
    let report = state
        .store()
        .add_identity(&identity, |r: &Reattributed| {
            AuditEvent::new(council, now, actor, "monitor.identity.added")
                .subject(subject)
                .details(json!({
                    "identity": identity.id.to_string(),
                    "kind": identity.kind.as_str(),
                    "value": identity.value(),
                    "from": identity.valid_from.date().to_string(),
                    "to": identity.valid_to.map(|d| d.date().to_string()),
                    "days": r.days,
                    "records": r.records,
                    "raw_chunks": r.raw_chunks,
                }))
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/monitoring/names?matched={}&days={}",
        identity.id, report.days
    ))
    .into_response())
}

/// The person or device chosen in the form's "who" list (`person:<id>` or `device:<id>`),
/// which must be the council's; a device must have a user, or its traffic stays no one's.
fn target_of(
    chosen: &str,
    people: &[Person],
    devices: &[Device],
    errors: &mut Errors,
) -> Option<IdentityTarget> {
    if let Some(id) = chosen.strip_prefix("person:") {
        if let Some(person) = council_person(people, id) {
            return Some(IdentityTarget::Person(person.id));
        }
    } else if let Some(id) = chosen.strip_prefix("device:") {
        let device = DeviceId::parse(id)
            .ok()
            .and_then(|id| devices.iter().find(|d| d.id == id));
        match device {
            Some(device) if device.user.is_some() => {
                return Some(IdentityTarget::Device(device.id));
            }
            Some(device) => {
                errors.add(
                    "who",
                    format!(
                        "{} has no user in the register, so its traffic would still be no one's. Choose the person instead, or record who uses it on the Devices pages first.",
                        device.name
                    ),
                );
                return None;
            }
            None => {}
        }
    }
    errors.add(
        "who",
        "Choose the person (or the device) this name belongs to.",
    );
    None
}

/// The form ending a rule.
#[derive(Deserialize, Default)]
pub struct EndForm {
    #[serde(default)]
    last_day: String,
}

#[derive(Template)]
#[template(path = "monitoring/names_end.html")]
struct EndPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    value: String,
    who: String,
    from: String,
    last_day: String,
}

async fn load_identity(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<MonitorIdentity, AppError> {
    let id = MonitorIdentityId::parse(id).map_err(|_| AppError::NotFound)?;
    state
        .store()
        .identities(signed_in.council_id())
        .await?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(AppError::NotFound)
}

async fn end_page(
    state: &AppState,
    signed_in: &SignedIn,
    identity: &MonitorIdentity,
    errors: Errors,
    last_day: String,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let devices = state.store().devices(council).await?;
    Ok((
        errors.status(),
        render(&EndPage {
            chrome: chrome(signed_in, "/monitoring"),
            errors,
            id: identity.id.to_string(),
            value: identity.value().to_owned(),
            who: who(&people, &devices, identity.target),
            from: uk_date(identity.valid_from),
            last_day,
        })?,
    )
        .into_response())
}

pub async fn end_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let identity = load_identity(&state, &signed_in, &id).await?;
    let last_day = uk_date(identity.valid_to.unwrap_or_else(|| today(&state)));
    end_page(&state, &signed_in, &identity, Errors::new(), last_day).await
}

pub async fn end(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<EndForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let identity = load_identity(&state, &signed_in, &id).await?;
    let mut errors = Errors::new();
    let Some(last_day) = errors.check("last_day", read_day(form.last_day.trim(), "The last day"))
    else {
        return end_page(&state, &signed_in, &identity, errors, form.last_day).await;
    };
    let council = signed_in.council_id();
    let (now, actor) = (state.now(), signed_in.actor());
    let ended = state
        .store()
        .end_identity(council, identity.id, last_day, |r: &Reattributed| {
            AuditEvent::new(council, now, actor, "monitor.identity.ended").details(json!({
                "identity": identity.id.to_string(),
                "kind": identity.kind.as_str(),
                "value": identity.value(),
                "last_day": last_day.date().to_string(),
                "days": r.days,
                "records": r.records,
                "raw_chunks": r.raw_chunks,
            }))
        })
        .await;
    match ended {
        Ok(report) => Ok(Redirect::to(&format!(
            "/monitoring/names?ended={}&days={}",
            identity.id, report.days
        ))
        .into_response()),
        Err(error) => {
            errors.add("last_day", refusal(error)?);
            end_page(&state, &signed_in, &identity, errors, form.last_day).await
        }
    }
}
