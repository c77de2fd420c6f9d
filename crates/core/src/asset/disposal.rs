//! Wiping and disposal (clause 2.2.12: a device that has held council data is wiped before it is
//! disposed of). Disposal is refused until a wipe is recorded: how, by whom, when, and the
//! certificate reference if a firm did it.

use super::register::{MAX_SHORT_TEXT, tidy_line};
use super::{Asset, AssetError, AssetStatus};
use crate::audit::{Actor, AuditEvent};
use crate::ids::PersonId;
use crate::policy::version::london_today;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

/// How the data was removed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WipeMethod {
    /// Every block overwritten (for example with a disk-wiping tool).
    Overwrite,
    /// The encryption key destroyed, leaving only unreadable data (most modern phones and
    /// self-encrypting drives).
    CryptoErase,
    /// The maker's "erase all content and settings".
    FactoryReset,
    /// The storage shredded or drilled.
    PhysicalDestruction,
    /// Anything else, described in words.
    Other(String),
}

impl WipeMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            WipeMethod::Overwrite => "overwrite",
            WipeMethod::CryptoErase => "crypto_erase",
            WipeMethod::FactoryReset => "factory_reset",
            WipeMethod::PhysicalDestruction => "physical_destruction",
            WipeMethod::Other(_) => "other",
        }
    }

    pub fn label(&self) -> &str {
        match self {
            WipeMethod::Overwrite => "Overwritten with a wiping tool",
            WipeMethod::CryptoErase => "Encryption key erased",
            WipeMethod::FactoryReset => "Factory reset",
            WipeMethod::PhysicalDestruction => "Storage physically destroyed",
            WipeMethod::Other(text) => text,
        }
    }
}

/// A recorded data wipe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WipeRecord {
    pub method: WipeMethod,
    /// Who did the wipe (for example the IT provider), which may not be who records it.
    pub by: PersonId,
    pub on: Date,
    pub certificate_reference: Option<String>,
}

/// Where a disposed item went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disposal {
    pub recycler: String,
    pub certificate_reference: Option<String>,
    pub at: Timestamp,
    pub by: Option<PersonId>,
}

/// Records a wipe. Allowed for an item in store or damaged, and for a lost or stolen one (a
/// remote wipe); an issued item must come back to store first, because its holder may still be
/// adding council data to it.
pub fn record_wipe(
    asset: &Asset,
    wipe: WipeRecord,
    recorded_by: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    let number = asset.number_text();
    match asset.status {
        AssetStatus::Disposed => return Err(AssetError::AlreadyDisposed { number }),
        AssetStatus::Issued { .. } => return Err(AssetError::StillIssued { number }),
        _ => {}
    }
    if wipe.on > london_today(now) {
        return Err(AssetError::WipeInFuture(wipe.on.to_string()));
    }
    let method = match wipe.method {
        WipeMethod::Other(text) => {
            let text = tidy_line("wipe method", &text, MAX_SHORT_TEXT)?;
            if text.is_empty() {
                return Err(AssetError::EmptyWipeMethod);
            }
            WipeMethod::Other(text)
        }
        other => other,
    };
    let wipe = WipeRecord {
        method,
        certificate_reference: certificate(wipe.certificate_reference.as_deref())?,
        ..wipe
    };
    let event = AuditEvent::new(asset.council_id, now, recorded_by, "asset.wiped")
        .subject(asset.subject())
        .details(json!({
            "number": number,
            "method": wipe.method.as_str(),
            "method_described": match &wipe.method {
                WipeMethod::Other(text) => Some(text.as_str()),
                _ => None,
            },
            "by": wipe.by.to_string(),
            "on": wipe.on.to_string(),
            "certificate_reference": wipe.certificate_reference,
        }));
    let mut wiped = asset.clone();
    wiped.wipe = Some(wipe);
    Ok((wiped, event))
}

/// Disposes of an item that is in store (or damaged) and has a recorded wipe. The item stays in
/// the register, marked disposed, with the recycler and certificate as evidence.
pub fn dispose(
    asset: &Asset,
    recycler: &str,
    certificate_reference: Option<&str>,
    by: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    let number = asset.number_text();
    match asset.status {
        AssetStatus::Disposed => return Err(AssetError::AlreadyDisposed { number }),
        AssetStatus::Issued { .. } => return Err(AssetError::StillIssued { number }),
        AssetStatus::Lost | AssetStatus::Stolen => {
            return Err(AssetError::DisposeMissing {
                number,
                state: asset.status.in_words(),
            });
        }
        AssetStatus::InStore | AssetStatus::Damaged => {}
    }
    if asset.wipe.is_none() {
        return Err(AssetError::NotWiped { number });
    }
    let recycler = tidy_line("recycler", recycler, MAX_SHORT_TEXT)?;
    if recycler.is_empty() {
        return Err(AssetError::EmptyRecycler);
    }
    let disposal = Disposal {
        recycler,
        certificate_reference: certificate(certificate_reference)?,
        at: now,
        by: by.person(),
    };
    let event = AuditEvent::new(asset.council_id, now, by, "asset.disposed")
        .subject(asset.subject())
        .details(json!({
            "number": number,
            "recycler": disposal.recycler,
            "certificate_reference": disposal.certificate_reference,
        }));
    let mut disposed = asset.clone();
    disposed.status = AssetStatus::Disposed;
    disposed.disposal = Some(disposal);
    Ok((disposed, event))
}

