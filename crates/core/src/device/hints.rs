//! How to check or change each setting, per operating system, in words for someone who is not
//! an IT specialist.
//!
//! Menu paths follow current versions; they move between versions and makers, so where a
//! setting varies each hint names the usual place and the fallback (ask the IT provider).

use super::compliance::Requirement;
use super::facts::Platform;

const ASK: &str = "Ask the council's IT provider to help.";

/// The hint for `requirement` on `platform`, or a pointer to the IT provider when there is no
/// single place to look.
pub fn how_to(requirement: Requirement, platform: Platform) -> &'static str {
    use Platform as P;
    use Requirement as R;
    match (requirement, platform) {
        (R::DiskEncryption, P::Windows) => {
            "Settings → Privacy & security → Device encryption (on Windows Pro: Control Panel → BitLocker Drive Encryption → Turn on BitLocker)."
        }
        (R::DiskEncryption, P::MacOs) => {
            "System Settings → Privacy & Security → FileVault → Turn On."
        }
        (R::DiskEncryption, P::Ios) => {
            "iPhones and iPads are encrypted once a passcode is set: Settings → Face ID & Passcode (or Touch ID & Passcode) → Turn Passcode On."
        }
        (R::DiskEncryption, P::Android) => {
            "Settings → Security (or Security & privacy) → Encryption. Phones from Android 10 onwards are encrypted once a screen lock is set."
        }
        (R::DiskEncryption, P::ChromeOs) => {
            "Chromebooks are always encrypted; sign in with your own account, not as a guest."
        }
        (R::DiskEncryption, P::Linux) => {
            "Encryption (LUKS) is chosen when Linux is installed. Ask the council's IT provider to help."
        }

        (R::ScreenLock | R::PinLength, P::Windows) => {
            "Settings → Accounts → Sign-in options → PIN (Windows Hello) or Password."
        }
        (R::ScreenLock | R::PinLength, P::MacOs) => {
            "System Settings → Users & Groups → your account → Change Password."
        }
        (R::ScreenLock | R::PinLength, P::Ios) => {
            "Settings → Face ID & Passcode → Change Passcode → Passcode Options → Custom Numeric Code or Custom Alphanumeric Code."
        }
        (R::ScreenLock | R::PinLength, P::Android) => {
            "Settings → Security (or Lock screen) → Screen lock → PIN or Password."
        }
        (R::ScreenLock | R::PinLength, P::ChromeOs) => {
            "Settings → Security and privacy → Lock screen and sign-in → PIN or password."
        }
        (R::ScreenLock | R::PinLength, P::Linux) => {
            "Settings → Privacy → Screen Lock, and a password on your account (Settings → Users)."
        }

        (R::LockoutAttempts, P::Ios) => {
            "iPhones and iPads wait longer after each wrong passcode from the fifth, and can erase themselves after 10 (Settings → Face ID & Passcode → Erase Data). A lower limit needs the council's device management: ask the council's IT provider."
        }
        (R::LockoutAttempts, P::Android) => {
            "Most Android phones make you wait after 5 wrong tries. Some can erase themselves after a number of tries (on Samsung: Settings → Lock screen → Secure lock settings → Auto factory reset). A lower limit needs the council's device management: ask the council's IT provider."
        }
        (R::LockoutAttempts, P::Windows | P::MacOs) => {
            "The limit on wrong passwords is set by the council's IT provider (on Windows: Local Security Policy → Account Lockout Policy). Ask them to set it."
        }

        (R::IdleLock, P::Windows) => {
            "Settings → Personalisation → Lock screen → Screen timeout, and Settings → Accounts → Sign-in options → require sign-in when the PC wakes up."
        }
        (R::IdleLock, P::MacOs) => {
            "System Settings → Lock Screen → 'Turn display off when inactive', and 'Require password after screen saver begins or display is turned off' → Immediately."
        }
        (R::IdleLock, P::Ios) => "Settings → Display & Brightness → Auto-Lock.",
        (R::IdleLock, P::Android) => "Settings → Display → Screen timeout.",
        (R::IdleLock, P::ChromeOs) => {
            "Settings → Device → Power → When idle, and Settings → Security and privacy → Lock screen when sleeping or lid is closed."
        }
        (R::IdleLock, P::Linux) => {
            "Settings → Privacy → Screen Lock → Blank Screen Delay and Automatic Screen Lock."
        }

        (R::OsSupported, P::Windows) => {
            "Settings → Windows Update shows whether your version still gets updates. If it does not, upgrade (for example to Windows 11) or ask the Clerk about a replacement."
        }
        (R::OsSupported, P::MacOs) => {
            "Apple menu → About This Mac shows the version; Apple updates only the latest few. Upgrade in System Settings → General → Software Update, or ask the Clerk about a replacement."
        }
        (R::OsSupported, P::Ios) => {
            "Settings → General → Software Update. If no update is offered and Apple no longer supports the model, it cannot be used for council work."
        }
        (R::OsSupported, P::Android) => {
            "Settings → About phone shows the Android version and 'Security update' date. If that date is many months old and no update is offered, the phone no longer gets updates."
        }
        (R::OsSupported, P::ChromeOs) => {
            "Settings → About ChromeOS → Additional details → Update schedule shows when updates end."
        }
        (R::OsSupported, P::Linux) => {
            "Check your distribution's end-of-life date and upgrade to a supported release."
        }

        (R::OsUpdated, P::Windows) => "Settings → Windows Update → Check for updates.",
        (R::OsUpdated, P::MacOs) => "System Settings → General → Software Update.",
        (R::OsUpdated, P::Ios) => {
            "Settings → General → Software Update, and turn on Automatic Updates."
        }
        (R::OsUpdated, P::Android) => {
            "Settings → System → Software update (on some phones: Settings → Software update)."
        }
        (R::OsUpdated, P::ChromeOs) => "Settings → About ChromeOS → Check for updates.",
        (R::OsUpdated, P::Linux) => "Run your distribution's Software Updater.",

        (R::RemoteWipe, P::Ios) => {
            "Settings → your name → Find My → Find My iPhone (or iPad) → on. It can then be erased from icloud.com/find."
        }
        (R::RemoteWipe, P::Android) => {
            "Settings → Google → Find My Device → on. It can then be erased from google.com/android/find."
        }

        (R::WorkProfile, P::Android) => {
            "Accept the council's invitation to set up a work profile (Android Enterprise), or ask the council's IT provider to send one. Council apps then show a briefcase badge."
        }

        (R::AntiMalware, P::Windows) => {
            "Settings → Privacy & security → Windows Security → Virus & threat protection: make sure it is on and up to date."
        }
        (R::AntiMalware, P::MacOs) => {
            "Macs have built-in protection that updates itself: keep System Settings → General → Software Update → Automatic Updates → 'Install Security Responses and system files' on."
        }

        _ => ASK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_requirement_has_a_hint_on_every_platform() {
        for requirement in Requirement::ALL {
            for platform in Platform::ALL {
                assert!(!how_to(requirement, platform).is_empty());
            }
        }
    }

    #[test]
    fn the_android_screen_timeout_hint_names_the_menu() {
        assert_eq!(
            how_to(Requirement::IdleLock, Platform::Android),
            "Settings → Display → Screen timeout."
        );
    }
}
