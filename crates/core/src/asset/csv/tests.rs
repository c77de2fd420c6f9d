//! The import and export together: Custodian's own format round trip, Snipe-IT's exports, and
//! the report a bad file gets.

use super::*;
use crate::asset::test_support::{new_asset, now, person};
use crate::asset::{
    Category, Encryption, Imei, PurchaseAuthorisation, SerialNumber, SimNumber, luhn_check_digit,
};
use crate::person::{Email, PersonStatus};

struct Council {
    id: CouncilId,
    people: Vec<Person>,
}

fn council() -> Council {
    let id = CouncilId::generate();
    let mut jane = person(id, "Jane Smith");
    jane.email = Email::parse("jane@ashby.example").unwrap();
    let mut clerk = person(id, "Clara Clerk");
    clerk.email = Email::parse("clerk@ashby.example").unwrap();
    let mut gone = person(id, "Old Leaver");
    gone.email = Email::parse("gone@ashby.example").unwrap();
    gone.status = PersonStatus::Left;
    Council {
        id,
        people: vec![jane, clerk, gone],
    }
}

fn import(
    council: &Council,
    existing: &[AssetNumber],
    text: &str,
) -> Result<RegisterImport, ImportReport> {
    let context = ImportContext {
        council_id: council.id,
        people: &council.people,
        existing_numbers: existing,
        actor: Actor::Operator,
        now: now(),
    };
    import_register_csv(text.as_bytes(), &context, AssetId::generate)
}

fn problems(report: &ImportReport) -> Vec<(usize, &str, &str)> {
    report
        .row_problems
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.message.as_str()))
        .collect()
}

const OWN_HEADER: &str = "number,category,make,model,serial,imei,sim,purchased_on,cost,supplier,\
authorised_by,minute_reference,warranty_ends,encrypted,location,status,holder_email,notes";

#[test]
fn our_own_rows_become_items_with_their_audit_events() {
    let council = council();
    let text = format!(
        "{OWN_HEADER}\r\n\
         ABC-0001,laptop,Dell,Latitude 5440,5CG1,,,2025-04-01,1299.99,Acme,clerk@ashby.example,,2028-04-01,yes,Office,in store,,\r\n\
         ABC-0002,phone,Apple,iPhone 13,,35-209900-176148-1,,01/04/2025,£45,,,COU/1/25,,not known,,issued,jane@ashby.example,\"Case\nand charger\"\r\n\
         ABC-0003,USB stick,,,,,,,,,,,,no,,lost,,\r\n"
    );
    let done = import(&council, &[], &text).unwrap();
    assert_eq!(done.source, SourceFormat::Custodian);
    assert!(done.ignored_columns.is_empty());
    let [laptop, phone, stick] = done.assets.as_slice() else {
        panic!("three items expected");
    };
    assert_eq!(laptop.cost_pence, Some(129_999));
    assert_eq!(
        laptop.authorisation,
        PurchaseAuthorisation::ApprovedBy(council.people[1].id)
    );
    assert_eq!(laptop.encrypted, Encryption::Yes);
    assert_eq!(phone.purchased_on, Some(jiff::civil::date(2025, 4, 1)));
    assert_eq!(phone.notes, "Case\nand charger");
    // Issued by the import, and waiting for Jane's own acknowledgement.
    assert_eq!(
        phone.status,
        AssetStatus::Issued {
            to: council.people[0].id,
            since: now(),
            acknowledged_at: None
        }
    );
    assert_eq!(stick.category, Category::Storage);
    assert_eq!(stick.status, AssetStatus::Lost);
    let actions: Vec<&str> = done.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "asset.registered",
            "asset.registered",
            "asset.issued",
            "asset.registered",
            "assets.imported"
        ]
    );
    assert!(
        done.events[..4]
            .iter()
            .all(|e| e.details["source"] == "csv_import")
    );
    assert_eq!(done.events[3].details["status"], "lost");
    assert_eq!(done.events[4].details["items"], 3);
    assert_eq!(
        done.counts(),
        ImportCounts {
            total: 3,
            in_store: 1,
            issued: 1,
            lost: 1,
            stolen: 0,
            damaged: 0
        }
    );
}

