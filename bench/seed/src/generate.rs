//! What the seed is made of: a roster of people and a stream of realistic audit events, both
//! drawn from a seeded random number generator so every run builds the same shape of council.
//! Pure: no IO, and the caller supplies every time.

use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, IncidentId, PersonId};
use custodian_core::incident::IncidentKind;
use custodian_core::person::{Email, Person, PersonName, PersonStatus, Role, RoleSet};
use jiff::Timestamp;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

const FIRST_NAMES: &[&str] = &[
    "Alice",
    "Brian",
    "Carol",
    "David",
    "Eleanor",
    "Frank",
    "Grace",
    "Harold",
    "Isobel",
    "James",
    "Katherine",
    "Leonard",
    "Margaret",
    "Nigel",
    "Olivia",
    "Peter",
    "Rachel",
    "Simon",
    "Teresa",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Amrit",
    "Bronwen",
    "Ciaran",
    "Deborah",
    "Emeka",
];

const LAST_NAMES: &[&str] = &[
    "Archer",
    "Baker",
    "Carter",
    "Dawson",
    "Ellis",
    "Fletcher",
    "Gardner",
    "Hughes",
    "Iqbal",
    "Jenkins",
    "Khan",
    "Lawson",
    "Mitchell",
    "Norris",
    "Owen",
    "Patel",
    "Quinn",
    "Richards",
    "Shaw",
    "Turner",
    "Underwood",
    "Vaughan",
    "Walker",
    "Young",
];

/// A random UUID from the seeded generator (version 4), so ids repeat from run to run.
pub fn uuid(rng: &mut StdRng) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid()
}

/// The roles of the `index`th person after the Clerk: a small council's officers first, then
/// councillors and staff, then many volunteers and contractors.
fn roles_for(index: usize) -> RoleSet {
    match index {
        0 => RoleSet::of(&[Role::Chair, Role::Councillor]),
        1 => RoleSet::of(&[Role::ViceChair, Role::Councillor]),
        2..=13 => RoleSet::of(&[Role::Councillor]),
        14..=23 => RoleSet::of(&[Role::Staff]),
        24 | 25 => RoleSet::of(&[Role::ItProvider]),
        26 => RoleSet::of(&[Role::Auditor]),
        _ => RoleSet::of(&[Role::OtherAuthorisedUser]),
    }
}

/// `count` people besides the Clerk: mostly active, some still invited, some who have left.
pub fn roster(
    rng: &mut StdRng,
    council: CouncilId,
    count: usize,
    at: Timestamp,
) -> anyhow::Result<Vec<Person>> {
    let date = at.to_zoned(jiff::tz::TimeZone::UTC).date();
    (0..count)
        .map(|i| {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let status = match i % 20 {
                _ if i < 27 => PersonStatus::Active,
                0 | 7 => PersonStatus::Left,
                3 => PersonStatus::Invited,
                _ => PersonStatus::Active,
            };
            Ok(Person {
                id: PersonId::from_uuid(uuid(rng)),
                council_id: council,
                account_id: None,
                name: PersonName::parse(&format!("{first} {last}"))?,
                email: Email::parse(&format!(
                    "{}.{}.{i}@example.org",
                    first.to_lowercase(),
                    last.to_lowercase()
                ))?,
                roles: roles_for(i),
                status,
                start_date: Some(date),
                leave_date: (status == PersonStatus::Left).then_some(date),
                created_at: at,
            })
        })
        .collect()
}

/// The kinds of entry in the long log, with how often each happens (per thousand).
#[derive(Clone, Copy, Debug)]
enum Kind {
    SignInSucceeded,
    SignInFailed,
    SignOut,
    SessionEnded,
    PersonChanged,
    PersonAdded,
    PersonLeft,
    InvitationCreated,
    InvitationAccepted,
    IncidentOpened,
    PermissionDenied,
    AuditExported,
    MfaEnabled,
    SettingsChanged,
    RefusedCsrf,
}

