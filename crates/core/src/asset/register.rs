//! Adding an item to the register: the input a form or an import row supplies, the checks that
//! span several fields (an IMEI only on a phone, no purchase in the future), and the audit event.

use super::{
    Asset, AssetError, AssetNumber, AssetStatus, Category, Encryption, Imei, SerialNumber,
    SimNumber,
};
use crate::audit::{Actor, AuditEvent};
use crate::ids::{AssetId, CouncilId, PersonId};
use crate::policy::version::london_today;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

/// Who authorised buying the item (clause 1.1.7 requires approval before purchase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PurchaseAuthorisation {
    /// A person approved it (usually the Clerk, within delegated powers).
    ApprovedBy(PersonId),
    /// The council decided at a meeting: the minute reference, e.g. "COU/229/25-26".
    MinuteReference(String),
    /// Not recorded (for example equipment bought before Custodian was used).
    None,
}

impl PurchaseAuthorisation {
    pub fn as_str(&self) -> &'static str {
        match self {
            PurchaseAuthorisation::ApprovedBy(_) => "approved_by",
            PurchaseAuthorisation::MinuteReference(_) => "minute_reference",
            PurchaseAuthorisation::None => "none",
        }
    }
}

/// What the Clerk (or an import row) supplies. Single values arrive already parsed by their own
/// types (so each error can name its field); [`register_asset`] checks the rest.
#[derive(Clone, Debug)]
pub struct NewAsset {
    pub number: AssetNumber,
    pub category: Category,
    pub make: String,
    pub model: String,
    pub serial: Option<SerialNumber>,
    pub imei: Option<Imei>,
    pub sim: Option<SimNumber>,
    pub purchased_on: Option<Date>,
    pub cost_pence: Option<u64>,
    pub supplier: String,
    pub authorisation: PurchaseAuthorisation,
    pub warranty_ends: Option<Date>,
    pub encrypted: Encryption,
    pub location: String,
    pub notes: String,
}

pub(crate) const MAX_SHORT_TEXT: usize = 100;
pub(crate) const MAX_NOTES: usize = 2000;
const MAX_MINUTE_REFERENCE: usize = 50;

/// Registers a new item, in store. The asset number's uniqueness within the council is checked
/// by the caller with [`AssetNumber::ensure_unique`] and guaranteed by the store's unique index,
/// because only the store sees every number at once.
pub fn register_asset(
    council_id: CouncilId,
    id: AssetId,
    input: NewAsset,
    actor: Actor,
    now: Timestamp,
) -> Result<(Asset, AuditEvent), AssetError> {
    let number = input.number.to_string();
    let category_words = input.category.as_str().to_owned();
    if !input.category.has_mobile_identifiers() {
        if input.imei.is_some() {
            return Err(AssetError::ImeiNotAllowed {
                number,
                category: category_words,
            });
        }
        if input.sim.is_some() {
            return Err(AssetError::SimNotAllowed {
                number,
                category: category_words,
            });
        }
    }
    if let Some(bought) = input.purchased_on {
        if bought > london_today(now) {
            return Err(AssetError::PurchaseDateInFuture(bought.to_string()));
        }
        if let Some(warranty) = input.warranty_ends.filter(|w| *w < bought) {
            return Err(AssetError::WarrantyBeforePurchase {
                warranty: warranty.to_string(),
                purchase: bought.to_string(),
            });
        }
    }
    let authorisation = match input.authorisation {
        PurchaseAuthorisation::MinuteReference(text) => {
            PurchaseAuthorisation::MinuteReference(minute_reference(&text)?)
        }
        other => other,
    };
    let asset = Asset {
        id,
        council_id,
        number: input.number,
        category: input.category,
        make: tidy_line("make", &input.make, MAX_SHORT_TEXT)?,
        model: tidy_line("model", &input.model, MAX_SHORT_TEXT)?,
        serial: input.serial,
        imei: input.imei,
        sim: input.sim,
        purchased_on: input.purchased_on,
        cost_pence: input.cost_pence,
        supplier: tidy_line("supplier", &input.supplier, MAX_SHORT_TEXT)?,
        authorisation,
        warranty_ends: input.warranty_ends,
        encrypted: input.encrypted,
        location: tidy_line("location", &input.location, MAX_SHORT_TEXT)?,
        status: AssetStatus::InStore,
        notes: tidy_notes("notes", &input.notes, MAX_NOTES)?,
        wipe: None,
        disposal: None,
        registered_at: now,
    };
    let approved_by = match &asset.authorisation {
        PurchaseAuthorisation::ApprovedBy(person) => Some(person.to_string()),
        _ => None,
    };
    let event = AuditEvent::new(council_id, now, actor, "asset.registered")
        .subject(asset.subject())
        .details(json!({
            "number": asset.number.as_str(),
            "category": asset.category.as_str(),
            "authorisation": asset.authorisation.as_str(),
            "approved_by": approved_by,
            "encrypted": asset.encrypted.as_str(),
        }));
    Ok((asset, event))
}

