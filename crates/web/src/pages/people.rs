//! People: the list, inviting, editing and marking as left. Every lookup is scoped to the
//! signed-in person's council, so another council's person is simply "not found".

use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_date, local_time, render};
use crate::provisioning;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::AuditEvent;
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::person::{
    Email, NewPerson, Person, PersonName, PersonStatus, Role, RoleSet, add_person,
    check_a_clerk_remains, parse_optional_date,
};
use custodian_core::ports::{JoinerStore, LeaverStore, PersonStore, StoreError};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;

/// A person as shown in lists and on their page.
pub struct PersonRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub start: String,
    pub leave: String,
}

impl PersonRow {
    fn from(person: &Person) -> Self {
        Self {
            id: person.id.to_string(),
            name: person.name.to_string(),
            email: person.email.to_string(),
            roles: person.roles.labels(),
            status: person.status.label(),
            status_class: match person.status {
                PersonStatus::Active => "govuk-tag--green",
                PersonStatus::Invited => "govuk-tag--yellow",
                PersonStatus::Left => "govuk-tag--grey",
            },
            start: person.start_date.map(local_date).unwrap_or_default(),
            leave: person.leave_date.map(local_date).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: crate::chrome::Chrome,
    people: Vec<PersonRow>,
    can_invite: bool,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPeople).await?;
    let people = state.people(signed_in.council_id()).await?;
    Ok(render(&PeoplePage {
        chrome: chrome(&signed_in, "/people"),
        people: people.iter().map(PersonRow::from).collect(),
        can_invite: signed_in.may(Action::InvitePerson),
    })?
    .into_response())
}

/// The role checkboxes with their state.
pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn role_choices(selected: RoleSet) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .map(|r| RoleChoice {
            value: r.as_str(),
            label: r.label(),
            checked: selected.contains(*r),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    heading: &'static str,
    action: String,
    name: String,
    email: String,
    start_date: String,
    roles: Vec<RoleChoice>,
    button: &'static str,
}

#[derive(Deserialize, Default)]
pub struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    start_date: String,
}

struct ParsedPerson {
    name: PersonName,
    email: Email,
    roles: RoleSet,
    start_date: Option<jiff::civil::Date>,
}

fn parse_form(form: &PersonForm, errors: &mut Errors) -> Option<ParsedPerson> {
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", Email::parse(&form.email));
    let roles = errors.check(
        "roles",
        form.roles.iter().try_fold(RoleSet::empty(), |set, r| {
            Role::parse(r).map(|r| set.with(r))
        }),
    );
    if roles.is_some_and(RoleSet::is_empty) {
        errors.add("roles", "Choose at least one role");
    }
    let start_date = errors.check("start_date", parse_optional_date(&form.start_date));
    match (name, email, roles, start_date) {
        (Some(name), Some(email), Some(roles), Some(start_date)) if errors.is_empty() => {
            Some(ParsedPerson {
                name,
                email,
                roles,
                start_date,
            })
        }
        _ => None,
    }
}

fn form_page(
    signed_in: &SignedIn,
    errors: Errors,
    editing: Option<&str>,
    form: &PersonForm,
) -> Result<Response, AppError> {
    let selected = form
        .roles
        .iter()
        .filter_map(|r| Role::parse(r).ok())
        .fold(RoleSet::empty(), RoleSet::with);
    Ok(render(&PersonFormPage {
        chrome: chrome(signed_in, "/people"),
        errors,
        heading: if editing.is_some() {
            "Change a person's details"
        } else {
            "Invite a person"
        },
        action: editing.map_or("/people/new".to_owned(), |id| format!("/people/{id}/edit")),
        name: form.name.clone(),
        email: form.email.clone(),
        start_date: form.start_date.clone(),
        roles: role_choices(selected),
        button: if editing.is_some() {
            "Save changes"
        } else {
            "Invite"
        },
    })?
    .into_response())
}

pub async fn new_form(signed_in: SignedIn) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    form_page(&signed_in, Errors::new(), None, &PersonForm::default())
}

