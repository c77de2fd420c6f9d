//! Facts as one source reports them at one moment, and how they are merged into what is known.
//!
//! A source reports some facts and is silent on others: osquery cannot see a phone's PIN, an MDM
//! export may lack a column, a person may answer "I don't know". Merging replaces each reported
//! fact (value, source, confirmed time) and leaves every other fact exactly as it was: nothing is
//! guessed, and nothing known is forgotten because another source could not see it.

use super::facts::{
    AttemptLimit, DeviceFacts, Fact, FactSource, IdleLock, OsVersion, PinLength, ScreenLock,
    WorkProfile,
};
use crate::policy::document::format_date;
use jiff::Timestamp;
use jiff::civil::Date;

/// One of the facts kept about a device (everything in [`DeviceFacts`] except its kind,
/// platform and ownership, which are registration data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FactField {
    OsVersion,
    DiskEncryption,
    ScreenLock,
    PinLength,
    Lockout,
    IdleLock,
    AutoWipe,
    RemoteWipe,
    WorkProfile,
    LastOsUpdate,
    OsSupported,
    AntiMalware,
}

impl FactField {
    pub const ALL: [FactField; 12] = [
        FactField::OsVersion,
        FactField::DiskEncryption,
        FactField::ScreenLock,
        FactField::PinLength,
        FactField::Lockout,
        FactField::IdleLock,
        FactField::AutoWipe,
        FactField::RemoteWipe,
        FactField::WorkProfile,
        FactField::LastOsUpdate,
        FactField::OsSupported,
        FactField::AntiMalware,
    ];

    /// The name used in audit details, forms and column mappings.
    pub fn as_str(self) -> &'static str {
        match self {
            FactField::OsVersion => "os_version",
            FactField::DiskEncryption => "disk_encryption",
            FactField::ScreenLock => "screen_lock",
            FactField::PinLength => "pin_length",
            FactField::Lockout => "lockout",
            FactField::IdleLock => "idle_lock",
            FactField::AutoWipe => "auto_wipe",
            FactField::RemoteWipe => "remote_wipe",
            FactField::WorkProfile => "work_profile",
            FactField::LastOsUpdate => "last_os_update",
            FactField::OsSupported => "os_supported",
            FactField::AntiMalware => "anti_malware",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }

    /// As a page names it.
    pub fn label(self) -> &'static str {
        match self {
            FactField::OsVersion => "Operating system version",
            FactField::DiskEncryption => "Encryption",
            FactField::ScreenLock => "Screen lock",
            FactField::PinLength => "PIN length",
            FactField::Lockout => "Locks after wrong tries",
            FactField::IdleLock => "Locks when left alone",
            FactField::AutoWipe => "Erases itself after wrong tries",
            FactField::RemoteWipe => "Remote wipe",
            FactField::WorkProfile => "Work profile",
            FactField::LastOsUpdate => "Last operating system update",
            FactField::OsSupported => "Operating system still supported",
            FactField::AntiMalware => "Anti-virus",
        }
    }
}

/// The facts one source reported. `None` means the source said nothing about that fact (or
/// the person answered "I don't know"), so it is left as it was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportedFacts {
    pub os_version: Option<OsVersion>,
    pub disk_encryption: Option<bool>,
    pub screen_lock: Option<ScreenLock>,
    pub pin_length: Option<PinLength>,
    pub lockout: Option<AttemptLimit>,
    pub idle_lock: Option<IdleLock>,
    pub auto_wipe: Option<AttemptLimit>,
    pub remote_wipe: Option<bool>,
    pub work_profile: Option<WorkProfile>,
    pub last_os_update: Option<Date>,
    pub os_supported: Option<bool>,
    pub anti_malware: Option<bool>,
}

impl ReportedFacts {
    /// The facts reported, in [`FactField::ALL`] order.
    pub fn fields(&self) -> Vec<FactField> {
        FactField::ALL
            .into_iter()
            .filter(|f| self.has(*f))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        FactField::ALL.into_iter().all(|f| !self.has(f))
    }

    fn has(&self, field: FactField) -> bool {
        match field {
            FactField::OsVersion => self.os_version.is_some(),
            FactField::DiskEncryption => self.disk_encryption.is_some(),
            FactField::ScreenLock => self.screen_lock.is_some(),
            FactField::PinLength => self.pin_length.is_some(),
            FactField::Lockout => self.lockout.is_some(),
            FactField::IdleLock => self.idle_lock.is_some(),
            FactField::AutoWipe => self.auto_wipe.is_some(),
            FactField::RemoteWipe => self.remote_wipe.is_some(),
            FactField::WorkProfile => self.work_profile.is_some(),
            FactField::LastOsUpdate => self.last_os_update.is_some(),
            FactField::OsSupported => self.os_supported.is_some(),
            FactField::AntiMalware => self.anti_malware.is_some(),
        }
    }

