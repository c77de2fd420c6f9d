//! One item's secrets, as the server handles them: a fresh item key wrapped by the vault key,
//! fields sealed and opened under it, and the installation's key check. Thin on purpose: each
//! function unwraps the item key, uses it and lets it be wiped, so no item key outlives a call.

use crate::{Binding, Key, Plaintext, Sealed, VaultError, open, seal};
use crate::{unwrap_item_key, wrap_item_key};

/// What the key check is bound to; no item has this id.
const KEY_CHECK_ITEM: &str = "installation";
const KEY_CHECK_FIELD: &str = "key-check";
const KEY_CHECK_TEXT: &[u8] = b"custodian vault key check";

/// A new random key for the item, wrapped by the vault key (the item key itself is dropped,
/// and wiped, at once: every later use unwraps it again).
pub fn new_item_key(vault_key: &Key, item: &str) -> Result<Sealed, VaultError> {
    let item_key = Key::generate()?;
    wrap_item_key(vault_key, item, &item_key)
}

/// Seals one field's value under the item's key.
pub fn seal_field(
    vault_key: &Key,
    item: &str,
    wrapped_key: &Sealed,
    field: &str,
    version: u32,
    plaintext: &[u8],
) -> Result<Sealed, VaultError> {
    let item_key = unwrap_item_key(vault_key, item, wrapped_key)?;
    seal(
        &item_key,
        &Binding {
            item,
            field,
            version,
        },
        plaintext,
    )
}

/// Opens one field's value; fails if anything about it was altered or moved.
pub fn open_field(
    vault_key: &Key,
    item: &str,
    wrapped_key: &Sealed,
    field: &str,
    version: u32,
    sealed: &Sealed,
) -> Result<Plaintext, VaultError> {
    let item_key = unwrap_item_key(vault_key, item, wrapped_key)?;
    open(
        &item_key,
        &Binding {
            item,
            field,
            version,
        },
        sealed,
    )
}

/// Re-wraps an item key under a new vault key (a key rotation); the secrets are untouched.
pub fn rewrap_item_key(
    old_vault_key: &Key,
    new_vault_key: &Key,
    item: &str,
    wrapped_key: &Sealed,
) -> Result<Sealed, VaultError> {
    let item_key = unwrap_item_key(old_vault_key, item, wrapped_key)?;
    wrap_item_key(new_vault_key, item, &item_key)
}

/// A value only the vault key opens, stored so a wrong key is noticed at start.
pub fn key_check(vault_key: &Key) -> Result<Sealed, VaultError> {
    seal(vault_key, &key_check_binding(), KEY_CHECK_TEXT)
}

/// Whether `vault_key` is the key the check was made with.
pub fn key_matches(vault_key: &Key, check: &Sealed) -> bool {
    open(vault_key, &key_check_binding(), check).is_ok_and(|text| text.as_slice() == KEY_CHECK_TEXT)
}

fn key_check_binding() -> Binding<'static> {
    Binding {
        item: KEY_CHECK_ITEM,
        field: KEY_CHECK_FIELD,
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_opens_only_for_its_own_item_field_and_version() {
        let vault_key = Key::generate().unwrap();
        let wrapped = new_item_key(&vault_key, "item-a").unwrap();
        let sealed = seal_field(
            &vault_key,
            "item-a",
            &wrapped,
            "password",
            2,
            b"lantern-quince",
        )
        .unwrap();
        let opened = open_field(&vault_key, "item-a", &wrapped, "password", 2, &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"lantern-quince");
        assert!(open_field(&vault_key, "item-a", &wrapped, "password", 1, &sealed).is_err());
        assert!(open_field(&vault_key, "item-a", &wrapped, "notes", 2, &sealed).is_err());
        assert!(open_field(&vault_key, "item-b", &wrapped, "password", 2, &sealed).is_err());
    }

    #[test]
    fn a_rewrapped_key_opens_with_the_new_vault_key_only() {
        let old = Key::generate().unwrap();
        let new = Key::generate().unwrap();
        let wrapped = new_item_key(&old, "item-a").unwrap();
        let sealed = seal_field(&old, "item-a", &wrapped, "password", 1, b"secret").unwrap();
        let rewrapped = rewrap_item_key(&old, &new, "item-a", &wrapped).unwrap();
        let opened = open_field(&new, "item-a", &rewrapped, "password", 1, &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"secret");
        assert!(open_field(&old, "item-a", &rewrapped, "password", 1, &sealed).is_err());
    }

    #[test]
    fn the_key_check_tells_the_right_key_from_a_wrong_one() {
        let key = Key::generate().unwrap();
        let check = key_check(&key).unwrap();
        assert!(key_matches(&key, &check));
        assert!(!key_matches(&Key::generate().unwrap(), &check));
    }
}
