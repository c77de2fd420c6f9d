//! An asset as a row and back. The field list is written once ([`FIELDS`]) and used by the
//! INSERT, the UPDATE and the import, so they cannot drift apart; it ends with the search text,
//! derived from the item's fields every time it is written.

use crate::rows::{council_id, int, opt_date, opt_int, opt_person_id, opt_text, text, time};
use custodian_core::asset::{
    Acknowledgement, Asset, AssetNumber, AssetStatus, Category, Disposal, Encryption, Imei,
    PurchaseAuthorisation, SerialNumber, SimNumber, WipeMethod, WipeRecord,
};
use custodian_core::ids::AssetId;
use custodian_core::ports::StoreError;
use custodian_core::time::from_millis;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

fn corrupt(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {column}: {detail}"))
}

/// The columns every change writes, in binding order.
pub(super) const FIELDS: &[&str] = &[
    "number",
    "number_key",
    "category",
    "make",
    "model",
    "serial",
    "imei",
    "sim",
    "purchased_on",
    "cost_pence",
    "supplier",
    "authorisation_kind",
    "authorisation_person",
    "authorisation_minute",
    "warranty_ends",
    "encrypted",
    "location",
    "status",
    "holder_id",
    "issued_since",
    "acknowledged_at",
    "wipe_method",
    "wipe_method_described",
    "wipe_by",
    "wipe_on",
    "wipe_certificate",
    "disposal_recycler",
    "disposal_certificate",
    "disposal_at",
    "disposal_by",
    "notes",
    "search_text",
];

pub(super) const COLUMNS: &str = "id, council_id, number, category, make, model, serial, imei, \
    sim, purchased_on, cost_pence, supplier, authorisation_kind, authorisation_person, \
    authorisation_minute, warranty_ends, encrypted, location, status, holder_id, issued_since, \
    acknowledged_at, wipe_method, wipe_method_described, wipe_by, wipe_on, wipe_certificate, \
    disposal_recycler, disposal_certificate, disposal_at, disposal_by, notes, created_at";

type AnyQuery<'q> = Query<'q, sqlx::Any, AnyArguments<'q>>;

/// Binds [`FIELDS`] of `asset`, in order.
pub(super) fn bind_fields<'q>(
    query: AnyQuery<'q>,
    asset: &Asset,
) -> Result<AnyQuery<'q>, StoreError> {
    let cost = asset
        .cost_pence
        .map(i64::try_from)
        .transpose()
        .map_err(|_| StoreError::Conflict("the cost is too large to store".to_owned()))?;
    let (auth_person, auth_minute) = match &asset.authorisation {
        PurchaseAuthorisation::ApprovedBy(p) => (Some(p.to_string()), None),
        PurchaseAuthorisation::MinuteReference(m) => (None, Some(m.clone())),
        PurchaseAuthorisation::None => (None, None),
    };
    let (holder, since, acknowledged) = match &asset.status {
        AssetStatus::Issued {
            to,
            since,
            acknowledged_at,
        } => (
            Some(to.to_string()),
            Some(since.as_millisecond()),
            acknowledged_at.map(|t| t.as_millisecond()),
        ),
        _ => (None, None, None),
    };
    let wipe = asset.wipe.as_ref();
    let disposal = asset.disposal.as_ref();
    Ok(query
        .bind(asset.number.as_str().to_owned())
        .bind(asset.number.normalised())
        .bind(asset.category.as_str())
        .bind(asset.make.clone())
        .bind(asset.model.clone())
        .bind(asset.serial.as_ref().map(|s| s.as_str().to_owned()))
        .bind(asset.imei.as_ref().map(|s| s.as_str().to_owned()))
        .bind(asset.sim.as_ref().map(|s| s.as_str().to_owned()))
        .bind(asset.purchased_on.map(|d| d.to_string()))
        .bind(cost)
        .bind(asset.supplier.clone())
        .bind(asset.authorisation.as_str())
        .bind(auth_person)
        .bind(auth_minute)
        .bind(asset.warranty_ends.map(|d| d.to_string()))
        .bind(asset.encrypted.as_str())
        .bind(asset.location.clone())
        .bind(asset.status.as_str())
        .bind(holder)
        .bind(since)
        .bind(acknowledged)
        .bind(wipe.map(|w| w.method.as_str()))
        .bind(wipe.and_then(|w| match &w.method {
            WipeMethod::Other(text) => Some(text.clone()),
            _ => None,
        }))
        .bind(wipe.map(|w| w.by.to_string()))
        .bind(wipe.map(|w| w.on.to_string()))
        .bind(wipe.and_then(|w| w.certificate_reference.clone()))
        .bind(disposal.map(|d| d.recycler.clone()))
        .bind(disposal.and_then(|d| d.certificate_reference.clone()))
        .bind(disposal.map(|d| d.at.as_millisecond()))
        .bind(disposal.and_then(|d| d.by.map(|p| p.to_string())))
        .bind(asset.notes.clone())
        .bind(asset.search_text()))
}

