//! Checks on a secret as it is entered: its length, a two-step seed's shape, how guessable a
//! password is (zxcvbn), and whether it is a supplier's known default password (4.1.1: "all
//! vendor-supplied default passwords must be changed during set-up").

use super::{SecretField, VaultError};
use zxcvbn::{Score, zxcvbn};

/// Checks a value for a field and returns it as it is to be stored: a two-step seed reduced
/// to its letters (from a pasted key with spaces, or from an otpauth:// link); anything else
/// as typed, except that a password loses surrounding spaces and line ends, which are always
/// a slip of the copy and paste. Nothing is refused for being weak: the page warns instead,
/// since a shared password is often set by the supplier and recorded as it is.
pub fn check_secret(field: SecretField, value: &str) -> Result<String, VaultError> {
    let value = match field {
        SecretField::Password => value.trim_matches(|c| c == '\r' || c == '\n' || c == ' '),
        _ => value,
    };
    if value.trim().is_empty() {
        return Err(VaultError::SecretEmpty(field_noun(field)));
    }
    if value.chars().count() > field.max_chars() {
        return Err(VaultError::SecretTooLong(
            field_noun(field),
            field.max_chars(),
        ));
    }
    match field {
        SecretField::TotpSeed => normalise_totp_seed(value),
        _ => Ok(value.to_owned()),
    }
}

fn field_noun(field: SecretField) -> &'static str {
    match field {
        SecretField::Password => "password",
        SecretField::TotpSeed => "two-step setup key",
        SecretField::RecoveryCodes => "recovery codes",
        SecretField::Notes => "notes",
    }
}

/// A two-step (TOTP) seed in base32 capitals without spaces or padding, from what a service
/// shows: "JBSW Y3DP EHPK 3PXP", lower case, with '=' padding, or an otpauth:// link.
pub fn normalise_totp_seed(text: &str) -> Result<String, VaultError> {
    let text = text.trim();
    let raw = if let Some(query) = text
        .strip_prefix("otpauth://")
        .and_then(|rest| rest.split_once('?').map(|(_, query)| query))
    {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("secret="))
            .ok_or(VaultError::TotpSeed)?
    } else {
        text
    };
    let seed: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '=' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = seed.len() >= 16 && seed.chars().all(|c| matches!(c, 'A'..='Z' | '2'..='7'));
    if valid {
        Ok(seed)
    } else {
        Err(VaultError::TotpSeed)
    }
}

/// Default passwords suppliers ship on routers, cameras, printers, websites and admin panels,
/// checked case-insensitively as whole passwords. Not exhaustive: the page also shows zxcvbn's
/// view, which knows the most common passwords of all.
const KNOWN_DEFAULTS: &[&str] = &[
    "admin",
    "administrator",
    "password",
    "pass",
    "1234",
    "12345",
    "123456",
    "12345678",
    "changeme",
    "default",
    "guest",
    "root",
    "toor",
    "user",
    "support",
    "letmein",
    "welcome",
    "admin123",
    "admin1234",
    "password1",
    "private",
    "public",
    "system",
    "manager",
    "superuser",
    "ubnt",
    "0000",
    "1111",
    "888888",
    "666666",
    "epicrouter",
    "motorola",
    "cisco",
    "sky",
    "talktalk",
    "setup",
    "service",
    "master",
    "raspberry",
    "pi",
];

/// Whether the value is a supplier's default password (whole, in any capitals).
pub fn is_known_default_password(value: &str) -> bool {
    let lower = value.trim().to_lowercase();
    KNOWN_DEFAULTS.contains(&lower.as_str())
}

/// How guessable a password is, for the page beside the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strength {
    /// zxcvbn's score, 0 (guessed at once) to 4 (very unlikely to be guessed).
    pub score: u8,
    pub label: &'static str,
    /// zxcvbn's advice, if any, in its own words.
    pub advice: Option<String>,
    pub known_default: bool,
}

impl Strength {
    /// Strong enough not to warn: zxcvbn's 3 or 4 and not a supplier default.
    pub fn is_acceptable(&self) -> bool {
        self.score >= 3 && !self.known_default
    }
}

/// zxcvbn's judgement of a password, with the item's name and username as words an attacker
/// would try first.
pub fn strength(password: &str, related: &[&str]) -> Strength {
    let entropy = zxcvbn(password, related);
    let score = match entropy.score() {
        Score::Zero => 0,
        Score::One => 1,
        Score::Two => 2,
        Score::Three => 3,
        Score::Four => 4,
        _ => 0,
    };
    let label = match score {
        0 => "Very weak: guessed almost at once",
        1 => "Weak: guessed quickly",
        2 => "Fair: could be guessed by a determined attacker",
        3 => "Strong",
        _ => "Very strong",
    };
    let advice = entropy.feedback().and_then(|f| {
        f.warning()
            .map(|w| w.to_string())
            .or_else(|| f.suggestions().first().map(|s| s.to_string()))
    });
    Strength {
        score,
        label,
        advice,
        known_default: is_known_default_password(password),
    }
}