/// Reads a cost as people write it: "£1,299.99", "1299.99", "£45", "12.5" (£12.50). Commas
/// must separate thousands; at most two figures of pence; no negative amounts.
pub fn parse_cost(text: &str) -> Result<u64, AssetError> {
    let invalid = || AssetError::InvalidCost(text.trim().to_owned());
    let amount = text.trim();
    let amount = amount.strip_prefix('£').unwrap_or(amount).trim_start();
    let (pounds, pence) = match amount.split_once('.') {
        Some((pounds, pence)) => (pounds, Some(pence)),
        None => (amount, None),
    };
    let mut groups = pounds.split(',');
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    let first_ok = !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_digit())
        && (rest.is_empty() || first.len() <= 3);
    let rest_ok = rest
        .iter()
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok {
        return Err(invalid());
    }
    let pounds: u64 = pounds.replace(',', "").parse().map_err(|_| invalid())?;
    let pence: u64 = match pence {
        None => 0,
        Some(p) if (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
            let value: u64 = p.parse().map_err(|_| invalid())?;
            if p.len() == 1 { value * 10 } else { value }
        }
        Some(_) => return Err(invalid()),
    };
    pounds
        .checked_mul(100)
        .and_then(|p| p.checked_add(pence))
        .ok_or_else(invalid)
}

fn minute_reference(text: &str) -> Result<String, AssetError> {
    let text = tidy_line("minute reference", text, MAX_MINUTE_REFERENCE)?;
    if text.is_empty() {
        return Err(AssetError::EmptyMinuteReference);
    }
    Ok(text)
}

/// One line of free text: spaces tidied, length limited, no control characters.
pub(crate) fn tidy_line(field: &'static str, text: &str, max: usize) -> Result<String, AssetError> {
    if text.chars().any(char::is_control) {
        return Err(AssetError::TextControlCharacters { field });
    }
    let tidy = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if tidy.chars().count() > max {
        return Err(AssetError::TextTooLong { field, max });
    }
    Ok(tidy)
}

