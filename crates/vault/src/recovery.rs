//! The recovery kit (issue 5): the private half of an X25519 recovery key split so that any two
//! of three holders (Chair, Vice-Chair, Clerk) can open an encrypted vault export with the
//! `custodian` binary alone. The server keeps only the public half. This module makes kits,
//! writes and reads the printed sheets and joins two shares; it stores and logs nothing, and no
//! share or key ever appears in a message or in `Debug` output.

use crate::VaultError;
use rand::RngCore;
use rand_for_sharing::SeedableRng;
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, SharedSecret, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

const SECRET_BYTES: usize = 32;
const KIT_ID_BYTES: usize = 8;
/// How much of the public key's hash each share carries, so that two shares which do not join
/// to the kit's key (one mistyped past its check codes, or forged) are caught, not used.
const KEY_CHECK_BYTES: usize = 8;
const SHEETS: u8 = 3;
const SHEETS_NEEDED: u8 = 2;
const SHARE_FORMAT: u8 = 1;
/// Format, kit id, sheet number, key check, the share itself.
const PAYLOAD_BYTES: usize = 1 + KIT_ID_BYTES + 1 + KEY_CHECK_BYTES + SECRET_BYTES;
const KEY_CHECK_LABEL: &[u8] = b"custodian-vault/recovery-kit/v1";

mod sheet;
use sheet::{BEGIN, END, SHARE_LINES};
pub use sheet::{Place, parse_share_file, share_file};

/// A newly issued kit: the public key the server keeps, and one share per holder to print.
/// The private key itself was dropped (and wiped) inside [`issue_kit`].
#[derive(Debug)]
pub struct RecoveryKit {
    /// 16 random hexadecimal characters, printed on every sheet and in every export.
    pub kit_id: String,
    /// The recovery public key: exports are sealed to it.
    pub public_key: [u8; 32],
    /// Sheets 1, 2 and 3: any two recover the private key, one alone reveals nothing of it.
    pub shares: [Share; 3],
}

/// One holder's share of a kit's private key. Wiped from memory when dropped; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Share {
    kit_id: String,
    /// The sheet number, 1 to 3 (and the share's x coordinate).
    index: u8,
    key_check: [u8; KEY_CHECK_BYTES],
    value: [u8; SECRET_BYTES],
}

impl Share {
    /// The kit this share belongs to, as printed on its sheet.
    pub fn kit_id(&self) -> &str {
        &self.kit_id
    }

    /// The sheet number, 1 to 3.
    pub fn index(&self) -> u8 {
        self.index
    }

    fn payload(&self) -> Zeroizing<[u8; PAYLOAD_BYTES]> {
        let mut payload = Zeroizing::new([0u8; PAYLOAD_BYTES]);
        let kit_id = Zeroizing::new(hex::decode(&self.kit_id).unwrap_or_default());
        let parts: [&[u8]; 5] = [
            &[SHARE_FORMAT],
            &kit_id,
            &[self.index],
            &self.key_check,
            &self.value,
        ];
        for (slot, byte) in payload.iter_mut().zip(parts.into_iter().flatten()) {
            *slot = *byte;
        }
        payload
    }

    fn from_payload(payload: &[u8; PAYLOAD_BYTES]) -> Result<Self, RecoveryError> {
        let (format, rest) = payload.split_at(1);
        let (kit_id, rest) = rest.split_at(KIT_ID_BYTES);
        let (index, rest) = rest.split_at(1);
        let (key_check, value) = rest.split_at(KEY_CHECK_BYTES);
        if format != [SHARE_FORMAT] {
            return Err(RecoveryError::UnknownShareFormat);
        }
        let index = index.first().copied().unwrap_or(0);
        if !(1..=SHEETS).contains(&index) {
            return Err(RecoveryError::ShareDamaged);
        }
        let mut share = Share {
            kit_id: hex::encode(kit_id),
            index,
            key_check: [0; KEY_CHECK_BYTES],
            value: [0; SECRET_BYTES],
        };
        copy_into(&mut share.key_check, key_check);
        copy_into(&mut share.value, value);
        Ok(share)
    }
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Share(hidden)")
    }
}

/// A kit's private key, joined from two shares. Wiped from memory when dropped; never printed.
pub struct RecoverySecret {
    kit_id: String,
    secret: StaticSecret,
    public_key: PublicKey,
}

impl RecoverySecret {
    /// The kit the key belongs to.
    pub fn kit_id(&self) -> &str {
        &self.kit_id
    }

    /// The kit's public key, the one exports were sealed to.
    pub fn public_key(&self) -> [u8; 32] {
        self.public_key.to_bytes()
    }

    pub(crate) fn agree(&self, their_public: &PublicKey) -> SharedSecret {
        self.secret.diffie_hellman(their_public)
    }
}

impl std::fmt::Debug for RecoverySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoverySecret(hidden)")
    }
}

