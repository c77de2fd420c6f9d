//! The equipment register (clause 1.1.5): what the council owns, who holds it, what happened to
//! it. Pure rules only: each takes the asset as it stands and `now`, and returns the changed
//! asset with the audit event the store must append in the same transaction. No storage, no
//! clock; audit details name people by id, never by name.

mod category;
pub mod csv;
mod custody;
mod disposal;
mod error;
mod identifiers;
mod loss;
mod number;
mod query;
mod register;

pub use category::{Category, Encryption};
pub use custody::{
    Acknowledged, Acknowledgement, acknowledge, acknowledge_many, acknowledgement_text, issue,
    return_to_store, transfer,
};
pub use disposal::{Disposal, WipeMethod, WipeRecord, dispose, record_wipe};
pub use error::AssetError;
pub use identifiers::{Imei, SerialNumber, SimNumber, luhn_check_digit, parse_optional};
pub use loss::{LossKind, LossReport, LossReported, report_loss};
pub use number::{AssetNumber, FIRST_NUMBER, suggest_next};
pub use query::{
    AssetPage, AssetQuery, AssetSort, SEARCH_FIELD_SEPARATOR, SortDirection, StatusFilter,
    search_text,
};
pub use register::{NewAsset, PurchaseAuthorisation, parse_cost, register_asset};

use crate::ids::{AssetId, CouncilId, PersonId};
use jiff::Timestamp;
use jiff::civil::Date;

/// Where an item is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssetStatus {
    InStore,
    /// With a person. `acknowledged_at` is set once they confirm receipt and responsibility;
    /// until then the item shows as awaiting acknowledgement.
    Issued {
        to: PersonId,
        since: Timestamp,
        acknowledged_at: Option<Timestamp>,
    },
    Lost,
    Stolen,
    Damaged,
    Disposed,
}

impl AssetStatus {
    /// The stored and exported name.
    pub fn as_str(&self) -> &'static str {
        match self {
            AssetStatus::InStore => "in_store",
            AssetStatus::Issued { .. } => "issued",
            AssetStatus::Lost => "lost",
            AssetStatus::Stolen => "stolen",
            AssetStatus::Damaged => "damaged",
            AssetStatus::Disposed => "disposed",
        }
    }

    /// As it reads in a sentence: "ABC-0042 is {in store}".
    pub fn in_words(&self) -> &'static str {
        match self {
            AssetStatus::InStore => "in store",
            AssetStatus::Issued { .. } => "issued",
            AssetStatus::Lost => "lost",
            AssetStatus::Stolen => "stolen",
            AssetStatus::Damaged => "damaged",
            AssetStatus::Disposed => "disposed of",
        }
    }
}

/// One item in the register.
///
/// Fields are public so the store can rebuild an asset from its row, as with incidents; changes
/// go through the rules in this module so that each one is checked and audited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub id: AssetId,
    pub council_id: CouncilId,
    pub number: AssetNumber,
    pub category: Category,
    pub make: String,
    pub model: String,
    pub serial: Option<SerialNumber>,
    /// Only for phones and tablets.
    pub imei: Option<Imei>,
    /// Only for phones and tablets.
    pub sim: Option<SimNumber>,
    pub purchased_on: Option<Date>,
    pub cost_pence: Option<u64>,
    pub supplier: String,
    /// Who approved the purchase (clause 1.1.7).
    pub authorisation: PurchaseAuthorisation,
    pub warranty_ends: Option<Date>,
    pub encrypted: Encryption,
    pub location: String,
    pub status: AssetStatus,
    pub notes: String,
    /// The latest recorded data wipe. Cleared when the item is issued again, because it may hold
    /// council data from then on.
    pub wipe: Option<WipeRecord>,
    pub disposal: Option<Disposal>,
    pub registered_at: Timestamp,
}

impl Asset {
    /// The person holding the item, if it is issued.
    pub fn holder(&self) -> Option<PersonId> {
        match self.status {
            AssetStatus::Issued { to, .. } => Some(to),
            _ => None,
        }
    }

    /// "Dell Latitude 5440", or the category when neither make nor model is recorded.
    pub fn make_and_model(&self) -> String {
        let text = format!("{} {}", self.make, self.model);
        let text = text.trim();
        if text.is_empty() {
            self.category.label().to_owned()
        } else {
            text.to_owned()
        }
    }

    /// "ABC-0042 (Dell Latitude 5440)": how an item is named in messages and incidents.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.number, self.make_and_model())
    }

    /// The subject of this asset's audit entries, so its history is one query.
    pub fn subject(&self) -> String {
        format!("asset:{}", self.id)
    }

    pub(crate) fn number_text(&self) -> String {
        self.number.to_string()
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A registered laptop and phone for the rule tests.
    use super::*;
    use crate::audit::Actor;

    pub fn now() -> Timestamp {
        // 2026-05-28, a Thursday afternoon in British Summer Time.
        Timestamp::from_second(1_780_000_000).unwrap()
    }

    pub fn later(hours: i64) -> Timestamp {
        now() + jiff::SignedDuration::from_hours(hours)
    }

    pub fn new_asset(number: &str, category: Category) -> NewAsset {
        NewAsset {
            number: AssetNumber::parse(number).unwrap(),
            category,
            make: "Dell".into(),
            model: "Latitude 5440".into(),
            serial: Some(SerialNumber::parse("5CG1234XYZ").unwrap()),
            imei: None,
            sim: None,
            purchased_on: Some(jiff::civil::date(2025, 4, 1)),
            cost_pence: Some(129_999),
            supplier: "Acme Computers Ltd".into(),
            authorisation: PurchaseAuthorisation::MinuteReference("COU/229/25-26".into()),
            warranty_ends: Some(jiff::civil::date(2028, 4, 1)),
            encrypted: Encryption::Yes,
            location: "Council office".into(),
            notes: String::new(),
        }
    }

    pub fn laptop(council: CouncilId) -> Asset {
        register_asset(
            council,
            AssetId::generate(),
            new_asset("ABC-0042", Category::Laptop),
            Actor::System,
            now(),
        )
        .unwrap()
        .0
    }

    pub fn phone(council: CouncilId) -> Asset {
        let mut input = new_asset("ABC-0043", Category::Phone);
        input.make = "Apple".into();
        input.model = "iPhone 13".into();
        input.imei = Some(Imei::parse("35-209900-176148-1").unwrap());
        input.sim = Some(sim());
        register_asset(council, AssetId::generate(), input, Actor::System, now())
            .unwrap()
            .0
    }

    /// A 20-digit UK SIM number with its check digit.
    pub fn sim() -> SimNumber {
        let payload = "8944100030300708521";
        SimNumber::parse(&format!("{payload}{}", luhn_check_digit(payload))).unwrap()
    }

    pub fn person(council: CouncilId, name: &str) -> crate::person::Person {
        crate::person::Person {
            id: PersonId::generate(),
            council_id: council,
            account_id: None,
            name: crate::person::PersonName::parse(name).unwrap(),
            email: crate::person::Email::parse("someone@example.org").unwrap(),
            roles: crate::person::RoleSet::of(&[crate::person::Role::Councillor]),
            status: crate::person::PersonStatus::Active,
            start_date: None,
            leave_date: None,
            created_at: now(),
        }
    }
}
