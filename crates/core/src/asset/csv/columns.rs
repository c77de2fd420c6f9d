//! Which column of the file holds what. Headers are compared ignoring capitals, spaces,
//! underscores and punctuation, so "Asset Tag", "asset_tag" and "ASSET TAG." are one header;
//! each field accepts Custodian's own name and the names Snipe-IT and common spreadsheets use.

use std::collections::BTreeMap;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Field {
    Number,
    Category,
    Make,
    Model,
    Serial,
    Imei,
    Sim,
    PurchasedOn,
    Cost,
    Supplier,
    AuthorisedBy,
    MinuteReference,
    WarrantyEnds,
    /// Snipe-IT's "Warranty" (months from the purchase date).
    WarrantyMonths,
    Encrypted,
    Location,
    /// Snipe-IT's "Default Location", used when "Location" is blank.
    DefaultLocation,
    Status,
    /// The holder's email address.
    HolderEmail,
    /// The holder by name or email (Snipe-IT's "Checked Out To", "Assigned To").
    Holder,
    Notes,
    /// Snipe-IT's "Asset Name", kept in the notes.
    Name,
    /// Kept in the notes.
    OrderNumber,
    /// Written by Custodian's export for people to read (the holder's name, when the item was
    /// acknowledged, wiped or disposed of); an import does not read them.
    ReadOnly,
}

impl Field {
    /// The field's name in messages when the file has no column for it.
    pub(super) fn own_name(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::Category => "category",
            Field::Make => "make",
            Field::Model => "model",
            Field::Serial => "serial",
            Field::Imei => "imei",
            Field::Sim => "sim",
            Field::PurchasedOn => "purchased_on",
            Field::Cost => "cost",
            Field::Supplier => "supplier",
            Field::AuthorisedBy => "authorised_by",
            Field::MinuteReference => "minute_reference",
            Field::WarrantyEnds => "warranty_ends",
            Field::WarrantyMonths => "warranty",
            Field::Encrypted => "encrypted",
            Field::Location => "location",
            Field::DefaultLocation => "default location",
            Field::Status => "status",
            Field::HolderEmail => "holder_email",
            Field::Holder => "holder",
            Field::Notes => "notes",
            Field::Name => "name",
            Field::OrderNumber => "order number",
            Field::ReadOnly => "",
        }
    }
}

/// Each accepted header (already normalised by [`normalise`]) and its field. Documented in
/// docs/equipment-csv.md; keep the two together.
const HEADERS: &[(&str, Field)] = &[
    ("number", Field::Number),
    ("assetnumber", Field::Number),
    ("assetno", Field::Number),
    ("assettag", Field::Number),
    ("tag", Field::Number),
    ("category", Field::Category),
    ("categoryname", Field::Category),
    ("assetcategory", Field::Category),
    ("make", Field::Make),
    ("manufacturer", Field::Make),
    ("brand", Field::Make),
    ("model", Field::Model),
    ("modelname", Field::Model),
    ("assetmodel", Field::Model),
    ("serial", Field::Serial),
    ("serialnumber", Field::Serial),
    ("serialno", Field::Serial),
    ("imei", Field::Imei),
    ("imeinumber", Field::Imei),
    ("imeino", Field::Imei),
    ("sim", Field::Sim),
    ("simnumber", Field::Sim),
    ("simno", Field::Sim),
    ("simcardnumber", Field::Sim),
    ("iccid", Field::Sim),
    ("purchasedon", Field::PurchasedOn),
    ("purchasedate", Field::PurchasedOn),
    ("purchased", Field::PurchasedOn),
    ("dateofpurchase", Field::PurchasedOn),
    ("datepurchased", Field::PurchasedOn),
    ("cost", Field::Cost),
    ("purchasecost", Field::Cost),
    ("price", Field::Cost),
    ("purchaseprice", Field::Cost),
    ("supplier", Field::Supplier),
    ("vendor", Field::Supplier),
    ("authorisedby", Field::AuthorisedBy),
    ("authorizedby", Field::AuthorisedBy),
    ("approvedby", Field::AuthorisedBy),
    ("minutereference", Field::MinuteReference),
    ("minuteref", Field::MinuteReference),
    ("minute", Field::MinuteReference),
    ("warrantyends", Field::WarrantyEnds),
    ("warrantyend", Field::WarrantyEnds),
    ("warrantyexpires", Field::WarrantyEnds),
    ("warrantyexpiry", Field::WarrantyEnds),
    ("warrantyexpirydate", Field::WarrantyEnds),
    ("warranty", Field::WarrantyMonths),
    ("warrantymonths", Field::WarrantyMonths),
    ("encrypted", Field::Encrypted),
    ("encryption", Field::Encrypted),
    ("diskencryption", Field::Encrypted),
    ("location", Field::Location),
    ("defaultlocation", Field::DefaultLocation),
    ("status", Field::Status),
    ("statuslabel", Field::Status),
    ("holderemail", Field::HolderEmail),
    ("email", Field::HolderEmail),
    ("assignedtoemail", Field::HolderEmail),
    ("checkedouttoemail", Field::HolderEmail),
    ("holder", Field::Holder),
    ("checkedoutto", Field::Holder),
    ("checkedout", Field::Holder),
    ("assignedto", Field::Holder),
    ("issuedto", Field::Holder),
    ("fullname", Field::Holder),
    ("username", Field::Holder),
    ("notes", Field::Notes),
    ("note", Field::Notes),
    ("comments", Field::Notes),
    ("name", Field::Name),
    ("assetname", Field::Name),
    ("itemname", Field::Name),
    ("ordernumber", Field::OrderNumber),
    ("orderno", Field::OrderNumber),
    ("holdername", Field::ReadOnly),
    ("issuedon", Field::ReadOnly),
    ("acknowledgedat", Field::ReadOnly),
    ("wipedon", Field::ReadOnly),
    ("disposedon", Field::ReadOnly),
];