    /// Each reported value in words, for showing what an upload found before it is saved.
    pub fn describe(&self) -> Vec<(FactField, String)> {
        let mut facts = DeviceFacts::unknown(
            super::DeviceKind::Other,
            super::Platform::Other,
            super::Ownership::Council,
        );
        facts.apply(self, FactSource::Osquery, Timestamp::UNIX_EPOCH);
        self.fields()
            .into_iter()
            .filter_map(|f| facts.value_words(f).map(|words| (f, words)))
            .collect()
    }
}

fn replace<T: Clone>(fact: &mut Fact<T>, reported: &Option<T>, source: FactSource, at: Timestamp) {
    if let Some(value) = reported {
        *fact = Fact::known(value.clone(), source, at);
    }
}

impl DeviceFacts {
    /// Merges `reported` from `source`, confirmed `at`: each reported fact is replaced, every
    /// other fact is kept as it was.
    pub fn apply(&mut self, reported: &ReportedFacts, source: FactSource, at: Timestamp) {
        replace(&mut self.os_version, &reported.os_version, source, at);
        replace(
            &mut self.disk_encryption,
            &reported.disk_encryption,
            source,
            at,
        );
        replace(&mut self.screen_lock, &reported.screen_lock, source, at);
        replace(&mut self.pin_length, &reported.pin_length, source, at);
        replace(&mut self.lockout, &reported.lockout, source, at);
        replace(&mut self.idle_lock, &reported.idle_lock, source, at);
        replace(&mut self.auto_wipe, &reported.auto_wipe, source, at);
        replace(&mut self.remote_wipe, &reported.remote_wipe, source, at);
        replace(&mut self.work_profile, &reported.work_profile, source, at);
        replace(
            &mut self.last_os_update,
            &reported.last_os_update,
            source,
            at,
        );
        replace(&mut self.os_supported, &reported.os_supported, source, at);
        replace(&mut self.anti_malware, &reported.anti_malware, source, at);
    }

    /// Where a known fact came from and when it was confirmed; `None` when it is unknown.
    pub fn provenance(&self, field: FactField) -> Option<(FactSource, Timestamp)> {
        fn of<T>(fact: &Fact<T>) -> Option<(FactSource, Timestamp)> {
            match fact {
                Fact::Unknown => None,
                Fact::Known {
                    source,
                    confirmed_at,
                    ..
                } => Some((*source, *confirmed_at)),
            }
        }
        match field {
            FactField::OsVersion => of(&self.os_version),
            FactField::DiskEncryption => of(&self.disk_encryption),
            FactField::ScreenLock => of(&self.screen_lock),
            FactField::PinLength => of(&self.pin_length),
            FactField::Lockout => of(&self.lockout),
            FactField::IdleLock => of(&self.idle_lock),
            FactField::AutoWipe => of(&self.auto_wipe),
            FactField::RemoteWipe => of(&self.remote_wipe),
            FactField::WorkProfile => of(&self.work_profile),
            FactField::LastOsUpdate => of(&self.last_os_update),
            FactField::OsSupported => of(&self.os_supported),
            FactField::AntiMalware => of(&self.anti_malware),
        }
    }

