//! One row of the file to one item: every cell read and checked, every problem noted with its
//! column, and then the same rules as a form (`register_asset`, `issue`) applied.

use super::RowProblem;
use super::columns::{Columns, Field};
use super::decode::{Row, undefuse};
use super::values::{self, StatusWord};
use crate::asset::{
    AssetError, AssetNumber, Encryption, Imei, NewAsset, PurchaseAuthorisation, SerialNumber,
    SimNumber, parse_optional,
};
use crate::person::Person;
use std::fmt::Display;

/// Where a checked row leaves the item.
#[derive(Clone, Debug)]
pub(super) enum Placement<'a> {
    InStore,
    IssuedTo(&'a Person),
    Lost,
    Stolen,
    Damaged,
}

/// A row whose cells all read correctly, before the register's own rules are applied.
pub(super) struct ReadRow<'a> {
    pub input: NewAsset,
    pub placement: Placement<'a>,
}

/// Reads one row's cells, noting each problem against its column.
pub(super) struct RowReader<'r> {
    pub columns: &'r Columns,
    pub row: &'r Row,
    pub problems: &'r mut Vec<RowProblem>,
    /// Today in London, so a purchase date in the future is reported with the row's other
    /// problems (`register_asset` decides it too, but only for a row whose cells all read).
    pub today: jiff::civil::Date,
}

