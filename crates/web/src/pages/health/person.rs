//! One person's health-and-safety page (`/health-and-safety/people/{id}`): whether they use
//! display screen equipment, their assessments and eye-test offers, and the forms to record
//! them. Those who view health and safety read it; the Clerk and the Chair record, never for
//! themselves (the Chair records the Clerk's). The answer to an offer is recorded here or by
//! the person on their own page.

use super::overview::offer_words;
use super::{Context, DueView, due_view, name_of, resolution_tag};
use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::health::{
    AssessmentForm, AssessmentId, Assessor, AssessorChoice, EyeTestAnswer, EyeTestOfferId,
    HealthError, Outcome, answer_eye_test, is_dse_user_by_default, mark_dse_user, offer_eye_test,
    record_assessment,
};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::ports::{HealthStore, PersonStore, StoreError};
use serde::Deserialize;

pub struct AssessmentRow {
    pub on: String,
    pub assessor: String,
    pub outcome: &'static str,
    pub actions: Option<String>,
    pub recorded: String,
}

pub struct OfferRow {
    pub id: String,
    pub on: String,
    pub by: String,
    pub answer: &'static str,
    pub test_date: Option<String>,
    pub awaits_answer: bool,
}

pub struct RequestRow {
    pub href: String,
    pub when: String,
    pub what: String,
    pub tag: &'static str,
    pub class: &'static str,
}

/// What was typed into this page's forms, kept when one is refused.
#[derive(Deserialize, Default, Clone)]
pub struct Typed {
    #[serde(default)]
    pub assessed_on: String,
    #[serde(default)]
    pub assessor: String,
    #[serde(default)]
    pub assessor_person: String,
    #[serde(default)]
    pub assessor_name: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub actions: String,
    #[serde(default)]
    pub offered_on: String,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub test_date: String,
    #[serde(default)]
    pub dse_user: String,
}

#[derive(Template)]
#[template(path = "health/person.html")]
struct PersonPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    problem: Option<String>,
    done: Option<&'static str>,
    is_user: bool,
    by_default: bool,
    marked: bool,
    assessment: DueView,
    eye_test: DueView,
    assessments: Vec<AssessmentRow>,
    offers: Vec<OfferRow>,
    requests: Vec<RequestRow>,
    can_manage: bool,
    /// Managers may not record for themselves.
    is_self: bool,
    people: Vec<(String, String)>,
    typed: Typed,
}

pub(super) fn assessment_rows(
    context: &Context,
    person: PersonId,
    names: &std::collections::HashMap<PersonId, String>,
) -> Vec<AssessmentRow> {
    context
        .records
        .assessments
        .iter()
        .filter(|a| a.person_id == person)
        .map(|a| AssessmentRow {
            on: local_date(a.assessed_on),
            assessor: match &a.assessor {
                Assessor::Person(id) => name_of(names, *id),
                Assessor::Outside(name) => format!("{name} (from outside the council)"),
            },
            outcome: match a.outcome {
                Outcome::NoChangesNeeded => "No changes needed",
                Outcome::ChangesNeeded { .. } => "Changes needed",
            },
            actions: match &a.outcome {
                Outcome::NoChangesNeeded => None,
                Outcome::ChangesNeeded { actions } => Some(actions.clone()),
            },
            recorded: format!(
                "{} by {}",
                local_time(a.recorded_at),
                name_of(names, a.recorded_by)
            ),
        })
        .collect()
}

