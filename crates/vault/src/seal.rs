//! Sealing and opening one value, and wrapping item keys with the vault key.

use crate::{Key, VaultError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
/// Written before the hex of a sealed value stored as text, so a later format can be told apart.
const TEXT_PREFIX: &str = "v1:";
/// The field name item keys are wrapped under, which no secret field uses.
const ITEM_KEY_FIELD: &str = "item-key";

/// What a sealed value belongs to. The three parts are authenticated with the ciphertext: a
/// value opened with any other binding fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The item's id.
    pub item: &'a str,
    /// The field: "password", "totp_seed", "recovery_codes", "notes".
    pub field: &'a str,
    /// The field's version, raised each time the secret is changed, so an old ciphertext
    /// cannot be put back in place of the current one.
    pub version: u32,
}

impl Binding<'_> {
    /// The associated data: a label and each part with its length, so no two different
    /// bindings give the same bytes.
    fn associated_data(&self) -> Vec<u8> {
        let mut data = Vec::with_capacity(64 + self.item.len() + self.field.len());
        for part in [
            b"custodian-vault/v1".as_slice(),
            self.item.as_bytes(),
            self.field.as_bytes(),
            &self.version.to_be_bytes(),
        ] {
            data.extend_from_slice(&(part.len() as u64).to_be_bytes());
            data.extend_from_slice(part);
        }
        data
    }
}

/// A sealed value: a random 24-byte nonce, then the ciphertext with its 16-byte tag.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

/// Opened plaintext, wiped from memory when dropped.
pub type Plaintext = Zeroizing<Vec<u8>>;

/// Why stored text is not a sealed value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealedTextError {
    #[error("a stored secret is not in the vault's format (it should start with \"v1:\")")]
    UnknownFormat,
    #[error("a stored secret is not valid hexadecimal")]
    NotHex,
    #[error("a stored secret is too short to have been sealed by the vault")]
    TooShort,
}

impl Sealed {
    /// As stored in a text column: "v1:" and hexadecimal.
    pub fn to_text(&self) -> String {
        format!("{TEXT_PREFIX}{}", hex::encode(&self.0))
    }

    pub fn from_text(text: &str) -> Result<Self, SealedTextError> {
        let hex_part = text
            .strip_prefix(TEXT_PREFIX)
            .ok_or(SealedTextError::UnknownFormat)?;
        let bytes = hex::decode(hex_part).map_err(|_| SealedTextError::NotHex)?;
        if bytes.len() < NONCE_BYTES + TAG_BYTES {
            return Err(SealedTextError::TooShort);
        }
        Ok(Self(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Sealed {
    /// The length only: ciphertext is not secret, but nothing is gained by printing it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.as_bytes().into())
}

/// Seals `plaintext` under `key`, bound to `binding`, with a fresh random nonce.
pub fn seal(key: &Key, binding: &Binding, plaintext: &[u8]) -> Result<Sealed, VaultError> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| VaultError::NoRandomness)?;
    let aad = binding.associated_data();
    let ciphertext = cipher(key)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        // Encryption fails only for inputs of many gigabytes.
        .map_err(|_| VaultError::CannotOpen)?;
    let mut sealed = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    Ok(Sealed(sealed))
}

/// Opens a value sealed by [`seal`] with the same key and binding; anything else is
/// [`VaultError::CannotOpen`].
pub fn open(key: &Key, binding: &Binding, sealed: &Sealed) -> Result<Plaintext, VaultError> {
    let (nonce, ciphertext) = sealed.0.split_at(NONCE_BYTES.min(sealed.0.len()));
    if nonce.len() != NONCE_BYTES {
        return Err(VaultError::CannotOpen);
    }
    let aad = binding.associated_data();
    cipher(key)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::CannotOpen)
}

/// Wraps an item's key with the vault key, bound to the item, so a wrapped key copied onto
/// another item does not open.
pub fn wrap_item_key(vault_key: &Key, item: &str, item_key: &Key) -> Result<Sealed, VaultError> {
    seal(vault_key, &item_key_binding(item), item_key.as_bytes())
}

/// The item's key, unwrapped with the vault key.
pub fn unwrap_item_key(vault_key: &Key, item: &str, wrapped: &Sealed) -> Result<Key, VaultError> {
    let bytes = open(vault_key, &item_key_binding(item), wrapped)?;
    Key::from_slice(&bytes).ok_or(VaultError::CannotOpen)
}

fn item_key_binding(item: &str) -> Binding<'_> {
    Binding {
        item,
        field: ITEM_KEY_FIELD,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = "0193a1b2-0000-7000-8000-000000000001";

    fn password(version: u32) -> Binding<'static> {
        Binding {
            item: ITEM,
            field: "password",
            version,
        }
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_binding() {
        let key = Key::generate().unwrap();
        let sealed = seal(&key, &password(1), b"correct-horse-battery").unwrap();
        assert_eq!(
            open(&key, &password(1), &sealed).unwrap().as_slice(),
            b"correct-horse-battery"
        );
        // A fresh nonce each time: the same secret never seals to the same bytes.
        let again = seal(&key, &password(1), b"correct-horse-battery").unwrap();
        assert_ne!(sealed, again);
        assert!(!sealed.as_bytes().windows(5).any(|w| w == b"horse"));
    }

    #[test]
    fn a_changed_byte_anywhere_fails_to_open() {
        let key = Key::generate().unwrap();
        let sealed = seal(&key, &password(1), b"s3cret").unwrap();
        for index in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[index] ^= 0x01;
            assert_eq!(
                open(&key, &password(1), &Sealed(bytes)),
                Err(VaultError::CannotOpen),
                "byte {index}"
            );
        }
        let mut short = sealed.as_bytes().to_vec();
        short.truncate(10);
        assert_eq!(
            open(&key, &password(1), &Sealed(short)),
            Err(VaultError::CannotOpen)
        );
    }

