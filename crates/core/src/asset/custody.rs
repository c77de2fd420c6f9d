//! Custody (clause 1.1.5: each number "is logged against the current owner"): issuing an item to
//! a person, returning it to store, transferring it, and the person's acknowledgement of receipt
//! and responsibility. One acknowledgement may cover several items handed over together.

use super::{Asset, AssetError, AssetStatus};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{AssetId, CouncilId, PersonId};
use crate::person::{Person, PersonStatus};
use crate::policy::PolicyProfile;
use crate::policy::version::sha256_hex;
use jiff::Timestamp;
use serde_json::json;
use std::collections::HashSet;

/// Issues an item from store to `to`. Issuing also clears any recorded wipe: from now on the
/// item may hold council data again, so a later disposal needs a fresh wipe.
pub fn issue(
    asset: &Asset,
    to: &Person,
    by: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    check_recipient(asset, to)?;
    let number = asset.number_text();
    let (state, next) = match &asset.status {
        AssetStatus::InStore => ("", ""),
        AssetStatus::Issued { to: holder, .. } if *holder == to.id => {
            return Err(AssetError::AlreadyIssuedToThem { number });
        }
        AssetStatus::Issued { .. } => (
            "issued to someone else",
            "Transfer it instead, or return it to store first.",
        ),
        AssetStatus::Lost => ("lost", "If it has been found, return it to store first."),
        AssetStatus::Stolen => (
            "recorded as stolen",
            "If it has been recovered, return it to store first.",
        ),
        AssetStatus::Damaged => ("damaged", "Return it to store once it has been repaired."),
        AssetStatus::Disposed => (
            "disposed of",
            "Disposed items stay in the register as a record only.",
        ),
    };
    if !state.is_empty() {
        return Err(AssetError::CannotIssue {
            number,
            state,
            next,
        });
    }
    let mut issued = asset.clone();
    issued.status = AssetStatus::Issued {
        to: to.id,
        since: now,
        acknowledged_at: None,
    };
    issued.wipe = None;
    let event = AuditEvent::new(asset.council_id, now, by, "asset.issued")
        .subject(asset.subject())
        .details(json!({ "number": number, "to": to.id.to_string() }));
    Ok((issued, event))
}

/// Brings an item back into store: from its holder, or when a lost, stolen or damaged item is
/// found, recovered or repaired.
pub fn return_to_store(
    asset: &Asset,
    by: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    let number = asset.number_text();
    match asset.status {
        AssetStatus::InStore => return Err(AssetError::AlreadyInStore { number }),
        AssetStatus::Disposed => return Err(AssetError::ReturnAfterDisposal { number }),
        _ => {}
    }
    let mut returned = asset.clone();
    returned.status = AssetStatus::InStore;
    let event = AuditEvent::new(asset.council_id, now, by, "asset.returned")
        .subject(asset.subject())
        .details(json!({
            "number": number,
            "from": asset.holder().map(|p| p.to_string()),
            "previous_status": asset.status.as_str(),
        }));
    Ok((returned, event))
}

/// Moves an issued item straight from its holder to `to`, who must then acknowledge it.
pub fn transfer(
    asset: &Asset,
    to: &Person,
    by: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    check_recipient(asset, to)?;
    let number = asset.number_text();
    let from = match asset.status {
        AssetStatus::Issued { to: holder, .. } if holder == to.id => {
            return Err(AssetError::AlreadyIssuedToThem { number });
        }
        AssetStatus::Issued { to: holder, .. } => holder,
        _ => return Err(AssetError::TransferNotIssued { number }),
    };
    let mut moved = asset.clone();
    moved.status = AssetStatus::Issued {
        to: to.id,
        since: now,
        acknowledged_at: None,
    };
    let event = AuditEvent::new(asset.council_id, now, by, "asset.transferred")
        .subject(asset.subject())
        .details(json!({
            "number": number,
            "from": from.to_string(),
            "to": to.id.to_string(),
        }));
    Ok((moved, event))
}

fn check_recipient(asset: &Asset, to: &Person) -> Result<(), AssetError> {
    if to.council_id != asset.council_id {
        return Err(AssetError::OtherCouncil {
            number: asset.number_text(),
        });
    }
    if to.status == PersonStatus::Left {
        return Err(AssetError::RecipientHasLeft);
    }
    Ok(())
}

