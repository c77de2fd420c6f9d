//! `custodian assets import` and `custodian assets export`: the contract used by acceptance
//! checks (exit 0 and a count, or exit 2 with row-level errors and nothing imported) and the
//! choice of council.

use super::{custodian, init, text};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Ashby Parish Council, whose Clerk is Jane Smith <clerk@ashby.example>.
fn ashby() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let setup = init(dir.path(), "Ashby Parish Council", "clerk@ashby.example");
    assert!(setup.status.success(), "{}", text(&setup));
    dir
}

const REGISTER: &str = "number,category,make,model,imei,purchased_on,cost,status,holder_email,notes\n\
    ASH-0001,laptop,Dell,Latitude 5440,,2025-04-01,\"£1,299.99\",,clerk@ashby.example,\n\
    ASH-0002,phone,Apple,iPhone 13,35-209900-176148-1,01/04/2025,499,in store,,\"In the safe\"\n\
    ASH-0003,USB drive,SanDisk,Ultra,,,,lost,,\n";

#[test]
fn an_import_adds_every_item_and_says_how_many() {
    let dir = ashby();
    let file = write(dir.path(), "register.csv", REGISTER);
    let output = custodian(dir.path(), &["assets", "import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("Imported 3 items into Ashby Parish Council."),
        "{out}"
    );
    assert!(out.contains("1 in store, 1 issued, 1 lost."), "{out}");
    assert!(out.contains("asked to acknowledge"), "{out}");

    let verify = custodian(dir.path(), &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
}

#[test]
fn a_bad_file_exits_2_naming_each_row_and_column_and_imports_nothing() {
    let dir = ashby();
    let file = write(
        dir.path(),
        "bad.csv",
        "Asset Tag,Category,IMEI,Purchase Date\n\
         A-1,laptop,,2025-04-01\n\
         A-2,phone,352099001761482,\n\
         A-3,projector,,31/13/2025\n",
    );
    let output = custodian(dir.path(), &["assets", "import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let err = stderr(&output);
    assert!(err.contains("Nothing was imported"), "{err}");
    assert!(
        err.contains("Row 3, column \"IMEI\": The IMEI 352099001761482 is not valid"),
        "{err}"
    );
    assert!(err.contains("Row 4, column \"Category\""), "{err}");
    assert!(err.contains("Row 4, column \"Purchase Date\""), "{err}");
    assert!(stdout(&output).is_empty());

    let export = custodian(dir.path(), &["assets", "export"]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export));
    assert_eq!(
        stdout(&export).lines().count(),
        1,
        "only the header: {}",
        stdout(&export)
    );
}

#[test]
fn a_file_without_a_number_column_is_refused_naming_the_headers_found() {
    let dir = ashby();
    let file = write(
        dir.path(),
        "no-number.csv",
        "Item,Category\nLaptop,laptop\n",
    );
    let output = custodian(dir.path(), &["assets", "import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let err = stderr(&output);
    assert!(err.contains("no column for the asset number"), "{err}");
    assert!(
        err.contains("The columns found are: Item, Category."),
        "{err}"
    );
}

#[test]
fn an_export_prints_the_header_and_a_row_per_item_and_reads_back() {
    let dir = ashby();
    let file = write(dir.path(), "register.csv", REGISTER);
    let imported = custodian(dir.path(), &["assets", "import", file.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));
    let export = custodian(dir.path(), &["assets", "export"]);
    assert_eq!(export.status.code(), Some(0), "{}", text(&export));
    let csv = stdout(&export);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("number,category,make,model,serial,imei,sim,purchased_on,cost,"));
    assert!(
        lines[1].starts_with("ASH-0001,laptop,Dell,Latitude 5440,"),
        "{csv}"
    );
    assert!(lines[1].contains("1299.99"), "{csv}");
    assert!(lines[1].contains(",issued,clerk@ashby.example,"), "{csv}");
    assert!(lines[2].contains("35-209900-176148-1"), "{csv}");
    assert!(lines[3].starts_with("ASH-0003,storage,SanDisk"), "{csv}");

    // The export imports into another installation's register unchanged.
    let other = ashby();
    let copy = write(other.path(), "copy.csv", &csv);
    let again = custodian(other.path(), &["assets", "import", copy.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again));
    let second = stdout(&custodian(other.path(), &["assets", "export"]));
    let without_dates = |text: &str| -> Vec<String> {
        // The issue date is when each import issued the item.
        text.lines()
            .map(|l| l.split(',').take(18).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(without_dates(&second), without_dates(&csv));
}

#[test]
fn a_snipe_it_asset_export_imports() {
    let dir = ashby();
    let file = write(
        dir.path(),
        "snipe-it.csv",
        "\u{feff}ID,Company,Asset Name,Asset Tag,Serial,Model,Model No.,Category,Status,\
         Checked Out To,Location,Manufacturer,Supplier,Purchase Date,Purchase Cost,Warranty,\
         Warranty Expires,Notes,IMEI\r\n\
         1,Ashby PC,Clerk laptop,LAP-0001,5CG123,Latitude 5440,N012,Laptops,Deployed,\
         Jane Smith,Office,Dell,Acme,2024-03-01,\"1,299.99\",36 months,,,\r\n\
         2,Ashby PC,,PH-0001,,iPhone 13,,Mobile Phones,Ready to Deploy,,Safe,Apple,,\
         2024-03-01 00:00:00,499.00,,2026-03-01,Spare,352099001761481\r\n\
         3,Ashby PC,,PR-0001,,LaserJet,,Printers,Broken - Not Fixable,,,HP,,,,,,,\r\n",
    );
    let output = custodian(dir.path(), &["assets", "import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("Imported 3 items into Ashby Parish Council."),
        "{out}"
    );
    assert!(out.contains("ignored: ID, Company, Model No."), "{out}");
    let csv = stdout(&custodian(dir.path(), &["assets", "export"]));
    assert!(
        csv.contains("LAP-0001,laptop,Dell,Latitude 5440,5CG123,"),
        "{csv}"
    );
    assert!(
        csv.contains(",2027-03-01,"),
        "the warranty counted from purchase: {csv}"
    );
    assert!(csv.contains("PR-0001,printer,HP,LaserJet"), "{csv}");
    assert!(csv.contains(",damaged,"), "{csv}");
}

#[test]
fn with_two_councils_the_council_must_be_named_by_slug_name_or_id() {
    let dir = ashby();
    let second = init(
        dir.path(),
        "Barton-le-Clay Town Council",
        "clerk@barton.example",
    );
    assert!(second.status.success(), "{}", text(&second));
    let file = write(dir.path(), "register.csv", REGISTER);
    let path = file.to_str().unwrap();

    let unnamed = custodian(dir.path(), &["assets", "import", path]);
    assert_eq!(unnamed.status.code(), Some(2), "{}", text(&unnamed));
    let err = stderr(&unnamed);
    assert!(err.contains("--council"), "{err}");
    assert!(err.contains("ashby-parish-council"), "{err}");
    assert!(err.contains("barton-le-clay-town-council"), "{err}");

    let unknown = custodian(dir.path(), &["assets", "export", "--council", "nowhere"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(stderr(&unknown).contains("barton-le-clay-town-council"));

    let by_slug = custodian(
        dir.path(),
        &[
            "assets",
            "import",
            path,
            "--council",
            "ashby-parish-council",
        ],
    );
    assert_eq!(by_slug.status.code(), Some(0), "{}", text(&by_slug));
    // Barton's register is its own: still empty, and Ashby's holder is not one of its people.
    let barton = custodian(
        dir.path(),
        &[
            "assets",
            "export",
            "--council",
            "BARTON-LE-CLAY TOWN COUNCIL",
        ],
    );
    assert_eq!(stdout(&barton).lines().count(), 1, "{}", text(&barton));
    let into_barton = custodian(
        dir.path(),
        &[
            "assets",
            "import",
            path,
            "--council",
            "barton-le-clay-town-council",
        ],
    );
    assert_eq!(into_barton.status.code(), Some(2), "{}", text(&into_barton));
    assert!(stderr(&into_barton).contains("No one with the email address clerk@ashby.example"));
}

#[test]
fn importing_the_same_file_twice_is_refused_with_suggested_numbers() {
    let dir = ashby();
    let file = write(dir.path(), "register.csv", REGISTER);
    let path = file.to_str().unwrap();
    assert!(
        custodian(dir.path(), &["assets", "import", path])
            .status
            .success()
    );
    let again = custodian(dir.path(), &["assets", "import", path]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let err = stderr(&again);
    assert!(err.contains("Row 2, column \"number\": The asset number ASH-0001 is already used"));
    assert!(err.contains("such as ASH-0004"), "{err}");
    assert_eq!(
        stdout(&custodian(dir.path(), &["assets", "export"]))
            .lines()
            .count(),
        4
    );
}

#[test]
fn the_assets_commands_explain_themselves() {
    for args in [
        &["assets", "import", "--help"][..],
        &["assets", "export", "--help"],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_custodian"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("--council"), "{args:?}: {help}");
        assert!(help.contains("Example:"), "{args:?}: {help}");
    }
}