/// "Asset Tag" and "asset_tag." both become "assettag".
pub(super) fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each field is in the file, and the columns an import does not use.
#[derive(Debug)]
pub(super) struct Columns {
    /// The field's column index and its header as written in the file.
    found: BTreeMap<Field, (usize, String)>,
    /// Headers not used: unknown, or a second column for a field already found.
    pub ignored: Vec<String>,
    /// Every header, as written, for messages.
    pub headers: Vec<String>,
}

impl Columns {
    pub(super) fn from_header(header: &[String]) -> Self {
        let mut found = BTreeMap::new();
        let mut ignored = Vec::new();
        for (index, text) in header.iter().enumerate() {
            let written = text.trim().to_owned();
            let key = normalise(&written);
            let field = HEADERS
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, f)| *f);
            match field {
                Some(Field::ReadOnly) => {}
                Some(field) if !found.contains_key(&field) => {
                    found.insert(field, (index, written));
                }
                _ if written.is_empty() => {}
                _ => ignored.push(written),
            }
        }
        Self {
            found,
            ignored,
            headers: header.iter().map(|h| h.trim().to_owned()).collect(),
        }
    }

    pub(super) fn has(&self, field: Field) -> bool {
        self.found.contains_key(&field)
    }

    pub(super) fn index(&self, field: Field) -> Option<usize> {
        self.found.get(&field).map(|(i, _)| *i)
    }

    /// The column's header as the file writes it, for messages.
    pub(super) fn name(&self, field: Field) -> String {
        self.found
            .get(&field)
            .map_or_else(|| field.own_name().to_owned(), |(_, name)| name.clone())
    }

    /// The file came from Snipe-IT (or a spreadsheet in its shape) rather than from Custodian.
    pub(super) fn looks_like_snipe_it(&self) -> bool {
        self.found
            .values()
            .any(|(_, name)| matches!(normalise(name).as_str(), "assettag" | "checkedoutto"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(headers: &[&str]) -> Columns {
        Columns::from_header(&headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn headers_are_matched_ignoring_capitals_spaces_and_punctuation() {
        let c = columns(&[
            "ASSET TAG",
            "Model No.",
            "purchase_cost",
            " Checked Out To ",
        ]);
        assert_eq!(c.index(Field::Number), Some(0));
        assert_eq!(c.index(Field::Cost), Some(2));
        assert_eq!(c.index(Field::Holder), Some(3));
        assert_eq!(c.name(Field::Holder), "Checked Out To");
        assert_eq!(c.ignored, vec!["Model No."]);
        assert!(c.looks_like_snipe_it());
    }

    #[test]
    fn a_second_column_for_the_same_field_is_ignored_and_read_only_columns_are_silent() {
        let c = columns(&["number", "Cost", "Purchase Cost", "holder_name", "wiped_on"]);
        assert_eq!(c.index(Field::Cost), Some(1));
        assert_eq!(c.ignored, vec!["Purchase Cost"]);
        assert!(!c.looks_like_snipe_it());
    }

    #[test]
    fn a_missing_field_is_named_in_custodians_words() {
        let c = columns(&["number"]);
        assert!(!c.has(Field::Category));
        assert_eq!(c.name(Field::Category), "category");
    }
}
