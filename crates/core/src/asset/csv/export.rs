//! The register in Custodian's own columns, which the import reads back. People are named by
//! email address (unique in a council); the columns after `notes` are for people to read and
//! are ignored by an import.

use super::decode::{cell, defuse};
use crate::asset::{Asset, AssetStatus, Encryption, PurchaseAuthorisation};
use crate::ids::PersonId;
use crate::person::Person;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;

/// The header row of Custodian's own format, in order.
pub const REGISTER_COLUMNS: [&str; 23] = [
    "number",
    "category",
    "make",
    "model",
    "serial",
    "imei",
    "sim",
    "purchased_on",
    "cost",
    "supplier",
    "authorised_by",
    "minute_reference",
    "warranty_ends",
    "encrypted",
    "location",
    "status",
    "holder_email",
    "notes",
    "holder_name",
    "issued_on",
    "acknowledged_at",
    "wiped_on",
    "disposed_on",
];

/// The register as CSV (CRLF line ends, no byte-order mark), one row per item in the order
/// given. `people` are the council's people, for holders' and approvers' email addresses.
pub fn write_register_csv(assets: &[Asset], people: &[Person]) -> String {
    let by_id: HashMap<PersonId, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let email = |id: PersonId| by_id.get(&id).map_or("", |p| p.email.as_str());
    let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
    let day = |at: Timestamp| at.to_zoned(london.clone()).date().to_string();
    let mut out = String::with_capacity(128 + assets.len() * 160);
    out.push_str(&REGISTER_COLUMNS.join(","));
    out.push_str("\r\n");
    for asset in assets {
        let (holder, issued_on, acknowledged) = match &asset.status {
            AssetStatus::Issued {
                to,
                since,
                acknowledged_at,
            } => (
                Some(*to),
                day(*since),
                acknowledged_at
                    .map(|at| {
                        at.to_zoned(london.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default(),
            ),
            _ => (None, String::new(), String::new()),
        };
        let (approver, minute) = match &asset.authorisation {
            PurchaseAuthorisation::ApprovedBy(p) => (email(*p), ""),
            PurchaseAuthorisation::MinuteReference(m) => ("", m.as_str()),
            PurchaseAuthorisation::None => ("", ""),
        };
        let cells: [String; 23] = [
            asset.number.to_string(),
            asset.category.as_str().to_owned(),
            asset.make.clone(),
            asset.model.clone(),
            asset
                .serial
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            asset
                .imei
                .as_ref()
                .map(|i| grouped_imei(i.as_str()))
                .unwrap_or_default(),
            asset
                .sim
                .as_ref()
                .map(|s| grouped_sim(s.as_str()))
                .unwrap_or_default(),
            asset
                .purchased_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            asset.cost_pence.map(pounds).unwrap_or_default(),
            asset.supplier.clone(),
            approver.to_owned(),
            minute.to_owned(),
            asset
                .warranty_ends
                .map(|d| d.to_string())
                .unwrap_or_default(),
            match asset.encrypted {
                Encryption::Yes => "yes",
                Encryption::No => "no",
                Encryption::Unknown => "not known",
            }
            .to_owned(),
            asset.location.clone(),
            status_words(&asset.status).to_owned(),
            holder.map(email).unwrap_or_default().to_owned(),
            asset.notes.clone(),
            holder
                .and_then(|h| by_id.get(&h))
                .map(|p| p.name.to_string())
                .unwrap_or_default(),
            issued_on,
            acknowledged,
            asset
                .wipe
                .as_ref()
                .map(|w| w.on.to_string())
                .unwrap_or_default(),
            asset
                .disposal
                .as_ref()
                .map(|d| day(d.at))
                .unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| cell(&defuse(c))).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// How the status column reads; the import reads each back.
fn status_words(status: &AssetStatus) -> &'static str {
    match status {
        AssetStatus::InStore => "in store",
        AssetStatus::Issued { .. } => "issued",
        AssetStatus::Lost => "lost",
        AssetStatus::Stolen => "stolen",
        AssetStatus::Damaged => "damaged",
        AssetStatus::Disposed => "disposed",
    }
}

/// 129999 pence as "1299.99": a number a spreadsheet can add up.
fn pounds(pence: u64) -> String {
    format!("{}.{:02}", pence / 100, pence % 100)
}

/// "35-209900-176148-1", as printed on boxes. Grouped so a spreadsheet keeps it as text
/// instead of turning fifteen digits into 3.52099E+14; the import removes the dashes.
fn grouped_imei(digits: &str) -> String {
    match (
        digits.get(..2),
        digits.get(2..8),
        digits.get(8..14),
        digits.get(14..),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) if digits.len() == 15 => format!("{a}-{b}-{c}-{d}"),
        _ => digits.to_owned(),
    }
}

/// "8944 1000 3030 0708 5214": groups of four, for the same reason as [`grouped_imei`].
fn grouped_sim(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_grouped_so_spreadsheets_keep_them_as_text() {
        assert_eq!(grouped_imei("352099001761481"), "35-209900-176148-1");
        assert_eq!(
            grouped_sim("89441000303007085214"),
            "8944 1000 3030 0708 5214"
        );
        assert_eq!(grouped_sim("894410003030070852"), "8944 1000 3030 0708 52");
    }

    #[test]
    fn costs_are_written_in_pounds_and_pence() {
        assert_eq!(pounds(129_999), "1299.99");
        assert_eq!(pounds(5), "0.05");
        assert_eq!(pounds(4_500), "45.00");
    }
}