/// A blank certificate reference means none was given.
fn certificate(text: Option<&str>) -> Result<Option<String>, AssetError> {
    let text = tidy_line(
        "certificate reference",
        text.unwrap_or_default(),
        MAX_SHORT_TEXT,
    )?;
    Ok(Some(text).filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{laptop, now, person};
    use super::super::{AssetNumber, issue};
    use super::*;
    use crate::ids::CouncilId;

    fn wipe(method: WipeMethod, on: Date) -> WipeRecord {
        WipeRecord {
            method,
            by: PersonId::generate(),
            on,
            certificate_reference: Some("  WEEE-2026-0147 ".into()),
        }
    }

    fn wiped(asset: &Asset) -> Asset {
        record_wipe(
            asset,
            wipe(WipeMethod::Overwrite, jiff::civil::date(2026, 5, 20)),
            Actor::System,
            now(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn disposal_without_a_recorded_wipe_is_refused_citing_the_clause() {
        let council = CouncilId::generate();
        let err = dispose(
            &laptop(council),
            "GreenCycle Ltd",
            None,
            Actor::System,
            now(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Record how the data was wiped before disposing of ABC-0042 (clause 2.2.12)."
        );
    }

    #[test]
    fn a_wiped_item_is_disposed_of_with_the_recycler_and_certificate() {
        let council = CouncilId::generate();
        let clerk = PersonId::generate();
        let asset = wiped(&laptop(council));
        let (disposed, event) = dispose(
            &asset,
            " GreenCycle   Ltd ",
            Some("CERT-889"),
            Actor::Person(clerk),
            now(),
        )
        .unwrap();
        assert_eq!(disposed.status, AssetStatus::Disposed);
        let record = disposed.disposal.unwrap();
        assert_eq!(record.recycler, "GreenCycle Ltd");
        assert_eq!(record.certificate_reference.as_deref(), Some("CERT-889"));
        assert_eq!(record.by, Some(clerk));
        assert_eq!(event.action, "asset.disposed");
        assert_eq!(event.details["certificate_reference"], "CERT-889");
    }

    #[test]
    fn recording_a_wipe_keeps_method_person_date_and_certificate() {
        let council = CouncilId::generate();
        let record = wipe(
            WipeMethod::Other("  Degaussed by supplier ".into()),
            jiff::civil::date(2026, 5, 28),
        );
        let by = record.by;
        let (asset, event) = record_wipe(&laptop(council), record, Actor::System, now()).unwrap();
        let kept = asset.wipe.unwrap();
        assert_eq!(
            kept.method,
            WipeMethod::Other("Degaussed by supplier".into())
        );
        assert_eq!(
            kept.certificate_reference.as_deref(),
            Some("WEEE-2026-0147")
        );
        assert_eq!(event.action, "asset.wiped");
        assert_eq!(event.details["by"], by.to_string());
        assert_eq!(event.details["on"], "2026-05-28");
        assert_eq!(event.details["method"], "other");
    }

    #[test]
    fn a_wipe_dated_in_the_future_or_without_a_method_is_refused() {
        let council = CouncilId::generate();
        assert_eq!(
            record_wipe(
                &laptop(council),
                wipe(WipeMethod::FactoryReset, jiff::civil::date(2026, 5, 29)),
                Actor::System,
                now()
            ),
            Err(AssetError::WipeInFuture("2026-05-29".into()))
        );
        assert_eq!(
            record_wipe(
                &laptop(council),
                wipe(WipeMethod::Other(" ".into()), jiff::civil::date(2026, 5, 1)),
                Actor::System,
                now()
            ),
            Err(AssetError::EmptyWipeMethod)
        );
    }

    #[test]
    fn an_issued_item_must_come_back_before_it_is_wiped_or_disposed_of() {
        let council = CouncilId::generate();
        let asset = wiped(&laptop(council));
        let issued = issue(
            &asset,
            &person(council, "Alice Smith"),
            Actor::System,
            now(),
        )
        .unwrap()
        .0;
        assert!(matches!(
            record_wipe(
                &issued,
                wipe(WipeMethod::CryptoErase, jiff::civil::date(2026, 5, 1)),
                Actor::System,
                now()
            ),
            Err(AssetError::StillIssued { .. })
        ));
        assert!(matches!(
            dispose(&issued, "GreenCycle Ltd", None, Actor::System, now()),
            Err(AssetError::StillIssued { .. })
        ));
    }

    #[test]
    fn a_lost_item_can_be_wiped_remotely_but_not_disposed_of() {
        let council = CouncilId::generate();
        let mut asset = laptop(council);
        asset.status = AssetStatus::Lost;
        let asset = wiped(&asset);
        assert!(matches!(
            dispose(&asset, "GreenCycle Ltd", None, Actor::System, now()),
            Err(AssetError::DisposeMissing { state: "lost", .. })
        ));
    }

    #[test]
    fn disposal_needs_a_recycler_and_happens_only_once() {
        let council = CouncilId::generate();
        let asset = wiped(&laptop(council));
        assert_eq!(
            dispose(&asset, "  ", None, Actor::System, now()),
            Err(AssetError::EmptyRecycler)
        );
        let (disposed, _) = dispose(&asset, "GreenCycle Ltd", None, Actor::System, now()).unwrap();
        assert_eq!(
            disposed.disposal.as_ref().unwrap().certificate_reference,
            None
        );
        assert_eq!(
            dispose(&disposed, "GreenCycle Ltd", None, Actor::System, now()),
            Err(AssetError::AlreadyDisposed {
                number: AssetNumber::parse("ABC-0042").unwrap().to_string()
            })
        );
    }
}