pub(super) fn offer_rows(
    context: &Context,
    person: PersonId,
    names: &std::collections::HashMap<PersonId, String>,
) -> Vec<OfferRow> {
    let latest = context.records.latest_offer(person).map(|o| o.id);
    context
        .records
        .offers
        .iter()
        .filter(|o| o.person_id == person)
        .map(|o| OfferRow {
            id: o.id.to_string(),
            on: local_date(o.offered_on),
            by: name_of(names, o.offered_by),
            answer: offer_words(o.answer),
            test_date: match o.answer {
                EyeTestAnswer::TakenUp { test_date } => test_date.map(local_date),
                _ => None,
            },
            // Only the latest offer is answered: an older one was overtaken by it.
            awaits_answer: o.awaits_answer() && Some(o.id) == latest,
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    problem: Option<String>,
    done: Option<&'static str>,
    typed: Typed,
) -> Result<axum::response::Html<String>, AppError> {
    let context = Context::of(state, signed_in.council_id()).await?;
    let names = context.names();
    let status = context
        .records
        .status(person, &context.rules, context.today);
    let requests = context
        .records
        .requests
        .iter()
        .filter(|r| r.person_id == person.id)
        .map(|r| {
            let (tag, class) = resolution_tag(&r.resolution, "Done", "Declined");
            RequestRow {
                href: format!("/health-and-safety/workstation-requests/{}", r.id),
                when: local_time(r.asked_at),
                what: r.problem.clone(),
                tag,
                class,
            }
        })
        .collect();
    render(&PersonPage {
        chrome: chrome(signed_in, "/health-and-safety"),
        id: person.id.to_string(),
        name: person.name.to_string(),
        problem,
        done,
        is_user: context.records.is_dse_user(person),
        by_default: is_dse_user_by_default(person.roles),
        marked: context.records.mark_of(person.id).is_some(),
        assessment: due_view(status.assessment, "Never assessed."),
        eye_test: due_view(status.eye_test, "Never offered an eye test."),
        assessments: assessment_rows(&context, person.id, &names),
        offers: offer_rows(&context, person.id, &names),
        requests,
        can_manage: signed_in.may(Action::ManageHealthAndSafety),
        is_self: signed_in.person_id() == person.id,
        people: context
            .people
            .iter()
            .filter(|p| p.may_sign_in())
            .map(|p| (p.id.to_string(), p.name.to_string()))
            .collect(),
        typed,
    })
}

/// A person of the signed-in person's council, or "not found".
async fn load(state: &AppState, signed_in: &SignedIn, id: &str) -> Result<Person, AppError> {
    let id = PersonId::parse(id).map_err(|_| AppError::NotFound)?;
    Ok(state.store().person(signed_in.council_id(), id).await?)
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    done: Option<String>,
}

fn banner(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "marked" => Some("Whether they use display screen equipment was recorded."),
        "assessed" => Some("The workstation assessment was recorded."),
        "offered" => Some("The eye-test offer was recorded."),
        "answered" => Some("The answer to the eye-test offer was recorded."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHealthAndSafety).await?;
    let person = load(&state, &signed_in, &id).await?;
    let done = banner(shown.done.as_deref());
    Ok(
        render_page(&state, &signed_in, &person, None, done, Typed::default())
            .await?
            .into_response(),
    )
}

/// The status a refusal is shown with: 403 for recording one's own, 409 when the record
/// changed, 200 for a form to correct.
pub(super) fn status_of(error: &HealthError) -> StatusCode {
    match error {
        HealthError::OwnRecord | HealthError::OwnRequest | HealthError::NotTheirOffer => {
            StatusCode::FORBIDDEN
        }
        HealthError::AlreadyResolved | HealthError::AlreadyAnswered => StatusCode::CONFLICT,
        _ => StatusCode::OK,
    }
}

async fn refused(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    status: StatusCode,
    message: String,
    typed: Typed,
) -> Result<Response, AppError> {
    let page = render_page(state, signed_in, person, Some(message), None, typed).await?;
    Ok((status, page).into_response())
}

fn back_to(person: &Person, done: &str) -> Response {
    Redirect::to(&format!(
        "/health-and-safety/people/{}?done={done}",
        person.id
    ))
    .into_response()
}

/// Stores a change, or shows the page again with a conflict's message.
async fn stored(
    state: &AppState,
    signed_in: &SignedIn,
    person: &Person,
    result: Result<(), StoreError>,
    done: &str,
    typed: Typed,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(back_to(person, done)),
        Err(StoreError::Conflict(message)) => {
            refused(
                state,
                signed_in,
                person,
                StatusCode::CONFLICT,
                message,
                typed,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_dse_user(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageHealthAndSafety).await?;
    let person = load(&state, &signed_in, &id).await?;
    let is_user = match typed.dse_user.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let message = "Choose whether they use display screen equipment.".to_owned();
            return refused(&state, &signed_in, &person, StatusCode::OK, message, typed).await;
        }
    };
    let (mark, event) = mark_dse_user(&person, is_user, signed_in.person_id(), state.now());
    let result = state.store().set_dse_mark(&mark, &event).await;
    stored(&state, &signed_in, &person, result, "marked", typed).await
}

pub async fn record(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageHealthAndSafety).await?;
    let council = signed_in.council_id();
    let person = load(&state, &signed_in, &id).await?;
    let assessor = match typed.assessor.as_str() {
        "council" => match PersonId::parse(typed.assessor_person.trim()) {
            // The store checks again that the assessor is one of the council's people.
            Ok(id) if state.people(council).await?.iter().any(|p| p.id == id) => {
                AssessorChoice::Person(id)
            }
            _ => {
                let message = "Choose the person of the council who carried out the assessment.";
                return refused(
                    &state,
                    &signed_in,
                    &person,
                    StatusCode::OK,
                    message.to_owned(),
                    typed,
                )
                .await;
            }
        },
        "outside" => AssessorChoice::Outside(&typed.assessor_name),
        _ => AssessorChoice::NotChosen,
    };
    let form = AssessmentForm {
        assessed_on: &typed.assessed_on,
        assessor,
        changes_needed: match typed.outcome.as_str() {
            "no_changes_needed" => Some(false),
            "changes_needed" => Some(true),
            _ => None,
        },
        actions: &typed.actions,
    };
    let recorded = record_assessment(
        &person,
        AssessmentId::generate(),
        form,
        signed_in.person_id(),
        super::today(&state),
        state.now(),
    );
    let (assessment, event) = match recorded {
        Ok(done) => done,
        Err(e) => {
            let status = status_of(&e);
            return refused(&state, &signed_in, &person, status, e.to_string(), typed).await;
        }
    };
    let result = state.store().insert_assessment(&assessment, &event).await;
    stored(
        &state,
        &signed_in,
        &person,
        result,
        "assessed",
        Typed::default(),
    )
    .await
}

pub async fn offer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageHealthAndSafety).await?;
    let person = load(&state, &signed_in, &id).await?;
    let offered = offer_eye_test(
        &person,
        EyeTestOfferId::generate(),
        &typed.offered_on,
        signed_in.person_id(),
        super::today(&state),
        state.now(),
    );
    let (offer, event) = match offered {
        Ok(done) => done,
        Err(e) => {
            let status = status_of(&e);
            return refused(&state, &signed_in, &person, status, e.to_string(), typed).await;
        }
    };
    let result = state.store().insert_eye_test_offer(&offer, &event).await;
    stored(
        &state,
        &signed_in,
        &person,
        result,
        "offered",
        Typed::default(),
    )
    .await
}