fn parsed<T, E: std::fmt::Display>(
    column: &str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    value
        .map(|v| parse(&v).map_err(|e| corrupt(column, e)))
        .transpose()
}

fn required<T>(column: &str, value: Option<T>) -> Result<T, StoreError> {
    value.ok_or_else(|| corrupt(column, "missing"))
}

pub(super) fn asset(row: &AnyRow) -> Result<Asset, StoreError> {
    let status = match text(row, "status")?.as_str() {
        "in_store" => AssetStatus::InStore,
        "issued" => AssetStatus::Issued {
            to: required("holder_id", opt_person_id(row, "holder_id")?)?,
            since: from_millis(required("issued_since", opt_int(row, "issued_since")?)?),
            acknowledged_at: opt_int(row, "acknowledged_at")?.map(from_millis),
        },
        "lost" => AssetStatus::Lost,
        "stolen" => AssetStatus::Stolen,
        "damaged" => AssetStatus::Damaged,
        "disposed" => AssetStatus::Disposed,
        other => return Err(corrupt("status", format!("unknown status {other:?}"))),
    };
    let authorisation = match text(row, "authorisation_kind")?.as_str() {
        "approved_by" => PurchaseAuthorisation::ApprovedBy(required(
            "authorisation_person",
            opt_person_id(row, "authorisation_person")?,
        )?),
        "minute_reference" => PurchaseAuthorisation::MinuteReference(required(
            "authorisation_minute",
            opt_text(row, "authorisation_minute")?,
        )?),
        "none" => PurchaseAuthorisation::None,
        other => {
            return Err(corrupt(
                "authorisation_kind",
                format!("unknown kind {other:?}"),
            ));
        }
    };
    let wipe = match opt_text(row, "wipe_method")? {
        None => None,
        Some(method) => Some(WipeRecord {
            method: match method.as_str() {
                "overwrite" => WipeMethod::Overwrite,
                "crypto_erase" => WipeMethod::CryptoErase,
                "factory_reset" => WipeMethod::FactoryReset,
                "physical_destruction" => WipeMethod::PhysicalDestruction,
                "other" => WipeMethod::Other(required(
                    "wipe_method_described",
                    opt_text(row, "wipe_method_described")?,
                )?),
                other => return Err(corrupt("wipe_method", format!("unknown method {other:?}"))),
            },
            by: required("wipe_by", opt_person_id(row, "wipe_by")?)?,
            on: required("wipe_on", opt_date(row, "wipe_on")?)?,
            certificate_reference: opt_text(row, "wipe_certificate")?,
        }),
    };
    let disposal = match opt_text(row, "disposal_recycler")? {
        None => None,
        Some(recycler) => Some(Disposal {
            recycler,
            certificate_reference: opt_text(row, "disposal_certificate")?,
            at: from_millis(required("disposal_at", opt_int(row, "disposal_at")?)?),
            by: opt_person_id(row, "disposal_by")?,
        }),
    };
    let cost_pence = opt_int(row, "cost_pence")?
        .map(u64::try_from)
        .transpose()
        .map_err(|e| corrupt("cost_pence", e))?;
    Ok(Asset {
        id: AssetId::parse(&text(row, "id")?).map_err(|e| corrupt("id", e))?,
        council_id: council_id(row, "council_id")?,
        number: AssetNumber::parse(&text(row, "number")?).map_err(|e| corrupt("number", e))?,
        category: Category::parse(&text(row, "category")?).map_err(|e| corrupt("category", e))?,
        make: text(row, "make")?,
        model: text(row, "model")?,
        serial: parsed("serial", opt_text(row, "serial")?, SerialNumber::parse)?,
        imei: parsed("imei", opt_text(row, "imei")?, Imei::parse)?,
        sim: parsed("sim", opt_text(row, "sim")?, SimNumber::parse)?,
        purchased_on: opt_date(row, "purchased_on")?,
        cost_pence,
        supplier: text(row, "supplier")?,
        authorisation,
        warranty_ends: opt_date(row, "warranty_ends")?,
        encrypted: Encryption::parse(&text(row, "encrypted")?)
            .map_err(|e| corrupt("encrypted", e))?,
        location: text(row, "location")?,
        status,
        notes: text(row, "notes")?,
        wipe,
        disposal,
        registered_at: time(row, "created_at")?,
    })
}

pub(super) const ACKNOWLEDGEMENT_COLUMNS: &str =
    "council_id, asset_id, person_id, at, text_hash, typed_name";

pub(super) fn acknowledgement(row: &AnyRow) -> Result<Acknowledgement, StoreError> {
    Ok(Acknowledgement {
        council_id: council_id(row, "council_id")?,
        asset_id: AssetId::parse(&text(row, "asset_id")?).map_err(|e| corrupt("asset_id", e))?,
        person_id: crate::rows::person_id(row, "person_id")?,
        at: from_millis(int(row, "at")?),
        text_hash: text(row, "text_hash")?,
        typed_name: opt_text(row, "typed_name")?,
    })
}
