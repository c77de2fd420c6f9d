//! Encrypted vault exports for disaster recovery (issue 5): the vault's items sealed to the
//! recovery kit's public key, so an export can be made at any time without the holders, and
//! opened with two of their sheets and the `custodian` binary alone. Only text in, text out:
//! reading the vault and writing files are the caller's.
//!
//! The seal is ECIES: a fresh X25519 key pair per export, its shared secret with the kit's
//! public key through HKDF-SHA256 to a one-off key, and XChaCha20-Poly1305 over the items'
//! JSON with the header's JSON as associated data, so the readable header cannot be altered
//! without the export failing to open.

use crate::recovery::{RecoveryError, Share, recover_secret};
use crate::{Key, VaultError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x25519_dalek::{PublicKey, SharedSecret, StaticSecret};
use zeroize::Zeroizing;

const FIRST_LINE: &str = "custodian-vault-export v1";
const FORMAT_PREFIX: &str = "custodian-vault-export v";
const HKDF_INFO: &[u8] = b"custodian-vault/export/v1";
const HEADER_LABEL: &str = "header:";
const EPHEMERAL_LABEL: &str = "ephemeral-key:";
const SEALED_LABEL: &str = "sealed:";
const END_LINE: &str = "end";
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
/// Bytes of sealed body per line of hexadecimal, so the file stays readable and printable.
const BYTES_PER_LINE: usize = 32;

/// What an export is, in plain sight at the top of the file. Authenticated with the contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    pub council: String,
    pub created_at: String,
    /// The recovery kit whose sheets open the export.
    pub kit_id: String,
    pub item_count: usize,
}

/// One vault item as exported: its description and its secret fields in plain text. Only
/// ever written to disk sealed; `Debug` shows neither the username nor any field's value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedItem {
    pub name: String,
    pub kind: String,
    pub address: Option<String>,
    pub username: Option<String>,
    /// Each secret field's name ("password", "totp_seed", ...) and value.
    pub fields: Vec<(String, Zeroizing<String>)>,
}

impl std::fmt::Debug for ExportedItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field_names: Vec<&str> = self.fields.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ExportedItem")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("address", &self.address)
            .field("username", &self.username.as_ref().map(|_| "hidden"))
            .field("fields", &field_names)
            .finish()
    }
}

/// Seals `items` to the kit's `public_key` as the text of an export file. The header is
/// written as given except `item_count`, which is taken from `items`. No secret or username
/// appears in the text. Fails with [`VaultError::NoRandomness`] without a random generator,
/// and with [`VaultError::CannotOpen`] if `public_key` is not a usable X25519 key (a stored
/// key that was damaged or replaced: sealing to it would protect nothing).
pub fn seal_export(
    public_key: &[u8; 32],
    header: &ExportHeader,
    items: &[ExportedItem],
) -> Result<String, VaultError> {
    let header = ExportHeader {
        item_count: items.len(),
        ..header.clone()
    };
    // Serialising these plain structs cannot fail; the mapping only satisfies the type.
    let header_json = serde_json::to_string(&header).map_err(|_| VaultError::CannotOpen)?;

    let mut ephemeral_bytes = Zeroizing::new([0u8; 32]);
    let mut nonce = [0u8; NONCE_BYTES];
    for bytes in [ephemeral_bytes.as_mut_slice(), nonce.as_mut_slice()] {
        rand::rngs::OsRng
            .try_fill_bytes(bytes)
            .map_err(|_| VaultError::NoRandomness)?;
    }
    let ephemeral_secret = StaticSecret::from(*ephemeral_bytes);
    let ephemeral_public = PublicKey::from(&ephemeral_secret);
    let recipient = PublicKey::from(*public_key);
    let shared = ephemeral_secret.diffie_hellman(&recipient);
    let key = export_key(&shared, &ephemeral_public, &recipient).ok_or(VaultError::CannotOpen)?;

    let plaintext = items_json(items).map_err(|_| VaultError::CannotOpen)?;
    let ciphertext = XChaCha20Poly1305::new(key.as_bytes().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plaintext,
                aad: header_json.as_bytes(),
            },
        )
        // Encryption fails only for inputs of many gigabytes.
        .map_err(|_| VaultError::CannotOpen)?;

    let mut sealed = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    let mut text = String::with_capacity(1024 + header_json.len() + sealed.len() * 2);
    text.push_str(FIRST_LINE);
    text.push('\n');
    text.push_str(
        "# An encrypted copy of the council's shared-credential vault. Nothing in\n\
         # it can be read without two of the council's three recovery sheets.\n\
         # To open it:\n\
         #   custodian vault recover --share FIRST-SHEET.txt \\\n\
         #       --share SECOND-SHEET.txt --in THIS-FILE\n\
         # Do not edit this file: any change stops it from opening.\n",
    );
    for line in [
        format!("{HEADER_LABEL} {header_json}"),
        format!(
            "{EPHEMERAL_LABEL} {}",
            hex::encode(ephemeral_public.as_bytes())
        ),
        SEALED_LABEL.to_string(),
    ] {
        text.push_str(&line);
        text.push('\n');
    }
    for chunk in sealed.chunks(BYTES_PER_LINE) {
        text.push_str(&hex::encode(chunk));
        text.push('\n');
    }
    text.push_str(END_LINE);
    text.push('\n');
    Ok(text)
}

