//! What needs doing about an item: shown on the vault list, the item page and the home page.

use super::{SecretField, VaultItem};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// How far ahead a rotation or renewal is shown as coming up.
pub const DUE_SOON_DAYS: i64 = 30;

/// One thing to do about an item, most urgent first when sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attention {
    /// Marked compromised: change the password now (4.1.4 "immediately change password if
    /// compromise is suspected").
    Compromised,
    /// Opened in an emergency or otherwise flagged: change the password now.
    ChangeNow,
    RenewalOverdue {
        since: Date,
    },
    RotationOverdue {
        since: Date,
    },
    /// The supplier's default password has not been confirmed changed (4.1.1).
    DefaultNotConfirmedChanged,
    NoPasswordStored,
    RenewalDueSoon {
        on: Date,
    },
    RotationDueSoon {
        on: Date,
    },
}

impl Attention {
    /// Plain words for a tag or a home-page line.
    pub fn describe(self) -> String {
        match self {
            Attention::Compromised => "Compromised: change the password now".to_owned(),
            Attention::ChangeNow => "Change the password now".to_owned(),
            Attention::RenewalOverdue { since } => {
                format!(
                    "Renewal was due {}",
                    crate::policy::document::format_date(since)
                )
            }
            Attention::RotationOverdue { since } => {
                format!(
                    "Password change was due {}",
                    crate::policy::document::format_date(since)
                )
            }
            Attention::DefaultNotConfirmedChanged => {
                "Not yet confirmed that the supplier's default password was changed".to_owned()
            }
            Attention::NoPasswordStored => "No password stored".to_owned(),
            Attention::RenewalDueSoon { on } => {
                format!("Renewal due {}", crate::policy::document::format_date(on))
            }
            Attention::RotationDueSoon { on } => {
                format!(
                    "Password change due {}",
                    crate::policy::document::format_date(on)
                )
            }
        }
    }

    /// Whether it is overdue or urgent (red) rather than coming up (amber).
    pub fn is_urgent(self) -> bool {
        !matches!(
            self,
            Attention::RenewalDueSoon { .. } | Attention::RotationDueSoon { .. }
        )
    }
}

/// When the next scheduled password change falls, if the item has a schedule.
pub fn rotation_due(item: &VaultItem) -> Option<Date> {
    let days = item.rotation_days?;
    let from = item.last_rotated.unwrap_or(item.created_at);
    let day = from.to_zoned(TimeZone::UTC).date();
    day.checked_add(i64::from(days).days()).ok()
}

/// Everything needing attention on the item at `now`, most urgent first.
pub fn attention(item: &VaultItem, now: Timestamp) -> Vec<Attention> {
    let today = now.to_zoned(TimeZone::UTC).date();
    let soon = today.checked_add(DUE_SOON_DAYS.days()).unwrap_or(Date::MAX);
    let mut found = Vec::new();
    if item.compromised.is_some() {
        found.push(Attention::Compromised);
    } else if item.rotation_forced_at.is_some() {
        found.push(Attention::ChangeNow);
    }
    if let Some(due) = item.renewal_due {
        if due <= today {
            found.push(Attention::RenewalOverdue { since: due });
        } else if due <= soon {
            found.push(Attention::RenewalDueSoon { on: due });
        }
    }
    if let Some(due) = rotation_due(item) {
        if due <= today {
            found.push(Attention::RotationOverdue { since: due });
        } else if due <= soon {
            found.push(Attention::RotationDueSoon { on: due });
        }
    }
    if item.default_changed.is_none() {
        found.push(Attention::DefaultNotConfirmedChanged);
    }
    if !item.has(SecretField::Password) {
        found.push(Attention::NoPasswordStored);
    }
    found.sort();
    found
}
