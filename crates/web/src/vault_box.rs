//! Sealing and opening an item's secrets with the unlocked vault key: the one place pages (and
//! later the command line) turn a typed value into stored sealed text and back. Each call
//! unwraps the item key, uses it and drops it (wiped), so no item key outlives a call; opened
//! values come back in `Zeroizing` strings, wiped when dropped. Nothing here stores, logs or
//! decides who may see what: the pages check `reveal_basis` and write the audit entry first.

use custodian_core::ports::{SealedItem, SealedSecret};
use custodian_core::vault::{SecretField, VaultItem};
use custodian_vault::{Key, Sealed, SealedTextError, new_item_key, open_field, seal_field};
use secrecy::zeroize::Zeroizing;

/// Why a secret could not be sealed or opened. Never carries a secret or a key.
#[derive(Debug, thiserror::Error)]
pub enum BoxError {
    #[error(transparent)]
    Crypto(#[from] custodian_vault::VaultError),
    #[error(transparent)]
    Format(#[from] SealedTextError),
    /// The item does not record the field (so has no version to bind the value to), or the
    /// store holds no sealed value for it.
    #[error("the item has no stored {0}")]
    Missing(&'static str),
    #[error("a stored secret is not readable text")]
    NotText,
}

impl From<BoxError> for crate::error::AppError {
    fn from(error: BoxError) -> Self {
        crate::error::AppError::Internal(anyhow::Error::new(error))
    }
}

/// The text every sealed value of an item is bound to.
fn binding(item: &VaultItem) -> String {
    item.id.to_string()
}

fn version_of(item: &VaultItem, field: SecretField) -> Result<u32, BoxError> {
    item.secrets
        .get(&field)
        .copied()
        .ok_or(BoxError::Missing(field.as_str()))
}

/// A new item's key (wrapped by the vault key) and its first secrets, each sealed at the
/// version the item records for it (call `VaultItem::replace_secret` for each field first).
pub fn seal_new_item(
    key: &Key,
    item: &VaultItem,
    values: &[(SecretField, &str)],
) -> Result<(String, Vec<SealedSecret>), BoxError> {
    let wrapped = new_item_key(key, &binding(item))?.to_text();
    let mut sealed = Vec::with_capacity(values.len());
    for (field, value) in values {
        let version = version_of(item, *field)?;
        sealed.push(seal_secret(key, item, &wrapped, *field, version, value)?);
    }
    Ok((wrapped, sealed))
}

/// One field's value sealed under the item's key (given wrapped, as stored), bound to the
/// item, the field and `version`.
pub fn seal_secret(
    key: &Key,
    item: &VaultItem,
    wrapped_key: &str,
    field: SecretField,
    version: u32,
    value: &str,
) -> Result<SealedSecret, BoxError> {
    let wrapped = Sealed::from_text(wrapped_key)?;
    let sealed = seal_field(
        key,
        &binding(item),
        &wrapped,
        field.as_str(),
        version,
        value.as_bytes(),
    )?;
    Ok(SealedSecret {
        field,
        version,
        sealed: sealed.to_text(),
    })
}

/// Opens one field of an item. Fails if the stored value was altered, moved from another item
/// or field, is an older version, or the vault key is not the one it was sealed with.
pub fn open_secret(
    key: &Key,
    item: &VaultItem,
    stored: &SealedItem,
    field: SecretField,
) -> Result<Zeroizing<String>, BoxError> {
    let secret = stored
        .secret(field)
        .ok_or(BoxError::Missing(field.as_str()))?;
    let wrapped = Sealed::from_text(&stored.wrapped_key)?;
    let sealed = Sealed::from_text(&secret.sealed)?;
    let plain = open_field(
        key,
        &binding(item),
        &wrapped,
        field.as_str(),
        secret.version,
        &sealed,
    )?;
    let text = std::str::from_utf8(&plain).map_err(|_| BoxError::NotText)?;
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use custodian_core::ids::{CouncilId, VaultItemId};
    use custodian_core::person::Role;
    use custodian_core::vault::ItemDetails;

    fn item() -> VaultItem {
        let details = ItemDetails {
            name: "Website".into(),
            kind: "website_admin".into(),
            tier: "ordinary".into(),
            roles: vec![Role::Clerk],
            ..ItemDetails::default()
        }
        .check()
        .unwrap();
        VaultItem::new(
            VaultItemId::generate(),
            CouncilId::generate(),
            details,
            jiff::Timestamp::UNIX_EPOCH,
        )
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_own_item_and_version() {
        let key = Key::generate().unwrap();
        let mut first = item();
        first.replace_secret(SecretField::Password, jiff::Timestamp::UNIX_EPOCH);
        let (wrapped, sealed) = seal_new_item(
            &key,
            &first,
            &[(SecretField::Password, "kettle-orbit-lamp")],
        )
        .unwrap();
        assert!(!sealed[0].sealed.contains("kettle"));
        let stored = SealedItem {
            wrapped_key: wrapped.clone(),
            secrets: sealed.clone(),
        };
        let opened = open_secret(&key, &first, &stored, SecretField::Password).unwrap();
        assert_eq!(opened.as_str(), "kettle-orbit-lamp");

        // The same sealed text under another item's id does not open.
        let mut other = first.clone();
        other.id = VaultItemId::generate();
        assert!(open_secret(&key, &other, &stored, SecretField::Password).is_err());

        // An older version put back in place of a newer one does not open.
        let mut stale = stored.clone();
        stale.secrets[0].version = 2;
        assert!(open_secret(&key, &first, &stale, SecretField::Password).is_err());

        // Another vault key does not open it.
        let wrong = Key::generate().unwrap();
        assert!(open_secret(&wrong, &first, &stored, SecretField::Password).is_err());
    }

    #[test]
    fn a_field_the_item_does_not_record_is_not_sealed() {
        let key = Key::generate().unwrap();
        let result = seal_new_item(&key, &item(), &[(SecretField::Notes, "x")]);
        assert!(matches!(result, Err(BoxError::Missing("notes"))));
    }
}