/// A person's confirmation that they received an item and accept responsibility for it. Kept
/// as evidence: never changed or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledgement {
    pub council_id: CouncilId,
    pub asset_id: AssetId,
    pub person_id: PersonId,
    pub at: Timestamp,
    /// SHA-256 (lower-case hex) of the exact text the person agreed to. Items acknowledged
    /// together share it.
    pub text_hash: String,
    /// The name as typed, when the person signed by typing it (for example at hand-over on the
    /// Clerk's screen). Kept here, never in the audit log.
    pub typed_name: Option<String>,
}

/// One item's part of an acknowledgement: the updated asset, the record and its audit event.
#[derive(Clone, Debug, PartialEq)]
pub struct Acknowledged {
    pub asset: Asset,
    pub acknowledgement: Acknowledgement,
    pub event: AuditEvent,
}

/// The text a person agrees to when acknowledging `assets`, with the council's liability rule.
/// Show exactly this and pass the same text to [`acknowledge_many`], whose hash then proves
/// what was agreed.
pub fn acknowledgement_text(assets: &[Asset], profile: &PolicyProfile) -> String {
    let items = assets
        .iter()
        .map(Asset::describe)
        .collect::<Vec<_>>()
        .join("; ");
    let (it, its) = if assets.len() == 1 {
        ("it", "its")
    } else {
        ("them", "their")
    };
    format!(
        "I confirm that I have received this council equipment: {items}. I will look after {it} \
         as the council's IT policy requires, keep {it} secure, and report {its} loss, theft or \
         damage to the Clerk straight away. I understand that if an item is lost or damaged \
         through my negligence I may be liable for {} (clause 2.1.6).",
        profile.negligence_liability.describe()
    )
}

/// `person` acknowledges one item issued to them. See [`acknowledge_many`].
pub fn acknowledge(
    asset: &Asset,
    person: &Person,
    typed_name: Option<&str>,
    text: &str,
    now: Timestamp,
) -> Result<Acknowledged, AssetError> {
    let mut all = acknowledge_many(std::slice::from_ref(asset), person, typed_name, text, now)?;
    all.pop().ok_or(AssetError::NothingToAcknowledge)
}

