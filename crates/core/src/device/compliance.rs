//! Compliance evaluation: the council's policy profile × one device's facts × now gives a
//! finding per requirement: compliant, action needed, or unknown, with the clause it comes from.
//!
//! Pure and allocation-free: a finding keeps the numbers it was judged on and writes its
//! message only when asked ([`Finding::message`]), so a Clerk's table of thousands of devices
//! costs nothing until it is shown. Unknown is never counted as compliant.

use super::facts::{
    AttemptLimit, DeviceFacts, DeviceKind, Fact, IdleLock, Ownership, Platform, ScreenLock,
    WorkProfile,
};
use crate::policy::profile::{PolicyProfile, ProfileField};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

/// What a person says about their own device is believed for this long, then asked again
/// (issue 4, item 7). Settings drift: phones are replaced, PINs reset, timeouts lengthened.
pub const SELF_ATTESTATION_VALID_FOR_MONTHS: i64 = 12;

/// A device whose last operating system update is older than this is out of date. Windows,
/// macOS, iOS and Android all publish security fixes about monthly, so 60 days means at least
/// one month's fixes have been missed; any shorter and a fortnight's holiday would flag a
/// careful user. (Cyber Essentials' 14 days runs from each fix's release, which Custodian
/// cannot see from a device's last update date.)
pub const OS_UPDATE_WINDOW_DAYS: i64 = 60;

/// Encryption of every portable device is stated in 2.1.4; the own-device section says the
/// same rules apply to people's own devices (2.2.1), so 2.1.4 is cited for both.
const ENCRYPTION_CLAUSE: &str = "2.1.4";
/// "Devices that run a supported, up-to-date operating system will normally be approved."
const OS_SUPPORTED_CLAUSE: &str = "2.2.1";
/// "its operating system and apps are kept up to date" and "remote wipe is turned on".
const UPDATES_AND_WIPE_CLAUSE: &str = "2.2.6";
/// "Where a device offers a separate work profile, use it for all council work."
const WORK_PROFILE_CLAUSE: &str = "2.2.5";
/// "All computers are checked and scanned from time to time for viruses."
const ANTI_MALWARE_CLAUSE: &str = "5.1.14";

/// A rule of the policy that a device is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    DiskEncryption,
    ScreenLock,
    PinLength,
    LockoutAttempts,
    IdleLock,
    OsSupported,
    OsUpdated,
    RemoteWipe,
    WorkProfile,
    AntiMalware,
}

impl Requirement {
    pub const COUNT: usize = 10;
    pub const ALL: [Requirement; Self::COUNT] = [
        Requirement::DiskEncryption,
        Requirement::ScreenLock,
        Requirement::PinLength,
        Requirement::LockoutAttempts,
        Requirement::IdleLock,
        Requirement::OsSupported,
        Requirement::OsUpdated,
        Requirement::RemoteWipe,
        Requirement::WorkProfile,
        Requirement::AntiMalware,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Requirement::DiskEncryption => "Encryption",
            Requirement::ScreenLock => "Screen lock",
            Requirement::PinLength => "PIN length",
            Requirement::LockoutAttempts => "Lock after failed attempts",
            Requirement::IdleLock => "Lock when left alone",
            Requirement::OsSupported => "Operating system still supported",
            Requirement::OsUpdated => "Operating system up to date",
            Requirement::RemoteWipe => "Remote wipe",
            Requirement::WorkProfile => "Separate work profile",
            Requirement::AntiMalware => "Anti-virus",
        }
    }

    /// Whether the rule applies to this device at all; rules that do not are left out rather
    /// than shown as passed.
    fn applies_to(self, device: &DeviceFacts) -> bool {
        match self {
            Requirement::DiskEncryption
            | Requirement::ScreenLock
            | Requirement::IdleLock
            | Requirement::OsSupported
            | Requirement::OsUpdated => true,
            // 2.1.4 asks these of council phones and tablets; 2.2.6 of every own device.
            Requirement::PinLength | Requirement::LockoutAttempts => {
                device.kind.is_mobile() || device.ownership == Ownership::Personal
            }
            Requirement::RemoteWipe => device.kind.is_mobile(),
            // Work profiles are an Android feature; council-owned phones hold only council data.
            Requirement::WorkProfile => {
                device.platform == Platform::Android && device.ownership == Ownership::Personal
            }
            // Built-in protection on iOS, Android and ChromeOS leaves nothing to check.
            Requirement::AntiMalware => {
                matches!(device.platform, Platform::Windows | Platform::MacOs)
            }
        }
    }
}

