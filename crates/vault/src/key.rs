//! 256-bit keys: made at random, read from the vault key file, or derived from a passphrase.

use crate::VaultError;
use rand::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

const KEY_BYTES: usize = 32;
/// The first line of a vault key file, so a file of another kind is recognised as such.
const KEY_FILE_HEADER: &str = "custodian vault key, version 1";

/// A 256-bit key. Wiped from memory when dropped; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key([u8; KEY_BYTES]);

impl Key {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<Self, VaultError> {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| VaultError::NoRandomness)?;
        Ok(Self(bytes))
    }

    /// A key from exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; KEY_BYTES]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(hidden)")
    }
}

/// Why a vault key file could not be used. Messages never include the file's contents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyFileError {
    #[error(
        "this is not a Custodian vault key file (its first line should be \"{KEY_FILE_HEADER}\")"
    )]
    NotAKeyFile,
    #[error(
        "the vault key file is damaged: its second line should be 64 hexadecimal characters. Restore the file from your backup"
    )]
    Damaged,
}

/// The text of a vault key file: a header line and the key in hexadecimal. The caller writes
/// it with mode 0600 outside the database and its backups.
pub fn key_file(key: &Key) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{KEY_FILE_HEADER}\n{}\n",
        Zeroizing::new(hex::encode(key.as_bytes())).as_str()
    ))
}

/// Reads a vault key file written by [`key_file`]. Line endings and surrounding spaces are
/// forgiven (the file may have passed through Windows).
pub fn parse_key_file(text: &str) -> Result<Key, KeyFileError> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(KEY_FILE_HEADER) {
        return Err(KeyFileError::NotAKeyFile);
    }
    let hex_line = lines.next().ok_or(KeyFileError::Damaged)?;
    if lines.next().is_some() {
        return Err(KeyFileError::Damaged);
    }
    let bytes = Zeroizing::new(hex::decode(hex_line).map_err(|_| KeyFileError::Damaged)?);
    Key::from_slice(&bytes).ok_or(KeyFileError::Damaged)
}

/// The vault key derived from an operator's passphrase and the installation's salt with
/// Argon2id (64 MiB, 3 passes): slow on purpose, so a stolen database and backup cannot be
/// tried against guessed passphrases quickly. The same passphrase and salt give the same key.
pub fn key_from_passphrase(passphrase: &[u8], salt: &[u8; 16]) -> Result<Key, VaultError> {
    let params = argon2::Params::new(64 * 1024, 3, 1, Some(KEY_BYTES))
        .map_err(|e| VaultError::Derivation(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut bytes = [0u8; KEY_BYTES];
    argon
        .hash_password_into(passphrase, salt, &mut bytes)
        .map_err(|e| VaultError::Derivation(e.to_string()))?;
    Ok(Key(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_forgives_windows_line_ends() {
        let key = Key::generate().unwrap();
        let text = key_file(&key);
        assert_eq!(parse_key_file(&text).unwrap().as_bytes(), key.as_bytes());
        let windows = text.replace('\n', "\r\n");
        assert_eq!(parse_key_file(&windows).unwrap().as_bytes(), key.as_bytes());
    }

    #[test]
    fn a_wrong_or_damaged_key_file_is_named_without_showing_its_contents() {
        assert_eq!(
            parse_key_file("-----BEGIN PRIVATE KEY-----\nabc\n").err(),
            Some(KeyFileError::NotAKeyFile)
        );
        let key = key_file(&Key::generate().unwrap());
        let cut = &key[..key.len() - 10];
        assert_eq!(parse_key_file(cut).err(), Some(KeyFileError::Damaged));
        assert_eq!(
            parse_key_file(&format!("{KEY_FILE_HEADER}\n")).err(),
            Some(KeyFileError::Damaged)
        );
        let message = parse_key_file(cut).unwrap_err().to_string();
        assert!(!message.contains(&cut[KEY_FILE_HEADER.len() + 1..]));
    }

    #[test]
    fn a_passphrase_gives_the_same_key_with_the_same_salt_and_another_with_another() {
        let salt = [7u8; 16];
        let one = key_from_passphrase(b"wheelbarrow-lantern-quince", &salt).unwrap();
        let again = key_from_passphrase(b"wheelbarrow-lantern-quince", &salt).unwrap();
        assert_eq!(one.as_bytes(), again.as_bytes());
        let other_salt = key_from_passphrase(b"wheelbarrow-lantern-quince", &[8u8; 16]).unwrap();
        assert_ne!(one.as_bytes(), other_salt.as_bytes());
        let other_words = key_from_passphrase(b"wheelbarrow-lantern-quinces", &salt).unwrap();
        assert_ne!(one.as_bytes(), other_words.as_bytes());
    }

    #[test]
    fn keys_never_print_their_bytes() {
        let key = Key::generate().unwrap();
        let shown = format!("{key:?}");
        assert_eq!(shown, "Key(hidden)");
        assert!(!shown.contains(&hex::encode(&key.as_bytes()[..4])));
    }
}