#[derive(Template)]
#[template(path = "invitation_created.html")]
struct InvitationCreatedPage {
    chrome: crate::chrome::Chrome,
    /// A password-reset link rather than an invitation.
    reset: bool,
    name: String,
    email: String,
    link: String,
    expires: String,
    person_id: String,
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    let mut errors = Errors::new();
    let Some(parsed) = parse_form(&form, &mut errors) else {
        return form_page(&signed_in, errors, None, &form);
    };
    // Only the Clerk may give someone the Clerk or IT-provider role: those roles hold the keys.
    if !signed_in.current.person.roles.contains(Role::Clerk)
        && (parsed.roles.contains(Role::Clerk) || parsed.roles.contains(Role::ItProvider))
    {
        errors.add(
            "roles",
            "Only the Clerk can give someone the Clerk or IT provider role",
        );
        return form_page(&signed_in, errors, None, &form);
    }
    let now = state.now();
    let (person, event) = add_person(
        signed_in.council_id(),
        PersonId::generate(),
        NewPerson {
            name: parsed.name,
            email: parsed.email,
            roles: parsed.roles,
            start_date: parsed.start_date,
        },
        signed_in.actor(),
        now,
    )
    .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    // Their joining checklist is stored with them, so nobody is invited without one.
    let (checklist, created) =
        crate::pages::joining::checklist_for(&state, &person, signed_in.person_id());
    match state
        .store()
        .insert_person_with_checklist(&person, &event, &checklist, &created)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "email",
                format!(
                    "{} is already on the list of people. Find them on the People page",
                    person.email
                ),
            );
            return form_page(&signed_in, errors, None, &form);
        }
        Err(e) => return Err(e.into()),
    }
    invitation_page(&state, &signed_in, &person).await
}

async fn invitation_page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
) -> Result<Response, AppError> {
    let now = state.now();
    let token = provisioning::invite(
        state.store(),
        signed_in.council_id(),
        person.id,
        signed_in.actor(),
        now,
    )
    .await?;
    let link = format!(
        "{}/invitation/{}",
        state.inner().options.public_url.trim_end_matches('/'),
        token.expose_secret()
    );
    Ok(render(&InvitationCreatedPage {
        chrome: chrome(signed_in, "/people"),
        reset: false,
        name: person.name.to_string(),
        email: person.email.to_string(),
        link,
        expires: local_time(now + custodian_core::person::INVITATION_VALID_FOR),
        person_id: person.id.to_string(),
    })?
    .into_response())
}

fn parse_id(id: &str) -> Result<PersonId, AppError> {
    PersonId::parse(id).map_err(|_| AppError::NotFound)
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: crate::chrome::Chrome,
    person: PersonRow,
    can_edit: bool,
    can_invite: bool,
    can_mark_left: bool,
    invited: bool,
    active: bool,
    left: bool,
    today: String,
    problem: Option<String>,
    /// The equipment issued to them, for those who may see the register (clause 1.1.5).
    equipment: Option<Vec<crate::pages::assets::AssetRow>>,
    /// For a person who has left, the vault items they revealed (shared passwords change when
    /// people leave), for those who may view the vault.
    passwords_to_change: Option<Vec<crate::pages::vault::leavers::ToChange>>,
}

/// The person's page, with a problem to show at the top when an action on it was refused.
async fn person_page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    problem: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let today = state
        .now()
        .to_zoned(crate::nav::london().clone())
        .date()
        .to_string();
    let equipment = if signed_in.may(Action::ViewRegister) {
        Some(crate::pages::assets::held_by(state, signed_in.council_id(), person.id).await?)
    } else {
        None
    };
    let passwords_to_change =
        if person.status == PersonStatus::Left && signed_in.may(Action::ViewVault) {
            Some(
                crate::pages::vault::leavers::revealed_by(state, signed_in.council_id(), person.id)
                    .await?,
            )
        } else {
            None
        };
    render(&PersonPage {
        chrome: chrome(signed_in, "/people"),
        person: PersonRow::from(person),
        can_edit: signed_in.may(Action::EditPerson),
        can_invite: signed_in.may(Action::InvitePerson),
        can_mark_left: signed_in.may(Action::MarkPersonLeft),
        invited: person.status == PersonStatus::Invited,
        active: person.status == PersonStatus::Active,
        left: person.status == PersonStatus::Left,
        today,
        problem,
        equipment,
        passwords_to_change,
    })
}

pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPeople).await?;
    let person = state
        .store()
        .person(signed_in.council_id(), parse_id(&id)?)
        .await?;
    Ok(person_page(&state, &signed_in, &person, None)
        .await?
        .into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditPerson).await?;
    let person = state
        .store()
        .person(signed_in.council_id(), parse_id(&id)?)
        .await?;
    let form = PersonForm {
        name: person.name.to_string(),
        email: person.email.to_string(),
        roles: person.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        start_date: person.start_date.map(|d| d.to_string()).unwrap_or_default(),
    };
    form_page(&signed_in, Errors::new(), Some(&id), &form)
}