/// `person` acknowledges several items at once, as Snipe-IT users asked for when a laptop, phone
/// and USB drive are handed over together. All or nothing: if any item is not issued to them,
/// or is already acknowledged, none is acknowledged and the message names that item. Each item
/// gets its own record and audit event (so every asset's history shows it); they share the
/// moment and the text's hash.
pub fn acknowledge_many(
    assets: &[Asset],
    person: &Person,
    typed_name: Option<&str>,
    text: &str,
    now: Timestamp,
) -> Result<Vec<Acknowledged>, AssetError> {
    if assets.is_empty() {
        return Err(AssetError::NothingToAcknowledge);
    }
    let typed_name = typed_name
        .map(|typed| {
            let typed = typed.split_whitespace().collect::<Vec<_>>().join(" ");
            if typed.to_lowercase() == person.name.as_str().to_lowercase() {
                Ok(typed)
            } else {
                Err(AssetError::NameMismatch {
                    expected: person.name.to_string(),
                })
            }
        })
        .transpose()?;
    let mut seen = HashSet::new();
    for asset in assets {
        let number = asset.number_text();
        if !seen.insert(asset.id) {
            return Err(AssetError::AcknowledgedTwice { number });
        }
        if asset.council_id != person.council_id {
            return Err(AssetError::OtherCouncil { number });
        }
        match asset.status {
            AssetStatus::Issued {
                to,
                acknowledged_at,
                ..
            } if to == person.id => {
                if acknowledged_at.is_some() {
                    return Err(AssetError::AlreadyAcknowledged { number });
                }
            }
            _ => return Err(AssetError::NotYourAsset { number }),
        }
    }
    let text_hash = sha256_hex(text);
    let acknowledged = assets
        .iter()
        .map(|asset| {
            let mut updated = asset.clone();
            if let AssetStatus::Issued {
                acknowledged_at, ..
            } = &mut updated.status
            {
                *acknowledged_at = Some(now);
            }
            let event = AuditEvent::new(
                asset.council_id,
                now,
                Actor::Person(person.id),
                "asset.acknowledged",
            )
            .subject(asset.subject())
            .details(json!({
                "number": asset.number.as_str(),
                "person": person.id.to_string(),
                "text_hash": text_hash,
                "items_acknowledged_together": assets.len(),
                "typed_name_given": typed_name.is_some(),
            }));
            Acknowledged {
                asset: updated,
                acknowledgement: Acknowledgement {
                    council_id: asset.council_id,
                    asset_id: asset.id,
                    person_id: person.id,
                    at: now,
                    text_hash: text_hash.clone(),
                    typed_name: typed_name.clone(),
                },
                event,
            }
        })
        .collect();
    Ok(acknowledged)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{laptop, later, now, person, phone};
    use super::*;
    use crate::policy::NegligenceLiability;

    fn issued_to(asset: &Asset, to: &Person) -> Asset {
        issue(asset, to, Actor::System, now()).unwrap().0
    }

    #[test]
    fn issuing_from_store_records_the_holder_and_audits_their_id_only() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let (asset, event) = issue(&laptop(council), &alice, Actor::System, now()).unwrap();
        assert_eq!(asset.holder(), Some(alice.id));
        assert!(matches!(
            asset.status,
            AssetStatus::Issued {
                acknowledged_at: None,
                ..
            }
        ));
        assert_eq!(event.action, "asset.issued");
        assert_eq!(event.details["to"], alice.id.to_string());
        assert!(!event.details.to_string().contains("Alice"));
    }

    #[test]
    fn issuing_a_disposed_asset_is_refused_plainly() {
        let council = CouncilId::generate();
        let mut asset = laptop(council);
        asset.status = AssetStatus::Disposed;
        let err = issue(
            &asset,
            &person(council, "Alice Smith"),
            Actor::System,
            now(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ABC-0042 cannot be issued because it is disposed of. \
             Disposed items stay in the register as a record only."
        );
    }

    #[test]
    fn issuing_a_lost_asset_is_refused_until_it_is_returned_to_store() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let mut asset = laptop(council);
        asset.status = AssetStatus::Lost;
        let err = issue(&asset, &alice, Actor::System, now()).unwrap_err();
        assert!(
            err.to_string()
                .contains("If it has been found, return it to store first.")
        );
        let (found, event) = return_to_store(&asset, Actor::System, now()).unwrap();
        assert_eq!(event.details["previous_status"], "lost");
        assert!(issue(&found, &alice, Actor::System, now()).is_ok());
    }

    #[test]
    fn issuing_an_item_someone_else_holds_suggests_a_transfer() {
        let council = CouncilId::generate();
        let asset = issued_to(&laptop(council), &person(council, "Alice Smith"));
        let err = issue(&asset, &person(council, "Bob Jones"), Actor::System, now()).unwrap_err();
        assert!(err.to_string().contains("Transfer it instead"));
    }

    #[test]
    fn equipment_cannot_go_to_a_leaver_or_to_another_councils_person() {
        let council = CouncilId::generate();
        let mut leaver = person(council, "Alice Smith");
        leaver.status = PersonStatus::Left;
        assert_eq!(
            issue(&laptop(council), &leaver, Actor::System, now()),
            Err(AssetError::RecipientHasLeft)
        );
        let stranger = person(CouncilId::generate(), "Eve Other");
        assert!(matches!(
            issue(&laptop(council), &stranger, Actor::System, now()),
            Err(AssetError::OtherCouncil { .. })
        ));
    }

    #[test]
    fn issuing_clears_an_earlier_wipe_record() {
        let council = CouncilId::generate();
        let mut asset = laptop(council);
        asset.wipe = Some(super::super::WipeRecord {
            method: super::super::WipeMethod::FactoryReset,
            by: PersonId::generate(),
            on: jiff::civil::date(2026, 1, 1),
            certificate_reference: None,
        });
        let asset = issued_to(&asset, &person(council, "Alice Smith"));
        assert_eq!(asset.wipe, None);
    }

    #[test]
    fn returning_to_store_clears_the_holder_and_is_refused_when_already_there() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let asset = issued_to(&laptop(council), &alice);
        let (back, event) = return_to_store(&asset, Actor::System, later(1)).unwrap();
        assert_eq!(back.status, AssetStatus::InStore);
        assert_eq!(event.action, "asset.returned");
        assert_eq!(event.details["from"], alice.id.to_string());
        assert_eq!(
            return_to_store(&back, Actor::System, later(2)),
            Err(AssetError::AlreadyInStore {
                number: "ABC-0042".into()
            })
        );
    }

    #[test]
    fn transferring_moves_the_item_and_needs_a_new_acknowledgement() {
        let council = CouncilId::generate();
        let (alice, bob) = (person(council, "Alice Smith"), person(council, "Bob Jones"));
        let asset = issued_to(&laptop(council), &alice);
        let text = "terms";
        let asset = acknowledge(&asset, &alice, None, text, now())
            .unwrap()
            .asset;
        let (moved, event) = transfer(&asset, &bob, Actor::System, later(1)).unwrap();
        assert_eq!(moved.holder(), Some(bob.id));
        assert_eq!(event.action, "asset.transferred");
        assert_eq!(event.details["from"], alice.id.to_string());
        assert!(acknowledge(&moved, &bob, None, text, later(2)).is_ok());
    }

    #[test]
    fn an_item_in_store_cannot_be_transferred() {
        let council = CouncilId::generate();
        assert!(matches!(
            transfer(
                &laptop(council),
                &person(council, "Bob Jones"),
                Actor::System,
                now()
            ),
            Err(AssetError::TransferNotIssued { .. })
        ));
    }

    #[test]
    fn only_the_holder_can_acknowledge_an_item() {
        let council = CouncilId::generate();
        let (alice, bob) = (person(council, "Alice Smith"), person(council, "Bob Jones"));
        let asset = issued_to(&laptop(council), &alice);
        let err = acknowledge(&asset, &bob, None, "terms", now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ABC-0042 is not issued to you, so you cannot acknowledge it. \
             Only the person it was issued to can."
        );
    }

    #[test]
    fn one_acknowledgement_covers_several_items_handed_over_together() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let items = vec![
            issued_to(&laptop(council), &alice),
            issued_to(&phone(council), &alice),
        ];
        let text = acknowledgement_text(&items, &PolicyProfile::model_defaults());
        let done =
            acknowledge_many(&items, &alice, Some(" alice  SMITH "), &text, later(1)).unwrap();
        assert_eq!(done.len(), 2);
        assert_eq!(
            done[0].acknowledgement.text_hash,
            done[1].acknowledgement.text_hash
        );
        assert_eq!(
            done[0].acknowledgement.typed_name.as_deref(),
            Some("alice SMITH")
        );
        for item in &done {
            assert!(matches!(
                item.asset.status,
                AssetStatus::Issued { acknowledged_at: Some(t), .. } if t == later(1)
            ));
            assert_eq!(item.event.action, "asset.acknowledged");
            assert_eq!(item.event.details["items_acknowledged_together"], 2);
            assert!(
                !item
                    .event
                    .details
                    .to_string()
                    .to_lowercase()
                    .contains("alice")
            );
        }
    }

    #[test]
    fn acknowledging_several_items_is_all_or_nothing() {
        let council = CouncilId::generate();
        let (alice, bob) = (person(council, "Alice Smith"), person(council, "Bob Jones"));
        let mine = issued_to(&laptop(council), &alice);
        let theirs = issued_to(&phone(council), &bob);
        assert_eq!(
            acknowledge_many(&[mine.clone(), theirs], &alice, None, "t", now()),
            Err(AssetError::NotYourAsset {
                number: "ABC-0043".into()
            })
        );
        assert_eq!(
            acknowledge_many(&[mine.clone(), mine.clone()], &alice, None, "t", now()),
            Err(AssetError::AcknowledgedTwice {
                number: "ABC-0042".into()
            })
        );
        assert_eq!(
            acknowledge_many(&[], &alice, None, "t", now()),
            Err(AssetError::NothingToAcknowledge)
        );
    }

    #[test]
    fn an_item_cannot_be_acknowledged_twice() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let asset = issued_to(&laptop(council), &alice);
        let asset = acknowledge(&asset, &alice, None, "t", now()).unwrap().asset;
        assert!(matches!(
            acknowledge(&asset, &alice, None, "t", later(1)),
            Err(AssetError::AlreadyAcknowledged { .. })
        ));
    }

    #[test]
    fn a_typed_name_that_is_not_the_persons_is_refused() {
        let council = CouncilId::generate();
        let alice = person(council, "Alice Smith");
        let asset = issued_to(&laptop(council), &alice);
        assert_eq!(
            acknowledge(&asset, &alice, Some("Bob Jones"), "t", now()),
            Err(AssetError::NameMismatch {
                expected: "Alice Smith".into()
            })
        );
    }

    #[test]
    fn the_acknowledgement_text_lists_the_items_and_the_liability() {
        let council = CouncilId::generate();
        let mut profile = PolicyProfile::model_defaults();
        profile.negligence_liability = NegligenceLiability::Fixed {
            amount_pence: 10_000,
        };
        let text = acknowledgement_text(&[laptop(council)], &profile);
        assert!(text.contains("ABC-0042 (Dell Latitude 5440)"));
        assert!(text.contains("look after it"));
        assert!(text.contains("liable for the first £100 (clause 2.1.6)"));
    }
}
