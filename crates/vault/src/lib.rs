//! The shared-credential vault's cryptography (issue 5, clauses 4.1.1–4.1.6), and nothing else:
//! no storage, no clock, no logging. Bytes in, bytes out.
//!
//! - Every item has its own random 256-bit key. Each secret field of the item (password, TOTP
//!   seed, recovery codes, notes) is sealed with XChaCha20-Poly1305 under that key, with
//!   associated data naming the item, the field and the field's version, so a ciphertext moved
//!   to another item, field or version fails to open instead of revealing the wrong secret.
//! - Item keys are wrapped (sealed the same way) by the vault key, bound to the item. Rotating
//!   the vault key re-wraps item keys only; the secrets themselves are not touched.
//! - The vault key comes from a key file kept outside the database ([`key_file`]) or from an
//!   operator's passphrase through Argon2id ([`key_from_passphrase`]).
//!
//! Keys and opened plaintext are wiped from memory when dropped, and neither prints itself.

mod export;
mod item;
mod key;
mod recovery;
mod seal;

pub use export::{ExportHeader, ExportedItem, open_export, seal_export};

pub use item::{key_check, key_matches, new_item_key, open_field, rewrap_item_key, seal_field};
pub use key::{Key, KeyFileError, key_file, key_from_passphrase, parse_key_file};
pub use recovery::{
    Place, RecoveryError, RecoveryKit, RecoverySecret, Share, issue_kit, parse_share_file,
    recover_secret, share_file,
};
pub use seal::{
    Binding, Plaintext, Sealed, SealedTextError, open, seal, unwrap_item_key, wrap_item_key,
};

/// Why a sealed value could not be opened or made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    /// The tag did not verify: the ciphertext was changed, belongs to another item, field or
    /// version, or the key is not the one it was sealed with. Which of these is deliberately not
    /// said (and cannot be known).
    #[error(
        "a stored secret could not be opened: it has been altered, belongs to another item, or the vault key is not the one it was sealed with"
    )]
    CannotOpen,
    /// The operating system's random number generator failed.
    #[error("the computer's random number generator is not available")]
    NoRandomness,
    /// The passphrase could not be turned into a key (Argon2id refused its parameters).
    #[error("the vault key could not be derived from the passphrase: {0}")]
    Derivation(String),
}