pub async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::EditPerson).await?;
    let council = signed_in.council_id();
    let existing = state.store().person(council, parse_id(&id)?).await?;
    let mut errors = Errors::new();
    let Some(parsed) = parse_form(&form, &mut errors) else {
        return form_page(&signed_in, errors, Some(&id), &form);
    };
    let mut changed = existing.clone();
    changed.name = parsed.name;
    changed.email = parsed.email;
    changed.roles = parsed.roles;
    changed.start_date = parsed.start_date;
    let people = state.store().people(council).await?;
    if let Err(e) = check_a_clerk_remains(&people, &changed) {
        errors.add("roles", e.to_string());
        return form_page(&signed_in, errors, Some(&id), &form);
    }
    let event = AuditEvent::new(council, state.now(), signed_in.actor(), "person.changed")
        .subject(format!("person:{}", changed.id))
        .details(json!({
            "roles_before": existing.roles.to_storage(),
            "roles_after": changed.roles.to_storage(),
            "name_changed": existing.name != changed.name,
            "email_changed": existing.email != changed.email,
        }));
    match state.store().update_person(&changed, &event).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        Err(StoreError::Conflict(_)) => {
            errors.add(
                "email",
                format!(
                    "{} is already used by another person in this council",
                    changed.email
                ),
            );
            form_page(&signed_in, errors, Some(&id), &form)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    leave_date: String,
}

pub async fn mark_left(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<LeaveForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::MarkPersonLeft).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_id(&id)?).await?;
    let mut errors = Errors::new();
    let leave_date = errors
        .check("leave_date", parse_optional_date(&form.leave_date))
        .flatten();
    let mut changed = person.clone();
    changed.status = PersonStatus::Left;
    changed.leave_date =
        leave_date.or_else(|| Some(state.now().to_zoned(jiff::tz::TimeZone::UTC).date()));
    let people = state.store().people(council).await?;
    if let Err(e) = check_a_clerk_remains(&people, &changed) {
        errors.add("leave_date", e.to_string());
    }
    if !errors.is_empty() {
        return Ok(render(&LeaveErrorPage {
            chrome: chrome(&signed_in, "/people"),
            errors,
            person_id: id,
        })?
        .into_response());
    }
    let event = AuditEvent::new(council, state.now(), signed_in.actor(), "person.left")
        .subject(format!("person:{}", changed.id))
        .details(json!({ "leave_date": changed.leave_date.map(|d| d.to_string()) }));
    // Their leaving checklist is made from the records now and stored with the change, so a
    // person is never left without one.
    let (checklist, created) =
        crate::pages::leaving::checklist_for(&state, &changed, signed_in.person_id()).await?;
    state
        .store()
        .mark_left(&changed, &event, &checklist, &created)
        .await?;
    Ok(Redirect::to(&format!("/people/{id}/leaving")).into_response())
}

#[derive(Template)]
#[template(path = "leave_error.html")]
struct LeaveErrorPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    person_id: String,
}

pub async fn reinvite(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    let person = state
        .store()
        .person(signed_in.council_id(), parse_id(&id)?)
        .await?;
    if person.status != PersonStatus::Invited {
        return Ok(Redirect::to(&format!("/people/{id}")).into_response());
    }
    invitation_page(&state, &signed_in, &person).await
}

/// Creates a one-time link for an active person who has forgotten their password.
pub async fn reset_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::InvitePerson).await?;
    let council = signed_in.council_id();
    let person = state.store().person(council, parse_id(&id)?).await?;
    let now = state.now();
    let is_clerk = signed_in.current.person.roles.contains(Role::Clerk);
    match provisioning::create_password_reset(
        state.store(),
        council,
        person.id,
        signed_in.actor(),
        is_clerk,
        now,
    )
    .await
    {
        Ok(token) => {
            let link = format!(
                "{}/invitation/{}",
                state.inner().options.public_url.trim_end_matches('/'),
                token.expose_secret()
            );
            Ok(render(&InvitationCreatedPage {
                chrome: chrome(&signed_in, "/people"),
                reset: true,
                name: person.name.to_string(),
                email: person.email.to_string(),
                link,
                expires: local_time(now + custodian_core::person::PASSWORD_RESET_VALID_FOR),
                person_id: person.id.to_string(),
            })?
            .into_response())
        }
        Err(
            e @ (provisioning::ProvisionError::SharedAccount
            | provisioning::ProvisionError::OnlyClerkMayResetOfficer
            | provisioning::ProvisionError::NotYetActive
            | provisioning::ProvisionError::PersonHasLeft),
        ) => Ok((
            axum::http::StatusCode::CONFLICT,
            person_page(&state, &signed_in, &person, Some(e.to_string())).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