    #[test]
    fn a_value_moved_to_another_item_field_or_version_fails_to_open() {
        let key = Key::generate().unwrap();
        let sealed = seal(&key, &password(2), b"s3cret").unwrap();
        let elsewhere = [
            Binding {
                item: "0193a1b2-0000-7000-8000-000000000002",
                ..password(2)
            },
            Binding {
                field: "notes",
                ..password(2)
            },
            password(1),
            password(3),
        ];
        for binding in elsewhere {
            assert_eq!(
                open(&key, &binding, &sealed),
                Err(VaultError::CannotOpen),
                "{binding:?}"
            );
        }
    }

    #[test]
    fn the_wrong_key_fails_to_open() {
        let sealed = seal(&Key::generate().unwrap(), &password(1), b"s3cret").unwrap();
        assert_eq!(
            open(&Key::generate().unwrap(), &password(1), &sealed),
            Err(VaultError::CannotOpen)
        );
    }

    #[test]
    fn item_keys_unwrap_only_with_the_vault_key_and_for_their_own_item() {
        let vault = Key::generate().unwrap();
        let item_key = Key::generate().unwrap();
        let wrapped = wrap_item_key(&vault, ITEM, &item_key).unwrap();
        assert_eq!(
            unwrap_item_key(&vault, ITEM, &wrapped).unwrap().as_bytes(),
            item_key.as_bytes()
        );
        assert!(unwrap_item_key(&vault, "another item", &wrapped).is_err());
        assert!(unwrap_item_key(&Key::generate().unwrap(), ITEM, &wrapped).is_err());
        // A wrapped key is not a secret field of its item.
        let as_field = Binding {
            item: ITEM,
            field: "password",
            version: 1,
        };
        assert!(open(&vault, &as_field, &wrapped).is_err());
    }

    #[test]
    fn sealed_values_survive_storage_as_text_and_bad_text_is_named() {
        let key = Key::generate().unwrap();
        let sealed = seal(&key, &password(1), b"s3cret").unwrap();
        let text = sealed.to_text();
        assert!(text.starts_with("v1:"));
        assert_eq!(Sealed::from_text(&text).unwrap(), sealed);
        assert_eq!(
            Sealed::from_text("s3cret"),
            Err(SealedTextError::UnknownFormat)
        );
        assert_eq!(Sealed::from_text("v1:zz"), Err(SealedTextError::NotHex));
        assert_eq!(Sealed::from_text("v1:00ff"), Err(SealedTextError::TooShort));
        assert_eq!(
            format!("{sealed:?}"),
            format!("Sealed({} bytes)", 24 + 6 + 16)
        );
    }
}