    /// A known fact's value in words ("After 5 minutes"); `None` when it is unknown.
    pub fn value_words(&self, field: FactField) -> Option<String> {
        let yes_no = |fact: &Fact<bool>, yes: &str, no: &str| {
            fact.value().map(|on| if *on { yes } else { no }.to_owned())
        };
        match field {
            FactField::OsVersion => self.os_version.value().map(|v| v.as_str().to_owned()),
            FactField::DiskEncryption => {
                yes_no(&self.disk_encryption, "Encrypted", "Not encrypted")
            }
            FactField::ScreenLock => self.screen_lock.value().map(|l| l.label().to_owned()),
            FactField::PinLength => self
                .pin_length
                .value()
                .map(|p| count(p.digits().into(), "digit", "digits")),
            FactField::Lockout => self.lockout.value().map(|l| attempts_words(*l, "Locks")),
            FactField::IdleLock => self.idle_lock.value().map(|i| idle_words(*i)),
            FactField::AutoWipe => self
                .auto_wipe
                .value()
                .map(|l| attempts_words(*l, "Erases itself")),
            FactField::RemoteWipe => yes_no(&self.remote_wipe, "Turned on", "Turned off"),
            FactField::WorkProfile => self.work_profile.value().map(|w| {
                match w {
                    WorkProfile::InUse => "In use",
                    WorkProfile::AvailableButUnused => "Offered but not used",
                    WorkProfile::NotAvailable => "Not offered by the device",
                }
                .to_owned()
            }),
            FactField::LastOsUpdate => self.last_os_update.value().map(|d| format_date(*d)),
            FactField::OsSupported => {
                yes_no(&self.os_supported, "Still supported", "No longer supported")
            }
            FactField::AntiMalware => yes_no(
                &self.anti_malware,
                "On and up to date",
                "Off or out of date",
            ),
        }
    }
}

fn attempts_words(limit: AttemptLimit, verb: &str) -> String {
    match limit {
        AttemptLimit::Never => "Never".to_owned(),
        AttemptLimit::After { attempts } => format!(
            "{verb} after {}",
            count(attempts.get().into(), "wrong try", "wrong tries")
        ),
    }
}

fn idle_words(idle: IdleLock) -> String {
    match idle {
        IdleLock::Never => "Never".to_owned(),
        IdleLock::After { seconds } => {
            let seconds = seconds.get();
            if seconds % 60 == 0 {
                format!("After {}", count(seconds / 60, "minute", "minutes"))
            } else {
                format!("After {}", count(seconds, "second", "seconds"))
            }
        }
    }
}

fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl FactSource {
    /// The stored name of the kind of source.
    pub fn kind_str(self) -> &'static str {
        match self {
            FactSource::SelfAttested { .. } => "self_attested",
            FactSource::Osquery => "osquery",
            FactSource::MdmCsv => "mdm_csv",
            FactSource::ItProvider { .. } => "it_provider",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DeviceKind, Ownership, Platform};
    use super::*;
    use crate::PersonId;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000 + second).unwrap()
    }

    #[test]
    fn a_merge_replaces_only_what_the_source_reported_and_keeps_the_rest() {
        let by = PersonId::generate();
        let mut facts =
            DeviceFacts::unknown(DeviceKind::Laptop, Platform::Windows, Ownership::Council);
        facts.pin_length = Fact::known(
            PinLength::new(6).unwrap(),
            FactSource::SelfAttested { by },
            at(0),
        );
        facts.disk_encryption = Fact::known(false, FactSource::SelfAttested { by }, at(0));
        let reported = ReportedFacts {
            disk_encryption: Some(true),
            os_version: Some(OsVersion::parse("10.0.22631").unwrap()),
            ..ReportedFacts::default()
        };
        facts.apply(&reported, FactSource::Osquery, at(60));
        assert_eq!(
            facts.disk_encryption,
            Fact::known(true, FactSource::Osquery, at(60))
        );
        assert_eq!(
            facts.provenance(FactField::OsVersion),
            Some((FactSource::Osquery, at(60)))
        );
        // Not reported: kept with its own source and time, never turned into unknown.
        assert_eq!(
            facts.provenance(FactField::PinLength),
            Some((FactSource::SelfAttested { by }, at(0)))
        );
        assert_eq!(facts.idle_lock, Fact::Unknown);
        assert_eq!(
            reported.fields(),
            vec![FactField::OsVersion, FactField::DiskEncryption]
        );
        assert!(ReportedFacts::default().is_empty());
    }

    #[test]
    fn known_values_are_described_in_words_and_unknown_ones_are_not() {
        let reported = ReportedFacts {
            idle_lock: IdleLock::after_seconds(30),
            lockout: AttemptLimit::after(5),
            auto_wipe: Some(AttemptLimit::Never),
            last_os_update: Some(jiff::civil::date(2025, 5, 1)),
            ..ReportedFacts::default()
        };
        assert_eq!(
            reported.describe(),
            vec![
                (FactField::Lockout, "Locks after 5 wrong tries".to_owned()),
                (FactField::IdleLock, "After 30 seconds".to_owned()),
                (FactField::AutoWipe, "Never".to_owned()),
                (FactField::LastOsUpdate, "1 May 2025".to_owned()),
            ]
        );
        for field in FactField::ALL {
            assert_eq!(FactField::parse(field.as_str()), Some(field));
        }
    }
}
