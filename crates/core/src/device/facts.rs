//! The security facts recorded about one device, each with where it came from and when it was
//! last confirmed.
//!
//! Facts are data, not judgements: whether they meet the council's policy is decided in
//! [`super::compliance`]. A fact nobody has reported is [`Fact::Unknown`], never a guess.

use crate::PersonId;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::num::{NonZeroU8, NonZeroU32};

/// A device fact that could not be accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceFactError {
    #[error("the operating system version is empty; write it as the device shows it, e.g. \"14\"")]
    EmptyOsVersion,
    #[error(
        "the operating system version is {0} characters long; at most {max} are kept",
        max = OsVersion::MAX_CHARS
    )]
    OsVersionTooLong(usize),
    #[error("a PIN of {0} digits is not possible; give a number from 1 to {max}", max = PinLength::MAX)]
    PinLength(u8),
}

/// The operating system family. iPadOS counts as [`Platform::Ios`]: the settings and their
/// places in the menus are the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Windows,
    MacOs,
    Linux,
    Ios,
    Android,
    ChromeOs,
    Other,
}

impl Platform {
    pub const ALL: [Platform; 7] = [
        Platform::Windows,
        Platform::MacOs,
        Platform::Linux,
        Platform::Ios,
        Platform::Android,
        Platform::ChromeOs,
        Platform::Other,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Platform::Windows => "Windows",
            Platform::MacOs => "macOS",
            Platform::Linux => "Linux",
            Platform::Ios => "iPhone or iPad (iOS)",
            Platform::Android => "Android",
            Platform::ChromeOs => "Chromebook (ChromeOS)",
            Platform::Other => "Other",
        }
    }
}

/// What sort of device it is. Registration data rather than a fact: it decides which rules
/// apply (the policy asks more of phones and tablets) and how messages name the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Phone,
    Tablet,
    Laptop,
    Desktop,
    Other,
}

impl DeviceKind {
    /// Phones and tablets: the devices 2.1.4 singles out for a PIN and lock-out.
    pub fn is_mobile(self) -> bool {
        matches!(self, DeviceKind::Phone | DeviceKind::Tablet)
    }

    /// The word used in messages: "your phone".
    pub fn noun(self) -> &'static str {
        match self {
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Laptop => "laptop",
            DeviceKind::Desktop => "computer",
            DeviceKind::Other => "device",
        }
    }
}

/// Who owns the device. Personal devices (BYOD) fall under the own-device clauses (2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    Council,
    Personal,
}

/// Where a fact came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactSource {
    /// The person who uses the device said so on the self-attestation form. Expires after
    /// [`super::compliance::SELF_ATTESTATION_VALID_FOR_MONTHS`] months.
    SelfAttested { by: PersonId },
    /// Read from `osqueryi --json` results uploaded by the IT provider.
    Osquery,
    /// Read from a device-management (MDM) export in CSV.
    MdmCsv,
    /// Stated by the council's IT provider after checking the device.
    ItProvider { by: PersonId },
}

impl FactSource {
    /// Only what a person says about their own device expires (issue 4, item 7): machine
    /// reports and the IT provider's checks are evidence of the moment they describe.
    pub fn expires(self) -> bool {
        matches!(self, FactSource::SelfAttested { .. })
    }
}

/// One fact about a device: unknown, or a value with its source and when it was confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Fact<T> {
    #[default]
    Unknown,
    Known {
        value: T,
        source: FactSource,
        confirmed_at: Timestamp,
    },
}

impl<T> Fact<T> {
    pub fn known(value: T, source: FactSource, confirmed_at: Timestamp) -> Self {
        Fact::Known {
            value,
            source,
            confirmed_at,
        }
    }

    /// The value whatever its age; compliance applies expiry itself.
    pub fn value(&self) -> Option<&T> {
        match self {
            Fact::Unknown => None,
            Fact::Known { value, .. } => Some(value),
        }
    }
}

/// How the screen is unlocked. A fingerprint or face always has a fallback code; what matters
/// for the policy is that fallback, so a fingerprint with a pattern is recorded as `Pattern`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenLock {
    None,
    Swipe,
    Pattern,
    Pin,
    Password,
    BiometricWithPin,
    BiometricWithPassword,
}

