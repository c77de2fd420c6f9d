//! The Clerk's overview (`/health-and-safety`): each display screen user's assessment and eye
//! tests, the other people (to mark as display screen users), open workstation requests and
//! hazard reports, and those resolved. Printable.

use super::{Context, DueView, due_view, name_of, resolution_tag};
use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodian_core::health::{EyeTestAnswer, Outcome};
use custodian_core::permission::Action;

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub assessment: DueView,
    pub last_assessed: Option<String>,
    pub eye_test: DueView,
    pub last_offer: Option<String>,
}

pub struct OtherRow {
    pub id: String,
    pub name: String,
}

/// A workstation request or hazard report as a row.
pub struct ReportRow {
    pub href: String,
    pub who: String,
    pub when: String,
    pub place: Option<String>,
    pub what: String,
    pub tag: &'static str,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "health/overview.html")]
struct OverviewPage {
    chrome: crate::chrome::Chrome,
    council: String,
    rule: String,
    users: Vec<UserRow>,
    others: Vec<OtherRow>,
    open_requests: Vec<ReportRow>,
    open_hazards: Vec<ReportRow>,
    resolved: Vec<ReportRow>,
    printed: String,
}

pub(super) fn offer_words(answer: EyeTestAnswer) -> &'static str {
    match answer {
        EyeTestAnswer::NoAnswerYet => "no answer yet",
        EyeTestAnswer::TakenUp { test_date: None } => "taken up, test date not yet known",
        EyeTestAnswer::TakenUp { test_date: Some(_) } => "taken up",
        EyeTestAnswer::Declined => "declined",
    }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewHealthAndSafety).await?;
    let context = Context::of(&state, signed_in.council_id()).await?;
    let names = context.names();
    let mut users = Vec::new();
    let mut others = Vec::new();
    for person in context.people.iter() {
        if context.records.is_dse_user(person) {
            let status = context
                .records
                .status(person, &context.rules, context.today);
            users.push(UserRow {
                id: person.id.to_string(),
                name: person.name.to_string(),
                assessment: due_view(status.assessment, "Never assessed."),
                last_assessed: status.latest_assessment.map(|a| {
                    format!(
                        "Last assessed {}: {}.",
                        local_date(a.assessed_on),
                        match a.outcome {
                            Outcome::NoChangesNeeded => "no changes needed",
                            Outcome::ChangesNeeded { .. } => "changes agreed",
                        }
                    )
                }),
                eye_test: due_view(status.eye_test, "Never offered an eye test."),
                last_offer: status.latest_offer.map(|o| {
                    format!(
                        "Last offered {}: {}.",
                        local_date(o.offered_on),
                        offer_words(o.answer)
                    )
                }),
            });
        } else if person.may_sign_in()
            || person.status == custodian_core::person::PersonStatus::Invited
        {
            others.push(OtherRow {
                id: person.id.to_string(),
                name: person.name.to_string(),
            });
        }
    }
    let request_row = |r: &custodian_core::health::WorkstationRequest| {
        let (tag, class) = resolution_tag(&r.resolution, "Done", "Declined");
        ReportRow {
            href: format!("/health-and-safety/workstation-requests/{}", r.id),
            who: name_of(&names, r.person_id),
            when: local_time(r.asked_at),
            place: None,
            what: r.problem.clone(),
            tag,
            class,
        }
    };
    let hazard_row = |h: &custodian_core::health::HazardReport| {
        let (tag, class) = resolution_tag(&h.resolution, "Made safe", "No action");
        ReportRow {
            href: format!("/health-and-safety/hazards/{}", h.id),
            who: name_of(&names, h.reported_by),
            when: local_time(h.reported_at),
            place: Some(h.place.clone()),
            what: h.description.clone(),
            tag,
            class,
        }
    };
    let open_requests = context.records.open_requests().map(request_row).collect();
    let open_hazards = context.records.open_hazards().map(hazard_row).collect();
    let mut resolved: Vec<ReportRow> = context
        .records
        .requests
        .iter()
        .filter(|r| !r.resolution.is_open())
        .map(request_row)
        .collect();
    resolved.extend(
        context
            .records
            .hazards
            .iter()
            .filter(|h| !h.resolution.is_open())
            .map(hazard_row),
    );
    Ok(render(&OverviewPage {
        chrome: chrome(&signed_in, "/health-and-safety"),
        council: signed_in.current.council.name.to_string(),
        rule: context.rule_words(),
        users,
        others,
        open_requests,
        open_hazards,
        resolved,
        printed: local_time(state.now()),
    })?
    .into_response())
}
