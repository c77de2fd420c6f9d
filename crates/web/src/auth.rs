//! Password hashing and one-time tokens.
//!
//! Passwords are hashed with Argon2id at OWASP's minimum parameters (19 MiB, 2 passes, 1 lane)
//! or stronger. Tokens (sessions, invitations, recovery codes) are random and only their
//! SHA-256 is stored, so a copy of the database cannot be used to sign in.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// OWASP Password Storage Cheat Sheet minimum for Argon2id: m=19 MiB, t=2, p=1.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

impl HashError {
    /// The hashing task itself failed (it panicked or was cancelled).
    pub fn from_join(error: &tokio::task::JoinError) -> Self {
        HashError(error.to_string())
    }
}

/// Hashes a password into a PHC string. Slow by design: async code calls
/// [`hash_password_off_thread`].
pub fn hash_password(password: &SecretString) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .map_err(|e| HashError(e.to_string()))?
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored PHC string. A malformed hash never verifies.
pub fn verify_password(password: &SecretString, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(argon) = hasher() else {
        return false;
    };
    argon
        .verify_password(password.expose_secret().as_bytes(), &parsed)
        .is_ok()
}

/// [`hash_password`] on a blocking thread, so the slow hash does not stall other requests.
pub async fn hash_password_off_thread(password: SecretString) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| HashError::from_join(&e))?
}

/// [`verify_password`] on a blocking thread. A failed task never verifies.
pub async fn verify_password_off_thread(password: SecretString, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a sign-in for an unknown
/// email takes as long as one for a known email and reveals nothing by its timing.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7z7fJ3nYJm3x2pK8b0m0pV2xk3Y5zq1b8o3x5Qm4Z1A"
}

/// A new random token: 32 bytes, hex encoded.
pub fn new_token() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(hex::encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(&SecretString::from("otter-lantern-quarry")).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(
            &SecretString::from("otter-lantern-quarry"),
            &hash
        ));
        assert!(!verify_password(
            &SecretString::from("otter-lantern-quarrz"),
            &hash
        ));
        assert!(!verify_password(&SecretString::from("x"), "not a hash"));
        assert!(!verify_password(&SecretString::from("x"), dummy_hash()));
        // The dummy must parse, or unknown emails would be answered faster than known ones.
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(a.expose_secret().len(), 64);
        assert_ne!(token_hash(a.expose_secret()), a.expose_secret());
        assert!(!format!("{a:?}").contains(a.expose_secret()));
    }
}
