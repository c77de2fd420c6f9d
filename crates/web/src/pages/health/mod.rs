//! Health and safety at the workstation (issue 6, item 5; clauses 3.1.1-3.1.3): the Clerk's
//! overview (`overview.rs`), one person's assessments and eye tests (`person.rs`), everyone's
//! own page with workstation requests and hazard reports (`mine.rs`), resolving requests and
//! hazards (`resolve.rs`), and the home page's lines ([`attention`]).
//!
//! Every lookup is scoped to the signed-in person's council, so another council's record is
//! "not found". Dates due are worked out with the injected clock on each visit.

mod mine;
mod overview;
mod person;
mod resolve;

use crate::error::AppError;
use crate::nav::{local_date, london};
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use custodian_core::health::{DseRules, Due, HealthRecords, Resolution};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::permission::Action;
use custodian_core::person::Person;
use custodian_core::ports::HealthStore;
use jiff::civil::Date;
use std::collections::HashMap;

use super::home::{Attention, plural};

pub fn routes() -> Router<crate::state::AppState> {
    Router::new()
        .route("/health-and-safety", get(overview::page))
        .route("/health-and-safety/mine", get(mine::page))
        .route("/health-and-safety/people/{id}", get(person::page))
        .route(
            "/health-and-safety/people/{id}/dse-user",
            post(person::set_dse_user),
        )
        .route(
            "/health-and-safety/people/{id}/assessments",
            post(person::record),
        )
        .route(
            "/health-and-safety/people/{id}/eye-tests",
            post(person::offer),
        )
        .route(
            "/health-and-safety/eye-tests/{id}/answer",
            post(person::answer),
        )
        .route("/health-and-safety/workstation-requests", post(mine::ask))
        .route(
            "/health-and-safety/workstation-requests/{id}",
            get(resolve::request_page).post(resolve::resolve_request),
        )
        .route("/health-and-safety/hazards", post(mine::report))
        .route(
            "/health-and-safety/hazards/{id}",
            get(resolve::hazard_page).post(resolve::resolve_hazard),
        )
}

/// Today's date in England, from the injected clock.
fn today(state: &AppState) -> Date {
    london().to_datetime(state.now()).date()
}

/// The council's records and the policy's rules, read together.
struct Context {
    records: HealthRecords,
    rules: DseRules,
    people: std::sync::Arc<Vec<Person>>,
    today: Date,
    /// Whether a policy is in force (otherwise the model's defaults apply).
    in_force: bool,
}

impl Context {
    async fn of(state: &AppState, council: CouncilId) -> Result<Self, AppError> {
        let (profile, in_force) = super::policy::profile_in_force(state, council).await?;
        Ok(Self {
            records: state.store().health_records(council).await?,
            rules: DseRules::from_profile(&profile),
            people: state.people(council).await?,
            today: today(state),
            in_force,
        })
    }

    fn names(&self) -> HashMap<PersonId, String> {
        self.people
            .iter()
            .map(|p| (p.id, p.name.to_string()))
            .collect()
    }

    /// What the policy asks, in one sentence.
    fn rule_words(&self) -> String {
        use custodian_core::policy::DseAssessment;
        let source = if self.in_force {
            "The council's policy"
        } else {
            "No policy is adopted yet, so the model policy's default"
        };
        match self.rules.assessment {
            DseAssessment::Annual => format!(
                "{source} asks for a workstation assessment every {} for each display screen \
                 user (3.1.2), and eye tests are offered every {} months.",
                plural(usize::from(self.rules.interval_months), "month", "months"),
                self.rules.eye_test_interval_months
            ),
            DseAssessment::EyeTestsOffered => format!(
                "{source} promises eye tests for display screen users (3.1.2): they are offered \
                 every {} months. Each display screen user still needs a first workstation \
                 assessment; no repeat is promised.",
                self.rules.eye_test_interval_months
            ),
        }
    }
}

fn name_of(names: &HashMap<PersonId, String>, id: PersonId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| "someone no longer listed".to_owned())
}

/// A due state as a tag and words.
pub struct DueView {
    pub tag: &'static str,
    pub class: &'static str,
    pub words: String,
}