/// Opens an export with two shares of the kit it was made for: returns its header and items.
/// Shares of another kit, an export that was altered, cut short or is not an export at all
/// are each refused with a message saying which.
pub fn open_export(
    text: &str,
    a: &Share,
    b: &Share,
) -> Result<(ExportHeader, Vec<ExportedItem>), RecoveryError> {
    let export = ParsedExport::read(text)?;
    for share in [a, b] {
        if share.kit_id() != export.header.kit_id {
            return Err(RecoveryError::ExportForAnotherKit {
                export_kit: export.header.kit_id.clone(),
                share_kit: share.kit_id().to_string(),
            });
        }
    }
    let secret = recover_secret(a, b)?;
    let ephemeral = PublicKey::from(export.ephemeral_key);
    let recipient = PublicKey::from(secret.public_key());
    let shared = secret.agree(&ephemeral);
    let key = export_key(&shared, &ephemeral, &recipient).ok_or(RecoveryError::ExportAltered)?;
    let (nonce, ciphertext) = export.sealed.split_at(NONCE_BYTES);
    let plaintext = Zeroizing::new(
        XChaCha20Poly1305::new(key.as_bytes().into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: export.header_json.as_bytes(),
                },
            )
            .map_err(|_| RecoveryError::ExportAltered)?,
    );
    let items: Vec<ExportedItem> =
        serde_json::from_slice(&plaintext).map_err(|_| RecoveryError::ExportUnreadable)?;
    if items.len() != export.header.item_count {
        return Err(RecoveryError::ExportUnreadable);
    }
    Ok((export.header, items))
}

/// The export key: HKDF-SHA256 over the shared secret, salted with both public keys so the
/// key belongs to this exchange alone. `None` when the shared secret is all zeros (a public
/// key of small order), which would make the key known to anyone.
fn export_key(shared: &SharedSecret, ephemeral: &PublicKey, recipient: &PublicKey) -> Option<Key> {
    if !shared.was_contributory() {
        return None;
    }
    let salt = [ephemeral.as_bytes().as_slice(), recipient.as_bytes()].concat();
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
        .expand(HKDF_INFO, okm.as_mut_slice())
        .ok()?;
    Key::from_slice(okm.as_slice())
}

/// The items' JSON in a buffer of exactly the right size, written once, so no reallocation
/// leaves an unwiped copy of the secrets behind.
fn items_json(items: &[ExportedItem]) -> serde_json::Result<Zeroizing<Vec<u8>>> {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, items)?;
    let mut json = Zeroizing::new(Vec::with_capacity(counter.0));
    serde_json::to_writer(&mut *json, items)?;
    Ok(json)
}

/// Counts what would be written, and keeps nothing.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An export file's parts, read but not yet opened.
struct ParsedExport {
    /// Exactly as written, since these bytes are what the seal authenticates.
    header_json: String,
    header: ExportHeader,
    ephemeral_key: [u8; 32],
    /// Nonce, then ciphertext with its tag.
    sealed: Vec<u8>,
}

impl ParsedExport {
    /// Reads the file's lines in order; blank lines and `#` notes are skipped anywhere, and
    /// line ends and surrounding spaces are forgiven (the file may have passed through Windows).
    fn read(text: &str) -> Result<Self, RecoveryError> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        let first = lines.next().unwrap_or_default();
        if first != FIRST_LINE {
            return Err(match first.strip_prefix(FORMAT_PREFIX).map(str::parse) {
                Some(Ok(version)) if version > 1 => RecoveryError::NewerExport(version),
                _ => RecoveryError::NotAnExport,
            });
        }
        let header_json = lines
            .next()
            .and_then(|line| line.strip_prefix(HEADER_LABEL))
            .map(str::trim)
            .ok_or(RecoveryError::ExportDamaged(
                "its second line should be its header, starting \"header:\"",
            ))?
            .to_string();
        let header: ExportHeader = serde_json::from_str(&header_json)
            .map_err(|_| RecoveryError::ExportDamaged("its header line cannot be read"))?;
        let ephemeral_key: [u8; 32] = lines
            .next()
            .and_then(|line| line.strip_prefix(EPHEMERAL_LABEL))
            .and_then(|key| hex::decode(key.trim()).ok())
            .and_then(|key| key.try_into().ok())
            .ok_or(RecoveryError::ExportDamaged(
                "its \"ephemeral-key:\" line is missing or is not 64 hexadecimal characters",
            ))?;
        if lines.next() != Some(SEALED_LABEL) {
            return Err(RecoveryError::ExportDamaged(
                "its \"sealed:\" line is missing",
            ));
        }
        // The end line first: a file cut short is named as such, not as bad hexadecimal.
        let rest: Vec<&str> = lines.collect();
        let end = rest
            .iter()
            .position(|line| *line == END_LINE)
            .ok_or(RecoveryError::ExportIncomplete)?;
        if end + 1 != rest.len() {
            return Err(RecoveryError::ExportDamaged(
                "it has lines after its \"end\" line",
            ));
        }
        let mut sealed = Vec::with_capacity(text.len() / 2);
        for line in rest.iter().take(end) {
            let bytes = hex::decode(line).map_err(|_| {
                RecoveryError::ExportDamaged(
                    "its sealed part has characters that are not hexadecimal",
                )
            })?;
            sealed.extend_from_slice(&bytes);
        }
        if sealed.len() < NONCE_BYTES + TAG_BYTES {
            return Err(RecoveryError::ExportDamaged("its sealed part is too short"));
        }
        Ok(Self {
            header_json,
            header,
            ephemeral_key,
            sealed,
        })
    }
}