const MIX: &[(u32, Kind)] = &[
    (300, Kind::SignInSucceeded),
    (80, Kind::SignInFailed),
    (100, Kind::SignOut),
    (100, Kind::SessionEnded),
    (120, Kind::PersonChanged),
    (20, Kind::PersonAdded),
    (10, Kind::PersonLeft),
    (60, Kind::InvitationCreated),
    (30, Kind::InvitationAccepted),
    (40, Kind::IncidentOpened),
    (60, Kind::PermissionDenied),
    (20, Kind::AuditExported),
    (30, Kind::MfaEnabled),
    (10, Kind::SettingsChanged),
    (20, Kind::RefusedCsrf),
];

const DENIED: &[&str] = &[
    "ViewAuditLog",
    "ManagePeople",
    "ExportAuditLog",
    "ChangeSettings",
];
const PATHS: &[&str] = &["/people/new", "/settings", "/incidents/new", "/sign-out"];

/// Makes the events of the long log. Actors are skewed as in a real council: the Clerk does
/// about a third of everything, a few officers much of the rest, volunteers little.
pub struct EventMaker {
    rng: StdRng,
    council: CouncilId,
    clerk: PersonId,
    /// Everyone, the Clerk first, then in roster order (officers before volunteers).
    people: Vec<(PersonId, RoleSet)>,
    incidents: Vec<IncidentId>,
    total_weight: u32,
}

impl EventMaker {
    pub fn new(
        rng: StdRng,
        council: CouncilId,
        clerk: PersonId,
        people: Vec<(PersonId, RoleSet)>,
        incidents: Vec<IncidentId>,
    ) -> Self {
        Self {
            rng,
            council,
            clerk,
            people,
            incidents,
            total_weight: MIX.iter().map(|(w, _)| w).sum(),
        }
    }

    fn kind(&mut self) -> Kind {
        let mut pick = self.rng.gen_range(0..self.total_weight);
        for (weight, kind) in MIX {
            if pick < *weight {
                return *kind;
            }
            pick -= weight;
        }
        Kind::SignInSucceeded
    }

    /// Someone who uses Custodian: the Clerk a third of the time, otherwise skewed towards the
    /// front of the roster (cubing a uniform number favours small indices).
    fn someone(&mut self) -> PersonId {
        if self.rng.gen_bool(0.35) || self.people.is_empty() {
            return self.clerk;
        }
        let u: f64 = self.rng.r#gen();
        let index = ((u * u * u) * self.people.len() as f64) as usize;
        self.people[index.min(self.people.len() - 1)].0
    }

    fn anyone(&mut self) -> (PersonId, RoleSet) {
        let index = self.rng.gen_range(0..self.people.len().max(1));
        self.people
            .get(index)
            .copied()
            .unwrap_or((self.clerk, RoleSet::of(&[Role::Clerk])))
    }