/// The result of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Compliant,
    ActionNeeded,
    /// Not enough is known. Never shown or counted as compliant.
    Unknown,
}

/// Why a finding is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownReason {
    /// Nobody has reported the fact.
    NotRecorded,
    /// Self-reported longer ago than [`SELF_ATTESTATION_VALID_FOR_MONTHS`] allows.
    Stale { confirmed_at: Timestamp },
}

/// What the facts showed, kept so the message can be written on demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Seen {
    Unknown(UnknownReason),
    Flag(bool),
    Lock(ScreenLock),
    PinDigits(u8),
    UsesPassword,
    NoPin(ScreenLock),
    Lockout(AttemptLimit),
    WipesAfter(AttemptLimit),
    Idle(IdleLock),
    UpdatedOn(Date),
    Work(WorkProfile),
}

/// One requirement judged for one device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub(super) requirement: Requirement,
    pub(super) status: Status,
    pub(super) clause: &'static str,
    pub(super) kind: DeviceKind,
    pub(super) platform: Platform,
    pub(super) seen: Seen,
    /// The profile's number for this rule (PIN digits, attempts, idle minutes, update days).
    pub(super) limit: u16,
}

impl Finding {
    pub fn requirement(&self) -> Requirement {
        self.requirement
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// The clause of Custodian's model document the rule comes from.
    pub fn clause(&self) -> &'static str {
        self.clause
    }

    /// Why the finding is unknown, if it is.
    pub fn unknown_reason(&self) -> Option<UnknownReason> {
        match self.seen {
            Seen::Unknown(reason) => Some(reason),
            _ => None,
        }
    }

    /// How to check or change the setting on this device's operating system.
    pub fn how_to(&self) -> &'static str {
        super::hints::how_to(self.requirement, self.platform)
    }
}

/// Every applicable finding for one device, with counts and an overall status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// Indexed by requirement, so looking one up costs nothing and no allocation is needed.
    findings: [Option<Finding>; Requirement::COUNT],
    compliant: u8,
    action_needed: u8,
    unknown: u8,
}

impl Evaluation {
    /// The findings in the order of [`Requirement::ALL`].
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().flatten()
    }

    /// The finding for `requirement`, or `None` when it does not apply to this device.
    pub fn finding(&self, requirement: Requirement) -> Option<&Finding> {
        self.findings[requirement as usize].as_ref()
    }

    /// Action needed if any finding is; otherwise unknown if any is; otherwise compliant.
    pub fn overall(&self) -> Status {
        if self.action_needed > 0 {
            Status::ActionNeeded
        } else if self.unknown > 0 {
            Status::Unknown
        } else {
            Status::Compliant
        }
    }

    pub fn compliant_count(&self) -> usize {
        self.compliant.into()
    }

    pub fn action_needed_count(&self) -> usize {
        self.action_needed.into()
    }

    pub fn unknown_count(&self) -> usize {
        self.unknown.into()
    }

    fn push(&mut self, finding: Finding) {
        match finding.status {
            Status::Compliant => self.compliant += 1,
            Status::ActionNeeded => self.action_needed += 1,
            Status::Unknown => self.unknown += 1,
        }
        self.findings[finding.requirement as usize] = Some(finding);
    }
}

/// Evaluates `device` against `profile` as of `now`.
pub fn evaluate(profile: &PolicyProfile, device: &DeviceFacts, now: Timestamp) -> Evaluation {
    Evaluator::new(profile, now).evaluate(device)
}