#[test]
fn a_snipe_it_asset_export_imports_with_its_own_columns_and_words() {
    let council = council();
    // The columns of Snipe-IT's asset list export, with an IMEI custom field.
    let text = "\u{feff}ID,Company,Asset Name,Asset Tag,Serial,Model,Model No.,Category,Status,\
Checked Out To,Location,Default Location,Manufacturer,Supplier,Purchase Date,Purchase Cost,\
Order Number,Warranty,Warranty Expires,Notes,IMEI\r\n\
12,Ashby PC,Clerk's laptop,LAP-0001,5CG123,Latitude 5440,N012,Laptops,Deployed,Jane Smith,,Office,Dell,Acme,2024-03-01,\"1,299.99\",PO-77,36 months,,,\r\n\
13,Ashby PC,,PH-0001,,iPhone 13,,Mobile Phones,Ready to Deploy,,Safe,,Apple,,2024-03-01 00:00:00,£499.00,,,2026-03-01,Spare,352099001761481\r\n\
14,Ashby PC,,PH-0002,,Galaxy,,Mobile Phones,Lost/Stolen,,,,Samsung,,,,,,,,\r\n\
15,Ashby PC,,PR-0001,,LaserJet,,Printers,Broken - Not Fixable,,,,HP,,,,,24,,,\r\n";
    let done = import(&council, &[], text).unwrap();
    assert_eq!(done.source, SourceFormat::SnipeIt);
    assert_eq!(done.ignored_columns, ["ID", "Company", "Model No."]);
    let [laptop, spare, lost, printer] = done.assets.as_slice() else {
        panic!("four items expected");
    };
    assert_eq!(laptop.number.as_str(), "LAP-0001");
    assert_eq!(laptop.make, "Dell");
    assert_eq!(laptop.holder(), Some(council.people[0].id));
    assert_eq!(
        laptop.location, "Office",
        "the default location when none is current"
    );
    assert_eq!(laptop.warranty_ends, Some(jiff::civil::date(2027, 3, 1)));
    assert_eq!(laptop.notes, "Name: Clerk's laptop\nOrder number: PO-77");
    assert_eq!(spare.category, Category::Phone);
    assert_eq!(spare.status, AssetStatus::InStore);
    assert_eq!(
        spare.imei.as_ref().map(Imei::as_str),
        Some("352099001761481")
    );
    assert_eq!(spare.cost_pence, Some(49_900));
    assert_eq!(spare.notes, "Spare");
    assert_eq!(lost.status, AssetStatus::Lost);
    assert_eq!(printer.status, AssetStatus::Damaged);
    assert_eq!(
        printer.notes,
        "Warranty: 24 (no purchase date to count from)"
    );
}

#[test]
fn a_snipe_it_custom_report_reads_status_kinds_in_brackets() {
    let council = council();
    let text = "Asset Tag,Category,Checked Out,Type,Status\n\
                A-1,Laptop,jane@ashby.example,user,Ready to Deploy (deployed)\n\
                A-2,Laptop,,,Ready to Deploy (deployable)\n";
    let done = import(&council, &[], text).unwrap();
    assert_eq!(done.assets[0].holder(), Some(council.people[0].id));
    assert_eq!(done.assets[1].status, AssetStatus::InStore);
    assert_eq!(done.ignored_columns, ["Type"]);
}