/// Why a recovery share or an export could not be used. Messages are for the Clerk or a Chair
/// at a keyboard: what is wrong, where, and what to do. They never include share contents.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecoveryError {
    #[error(
        "no recovery share was found. On each sheet the share is the block of numbered lines between \"{BEGIN}\" and \"{END}\": type or copy those lines into a text file, one file per sheet"
    )]
    NoShare,
    #[error(
        "the share's \"{BEGIN}\" line was found but not its \"{END}\" line. Copy the whole block, down to the END line"
    )]
    ShareUnfinished,
    #[error(
        "a share has {SHARE_LINES} lines but {found} were found. Check that no line was missed or typed twice"
    )]
    WrongLineCount { found: usize },
    #[error(
        "line {line} of the share is numbered {numbered}. Type the lines in order, 1 to {SHARE_LINES}"
    )]
    LineOutOfOrder { line: usize, numbered: usize },
    #[error(
        "line {line} of the share is too short: each line has its number, four groups of four characters and a two-character check code. Compare it with the printed sheet"
    )]
    LineTooShort { line: usize },
    #[error(
        "line {line} of the share is too long: each line has its number, four groups of four characters and a two-character check code. Compare it with the printed sheet"
    )]
    LineTooLong { line: usize },
    #[error(
        "line {line} of the share has a character that shares never use, in {place}. Shares use only the digits 0 to 9 and the letters A to Z except I, L, O and U"
    )]
    BadCharacter { line: usize, place: Place },
    #[error(
        "line {line} of the share does not match its check code, so it has been mistyped: look first at {place}. Compare the line with the printed sheet, character by character"
    )]
    LineMistyped { line: usize, place: Place },
    #[error(
        "this share is not in a form this version of Custodian reads; it may have been made by a newer version. Recover with that version"
    )]
    UnknownShareFormat,
    #[error(
        "the share is damaged: it does not name sheet 1, 2 or 3. Compare it with the printed sheet, line by line"
    )]
    ShareDamaged,
    #[error(
        "the two sheets come from different recovery kits ({first} and {second}). Use two sheets with the same kit number, which is printed near the top of each sheet"
    )]
    DifferentKits { first: String, second: String },
    #[error(
        "both shares given are sheet {sheet} of kit {kit_id}. Recovery needs two different sheets of the same kit: ask a second holder for theirs"
    )]
    SameSheetTwice { kit_id: String, sheet: u8 },
    #[error(
        "the two sheets of kit {kit_id} do not fit together: one of them has been mistyped or altered. Check both against the printed sheets, line by line"
    )]
    SharesDoNotFit { kit_id: String },
    #[error(
        "this file is not a Custodian vault export (its first line should be \"custodian-vault-export v1\")"
    )]
    NotAnExport,
    #[error(
        "this export was made by a newer version of Custodian (export format {0}). Open it with that version"
    )]
    NewerExport(u32),
    #[error("the export file is damaged: {0}. Use another copy of the export")]
    ExportDamaged(&'static str),
    #[error(
        "the export file is incomplete: its last line, \"end\", is missing, so it was probably cut short when it was copied. Use another copy of the export"
    )]
    ExportIncomplete,
    #[error(
        "this export was made for kit {export_kit}; these shares are from kit {share_kit}. Use two sheets of kit {export_kit} (the kit number is printed near the top of each sheet)"
    )]
    ExportForAnotherKit {
        export_kit: String,
        share_kit: String,
    },
    #[error(
        "the export file has been altered or damaged since it was made: its header or its contents do not match its seal, so nothing in it can be trusted. Use another copy of the export"
    )]
    ExportAltered,
    #[error(
        "the export opened, but its contents are not in the form this version of Custodian reads. Open it with the version that made it"
    )]
    ExportUnreadable,
}

/// Issues a new kit: a fresh X25519 key pair whose private key is split so that any two of
/// three shares recover it, then wiped. Before returning, every pair of shares is joined once
/// to prove the kit opens; if one does not, no kit is handed out
/// ([`VaultError::CannotOpen`]).
pub fn issue_kit() -> Result<RecoveryKit, VaultError> {
    let mut secret_bytes = Zeroizing::new([0u8; SECRET_BYTES]);
    let mut kit_id = [0u8; KIT_ID_BYTES];
    for bytes in [secret_bytes.as_mut_slice(), kit_id.as_mut_slice()] {
        rand::rngs::OsRng
            .try_fill_bytes(bytes)
            .map_err(|_| VaultError::NoRandomness)?;
    }
    let kit_id = hex::encode(kit_id);
    let public_key = PublicKey::from(&StaticSecret::from(*secret_bytes)).to_bytes();
    let key_check = key_check(&public_key);

    // Seeded here rather than left to the sharing crate, so a failing system generator is an
    // error instead of a panic.
    let mut rng = rand_for_sharing::rngs::StdRng::try_from_rng(&mut rand_for_sharing::rngs::SysRng)
        .map_err(|_| VaultError::NoRandomness)?;
    let points: Vec<blahaj::Share> = blahaj::Sharks(SHEETS_NEEDED)
        .dealer_rng(secret_bytes.as_slice(), &mut rng)
        .take(usize::from(SHEETS))
        .collect();
    let shares = [1u8, 2, 3].map(|index| {
        let mut share = Share {
            kit_id: kit_id.clone(),
            index,
            key_check,
            value: [0; SECRET_BYTES],
        };
        if let Some(point) = points.iter().find(|point| point.x.0 == index) {
            let bytes = Zeroizing::new(Vec::from(point));
            copy_into(&mut share.value, bytes.get(1..).unwrap_or_default());
        }
        share
    });
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        let joined = recover_secret(&shares[a], &shares[b]).map_err(|_| VaultError::CannotOpen)?;
        if joined.public_key() != public_key {
            return Err(VaultError::CannotOpen);
        }
    }
    Ok(RecoveryKit {
        kit_id,
        public_key,
        shares,
    })
}