/// The profile and the dates derived from `now`, worked out once for evaluating many devices.
#[derive(Clone, Debug)]
pub struct Evaluator<'a> {
    profile: &'a PolicyProfile,
    /// Self-attested facts confirmed before this are stale.
    stale_before: Timestamp,
    /// An update installed before this date is too old.
    updated_since: Date,
}

impl<'a> Evaluator<'a> {
    pub fn new(profile: &'a PolicyProfile, now: Timestamp) -> Self {
        // UTC rather than England's clock: a window of months or weeks does not move by the
        // hour of British Summer Time, and UTC needs no time-zone database lookup per call.
        let today = now.to_zoned(TimeZone::UTC);
        // Only at the ends of the representable range can these fail; then everything
        // self-attested counts as stale and every update as old, erring towards "unknown" and
        // "action needed" rather than a false "compliant".
        let stale_before = today
            .checked_sub(SELF_ATTESTATION_VALID_FOR_MONTHS.months())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX);
        let updated_since = today
            .date()
            .checked_sub(OS_UPDATE_WINDOW_DAYS.days())
            .unwrap_or(Date::MAX);
        Self {
            profile,
            stale_before,
            updated_since,
        }
    }

    pub fn evaluate(&self, device: &DeviceFacts) -> Evaluation {
        let mut evaluation = Evaluation {
            findings: [None; Requirement::COUNT],
            compliant: 0,
            action_needed: 0,
            unknown: 0,
        };
        for requirement in Requirement::ALL {
            if requirement.applies_to(device) {
                evaluation.push(self.judge(requirement, device));
            }
        }
        evaluation
    }

    /// A fact's value, or why it cannot be used.
    fn read<T: Copy>(&self, fact: &Fact<T>) -> Result<T, UnknownReason> {
        match *fact {
            Fact::Unknown => Err(UnknownReason::NotRecorded),
            Fact::Known {
                value,
                source,
                confirmed_at,
            } => {
                if source.expires() && confirmed_at < self.stale_before {
                    Err(UnknownReason::Stale { confirmed_at })
                } else {
                    Ok(value)
                }
            }
        }
    }

    fn judge(&self, requirement: Requirement, device: &DeviceFacts) -> Finding {
        let profile = self.profile;
        let (status, seen) = match requirement {
            Requirement::DiskEncryption => self.flag(&device.disk_encryption),
            Requirement::OsSupported => self.flag(&device.os_supported),
            Requirement::RemoteWipe => self.flag(&device.remote_wipe),
            Requirement::AntiMalware => self.flag(&device.anti_malware),
            Requirement::ScreenLock => match self.read(&device.screen_lock) {
                Ok(lock) => (pass_if(lock.meets_policy()), Seen::Lock(lock)),
                Err(why) => unknown(why),
            },
            Requirement::PinLength => self.pin_length(device),
            Requirement::LockoutAttempts => self.lockout(device),
            Requirement::IdleLock => {
                let max = profile.device_idle_lock_minutes;
                match self.read(&device.idle_lock) {
                    Ok(idle) => (pass_if(idle.within_minutes(max)), Seen::Idle(idle)),
                    Err(why) => unknown(why),
                }
            }
            Requirement::OsUpdated => match self.read(&device.last_os_update) {
                Ok(on) => (pass_if(on >= self.updated_since), Seen::UpdatedOn(on)),
                Err(why) => unknown(why),
            },
            Requirement::WorkProfile => match self.read(&device.work_profile) {
                // The rule is conditional ("where a device offers one"), so a phone without
                // work profiles meets it; only an offered-but-unused profile needs action.
                Ok(work) => (
                    pass_if(work != WorkProfile::AvailableButUnused),
                    Seen::Work(work),
                ),
                Err(why) => unknown(why),
            },
        };
        Finding {
            requirement,
            status,
            clause: clause_for(requirement, device.ownership),
            kind: device.kind,
            platform: device.platform,
            seen,
            limit: self.limit_for(requirement),
        }
    }

    /// The profile's number for a rule, kept in the finding so that even an unknown finding
    /// can say what the policy asks.
    fn limit_for(&self, requirement: Requirement) -> u16 {
        match requirement {
            Requirement::PinLength => self.profile.device_pin_min_digits.into(),
            Requirement::LockoutAttempts => self.profile.device_lockout_attempts.into(),
            Requirement::IdleLock => self.profile.device_idle_lock_minutes,
            // 60 fits; the constant is ours, and a larger one would saturate harmlessly.
            Requirement::OsUpdated => u16::try_from(OS_UPDATE_WINDOW_DAYS).unwrap_or(u16::MAX),
            _ => 0,
        }
    }

    fn flag(&self, fact: &Fact<bool>) -> (Status, Seen) {
        match self.read(fact) {
            Ok(on) => (pass_if(on), Seen::Flag(on)),
            Err(why) => unknown(why),
        }
    }

    /// "A PIN of at least N digits, or a stronger password": a password passes whatever its
    /// length, and a lock with no PIN at all fails.
    fn pin_length(&self, device: &DeviceFacts) -> (Status, Seen) {
        let min = self.profile.device_pin_min_digits;
        match self.read(&device.screen_lock) {
            Ok(lock) if lock.is_password() => {
                return (Status::Compliant, Seen::UsesPassword);
            }
            Ok(lock) if !lock.meets_policy() => {
                return (Status::ActionNeeded, Seen::NoPin(lock));
            }
            _ => {}
        }
        match self.read(&device.pin_length) {
            Ok(pin) => (pass_if(pin.digits() >= min), Seen::PinDigits(pin.digits())),
            Err(why) => unknown(why),
        }
    }

    /// Locking within the limit passes; so does erasing itself within it, which is stronger.
    fn lockout(&self, device: &DeviceFacts) -> (Status, Seen) {
        let max = self.profile.device_lockout_attempts;
        let lockout = self.read(&device.lockout);
        if let Ok(limit) = lockout
            && limit.within(max)
        {
            return (Status::Compliant, Seen::Lockout(limit));
        }
        if let Ok(wipe) = self.read(&device.auto_wipe)
            && wipe.within(max)
        {
            return (Status::Compliant, Seen::WipesAfter(wipe));
        }
        match lockout {
            Ok(limit) => (Status::ActionNeeded, Seen::Lockout(limit)),
            Err(why) => unknown(why),
        }
    }
}

