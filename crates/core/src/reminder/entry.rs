//! The schedule's entries: what is due ([`Due`]), what sort of thing it is ([`Kind`]), who acts
//! ([`Who`], [`Chase`]) and how pressing it is on a given day ([`Urgency`]).

use crate::ids::PersonId;
use crate::permission::{Action, may};
use crate::person::RoleSet;
use jiff::ToSpan;
use jiff::civil::Date;

/// How many days ahead an entry counts as due soon.
pub const DUE_SOON_DAYS: i64 = 14;

/// What sort of thing is due. `as_str` is stable: it is part of each calendar event's UID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    PolicyReview,
    Declaration,
    DeviceFacts,
    PasswordChange,
    Renewal,
    WarrantyEnds,
    BreachDeadline,
    LeaverChecklist,
    ApprovalDecision,
    ApprovalEnds,
    WorkstationAssessment,
    EyeTestOffer,
    EyeTestAnswer,
    WorkstationRequest,
    Hazard,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PolicyReview => "policy-review",
            Kind::Declaration => "declaration",
            Kind::DeviceFacts => "device-facts",
            Kind::PasswordChange => "password-change",
            Kind::Renewal => "renewal",
            Kind::WarrantyEnds => "warranty-ends",
            Kind::BreachDeadline => "breach-deadline",
            Kind::LeaverChecklist => "leaver-checklist",
            Kind::ApprovalDecision => "approval-decision",
            Kind::ApprovalEnds => "approval-ends",
            Kind::WorkstationAssessment => "workstation-assessment",
            Kind::EyeTestOffer => "eye-test-offer",
            Kind::EyeTestAnswer => "eye-test-answer",
            Kind::WorkstationRequest => "workstation-request",
            Kind::Hazard => "hazard",
        }
    }

    /// A short label for lists and calendar categories.
    pub fn label(self) -> &'static str {
        match self {
            Kind::PolicyReview => "Policy review",
            Kind::Declaration => "Policy declaration",
            Kind::DeviceFacts => "Device settings",
            Kind::PasswordChange => "Password change",
            Kind::Renewal => "Renewal",
            Kind::WarrantyEnds => "Warranty",
            Kind::BreachDeadline => "Data breach",
            Kind::LeaverChecklist => "Leaving checklist",
            Kind::ApprovalDecision => "Approval to decide",
            Kind::ApprovalEnds => "Approval ends",
            Kind::WorkstationAssessment => "Workstation assessment",
            Kind::EyeTestOffer => "Eye test",
            Kind::EyeTestAnswer => "Eye test",
            Kind::WorkstationRequest => "Workstation request",
            Kind::Hazard => "Hazard",
        }
    }
}

/// What an entry is about: a record's id and the name people know it by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub id: String,
    pub name: String,
}

/// Who must act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// One person: their own declaration, their own device.
    Person(PersonId),
    /// Whoever the permission matrix lets take this action (e.g. `ManageVault`: the Clerk),
    /// so the schedule follows `permission.rs` rather than naming roles a second time.
    MayDo(Action),
}

impl Who {
    /// "the Clerk", "the Clerk or the Chair"; a person's name is the caller's to find.
    pub fn role_words(action: Action) -> String {
        let roles: Vec<String> = action
            .allowed_roles()
            .iter()
            .map(|r| format!("the {}", r.label()))
            .collect();
        roles.join(" or ")
    }
}

/// Someone who follows up an entry that is another person's to do (the Clerk chases
/// signatures), with the page they would use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chase {
    pub by: Action,
    pub link: String,
}

/// One thing due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub kind: Kind,
    pub subject: Subject,
    /// What to do, in plain words. Never a secret, never health details.
    pub title: String,
    pub due: Date,
    pub for_whom: Who,
    pub chase: Option<Chase>,
    /// The local path of the page to deal with it.
    pub link: String,
    /// The policy clause (or law) it comes from.
    pub clause: &'static str,
}

/// How pressing an entry is on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    /// Due today or within [`DUE_SOON_DAYS`] days.
    DueSoon,
    Later,
}

impl Due {
    pub fn urgency(&self, today: Date) -> Urgency {
        if self.due < today {
            Urgency::Overdue
        } else if self.due <= today.checked_add(DUE_SOON_DAYS.days()).unwrap_or(Date::MAX) {
            Urgency::DueSoon
        } else {
            Urgency::Later
        }
    }

    /// Stable within the council: the same thing due keeps the same key, so a calendar
    /// updates its event rather than adding another when the date moves.
    pub fn key(&self) -> String {
        format!("{}-{}", self.kind.as_str(), self.subject.id)
    }

    /// Whether `person` (with `roles`) must act on it or follows it up.
    pub fn concerns(&self, person: PersonId, roles: RoleSet) -> bool {
        let acts = match self.for_whom {
            Who::Person(id) => id == person,
            Who::MayDo(action) => may(roles, action),
        };
        acts || self.chase.as_ref().is_some_and(|c| may(roles, c.by))
    }

    /// The page for `person`: their own page if it is theirs to do, else the follow-up page.
    pub fn link_for(&self, person: PersonId) -> &str {
        match (&self.for_whom, &self.chase) {
            (Who::Person(id), Some(chase)) if *id != person => &chase.link,
            _ => &self.link,
        }
    }
}