/// Records the answer to an offer: by the person on their own page, or by a manager here.
pub async fn answer(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, AppError> {
    let council = signed_in.council_id();
    let id = EyeTestOfferId::parse(&id).map_err(|_| AppError::NotFound)?;
    let offer = state.store().eye_test_offer(council, id).await?;
    let own = offer.person_id == signed_in.person_id();
    if !own {
        signed_in.require(Action::ManageHealthAndSafety).await?;
    }
    let person = state.store().person(council, offer.person_id).await?;
    let answered = answer_eye_test(
        &offer,
        &typed.answer,
        &typed.test_date,
        signed_in.person_id(),
        signed_in.may(Action::ManageHealthAndSafety),
        super::today(&state),
        state.now(),
    );
    let (status, message) = match answered {
        Err(e) => (status_of(&e), e.to_string()),
        Ok((after, event)) => match state.store().update_eye_test_offer(&after, &event).await {
            Ok(()) if own => {
                return Ok(Redirect::to("/health-and-safety/mine?done=answered").into_response());
            }
            Ok(()) => return Ok(back_to(&person, "answered")),
            Err(StoreError::Conflict(message)) => (StatusCode::CONFLICT, message),
            Err(e) => return Err(e.into()),
        },
    };
    if own {
        super::mine::refused(
            &state,
            &signed_in,
            status,
            message,
            super::mine::Typed::default(),
        )
        .await
    } else {
        refused(&state, &signed_in, &person, status, message, typed).await
    }
}
