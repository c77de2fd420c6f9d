//! A council's health-and-safety records read together: each display screen user's state, the
//! counts for the home page and the dates for the reminder schedule.

use super::{
    Assessment, DseMark, DseRules, Due, EyeTestOffer, EyeTestOfferId, HazardId, HazardReport,
    WorkstationRequest, WorkstationRequestId, is_dse_user, next_assessment_due,
    next_eye_test_offer_due,
};
use crate::ids::PersonId;
use crate::person::Person;
use jiff::Timestamp;
use jiff::civil::Date;

/// Every health-and-safety record of one council, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthRecords {
    /// The Clerk's marks of who is (or is not) a display screen user.
    pub marks: Vec<DseMark>,
    /// Newest assessed first.
    pub assessments: Vec<Assessment>,
    /// Newest offered first.
    pub offers: Vec<EyeTestOffer>,
    /// Newest first.
    pub requests: Vec<WorkstationRequest>,
    /// Newest first.
    pub hazards: Vec<HazardReport>,
}

/// One display screen user's state today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DseStatus<'a> {
    pub person: &'a Person,
    pub latest_assessment: Option<&'a Assessment>,
    pub assessment: Due,
    pub latest_offer: Option<&'a EyeTestOffer>,
    /// When the next eye test is to be offered.
    pub eye_test: Due,
}

impl DseStatus<'_> {
    /// An offer still waiting for the person's answer (or the date of the test).
    pub fn offer_awaiting_answer(&self) -> Option<&EyeTestOffer> {
        self.latest_offer.filter(|o| o.awaits_answer())
    }
}

/// What the home page counts for those who manage health and safety.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthCounts {
    /// Display screen users never assessed, or past their due date.
    pub assessments_overdue: usize,
    /// Due within the next 30 days.
    pub assessments_due_soon: usize,
    /// Never offered an eye test, or the next offer is overdue.
    pub eye_tests_overdue: usize,
    pub open_requests: usize,
    pub open_hazards: usize,
}

/// One dated thing for the reminder schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScheduleItem {
    /// A display screen user's next workstation assessment.
    Assessment { person: PersonId, due: Due },
    /// When a display screen user is next to be offered an eye test.
    EyeTestOffer { person: PersonId, due: Due },
    /// An offer waiting for the person's answer.
    EyeTestAnswer {
        person: PersonId,
        offer: EyeTestOfferId,
        offered_on: Date,
    },
    WorkstationRequest {
        id: WorkstationRequestId,
        person: PersonId,
        asked_at: Timestamp,
    },
    Hazard {
        id: HazardId,
        reported_by: PersonId,
        reported_at: Timestamp,
    },
}

impl HealthRecords {
    pub fn mark_of(&self, person: PersonId) -> Option<&DseMark> {
        self.marks.iter().find(|m| m.person_id == person)
    }

    /// The person's latest assessment: the latest day assessed, then the latest recorded.
    pub fn latest_assessment(&self, person: PersonId) -> Option<&Assessment> {
        self.assessments
            .iter()
            .filter(|a| a.person_id == person)
            .max_by_key(|a| (a.assessed_on, a.recorded_at))
    }

    pub fn latest_offer(&self, person: PersonId) -> Option<&EyeTestOffer> {
        self.offers
            .iter()
            .filter(|o| o.person_id == person)
            .max_by_key(|o| (o.offered_on, o.recorded_at))
    }

    pub fn is_dse_user(&self, person: &Person) -> bool {
        is_dse_user(person, self.mark_of(person.id))
    }

    /// The state of one person's assessment and eye tests today (whether or not they are a
    /// display screen user now).
    pub fn status<'a>(
        &'a self,
        person: &'a Person,
        rules: &DseRules,
        today: Date,
    ) -> DseStatus<'a> {
        let latest_assessment = self.latest_assessment(person.id);
        let assessment = match latest_assessment {
            None => Due::Never,
            Some(latest) => Due::of(next_assessment_due(latest, rules), today),
        };
        let latest_offer = self.latest_offer(person.id);
        let eye_test = match latest_offer {
            None => Due::Never,
            Some(latest) => Due::of(Some(next_eye_test_offer_due(latest, rules)), today),
        };
        DseStatus {
            person,
            latest_assessment,
            assessment,
            latest_offer,
            eye_test,
        }
    }

    /// Every display screen user among `people`, in the order given, with their state today.
    pub fn dse_statuses<'a>(
        &'a self,
        people: &'a [Person],
        rules: &DseRules,
        today: Date,
    ) -> Vec<DseStatus<'a>> {
        people
            .iter()
            .filter(|p| self.is_dse_user(p))
            .map(|p| self.status(p, rules, today))
            .collect()
    }

    pub fn open_requests(&self) -> impl Iterator<Item = &WorkstationRequest> {
        self.requests.iter().filter(|r| r.resolution.is_open())
    }

    pub fn open_hazards(&self) -> impl Iterator<Item = &HazardReport> {
        self.hazards.iter().filter(|h| h.resolution.is_open())
    }

    /// The counts the home page shows those who manage health and safety.
    pub fn counts(&self, people: &[Person], rules: &DseRules, today: Date) -> HealthCounts {
        let statuses = self.dse_statuses(people, rules, today);
        HealthCounts {
            assessments_overdue: statuses
                .iter()
                .filter(|s| s.assessment.needs_action())
                .count(),
            assessments_due_soon: statuses
                .iter()
                .filter(|s| matches!(s.assessment, Due::Soon { .. }))
                .count(),
            eye_tests_overdue: statuses
                .iter()
                .filter(|s| s.eye_test.needs_action())
                .count(),
            open_requests: self.open_requests().count(),
            open_hazards: self.open_hazards().count(),
        }
    }

    /// Everything dated, for the reminder schedule: each display screen user's next assessment
    /// and next eye-test offer (an assessment with no repeat promised is left out), offers
    /// awaiting an answer, and open requests and hazards.
    pub fn schedule(&self, people: &[Person], rules: &DseRules, today: Date) -> Vec<ScheduleItem> {
        let mut items = Vec::new();
        for status in self.dse_statuses(people, rules, today) {
            let person = status.person.id;
            if status.assessment != (Due::Ok { next: None }) {
                items.push(ScheduleItem::Assessment {
                    person,
                    due: status.assessment,
                });
            }
            items.push(ScheduleItem::EyeTestOffer {
                person,
                due: status.eye_test,
            });
            if let Some(offer) = status.offer_awaiting_answer() {
                items.push(ScheduleItem::EyeTestAnswer {
                    person,
                    offer: offer.id,
                    offered_on: offer.offered_on,
                });
            }
        }
        items.extend(
            self.open_requests()
                .map(|r| ScheduleItem::WorkstationRequest {
                    id: r.id,
                    person: r.person_id,
                    asked_at: r.asked_at,
                }),
        );
        items.extend(self.open_hazards().map(|h| ScheduleItem::Hazard {
            id: h.id,
            reported_by: h.reported_by,
            reported_at: h.reported_at,
        }));
        items
    }
}