#[test]
fn every_bad_row_is_reported_with_its_row_column_and_reason_and_nothing_is_imported() {
    let council = council();
    let existing = [AssetNumber::parse("ABC-0041").unwrap()];
    let text = "Number,Category,IMEI,Purchased on,Status,Holder email,Extra\n\
                ABC-0001,phone,352099001761482,,,,x\n\
                ABC-0041,laptop,,,,,\n\
                ABC-0001,laptop,,,,,\n\
                ABC-0004,projector,,,,,\n\
                ABC-0005,laptop,,2026-06-01,,,\n\
                ABC-0006,laptop,,April 2025,,,\n\
                ABC-0007,laptop,,,on the moon,,\n\
                ABC-0008,laptop,,,issued,jo@nowhere.example,\n\
                ABC-0009,laptop,352099001761481,,,,\n\
                ABC-0010,laptop,,,,gone@ashby.example,\n\
                ABC-0011,laptop,,,,,\n";
    let report = import(&council, &existing, text).unwrap_err();
    let found = problems(&report);
    let expect = [
        (2, "IMEI", "its last digit should be 1"),
        (3, "Number", "already used by another item"),
        (4, "Number", "also used on row 2 of this file"),
        (5, "Category", "\"projector\" is not a category"),
        (6, "Purchased on", "is in the future"),
        (7, "Purchased on", "use YYYY-MM-DD or DD/MM/YYYY"),
        (8, "Status", "\"on the moon\" is not a status"),
        (
            9,
            "Holder email",
            "No one with the email address jo@nowhere.example",
        ),
        (10, "IMEI", "only kept for phones and tablets"),
        (11, "Holder email", "has left the council"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for ((row, column, message), (want_row, want_column, want_text)) in found.iter().zip(expect) {
        assert_eq!((*row, *column), (want_row, want_column), "{message}");
        assert!(message.contains(want_text), "row {row}: {message}");
    }
    // Suggestions continue the council's pattern past every number in use, one per clash.
    assert!(found[1].2.contains("such as ABC-0042"), "{}", found[1].2);
    assert!(found[2].2.contains("such as ABC-0043"), "{}", found[2].2);
    assert_eq!(report.ignored_columns, ["Extra"]);
    let printed = report.to_string();
    assert!(printed.starts_with("Nothing was imported."));
    assert!(printed.contains("Row 6, column \"Purchased on\": The purchase date 2026-06-01"));
    assert!(printed.contains("ignored: Extra"));
}

#[test]
fn a_future_purchase_date_is_reported_beside_the_rows_other_problems() {
    let council = council();
    let text = "number,category,purchased_on\nA-1,projector,2030-01-01\n";
    let found = problems(&import(&council, &[], text).unwrap_err())
        .into_iter()
        .map(|(row, column, _)| (row, column.to_owned()))
        .collect::<Vec<_>>();
    assert_eq!(
        found,
        [(2, "category".to_owned()), (2, "purchased_on".to_owned())]
    );
}

#[test]
fn a_repeated_number_does_not_hide_the_rows_other_problems() {
    let council = council();
    let text = "number,category,purchased_on\nA-1,laptop,\nA-1,laptop,2027-01-01\n";
    let found = problems(&import(&council, &[], text).unwrap_err())
        .into_iter()
        .map(|(row, column, _)| (row, column.to_owned()))
        .collect::<Vec<_>>();
    assert_eq!(
        found,
        [(3, "number".to_owned()), (3, "purchased_on".to_owned())]
    );
}

#[test]
fn a_missing_number_or_category_column_is_one_file_problem_naming_the_headers_found() {
    let council = council();
    let report = import(&council, &[], "Asset,Kind\nA-1,laptop\n").unwrap_err();
    assert_eq!(report.file_problems.len(), 2);
    assert!(report.file_problems[0].contains("no column for the asset number"));
    assert!(report.file_problems[0].contains("The columns found are: Asset, Kind."));
    assert!(report.file_problems[1].contains("no column for the category"));
    assert!(report.row_problems.is_empty());
}

#[test]
fn a_header_with_no_rows_or_a_workbook_is_refused() {
    let council = council();
    let report = import(&council, &[], "number,category\r\n,\r\n").unwrap_err();
    assert!(report.file_problems[0].contains("no equipment under it"));
    let context = ImportContext {
        council_id: council.id,
        people: &council.people,
        existing_numbers: &[],
        actor: Actor::Operator,
        now: now(),
    };
    let report = import_register_csv(b"PK\x03\x04...", &context, AssetId::generate).unwrap_err();
    assert!(report.file_problems[0].contains("Excel workbook"));
}

#[test]
fn issued_holders_may_be_named_and_an_issued_row_needs_one() {
    let council = council();
    let text = "number,category,status,Checked Out To\n\
                A-1,laptop,,jane smith\n\
                A-2,laptop,Deployed,\n\
                A-3,laptop,Lost,Jane Smith\n\
                A-4,laptop,Retired,\n";
    let report = import(&council, &[], text).unwrap_err();
    let found = problems(&report);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_eq!((found[0].0, found[0].1), (3, "status"));
    assert!(found[0].2.contains("in the Checked Out To column"));
    assert_eq!((found[1].0, found[1].1), (4, "Checked Out To"));
    assert_eq!((found[2].0, found[2].1), (5, "status"));
    assert!(found[2].2.contains("Disposed items cannot be imported"));
}

#[test]
fn a_purchase_approved_by_a_person_and_a_minute_is_refused() {
    let council = council();
    let text = "number,category,authorised_by,minute_reference\n\
                A-1,laptop,clerk@ashby.example,COU/1\n";
    let found = problems(&import(&council, &[], text).unwrap_err())
        .into_iter()
        .map(|(row, column, _)| (row, column.to_owned()))
        .collect::<Vec<_>>();
    assert_eq!(found, [(2, "authorised_by".to_owned())]);
}

fn sample_assets(council: &Council) -> Vec<Asset> {
    let sim = {
        let payload = "8944100030300708521";
        SimNumber::parse(&format!("{payload}{}", luhn_check_digit(payload))).unwrap()
    };
    let mut phone = new_asset("PH-1", Category::Phone);
    phone.number = AssetNumber::parse("-1").unwrap();
    phone.imei = Some(Imei::parse("352099001761481").unwrap());
    phone.sim = Some(sim);
    phone.make = "=HYPERLINK(\"x\")".into();
    phone.notes = "Line one, with \"quotes\"\nLine two; café £".into();
    phone.authorisation = PurchaseAuthorisation::ApprovedBy(council.people[1].id);
    let mut stick = new_asset("usb/7", Category::Storage);
    stick.serial = None;
    stick.purchased_on = None;
    stick.cost_pence = None;
    stick.warranty_ends = None;
    stick.encrypted = Encryption::Unknown;
    stick.authorisation = PurchaseAuthorisation::None;
    let registered: Vec<Asset> = [phone, stick, new_asset("ABC-0042", Category::Laptop)]
        .into_iter()
        .map(|input| {
            register_asset(council.id, AssetId::generate(), input, Actor::System, now())
                .unwrap()
                .0
        })
        .collect();
    let mut assets = registered;
    assets[0] = issue(&assets[0], &council.people[0], Actor::System, now())
        .unwrap()
        .0;
    assets[1].status = AssetStatus::Stolen;
    assets
}

/// What an export carries across: everything but ids, times and acknowledgements.
fn register_view(asset: &Asset) -> impl PartialEq + fmt::Debug {
    (
        (
            asset.number.as_str().to_owned(),
            asset.category,
            asset.make.clone(),
            asset.model.clone(),
            asset.serial.clone(),
            asset.imei.clone(),
            asset.sim.clone(),
        ),
        (
            asset.purchased_on,
            asset.cost_pence,
            asset.supplier.clone(),
            asset.authorisation.clone(),
            asset.warranty_ends,
            asset.encrypted,
            asset.location.clone(),
            asset.status.as_str(),
            asset.holder(),
            asset.notes.clone(),
        ),
    )
}

#[test]
fn an_export_imports_back_to_the_same_register() {
    let council = council();
    let assets = sample_assets(&council);
    let text = write_register_csv(&assets, &council.people);
    assert!(text.starts_with(&format!("{},holder_name", OWN_HEADER)));
    assert!(
        text.contains("'=HYPERLINK"),
        "formulas are defused:\n{text}"
    );
    assert!(text.contains("35-209900-176148-1"));
    assert!(text.contains(",Jane Smith,"));
    let back = import(&council, &[], &text).unwrap();
    assert!(back.ignored_columns.is_empty());
    let before: Vec<_> = assets.iter().map(register_view).collect();
    let after: Vec<_> = back.assets.iter().map(register_view).collect();
    assert_eq!(before, after);
}

#[test]
fn re_importing_an_export_into_the_same_register_clashes_on_every_number() {
    let council = council();
    let assets = sample_assets(&council);
    let numbers: Vec<AssetNumber> = assets.iter().map(|a| a.number.clone()).collect();
    let report = import(
        &council,
        &numbers,
        &write_register_csv(&assets, &council.people),
    )
    .unwrap_err();
    assert_eq!(report.row_problems.len(), assets.len());
    assert!(report.row_problems.iter().all(|p| p.column == "number"));
}

mod round_trip {
    //! Any register Custodian can hold comes back from its own export unchanged.
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Letters, spaces, separators, quotes, formula starters and non-ASCII.
        proptest::string::string_regex("[A-Za-z0-9 ,;\"'=+@£é-]{0,20}").unwrap()
    }

    fn item() -> impl Strategy<Value = (u32, usize, String, String, String, Option<u64>, usize)> {
        (
            0u32..10_000,
            0usize..Category::ALL.len(),
            text(),
            text(),
            text(),
            proptest::option::of(0u64..10_000_000),
            0usize..5,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn export_then_import_gives_the_same_register(items in proptest::collection::vec(item(), 1..8)) {
            let council = council();
            let mut seen = HashSet::new();
            let mut assets = Vec::new();
            for (n, category, make, location, notes, cost, status) in items {
                if !seen.insert(n) {
                    continue;
                }
                let mut input = new_asset(&format!("X-{n}"), Category::ALL[category]);
                input.make = make;
                input.location = location;
                input.notes = notes;
                input.cost_pence = cost;
                input.serial = SerialNumber::parse(&format!("S{n}")).ok();
                let (mut asset, _) =
                    register_asset(council.id, AssetId::generate(), input, Actor::System, now())
                        .unwrap();
                match status {
                    1 => asset = issue(&asset, &council.people[0], Actor::System, now()).unwrap().0,
                    2 => asset.status = AssetStatus::Lost,
                    3 => asset.status = AssetStatus::Stolen,
                    4 => asset.status = AssetStatus::Damaged,
                    _ => {}
                }
                assets.push(asset);
            }
            let text = write_register_csv(&assets, &council.people);
            let back = import(&council, &[], &text).map_err(|r| TestCaseError::fail(r.to_string()))?;
            let before: Vec<_> = assets.iter().map(register_view).collect();
            let after: Vec<_> = back.assets.iter().map(register_view).collect();
            prop_assert_eq!(before, after);
        }
    }
}