/// Joins two shares of one kit into its private key. Refuses the same sheet twice, sheets of
/// different kits, and a pair that does not give the kit's public key back (one was mistyped
/// or altered), rather than return a wrong key.
pub fn recover_secret(a: &Share, b: &Share) -> Result<RecoverySecret, RecoveryError> {
    if a.kit_id != b.kit_id {
        return Err(RecoveryError::DifferentKits {
            first: a.kit_id.clone(),
            second: b.kit_id.clone(),
        });
    }
    if a.index == b.index {
        return Err(RecoveryError::SameSheetTwice {
            kit_id: a.kit_id.clone(),
            sheet: a.index,
        });
    }
    let does_not_fit = || RecoveryError::SharesDoNotFit {
        kit_id: a.kit_id.clone(),
    };
    if a.key_check != b.key_check {
        return Err(does_not_fit());
    }
    let mut points = Vec::with_capacity(2);
    for share in [a, b] {
        let mut bytes = Zeroizing::new(Vec::with_capacity(1 + SECRET_BYTES));
        bytes.push(share.index);
        bytes.extend_from_slice(&share.value);
        points.push(blahaj::Share::try_from(bytes.as_slice()).map_err(|_| does_not_fit())?);
    }
    let joined = Zeroizing::new(
        blahaj::Sharks(SHEETS_NEEDED)
            .recover(&points)
            .map_err(|_| does_not_fit())?,
    );
    let mut secret_bytes = Zeroizing::new([0u8; SECRET_BYTES]);
    if joined.len() != SECRET_BYTES {
        return Err(does_not_fit());
    }
    copy_into(secret_bytes.as_mut_slice(), &joined);
    let secret = StaticSecret::from(*secret_bytes);
    let public_key = PublicKey::from(&secret);
    if key_check(public_key.as_bytes()) != a.key_check {
        return Err(does_not_fit());
    }
    Ok(RecoverySecret {
        kit_id: a.kit_id.clone(),
        secret,
        public_key,
    })
}

fn key_check(public_key: &[u8; 32]) -> [u8; KEY_CHECK_BYTES] {
    let digest = Sha256::new()
        .chain_update(KEY_CHECK_LABEL)
        .chain_update(public_key)
        .finalize();
    let mut check = [0u8; KEY_CHECK_BYTES];
    copy_into(&mut check, &digest);
    check
}

/// Copies as many bytes as both sides have; never panics on a length mismatch.
fn copy_into(target: &mut [u8], source: &[u8]) {
    for (slot, byte) in target.iter_mut().zip(source) {
        *slot = *byte;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_changed_past_its_check_codes_does_not_fit_and_gives_no_key() {
        let kit = issue_kit().unwrap();
        let does_not_fit = Err(RecoveryError::SharesDoNotFit {
            kit_id: kit.kit_id.clone(),
        });
        let mut altered = kit.shares[1].clone();
        altered.value[0] ^= 1;
        assert_eq!(
            recover_secret(&kit.shares[0], &altered).map(|_| ()),
            does_not_fit
        );
        let mut rechecked = kit.shares[2].clone();
        rechecked.key_check[7] ^= 1;
        assert_eq!(
            recover_secret(&rechecked, &kit.shares[1]).map(|_| ()),
            does_not_fit
        );
        // Another kit's share passed off as this kit's.
        let other = issue_kit().unwrap();
        let mut forged = other.shares[1].clone();
        forged.kit_id = kit.kit_id.clone();
        forged.key_check = kit.shares[0].key_check;
        assert_eq!(
            recover_secret(&kit.shares[0], &forged).map(|_| ()),
            does_not_fit
        );
        // Typed in whole, with correct check codes, it is refused the same way.
        let retyped = parse_share_file(&share_file(&forged, "Council", "Clerk", "today")).unwrap();
        assert_eq!(
            recover_secret(&kit.shares[0], &retyped).map(|_| ()),
            does_not_fit
        );
    }
}