fn due_view(due: Due, never: &'static str) -> DueView {
    match due {
        Due::Never => DueView {
            tag: "Due now",
            class: "govuk-tag--red",
            words: never.to_owned(),
        },
        Due::Overdue { since } => DueView {
            tag: "Overdue",
            class: "govuk-tag--red",
            words: format!("Was due on {}.", local_date(since)),
        },
        Due::Soon { on } => DueView {
            tag: "Due soon",
            class: "govuk-tag--yellow",
            words: format!("Due by {}.", local_date(on)),
        },
        Due::Ok { next: Some(on) } => DueView {
            tag: "Up to date",
            class: "govuk-tag--green",
            words: format!("Next due {}.", local_date(on)),
        },
        Due::Ok { next: None } => DueView {
            tag: "Up to date",
            class: "govuk-tag--green",
            words: "Done; the policy promises no repeat.".to_owned(),
        },
    }
}

/// A workstation request or hazard's state, as a tag, for either kind's words.
fn resolution_tag(
    resolution: &Resolution,
    done: &'static str,
    declined: &'static str,
) -> (&'static str, &'static str) {
    match resolution {
        Resolution::Open => ("Open", "govuk-tag--yellow"),
        Resolution::Done { .. } => (done, "govuk-tag--green"),
        Resolution::Declined { .. } => (declined, "govuk-tag--grey"),
    }
}

/// For the home page: for those who see everyone's records, how many display screen users need
/// an assessment or an eye test, and the open requests and hazards; for everyone, their own
/// assessment when it is due and an eye-test offer waiting for their answer. `records` and
/// `rules` come from the home page's cached figures; the dates are judged against today.
pub async fn attention(
    state: &AppState,
    signed_in: &SignedIn,
    records: &HealthRecords,
    rules: &DseRules,
) -> Result<Vec<Attention>, AppError> {
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let today = today(state);
    let mut lines = Vec::new();
    if signed_in.may(Action::ViewHealthAndSafety) {
        let counts = records.counts(&people, rules, today);
        let mut push = |count: usize, one: &str, many: &str| {
            if count > 0 {
                lines.push(Attention {
                    text: format!(
                        "{} {}",
                        plural(count, "One display screen user", "display screen users"),
                        if count == 1 { one } else { many }
                    ),
                    href: "/health-and-safety".into(),
                    action: "See health and safety",
                });
            }
        };
        push(
            counts.assessments_overdue,
            "needs a workstation assessment now (never assessed, or overdue).",
            "need a workstation assessment now (never assessed, or overdue).",
        );
        push(
            counts.assessments_due_soon,
            "has a workstation assessment due in the next 30 days.",
            "have a workstation assessment due in the next 30 days.",
        );
        push(
            counts.eye_tests_overdue,
            "should be offered an eye test.",
            "should be offered an eye test.",
        );
        if counts.open_requests > 0 {
            lines.push(Attention {
                text: format!(
                    "{} to change a workstation waiting for an answer.",
                    plural(counts.open_requests, "One request", "requests")
                ),
                href: "/health-and-safety".into(),
                action: "See workstation requests",
            });
        }
        if counts.open_hazards > 0 {
            lines.push(Attention {
                text: format!(
                    "{} not yet made safe or closed.",
                    plural(counts.open_hazards, "One hazard report", "hazard reports")
                ),
                href: "/health-and-safety".into(),
                action: "See hazard reports",
            });
        }
    }
    let me = &signed_in.current.person;
    if records.is_dse_user(me) {
        let status = records.status(me, rules, today);
        if matches!(
            status.assessment,
            Due::Never | Due::Overdue { .. } | Due::Soon { .. }
        ) {
            lines.push(Attention {
                text: format!(
                    "Your workstation assessment is due. {}",
                    due_view(status.assessment, "You have not had one yet.").words
                ),
                href: "/health-and-safety/mine".into(),
                action: "See your workstation",
            });
        }
        if let Some(offer) = status.offer_awaiting_answer() {
            lines.push(Attention {
                text: format!(
                    "You were offered an eye test on {}. Say whether you will take it up, or add the date of the test.",
                    local_date(offer.offered_on)
                ),
                href: "/health-and-safety/mine".into(),
                action: "Answer the eye-test offer",
            });
        }
    }
    Ok(lines)
}
