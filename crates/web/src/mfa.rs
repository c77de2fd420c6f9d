//! The second factor: TOTP authenticator apps (RFC 6238) and one-time recovery codes.
//!
//! Recovery codes are stored only as SHA-256 hashes and each works once. The other second
//! factor, WebAuthn passkeys, is in `crate::passkeys` and `pages::passkeys`.

use custodian_core::ports::Account;
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Custodian";

/// A fresh random TOTP secret (160 bits, as RFC 4226 recommends), base32 encoded.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &bytes)
}

fn totp(secret: &str, account_name: &str) -> Option<TOTP> {
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret)?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some(ISSUER.to_owned()),
        account_name.to_owned(),
    )
    .ok()
}

/// Whether `code` is the current code (or the one either side, for a slow phone clock).
pub fn code_is_valid(secret: &str, code: &str, now: Timestamp) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(seconds) = u64::try_from(now.as_second()) else {
        return false;
    };
    totp(secret, "x").is_some_and(|t| code.len() == 6 && t.check(&code, seconds))
}

/// The QR code an authenticator app scans, as an SVG image.
pub fn qr_svg(secret: &str, account_name: &str) -> Option<String> {
    let url = totp(secret, account_name)?.get_url();
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// New recovery codes (shown once) and their hashes (stored).
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let text = base32::encode(base32::Alphabet::Rfc4648Lower { padding: false }, &bytes);
            format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12])
        })
        .collect();
    let hashes = codes.iter().map(|c| recovery_hash(c)).collect();
    (codes, hashes)
}

fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

pub enum CodeCheck {
    Totp,
    RecoveryCode,
    Wrong(&'static str),
}

/// Checks a code typed at sign-in: a TOTP code, or a recovery code (which is then used up in
/// `account`; the caller saves the account).
pub fn check_code(account: &mut Account, code: &str, now: Timestamp) -> CodeCheck {
    let trimmed = code.trim();
    if trimmed.is_empty() {
        return CodeCheck::Wrong(
            "Enter the 6-digit code from your authenticator app, or a recovery code",
        );
    }
    let Some(secret) = &account.totp_secret else {
        return CodeCheck::Wrong("This account has no authenticator app set up");
    };
    if trimmed
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| c.is_ascii_digit())
    {
        return if code_is_valid(secret, trimmed, now) {
            CodeCheck::Totp
        } else {
            CodeCheck::Wrong(
                "The code is not right. Check your authenticator app and enter the code it shows now",
            )
        };
    }
    let hash = recovery_hash(trimmed);
    match account.recovery_code_hashes.iter().position(|h| *h == hash) {
        Some(index) => {
            account.recovery_code_hashes.remove(index);
            CodeCheck::RecoveryCode
        }
        None => CodeCheck::Wrong("That recovery code is not right, or has already been used"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_core::ids::AccountId;
    use custodian_core::person::Email;

    fn account(secret: &str, hashes: Vec<String>) -> Account {
        Account {
            id: AccountId::generate(),
            email: Email::parse("a@x.org").unwrap(),
            password_hash: String::new(),
            failed_attempts: 0,
            locked_until: None,
            totp_secret: Some(secret.to_owned()),
            recovery_code_hashes: hashes,
            created_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_current_totp_code_is_accepted_and_an_old_one_is_not() {
        let secret = new_secret();
        let now = Timestamp::from_second(1_780_000_000).unwrap();
        let t = totp(&secret, "x").unwrap();
        let code = t.generate(now.as_second() as u64);
        assert!(code_is_valid(&secret, &code, now));
        let old = t.generate(now.as_second() as u64 - 300);
        assert!(!code_is_valid(&secret, &old, now));
        let mut acc = account(&secret, vec![]);
        assert!(matches!(check_code(&mut acc, &code, now), CodeCheck::Totp));
    }

    #[test]
    fn a_recovery_code_works_once() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut acc = account(&new_secret(), hashes);
        let now = Timestamp::from_second(1_780_000_000).unwrap();
        assert!(matches!(
            check_code(&mut acc, &codes[3].to_uppercase(), now),
            CodeCheck::RecoveryCode
        ));
        assert_eq!(acc.recovery_code_hashes.len(), RECOVERY_CODES - 1);
        assert!(matches!(
            check_code(&mut acc, &codes[3], now),
            CodeCheck::Wrong(_)
        ));
    }

    #[test]
    fn the_qr_code_is_an_svg() {
        let svg = qr_svg(&new_secret(), "clerk@x.org").unwrap();
        assert!(svg.contains("<svg"));
    }
}
