//! The stored names and the words people see for the device vocabularies (kind, platform,
//! ownership, screen lock, work profile). Stored names are the serde names, so a fact in the
//! JSON column and the same value in its own column read alike.

use super::facts::{DeviceKind, Ownership, Platform, ScreenLock, WorkProfile};

impl Platform {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Windows => "windows",
            Platform::MacOs => "mac_os",
            Platform::Linux => "linux",
            Platform::Ios => "ios",
            Platform::Android => "android",
            Platform::ChromeOs => "chrome_os",
            Platform::Other => "other",
        }
    }

    /// Reads a stored name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text.trim())
    }
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 5] = [
        DeviceKind::Phone,
        DeviceKind::Tablet,
        DeviceKind::Laptop,
        DeviceKind::Desktop,
        DeviceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Laptop => "laptop",
            DeviceKind::Desktop => "desktop",
            DeviceKind::Other => "other",
        }
    }

    /// As a form offers it.
    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Phone => "Phone",
            DeviceKind::Tablet => "Tablet",
            DeviceKind::Laptop => "Laptop",
            DeviceKind::Desktop => "Desktop computer",
            DeviceKind::Other => "Something else",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

impl Ownership {
    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Council => "council",
            Ownership::Personal => "personal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Ownership::Council => "Council-owned",
            Ownership::Personal => "Personal (own device)",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Ownership::Council, Ownership::Personal]
            .into_iter()
            .find(|o| o.as_str() == text.trim())
    }
}

impl ScreenLock {
    pub const ALL: [ScreenLock; 7] = [
        ScreenLock::None,
        ScreenLock::Swipe,
        ScreenLock::Pattern,
        ScreenLock::Pin,
        ScreenLock::Password,
        ScreenLock::BiometricWithPin,
        ScreenLock::BiometricWithPassword,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScreenLock::None => "none",
            ScreenLock::Swipe => "swipe",
            ScreenLock::Pattern => "pattern",
            ScreenLock::Pin => "pin",
            ScreenLock::Password => "password",
            ScreenLock::BiometricWithPin => "biometric_with_pin",
            ScreenLock::BiometricWithPassword => "biometric_with_password",
        }
    }

    /// As the self-attestation form offers it.
    pub fn label(self) -> &'static str {
        match self {
            ScreenLock::None => "No lock: it opens straight away",
            ScreenLock::Swipe => "A swipe",
            ScreenLock::Pattern => "A pattern",
            ScreenLock::Pin => "A PIN (numbers only)",
            ScreenLock::Password => "A password (letters and numbers)",
            ScreenLock::BiometricWithPin => "Fingerprint or face, with a PIN as the backup",
            ScreenLock::BiometricWithPassword => {
                "Fingerprint or face, with a password as the backup"
            }
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text.trim())
    }
}

impl WorkProfile {
    pub const ALL: [WorkProfile; 3] = [
        WorkProfile::InUse,
        WorkProfile::AvailableButUnused,
        WorkProfile::NotAvailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkProfile::InUse => "in_use",
            WorkProfile::AvailableButUnused => "available_but_unused",
            WorkProfile::NotAvailable => "not_available",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WorkProfile::InUse => "Yes, council work is kept in a work profile",
            WorkProfile::AvailableButUnused => "The phone offers one, but I do not use it",
            WorkProfile::NotAvailable => "The phone does not offer a work profile",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored names must be the serde names, or the JSON facts and the columns disagree.
    #[test]
    fn stored_names_are_the_serde_names_and_read_back() {
        fn serde_name<T: serde::Serialize>(value: T) -> String {
            serde_json::to_value(value)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        }
        for p in Platform::ALL {
            assert_eq!(serde_name(p), p.as_str());
            assert_eq!(Platform::parse(p.as_str()), Some(p));
        }
        for k in DeviceKind::ALL {
            assert_eq!(serde_name(k), k.as_str());
            assert_eq!(DeviceKind::parse(k.as_str()), Some(k));
        }
        for o in [Ownership::Council, Ownership::Personal] {
            assert_eq!(serde_name(o), o.as_str());
            assert_eq!(Ownership::parse(o.as_str()), Some(o));
        }
        for l in ScreenLock::ALL {
            assert_eq!(serde_name(l), l.as_str());
            assert_eq!(ScreenLock::parse(l.as_str()), Some(l));
        }
        for w in WorkProfile::ALL {
            assert_eq!(serde_name(w), w.as_str());
            assert_eq!(WorkProfile::parse(w.as_str()), Some(w));
        }
        assert_eq!(Platform::parse("beos"), None);
    }
}
