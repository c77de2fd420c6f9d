//! The plain-words message for a finding, written on demand from the numbers it keeps.
//!
//! Messages speak to the person who uses the device ("Your phone locks after 30 minutes"),
//! state the council's rule with its clause, and for anything not yet compliant say how to
//! check or change the setting on that operating system.

use super::compliance::{Finding, Requirement, Seen, Status, UnknownReason};
use super::facts::{AttemptLimit, IdleLock, Platform, ScreenLock, WorkProfile};
use crate::policy::document::format_date;
use crate::policy::version::london_today;
use std::fmt::Write;

impl Finding {
    /// For example: "Your phone locks after 30 minutes; the council's policy says 5 minutes
    /// or less (clause 2.2.6). How to change it on Android: Settings → Display → Screen
    /// timeout."
    pub fn message(&self) -> String {
        let mut out = String::with_capacity(240);
        // Writing to a String cannot fail.
        let _ = self.write_message(&mut out);
        out
    }

    fn write_message(&self, out: &mut String) -> std::fmt::Result {
        let device = self.kind.noun();
        match self.seen {
            Seen::Unknown(UnknownReason::NotRecorded) => {
                write!(out, "We do not know {}. ", self.question(device))?;
            }
            Seen::Unknown(UnknownReason::Stale { confirmed_at }) => {
                let question = self.question(device);
                let mut chars = question.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
                write!(
                    out,
                    ": last confirmed on {}; please confirm again. ",
                    format_date(london_today(confirmed_at))
                )?;
            }
            _ => {
                self.write_observed(out, device)?;
                out.push_str("; ");
            }
        }
        let says = if matches!(self.seen, Seen::Unknown(_)) {
            "The council's policy says"
        } else {
            "the council's policy says"
        };
        write!(out, "{says} ")?;
        self.write_rule(out)?;
        write!(out, " (clause {}).", self.clause)?;
        if self.status != Status::Compliant {
            let verb = if self.status == Status::Unknown {
                "check"
            } else {
                "change"
            };
            match platform_name(self.platform) {
                Some(name) => write!(out, " How to {verb} it on {name}: {}", self.how_to())?,
                None => write!(out, " {}", self.how_to())?,
            }
        }
        Ok(())
    }

    /// What is not known, as it follows "We do not know".
    fn question(&self, device: &str) -> String {
        match self.requirement {
            Requirement::DiskEncryption => format!("whether your {device} is encrypted"),
            Requirement::ScreenLock => format!("how your {device}'s screen is locked"),
            Requirement::PinLength => format!("how many digits your {device}'s PIN has"),
            Requirement::LockoutAttempts => {
                format!("after how many wrong tries your {device} locks")
            }
            Requirement::IdleLock => format!("how soon your {device} locks when left alone"),
            Requirement::OsSupported => {
                format!("whether your {device}'s operating system still gets security updates")
            }
            Requirement::OsUpdated => format!("when your {device} was last updated"),
            Requirement::RemoteWipe => format!("whether remote wipe is on for your {device}"),
            Requirement::WorkProfile => format!("whether your {device} uses a work profile"),
            Requirement::AntiMalware => {
                format!("whether your {device} has anti-virus protection turned on")
            }
        }
    }