/// Several lines of free text: line breaks and tabs kept, other control characters refused.
pub(crate) fn tidy_notes(
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<String, AssetError> {
    let text = text.trim().replace("\r\n", "\n");
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(AssetError::TextControlCharacters { field });
    }
    if text.chars().count() > max {
        return Err(AssetError::TextTooLong { field, max });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{new_asset, now};
    use super::*;

    fn register(input: NewAsset) -> Result<(Asset, AuditEvent), AssetError> {
        register_asset(
            CouncilId::generate(),
            AssetId::generate(),
            input,
            Actor::System,
            now(),
        )
    }

    #[test]
    fn a_registered_item_is_in_store_and_its_audit_entry_names_no_one() {
        let clerk = PersonId::generate();
        let mut input = new_asset("ABC-0042", Category::Laptop);
        input.authorisation = PurchaseAuthorisation::ApprovedBy(clerk);
        input.make = "  Dell ".into();
        let (asset, event) = register(input).unwrap();
        assert_eq!(asset.status, AssetStatus::InStore);
        assert_eq!(asset.make, "Dell");
        assert_eq!(asset.describe(), "ABC-0042 (Dell Latitude 5440)");
        assert_eq!(event.action, "asset.registered");
        assert_eq!(event.subject, format!("asset:{}", asset.id));
        assert_eq!(event.details["number"], "ABC-0042");
        assert_eq!(event.details["approved_by"], clerk.to_string());
        assert!(!event.details.to_string().contains("Acme"));
    }

    #[test]
    fn an_imei_on_a_printer_is_refused() {
        let mut input = new_asset("PRN-1", Category::Printer);
        input.imei = Some(Imei::parse("352099001761481").unwrap());
        let err = register(input).unwrap_err();
        assert_eq!(
            err.to_string(),
            "An IMEI is only kept for phones and tablets, and PRN-1 is recorded as a printer. \
             Remove the IMEI or change the category."
        );
    }

    #[test]
    fn a_sim_number_on_a_laptop_is_refused_but_a_tablet_may_have_one() {
        let mut input = new_asset("LAP-1", Category::Laptop);
        input.sim = Some(super::super::test_support::sim());
        assert!(matches!(
            register(input.clone()),
            Err(AssetError::SimNotAllowed { .. })
        ));
        input.category = Category::Tablet;
        assert!(register(input).is_ok());
    }

    #[test]
    fn a_purchase_date_in_the_future_is_refused() {
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.purchased_on = Some(jiff::civil::date(2026, 5, 29));
        input.warranty_ends = None;
        assert_eq!(
            register(input).unwrap_err(),
            AssetError::PurchaseDateInFuture("2026-05-29".into())
        );
    }

    #[test]
    fn an_item_bought_today_in_london_is_accepted() {
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.purchased_on = Some(jiff::civil::date(2026, 5, 28));
        assert!(register(input).is_ok());
    }

    #[test]
    fn a_warranty_ending_before_the_purchase_is_refused() {
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.warranty_ends = Some(jiff::civil::date(2024, 1, 1));
        assert!(matches!(
            register(input),
            Err(AssetError::WarrantyBeforePurchase { .. })
        ));
    }

    #[test]
    fn a_blank_minute_reference_is_refused() {
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.authorisation = PurchaseAuthorisation::MinuteReference("  ".into());
        assert_eq!(
            register(input).unwrap_err(),
            AssetError::EmptyMinuteReference
        );
    }

    #[test]
    fn over_long_or_control_character_text_is_refused_naming_the_field() {
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.model = "X".repeat(101);
        assert_eq!(
            register(input).unwrap_err().to_string(),
            "The model must be 100 characters or fewer."
        );
        let mut input = new_asset("ABC-1", Category::Laptop);
        input.location = "Office\u{7}".into();
        assert_eq!(
            register(input).unwrap_err(),
            AssetError::TextControlCharacters { field: "location" }
        );
    }

    #[test]
    fn costs_are_read_as_people_write_them() {
        assert_eq!(parse_cost("£1,299.99"), Ok(129_999));
        assert_eq!(parse_cost(" 1299.99 "), Ok(129_999));
        assert_eq!(parse_cost("£45"), Ok(4_500));
        assert_eq!(parse_cost("£ 12.5"), Ok(1_250));
        assert_eq!(parse_cost("1,000,000"), Ok(100_000_000));
        assert_eq!(parse_cost("0"), Ok(0));
    }

    #[test]
    fn costs_that_cannot_be_read_are_refused_with_an_example() {
        for text in [
            "", "£", "-5", "12.345", "1,29.99", "£12,", "twelve", "12.", "1.2.3",
        ] {
            let err = parse_cost(text).unwrap_err();
            assert_eq!(
                err,
                AssetError::InvalidCost(text.trim().to_owned()),
                "{text}"
            );
            assert!(err.to_string().contains("£1,299.99"));
        }
    }
}