impl ScreenLock {
    /// A PIN or password stands between a finder and the data.
    pub fn meets_policy(self) -> bool {
        matches!(
            self,
            ScreenLock::Pin
                | ScreenLock::Password
                | ScreenLock::BiometricWithPin
                | ScreenLock::BiometricWithPassword
        )
    }

    /// Whether the code is a password, which the policy accepts in place of a long PIN
    /// ("a PIN of at least 6 digits, or a stronger password").
    pub fn is_password(self) -> bool {
        matches!(
            self,
            ScreenLock::Password | ScreenLock::BiometricWithPassword
        )
    }
}

/// The number of digits in a PIN, from 1 to [`PinLength::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct PinLength(u8);

impl PinLength {
    /// Far beyond any phone's limit; a larger number is a typing mistake.
    pub const MAX: u8 = 64;

    pub fn new(digits: u8) -> Result<Self, DeviceFactError> {
        if (1..=Self::MAX).contains(&digits) {
            Ok(Self(digits))
        } else {
            Err(DeviceFactError::PinLength(digits))
        }
    }

    pub fn digits(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for PinLength {
    type Error = DeviceFactError;
    fn try_from(digits: u8) -> Result<Self, Self::Error> {
        Self::new(digits)
    }
}

impl From<PinLength> for u8 {
    fn from(pin: PinLength) -> u8 {
        pin.0
    }
}

/// After how many wrong tries something happens (the device locks, or erases itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttemptLimit {
    /// Wrong tries never lead to it (the setting is off).
    Never,
    After {
        attempts: NonZeroU8,
    },
}

impl AttemptLimit {
    /// `None` for zero, which no device setting means.
    pub fn after(attempts: u8) -> Option<Self> {
        NonZeroU8::new(attempts).map(|attempts| AttemptLimit::After { attempts })
    }

    /// Whether it happens within `max` tries.
    pub fn within(self, max: u8) -> bool {
        match self {
            AttemptLimit::Never => false,
            AttemptLimit::After { attempts } => attempts.get() <= max,
        }
    }
}

/// How long the device may be left alone before it locks. Seconds, because phones offer
/// "30 seconds" as often as whole minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdleLock {
    Never,
    After { seconds: NonZeroU32 },
}

impl IdleLock {
    /// `None` for zero, which no device setting means.
    pub fn after_seconds(seconds: u32) -> Option<Self> {
        NonZeroU32::new(seconds).map(|seconds| IdleLock::After { seconds })
    }

    pub fn after_minutes(minutes: u16) -> Option<Self> {
        Self::after_seconds(u32::from(minutes) * 60)
    }

    /// Whether it locks within `max_minutes`.
    pub fn within_minutes(self, max_minutes: u16) -> bool {
        match self {
            IdleLock::Never => false,
            IdleLock::After { seconds } => seconds.get() <= u32::from(max_minutes) * 60,
        }
    }
}

/// A separate work profile (Android Enterprise), which keeps council data apart from personal
/// data and lets the council wipe only its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkProfile {
    InUse,
    AvailableButUnused,
    NotAvailable,
}

/// The operating system version as the device shows it ("14", "10.0.19045", "Sonoma 14.5").
/// Free text: each vendor numbers differently, and the fact that matters for compliance is
/// [`DeviceFacts::os_supported`], not the string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OsVersion(String);