    fn write_observed(&self, out: &mut String, device: &str) -> std::fmt::Result {
        match (self.requirement, self.seen) {
            (Requirement::DiskEncryption, Seen::Flag(on)) => {
                write!(out, "Your {device} is {}encrypted", not(on))
            }
            (Requirement::OsSupported, Seen::Flag(on)) => write!(
                out,
                "Your {device}'s operating system {} security updates from its maker",
                if on { "still gets" } else { "no longer gets" }
            ),
            (Requirement::RemoteWipe, Seen::Flag(on)) => {
                write!(out, "Remote wipe is {}turned on for your {device}", not(on))
            }
            (Requirement::AntiMalware, Seen::Flag(on)) => write!(
                out,
                "Your {device} {} anti-virus protection turned on",
                if on { "has" } else { "does not have" }
            ),
            (_, Seen::Lock(lock)) => write!(out, "Your {device} {}", lock_words(lock)),
            (_, Seen::NoPin(lock)) => {
                write!(out, "Your {device} {}, so it has no PIN", lock_words(lock))
            }
            (_, Seen::UsesPassword) => write!(out, "Your {device} is locked with a password"),
            (_, Seen::PinDigits(digits)) => write!(
                out,
                "Your {device}'s PIN has {}",
                count(digits.into(), "digit", "digits")
            ),
            (_, Seen::Lockout(limit)) => match limit {
                AttemptLimit::Never => write!(out, "Your {device} does not lock after wrong tries"),
                AttemptLimit::After { attempts } => write!(
                    out,
                    "Your {device} locks after {}",
                    count(attempts.get().into(), "wrong try", "wrong tries")
                ),
            },
            (_, Seen::WipesAfter(limit)) => match limit {
                AttemptLimit::Never => write!(out, "Your {device} does not erase itself"),
                AttemptLimit::After { attempts } => write!(
                    out,
                    "Your {device} erases itself after {}",
                    count(attempts.get().into(), "wrong try", "wrong tries")
                ),
            },
            (_, Seen::Idle(idle)) => match idle {
                IdleLock::Never => write!(out, "Your {device} never locks by itself"),
                IdleLock::After { seconds } => {
                    let seconds = seconds.get();
                    let after = if seconds % 60 == 0 {
                        count(seconds / 60, "minute", "minutes")
                    } else {
                        count(seconds, "second", "seconds")
                    };
                    write!(out, "Your {device} locks after {after}")
                }
            },
            (_, Seen::UpdatedOn(on)) => {
                write!(out, "Your {device} was last updated on {}", format_date(on))
            }
            (_, Seen::Work(work)) => match work {
                WorkProfile::InUse => write!(out, "Your {device} uses a work profile"),
                WorkProfile::AvailableButUnused => write!(
                    out,
                    "Your {device} offers a work profile, but council work is not kept in it"
                ),
                WorkProfile::NotAvailable => write!(
                    out,
                    "Your {device} does not offer a work profile, so keep council data in separate apps"
                ),
            },
            (_, Seen::Flag(on)) => write!(out, "Your {device}: {}", if on { "yes" } else { "no" }),
            (_, Seen::Unknown(_)) => Ok(()),
        }
    }

    fn write_rule(&self, out: &mut String) -> std::fmt::Result {
        let limit = u32::from(self.limit);
        match self.requirement {
            Requirement::DiskEncryption => {
                out.push_str("every device that holds council data must be encrypted");
            }
            Requirement::ScreenLock => out.push_str("it must be locked with a PIN or password"),
            Requirement::PinLength => write!(
                out,
                "a PIN of at least {}, or a stronger password",
                count(limit, "digit", "digits")
            )?,
            Requirement::LockoutAttempts => write!(
                out,
                "it must lock after {} or fewer",
                count(limit, "wrong try", "wrong tries")
            )?,
            Requirement::IdleLock => {
                write!(out, "{} or less", count(limit, "minute", "minutes"))?;
            }
            Requirement::OsSupported => {
                out.push_str("it must run an operating system that its maker still supports");
            }
            Requirement::OsUpdated => write!(
                out,
                "its operating system must be kept up to date; Custodian asks for an update within the last {}",
                count(limit, "day", "days")
            )?,
            Requirement::RemoteWipe => out.push_str("remote wipe must be turned on"),
            Requirement::WorkProfile => out.push_str(
                "council work must be kept in the work profile where the device offers one",
            ),
            Requirement::AntiMalware => {
                out.push_str("computers must be protected against viruses");
            }
        }
        Ok(())
    }
}

fn not(on: bool) -> &'static str {
    if on { "" } else { "not " }
}

fn lock_words(lock: ScreenLock) -> &'static str {
    match lock {
        ScreenLock::None => "has no screen lock",
        ScreenLock::Swipe => "opens with a swipe",
        ScreenLock::Pattern => "is locked with a pattern",
        ScreenLock::Pin => "is locked with a PIN",
        ScreenLock::Password => "is locked with a password",
        ScreenLock::BiometricWithPin => "is locked with a fingerprint or face and a PIN",
        ScreenLock::BiometricWithPassword => "is locked with a fingerprint or face and a password",
    }
}

fn platform_name(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::Windows => Some("Windows"),
        Platform::MacOs => Some("a Mac"),
        Platform::Linux => Some("Linux"),
        Platform::Ios => Some("an iPhone or iPad"),
        Platform::Android => Some("Android"),
        Platform::ChromeOs => Some("a Chromebook"),
        Platform::Other => None,
    }
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