impl RowReader<'_> {
    /// The cell of `field`, trimmed and with any formula guard removed; empty when the file
    /// has no such column or the row is short.
    pub fn cell(&self, field: Field) -> &str {
        self.columns
            .index(field)
            .and_then(|i| self.row.cells.get(i))
            .map_or("", |c| undefuse(c.trim()))
    }

    pub fn problem(&mut self, field: Field, message: impl Into<String>) {
        self.problems.push(RowProblem {
            row: self.row.number,
            column: self.columns.name(field),
            message: message.into(),
        });
    }

    /// The value, or `None` with the problem noted against `field`.
    pub fn check<T, E: Display>(&mut self, field: Field, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.problem(field, error.to_string());
                None
            }
        }
    }

    /// Reads every cell of the row. `None` when any cell has a problem (all are noted).
    pub fn read<'p>(&mut self, people: &'p [Person]) -> Option<ReadRow<'p>> {
        let before = self.problems.len();
        let number = self.check(Field::Number, AssetNumber::parse(self.cell(Field::Number)));
        let category = self.check(
            Field::Category,
            values::category(self.cell(Field::Category)),
        );
        let serial = self.check(
            Field::Serial,
            parse_optional(self.cell(Field::Serial), SerialNumber::parse),
        );
        let imei = self.check(
            Field::Imei,
            parse_optional(self.cell(Field::Imei), Imei::parse),
        );
        let sim = self.check(
            Field::Sim,
            parse_optional(self.cell(Field::Sim), SimNumber::parse),
        );
        let purchased_on = self.check(
            Field::PurchasedOn,
            values::optional_date(self.cell(Field::PurchasedOn)).and_then(|date| match date {
                Some(bought) if bought > self.today => {
                    Err(AssetError::PurchaseDateInFuture(bought.to_string()).to_string())
                }
                other => Ok(other),
            }),
        );
        let cost_pence = self.check(Field::Cost, values::cost(self.cell(Field::Cost)));
        let encrypted = self.check(
            Field::Encrypted,
            Encryption::parse(self.cell(Field::Encrypted)),
        );
        let authorisation = self.authorisation(people);
        let warranty_ends = self.warranty_ends(purchased_on.flatten());
        let placement = self.placement(people);
        let notes = self.notes(purchased_on.flatten());
        if self.problems.len() > before {
            return None;
        }
        let location = match self.cell(Field::Location) {
            "" => self.cell(Field::DefaultLocation),
            here => here,
        };
        Some(ReadRow {
            input: NewAsset {
                number: number?,
                category: category?,
                make: self.cell(Field::Make).to_owned(),
                model: self.cell(Field::Model).to_owned(),
                serial: serial?,
                imei: imei?,
                sim: sim?,
                purchased_on: purchased_on?,
                cost_pence: cost_pence?,
                supplier: self.cell(Field::Supplier).to_owned(),
                authorisation: authorisation?,
                warranty_ends: warranty_ends?,
                encrypted: encrypted?,
                location: location.to_owned(),
                notes: notes?,
            },
            placement: placement?,
        })
    }

    /// A person who approved the purchase, or the minute of the meeting that did; not both.
    fn authorisation(&mut self, people: &[Person]) -> Option<PurchaseAuthorisation> {
        let by = self.cell(Field::AuthorisedBy).to_owned();
        let minute = self.cell(Field::MinuteReference).to_owned();
        match (by.is_empty(), minute.is_empty()) {
            (true, true) => Some(PurchaseAuthorisation::None),
            (true, false) => Some(PurchaseAuthorisation::MinuteReference(minute)),
            (false, true) => {
                let person = self.check(Field::AuthorisedBy, values::person(people, &by))?;
                Some(PurchaseAuthorisation::ApprovedBy(person.id))
            }
            (false, false) => {
                let message = format!(
                    "Give either the person who approved the purchase or the minute reference \
                     of the meeting that did, not both. Move one of them to the {} column.",
                    self.columns.name(Field::Notes)
                );
                self.problem(Field::AuthorisedBy, message);
                None
            }
        }
    }

    /// The warranty's end: the date given, else the purchase date plus the warranty's months.
    fn warranty_ends(
        &mut self,
        bought: Option<jiff::civil::Date>,
    ) -> Option<Option<jiff::civil::Date>> {
        let given = self.check(
            Field::WarrantyEnds,
            values::optional_date(self.cell(Field::WarrantyEnds)),
        )?;
        if given.is_some() {
            return Some(given);
        }
        let months = self.check(
            Field::WarrantyMonths,
            values::warranty_months(self.cell(Field::WarrantyMonths)),
        )?;
        Some(match (months, bought) {
            (Some(months), Some(bought)) => values::warranty_end(bought, months),
            _ => None,
        })
    }

    /// The notes, with what Custodian has no column for (Snipe-IT's asset name and order
    /// number, a warranty with no purchase date to count from) added as lines.
    fn notes(&mut self, bought: Option<jiff::civil::Date>) -> Option<String> {
        let mut lines: Vec<String> = Vec::new();
        let notes = self.cell(Field::Notes);
        if !notes.is_empty() {
            lines.push(notes.to_owned());
        }
        for (field, label) in [(Field::Name, "Name"), (Field::OrderNumber, "Order number")] {
            let text = self.cell(field);
            if !text.is_empty() {
                lines.push(format!("{label}: {text}"));
            }
        }
        let warranty = self.cell(Field::WarrantyMonths);
        if bought.is_none() && self.cell(Field::WarrantyEnds).is_empty() && !warranty.is_empty() {
            lines.push(format!(
                "Warranty: {warranty} (no purchase date to count from)"
            ));
        }
        Some(lines.join("\n"))
    }

    /// The column that names holders in this file, for messages.
    fn holder_column(&self) -> String {
        if !self.columns.has(Field::HolderEmail) && self.columns.has(Field::Holder) {
            self.columns.name(Field::Holder)
        } else {
            self.columns.name(Field::HolderEmail)
        }
    }

    /// In store, issued to a person, or recorded lost, stolen or damaged.
    fn placement<'p>(&mut self, people: &'p [Person]) -> Option<Placement<'p>> {
        let word = self.check(Field::Status, values::status(self.cell(Field::Status)))?;
        let (holder_field, holder_text) = [Field::HolderEmail, Field::Holder]
            .into_iter()
            .map(|f| (f, self.cell(f)))
            .find(|(_, text)| !text.is_empty())
            .map_or((Field::Holder, String::new()), |(f, t)| (f, t.to_owned()));
        let holder = if holder_text.is_empty() {
            None
        } else {
            let person = self.check(holder_field, values::person(people, &holder_text))?;
            Some(person)
        };
        let status_name = self.cell(Field::Status).to_owned();
        let refuse_holder = |reader: &mut Self, state: &str| {
            let message = format!(
                "The status is {status_name}, so the item cannot also be with {holder_text}. \
                 Leave the holder empty, or make the status issued if they have it ({state} \
                 items are in nobody's hands)."
            );
            reader.problem(holder_field, message);
        };
        match (word, holder) {
            (StatusWord::Blank | StatusWord::InStore | StatusWord::Issued, Some(person)) => {
                self.check(holder_field, values::may_hold(person))?;
                Some(Placement::IssuedTo(person))
            }
            (StatusWord::Blank | StatusWord::InStore, None) => Some(Placement::InStore),
            (StatusWord::Issued, None) => {
                let message = format!(
                    "The status is {status_name}, but no one is named as having the item. Give \
                     their name or email address in the {} column, or change the status.",
                    self.holder_column()
                );
                self.problem(Field::Status, message);
                None
            }
            (StatusWord::Lost | StatusWord::Stolen | StatusWord::Damaged, Some(_)) => {
                refuse_holder(self, "lost, stolen and damaged");
                None
            }
            (StatusWord::Lost, None) => Some(Placement::Lost),
            (StatusWord::Stolen, None) => Some(Placement::Stolen),
            (StatusWord::Damaged, None) => Some(Placement::Damaged),
            (StatusWord::Disposed, _) => {
                self.problem(
                    Field::Status,
                    "Disposed items cannot be imported: Custodian records a disposal together \
                     with its data wipe (clause 2.2.12). Leave this row out, or import the item \
                     as in store and record its wipe and disposal on its page.",
                );
                None
            }
        }
    }
}

/// The column a rule's refusal belongs to.
pub(super) fn field_of(error: &AssetError) -> Field {
    match error {
        AssetError::ImeiNotAllowed { .. } => Field::Imei,
        AssetError::SimNotAllowed { .. } => Field::Sim,
        AssetError::PurchaseDateInFuture(_) => Field::PurchasedOn,
        AssetError::WarrantyBeforePurchase { .. } => Field::WarrantyEnds,
        AssetError::EmptyMinuteReference => Field::MinuteReference,
        AssetError::TextTooLong { field, .. } | AssetError::TextControlCharacters { field } => {
            match *field {
                "make" => Field::Make,
                "model" => Field::Model,
                "supplier" => Field::Supplier,
                "location" => Field::Location,
                "minute reference" => Field::MinuteReference,
                "notes" => Field::Notes,
                _ => Field::Number,
            }
        }
        AssetError::RecipientHasLeft | AssetError::OtherCouncil { .. } => Field::Holder,
        _ => Field::Number,
    }
}
