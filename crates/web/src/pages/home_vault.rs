//! The password vault's part of the home page: passwords to change now, renewals coming up,
//! suppliers' defaults not confirmed changed (4.1.1), requests for access waiting for a
//! decision (4.1.2), and live emergency access to the sealed passwords (4.1.2).

use super::home::{Attention, plural};
use crate::session::SignedIn;
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::vault::{
    self, AccessGrant, Attention as ItemAttention, EmergencyAccess, EmergencyState, VaultItem,
};
use jiff::Timestamp;

/// The council's vault at a glance, kept with the rest of the cached dashboard.
#[derive(Clone, Debug, Default)]
pub struct VaultDashboard {
    /// Items whose password must change now: compromised, opened in an emergency, or overdue.
    pub change_now: usize,
    /// Items whose renewal is overdue or within 30 days, with the earliest date.
    pub renewals: usize,
    pub earliest_renewal: Option<jiff::civil::Date>,
    /// Items whose supplier default password is not confirmed changed.
    pub defaults_unconfirmed: usize,
    /// Who asked, for each request waiting for a decision.
    pub pending_requests: Vec<PersonId>,
    /// Emergencies waiting or open, with who opened each and where it stands.
    pub live_emergencies: Vec<(PersonId, EmergencyState)>,
}

impl VaultDashboard {
    pub fn of(
        items: &[VaultItem],
        grants: &[AccessGrant],
        emergencies: &[EmergencyAccess],
        now: Timestamp,
    ) -> Self {
        let mut found = Self::default();
        for item in items {
            let needs = vault::attention(item, now);
            let any = |wanted: fn(&ItemAttention) -> bool| needs.iter().any(wanted);
            if any(|a| {
                matches!(
                    a,
                    ItemAttention::Compromised
                        | ItemAttention::ChangeNow
                        | ItemAttention::RotationOverdue { .. }
                )
            }) {
                found.change_now += 1;
            }
            for need in &needs {
                if let ItemAttention::RenewalOverdue { since: on }
                | ItemAttention::RenewalDueSoon { on } = need
                {
                    found.renewals += 1;
                    found.earliest_renewal =
                        Some(found.earliest_renewal.map_or(*on, |e| e.min(*on)));
                }
            }
            if any(|a| matches!(a, ItemAttention::DefaultNotConfirmedChanged)) {
                found.defaults_unconfirmed += 1;
            }
        }
        found.pending_requests = grants
            .iter()
            .filter(|g| g.is_pending())
            .map(|g| g.requester)
            .collect();
        found.live_emergencies = emergencies
            .iter()
            .map(|e| (e.opened_by, e.state(now)))
            .filter(|(_, state)| state.is_live())
            .collect();
        found
    }
}

/// Adds the vault's lines to the home page, each for those who can act on it.
pub fn attention(
    signed_in: &SignedIn,
    vault: &VaultDashboard,
    now: Timestamp,
    attention: &mut Vec<Attention>,
) {
    let me = signed_in.current.person.id;
    if signed_in.may(Action::EmergencyAccess) {
        for (opener, state) in &vault.live_emergencies {
            let who = if *opener == me {
                "You"
            } else {
                "The emergency holder"
            };
            let text = match state {
                EmergencyState::Waiting { opens_at } => format!(
                    "{who} opened emergency access to the sealed passwords (clause 4.1.2). It opens {} unless someone objects.",
                    crate::nav::local_time(*opens_at)
                ),
                _ => format!(
                    "Emergency access to the sealed passwords is open (clause 4.1.2), opened by {}.",
                    if *opener == me {
                        "you"
                    } else {
                        "the emergency holder"
                    }
                ),
            };
            attention.push(Attention {
                text,
                href: "/vault/emergency".into(),
                action: "See emergency access",
            });
        }
    }
    let waiting = vault
        .pending_requests
        .iter()
        .filter(|requester| **requester != me)
        .count();
    if signed_in.may(Action::ApproveVaultAccess) && waiting > 0 {
        attention.push(Attention {
            text: format!(
                "{} for time-limited access to passwords {} for a decision (clause 4.1.2).",
                plural(waiting, "One request", "requests"),
                if waiting == 1 {
                    "is waiting"
                } else {
                    "are waiting"
                },
            ),
            href: "/vault/requests".into(),
            action: "Decide on requests",
        });
    }
    if !signed_in.may(Action::ViewVault) {
        return;
    }
    if vault.change_now > 0 {
        attention.push(Attention {
            text: format!(
                "{} to be changed now: marked compromised, opened in an emergency, or past {} date for a change.",
                plural(vault.change_now, "One shared password needs", "shared passwords need"),
                if vault.change_now == 1 { "its" } else { "their" },
            ),
            href: "/vault".into(),
            action: "See the passwords",
        });
    }
    if let Some(first) = vault.earliest_renewal {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        attention.push(Attention {
            text: format!(
                "{} renewing{}: the first {} {}. An account that lapses can be taken by someone else.",
                plural(vault.renewals, "One account (domain, hosting or certificate) needs", "accounts (domains, hosting or certificates) need"),
                if first <= today { ", and at least one is overdue" } else { " soon" },
                if first <= today { "was due" } else { "is due" },
                crate::nav::local_date(first),
            ),
            href: "/vault".into(),
            action: "See the passwords",
        });
    }
    if vault.defaults_unconfirmed > 0 {
        attention.push(Attention {
            text: format!(
                "{} not been confirmed as changed from the supplier's default password (clause 4.1.1).",
                plural(vault.defaults_unconfirmed, "One stored password has", "stored passwords have"),
            ),
            href: "/vault".into(),
            action: "See the passwords",
        });
    }
}