fn pass_if(ok: bool) -> Status {
    if ok {
        Status::Compliant
    } else {
        Status::ActionNeeded
    }
}

fn unknown(why: UnknownReason) -> (Status, Seen) {
    (Status::Unknown, Seen::Unknown(why))
}

/// The clause a finding cites. Rules with a profile field take its clauses: 2.1.4 for council
/// equipment, 2.2.6 for people's own devices.
fn clause_for(requirement: Requirement, ownership: Ownership) -> &'static str {
    let field = match requirement {
        Requirement::ScreenLock | Requirement::PinLength => ProfileField::DevicePinMinDigits,
        Requirement::LockoutAttempts => ProfileField::DeviceLockoutAttempts,
        Requirement::IdleLock => ProfileField::DeviceIdleLockMinutes,
        Requirement::DiskEncryption => return ENCRYPTION_CLAUSE,
        Requirement::OsSupported => return OS_SUPPORTED_CLAUSE,
        Requirement::OsUpdated | Requirement::RemoteWipe => return UPDATES_AND_WIPE_CLAUSE,
        Requirement::WorkProfile => return WORK_PROFILE_CLAUSE,
        Requirement::AntiMalware => return ANTI_MALWARE_CLAUSE,
    };
    let section = match ownership {
        Ownership::Council => "2.1.",
        Ownership::Personal => "2.2.",
    };
    let clauses = field.clauses();
    clauses
        .iter()
        .find(|c| c.starts_with(section))
        .or_else(|| clauses.first())
        .copied()
        .unwrap_or(ENCRYPTION_CLAUSE)
}