    /// The next event, happening at `at`.
    pub fn event(&mut self, at: Timestamp) -> AuditEvent {
        let kind = self.kind();
        let council = self.council;
        let clerk = self.clerk;
        let new = |actor: PersonId, action: &str| {
            AuditEvent::new(council, at, Actor::Person(actor), action)
        };
        match kind {
            Kind::SignInSucceeded => {
                let who = self.someone();
                let method = if self.rng.gen_bool(0.9) {
                    "totp"
                } else {
                    "recovery_code"
                };
                new(who, "signin.succeeded")
                    .subject(format!("person:{who}"))
                    .details(json!({ "second_factor": method }))
            }
            Kind::SignInFailed => {
                let who = self.someone();
                let failures = self.rng.gen_range(1..=5);
                new(who, "signin.failed")
                    .subject(format!("person:{who}"))
                    .details(json!({ "consecutive_failures": failures, "locked": failures == 5 }))
            }
            Kind::SignOut => {
                let who = self.someone();
                new(who, "signout").subject(format!("person:{who}"))
            }
            Kind::SessionEnded => {
                let who = self.someone();
                let reason = if self.rng.gen_bool(0.8) {
                    "idle"
                } else {
                    "absolute_timeout"
                };
                new(who, "session.ended")
                    .subject(format!("person:{who}"))
                    .details(json!({ "reason": reason }))
            }
            Kind::PersonChanged => {
                let (subject, roles) = self.anyone();
                new(clerk, "person.changed")
                    .subject(format!("person:{subject}"))
                    .details(json!({
                        "roles_before": roles.to_storage(),
                        "roles_after": roles.to_storage(),
                        "name_changed": self.rng.gen_bool(0.3),
                        "email_changed": self.rng.gen_bool(0.5),
                    }))
            }
            Kind::PersonAdded => {
                let (subject, roles) = self.anyone();
                new(clerk, "person.added")
                    .subject(format!("person:{subject}"))
                    .details(json!({ "roles": roles.to_storage() }))
            }
            Kind::PersonLeft => {
                let (subject, _) = self.anyone();
                let day = at.to_zoned(jiff::tz::TimeZone::UTC).date();
                new(clerk, "person.left")
                    .subject(format!("person:{subject}"))
                    .details(json!({ "leave_date": day.to_string() }))
            }
            Kind::InvitationCreated => {
                let (subject, _) = self.anyone();
                let expires = at + jiff::SignedDuration::from_hours(7 * 24);
                new(clerk, "invitation.created")
                    .subject(format!("person:{subject}"))
                    .details(json!({ "expires_at": expires.to_string() }))
            }
            Kind::InvitationAccepted => {
                let (who, _) = self.anyone();
                new(who, "invitation.accepted").subject(format!("person:{who}"))
            }
            Kind::IncidentOpened => {
                let who = self.someone();
                let incident = self
                    .incidents
                    .get(self.rng.gen_range(0..self.incidents.len().max(1)))
                    .map(|id| format!("incident:{id}"))
                    .unwrap_or_default();
                let kind = IncidentKind::ALL[self.rng.gen_range(0..IncidentKind::ALL.len())];
                new(who, "incident.opened")
                    .subject(incident)
                    .details(json!({ "kind": kind.as_str() }))
            }
            Kind::PermissionDenied => {
                let (who, _) = self.anyone();
                let action = DENIED[self.rng.gen_range(0..DENIED.len())];
                new(who, "permission.denied").details(json!({ "action": action }))
            }
            Kind::AuditExported => {
                let entries = self.rng.gen_range(1..=10_000);
                new(clerk, "audit.exported").details(json!({ "entries": entries }))
            }
            Kind::MfaEnabled => {
                let who = self.someone();
                new(who, "mfa.totp_enabled")
                    .subject(format!("person:{who}"))
                    .details(json!({ "replaced_previous": self.rng.gen_bool(0.2) }))
            }
            Kind::SettingsChanged => new(clerk, "council.settings_changed")
                .subject(format!("council:{council}"))
                .details(json!({ "mfa_required_roles": "clerk,it_provider" })),
            Kind::RefusedCsrf => {
                let who = self.someone();
                let path = PATHS[self.rng.gen_range(0..PATHS.len())];
                new(who, "request.refused_csrf").details(json!({ "path": path }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_core::audit::{AuditEntry, ChainVerifier};
    use rand::SeedableRng;

    #[test]
    fn generated_events_chain_and_verify() {
        let mut rng = StdRng::seed_from_u64(7);
        let council = CouncilId::generate();
        let at = Timestamp::from_second(1_700_000_000).unwrap();
        let people = roster(&mut rng, council, 50, at).unwrap();
        let clerk = PersonId::generate();
        let cast = people.iter().map(|p| (p.id, p.roles)).collect();
        let mut maker = EventMaker::new(rng, council, clerk, cast, vec![IncidentId::generate()]);
        let mut entries: Vec<AuditEntry> = Vec::new();
        for i in 0..2_000 {
            let event = maker.event(at + jiff::SignedDuration::from_secs(i));
            let entry = event.chain(entries.last().map(|e| e.head()).as_ref());
            entries.push(entry);
        }
        let mut verifier = ChainVerifier::new();
        entries.iter().for_each(|e| verifier.push(e));
        assert!(verifier.finish().is_intact());
        let actions: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.len() >= 10,
            "a realistic mix of actions: {actions:?}"
        );
    }

    #[test]
    fn the_roster_has_officers_volunteers_and_leavers() {
        let mut rng = StdRng::seed_from_u64(1);
        let people = roster(&mut rng, CouncilId::generate(), 199, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(people.len(), 199);
        assert!(people[0].roles.contains(Role::Chair));
        assert!(people.iter().any(|p| p.status == PersonStatus::Left));
        assert!(people.iter().any(|p| p.status == PersonStatus::Invited));
        let emails: std::collections::HashSet<&str> =
            people.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails.len(), 199, "emails are unique within the council");
    }
}
