//! The schedule's sources from the routines of issue 6: approval requests waiting for a
//! decision and approvals about to end (1.1.7-9.1.5), and health and safety — workstation
//! assessments, eye-test offers and their answers, workstation requests and hazard reports
//! (3.1.2, 3.1.3). Titles never carry what people typed (health details, what was asked):
//! only the kind of thing and whose it is.

use super::{Chase, Due, Inputs, Kind, Subject, Who, london_date, person_name};
use crate::health::{
    DseRules, EyeTestAnswer, HealthRecords, next_assessment_due, next_eye_test_offer_due,
};
use crate::permission::Action;
use crate::person::{Person, PersonStatus};
use crate::policy::{Approver, PolicyProfile};
use jiff::ToSpan;
use jiff::civil::Date;

/// How long a request may wait for a decision before the schedule calls it overdue: two
/// weeks, time for the Clerk to ask questions (a Council kind waits for its meeting).
pub const DECISION_DAYS: i64 = 14;

/// Requests waiting for a decision (due two weeks after asking, or by the next meeting for
/// the Council's kinds) and approvals ending today or later (for the person who asked, so they
/// can ask again in time). Approvals that ended before `inputs.today` are history, not due.
pub fn approvals(inputs: &Inputs<'_>) -> Vec<Due> {
    let mut found = Vec::new();
    for open in inputs.approvals {
        let name = person_name(inputs.people, open.requester)
            .map_or_else(|| "someone".to_owned(), |p| p.name.to_string());
        let subject = Subject {
            id: open.id.to_string(),
            name: format!("{} ({name})", open.kind.label()),
        };
        let link = format!("/approvals/{}", open.id);
        match open.expires_on {
            None => {
                let asked = london_date(open.requested_at);
                found.push(Due {
                    kind: Kind::ApprovalDecision,
                    subject,
                    title: match open.approver {
                        Approver::Clerk => "Decide the request for approval".to_owned(),
                        Approver::Council => {
                            "Take the request to the Council and record its decision".to_owned()
                        }
                    },
                    due: asked.checked_add(DECISION_DAYS.days()).unwrap_or(Date::MAX),
                    for_whom: Who::MayDo(Action::DecideApprovals),
                    chase: None,
                    link,
                    clause: open.kind.clause(),
                });
            }
            Some(last) if last >= inputs.today => found.push(Due {
                kind: Kind::ApprovalEnds,
                subject,
                title: "Your approval ends: ask again if you still need it".to_owned(),
                due: last,
                for_whom: Who::Person(open.requester),
                chase: None,
                link,
                clause: open.kind.clause(),
            }),
            Some(_) => {}
        }
    }
    found
}

/// When someone became a display screen user, for a first assessment or eye-test offer: the
/// day they started, or the day they were added.
fn joined(person: &Person) -> Date {
    person
        .start_date
        .unwrap_or_else(|| london_date(person.created_at))
}

/// Health and safety under the policy's rules (`profile`): each active display screen user's
/// next assessment (left out when no repeat is promised) and eye-test offer, offers waiting for
/// the person's answer, and open workstation requests and hazard reports, due from the day
/// they were raised.
pub fn health(inputs: &Inputs<'_>, profile: &PolicyProfile) -> Vec<Due> {
    let Some(records) = inputs.health else {
        return Vec::new();
    };
    let rules = DseRules::from_profile(profile);
    let mut found = Vec::new();
    for person in inputs
        .people
        .iter()
        .filter(|p| p.status == PersonStatus::Active && records.is_dse_user(p))
    {
        dse_user(records, person, &rules, &mut found);
    }
    let name_of = |id| {
        person_name(inputs.people, id).map_or_else(|| "someone".to_owned(), |p| p.name.to_string())
    };
    for request in records.open_requests() {
        found.push(Due {
            kind: Kind::WorkstationRequest,
            subject: Subject {
                id: request.id.to_string(),
                name: name_of(request.person_id),
            },
            title: "Answer a request to change a workstation".to_owned(),
            due: london_date(request.asked_at),
            for_whom: Who::MayDo(Action::ManageHealthAndSafety),
            chase: None,
            link: format!("/health-and-safety/workstation-requests/{}", request.id),
            clause: "3.1.3",
        });
    }
    for hazard in records.open_hazards() {
        found.push(Due {
            kind: Kind::Hazard,
            subject: Subject {
                id: hazard.id.to_string(),
                name: format!("reported by {}", name_of(hazard.reported_by)),
            },
            title: "Make a reported hazard safe".to_owned(),
            due: london_date(hazard.reported_at),
            for_whom: Who::MayDo(Action::ManageHealthAndSafety),
            chase: None,
            link: format!("/health-and-safety/hazards/{}", hazard.id),
            clause: "3.1.3",
        });
    }
    found
}

fn dse_user(records: &HealthRecords, person: &Person, rules: &DseRules, found: &mut Vec<Due>) {
    let subject = Subject {
        id: person.id.to_string(),
        name: person.name.to_string(),
    };
    let page = format!("/health-and-safety/people/{}", person.id);
    let assessment = match records.latest_assessment(person.id) {
        None => Some(joined(person)),
        Some(latest) => next_assessment_due(latest, rules),
    };
    if let Some(due) = assessment {
        found.push(Due {
            kind: Kind::WorkstationAssessment,
            subject: subject.clone(),
            title: "Assess their workstation (display screen equipment)".to_owned(),
            due,
            for_whom: Who::MayDo(Action::ManageHealthAndSafety),
            chase: None,
            link: page.clone(),
            clause: "3.1.2",
        });
    }
    let latest_offer = records.latest_offer(person.id);
    found.push(Due {
        kind: Kind::EyeTestOffer,
        subject: subject.clone(),
        title: "Offer an eye test".to_owned(),
        due: latest_offer.map_or_else(
            || joined(person),
            |offer| next_eye_test_offer_due(offer, rules),
        ),
        for_whom: Who::MayDo(Action::ManageHealthAndSafety),
        chase: None,
        link: page,
        clause: "3.1.2",
    });
    if let Some(offer) = latest_offer.filter(|o| o.answer == EyeTestAnswer::NoAnswerYet) {
        found.push(Due {
            kind: Kind::EyeTestAnswer,
            subject,
            title: "Say whether you will take up the eye test offered".to_owned(),
            due: offer.offered_on,
            for_whom: Who::Person(person.id),
            chase: Some(Chase {
                by: Action::ManageHealthAndSafety,
                link: format!("/health-and-safety/people/{}", person.id),
            }),
            link: "/health-and-safety/mine".to_owned(),
            clause: "3.1.2",
        });
    }
}