impl OsVersion {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<Self, DeviceFactError> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 {
            Err(DeviceFactError::EmptyOsVersion)
        } else if chars > Self::MAX_CHARS {
            Err(DeviceFactError::OsVersionTooLong(chars))
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OsVersion {
    type Error = DeviceFactError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<OsVersion> for String {
    fn from(version: OsVersion) -> String {
        version.0
    }
}

/// Everything known about one device's security. Fields are public because this is a record
/// assembled from several sources at the edge: each value is already a checked type, and no
/// rule ties one field to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFacts {
    pub kind: DeviceKind,
    pub platform: Platform,
    pub ownership: Ownership,
    pub os_version: Fact<OsVersion>,
    pub disk_encryption: Fact<bool>,
    pub screen_lock: Fact<ScreenLock>,
    pub pin_length: Fact<PinLength>,
    pub lockout: Fact<AttemptLimit>,
    pub idle_lock: Fact<IdleLock>,
    pub auto_wipe: Fact<AttemptLimit>,
    pub remote_wipe: Fact<bool>,
    pub work_profile: Fact<WorkProfile>,
    /// The date the last operating system update was installed.
    pub last_os_update: Fact<Date>,
    /// Whether the vendor still publishes security updates for this version.
    pub os_supported: Fact<bool>,
    /// Anti-malware turned on and up to date (asked of Windows and macOS only).
    pub anti_malware: Fact<bool>,
}

impl DeviceFacts {
    /// A newly registered device about which nothing is known yet.
    pub fn unknown(kind: DeviceKind, platform: Platform, ownership: Ownership) -> Self {
        Self {
            kind,
            platform,
            ownership,
            os_version: Fact::Unknown,
            disk_encryption: Fact::Unknown,
            screen_lock: Fact::Unknown,
            pin_length: Fact::Unknown,
            lockout: Fact::Unknown,
            idle_lock: Fact::Unknown,
            auto_wipe: Fact::Unknown,
            remote_wipe: Fact::Unknown,
            work_profile: Fact::Unknown,
            last_os_update: Fact::Unknown,
            os_supported: Fact::Unknown,
            anti_malware: Fact::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_of_zero_digits_or_more_than_sixty_four_is_refused() {
        assert_eq!(PinLength::new(0), Err(DeviceFactError::PinLength(0)));
        assert_eq!(PinLength::new(65), Err(DeviceFactError::PinLength(65)));
        assert_eq!(PinLength::new(6).map(PinLength::digits), Ok(6));
    }

    #[test]
    fn an_empty_or_overlong_os_version_is_refused_and_spaces_are_trimmed() {
        assert_eq!(OsVersion::parse("  "), Err(DeviceFactError::EmptyOsVersion));
        assert_eq!(
            OsVersion::parse(&"1".repeat(65)),
            Err(DeviceFactError::OsVersionTooLong(65))
        );
        assert_eq!(OsVersion::parse(" 14.5 ").unwrap().as_str(), "14.5");
    }

    #[test]
    fn device_facts_survive_json_and_bad_values_are_refused_on_the_way_in() {
        let at = Timestamp::from_second(1_750_000_000).unwrap();
        let by = PersonId::from_uuid(uuid::Uuid::nil());
        let mut facts =
            DeviceFacts::unknown(DeviceKind::Phone, Platform::Android, Ownership::Personal);
        facts.pin_length = Fact::known(
            PinLength::new(6).unwrap(),
            FactSource::SelfAttested { by },
            at,
        );
        facts.idle_lock = Fact::known(IdleLock::after_seconds(30).unwrap(), FactSource::MdmCsv, at);
        facts.os_version = Fact::known(OsVersion::parse("14").unwrap(), FactSource::Osquery, at);
        facts.last_os_update = Fact::known(jiff::civil::date(2025, 5, 1), FactSource::Osquery, at);
        let json = serde_json::to_string(&facts).unwrap();
        assert_eq!(serde_json::from_str::<DeviceFacts>(&json).unwrap(), facts);

        let bad_pin = json.replace("\"value\":6", "\"value\":0");
        assert_ne!(bad_pin, json);
        assert!(serde_json::from_str::<DeviceFacts>(&bad_pin).is_err());
        let empty_version = json.replace("\"value\":\"14\"", "\"value\":\" \"");
        assert_ne!(empty_version, json);
        assert!(serde_json::from_str::<DeviceFacts>(&empty_version).is_err());
    }

    #[test]
    fn only_self_attested_facts_expire() {
        let by = PersonId::from_uuid(uuid::Uuid::nil());
        assert!(FactSource::SelfAttested { by }.expires());
        assert!(!FactSource::Osquery.expires());
        assert!(!FactSource::MdmCsv.expires());
        assert!(!FactSource::ItProvider { by }.expires());
    }

    #[test]
    fn attempt_and_idle_limits_compare_with_the_policy_number() {
        assert!(AttemptLimit::after(3).unwrap().within(3));
        assert!(!AttemptLimit::after(4).unwrap().within(3));
        assert!(!AttemptLimit::Never.within(100));
        assert_eq!(AttemptLimit::after(0), None);
        assert!(IdleLock::after_seconds(300).unwrap().within_minutes(5));
        assert!(!IdleLock::after_seconds(301).unwrap().within_minutes(5));
        assert!(!IdleLock::Never.within_minutes(240));
    }
}
