//! The pages issue 4 added beyond the equipment journey, in the browser. First the Clerk imports
//! equipment from a spreadsheet (a file with a mistyped IMEI, then the corrected file, reviewed
//! and confirmed). Then the devices: a councillor asks to use two of her own devices and answers
//! the questions about one (after an impossible idle-lock value); the Clerk reads the compliance
//! table and the requests, approves one and declines the other (after trying without a reason),
//! registers a council laptop (after a slip) linked to the imported register item, uploads an
//! osquery report for it (a file that is not JSON first) and imports an MDM export (a value that
//! cannot be read, a missing column choice, then the facts recorded); the councillor finally sees
//! both decisions. Every page gets the same checks as the rest of the walk.

use super::assets::choose_option;
use super::policy::{sign_in, sign_out};
use super::*;

/// The serial number of the imported laptop, which the council device takes from the register
/// and which the osquery report and the MDM export name.
const LAPTOP_SERIAL: &str = "5CG1234XYZ";

/// Two items; the phone's IMEI has the wrong last digit (the right one is 1).
const REGISTER_WITH_A_SLIP: &str = "number,category,make,model,serial,imei,status\n\
    LT-0001,laptop,Dell,Latitude 5440,5CG1234XYZ,,in store\n\
    PH-0002,phone,Apple,iPhone 12,,35-209900-176148-2,in store\n";

/// The Windows laptop's settings as `osqueryi --json` prints several queries: one array each.
const WINDOWS_OSQUERY: &str = r#"[
  {"build":"22631","major":"10","minor":"0","name":"Microsoft Windows 11 Pro","patch":"","platform":"windows","version":"10.0.22631"}
]
[
  {"hardware_model":"Latitude 5440","hardware_serial":"5CG1234XYZ","hardware_vendor":"Dell Inc.","hostname":"CLERK-LAPTOP"}
]
[
  {"conversion_status":"1","drive_letter":"C:","protection_status":"1"}
]
[
  {"antivirus":"Good","autoupdate":"Good","firewall":"Good"}
]
[
  {"date":"1779000000","operation":"Installation","result_code":"Succeeded","title":"2026-05 Cumulative Update"}
]
"#;

/// An Intune-like export: the laptop, and a device Custodian does not know (skipped). The
/// laptop's encryption cell cannot be read.
const MDM_WITH_A_SLIP: &str = "Device name,Serial number,Encrypted,OS version,Auto-lock (minutes)\n\
    Clerk's laptop,5CG1234XYZ,Sometimes,10.0.22631,5\n\
    Reception PC,OTHER-0001,Yes,10.0.19045,10\n";

pub(crate) async fn walk_the_equipment_import(b: &mut Browser) {
    let files = tempfile::tempdir().unwrap();
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    b.goto("/assets").await;
    b.click_link("Import from a spreadsheet").await;
    b.wait_for_path("/assets/import").await;
    b.check("import equipment", "Import equipment from a spreadsheet")
        .await;

    // --- A file with a mistyped IMEI: nothing is added, the row and column are named. ---
    choose_file(
        b,
        "#register_file",
        files.path(),
        "register.csv",
        REGISTER_WITH_A_SLIP,
    )
    .await;
    b.click("form[action='/assets/import'] button[type='submit']")
        .await;
    b.expect_error_summary("import equipment, a file with a mistyped IMEI")
        .await;
    let problems = b.text_of(".govuk-table").await;
    for expected in ["3", "imei", "its last digit should be 1"] {
        assert!(
            problems.contains(expected),
            "the import's report does not say {expected:?}:\n{problems}"
        );
    }

    // --- The corrected file: reviewed, then added. ---
    let corrected = REGISTER_WITH_A_SLIP.replace("35-209900-176148-2", "");
    choose_file(
        b,
        "#register_file",
        files.path(),
        "register.csv",
        &corrected,
    )
    .await;
    b.click("form[action='/assets/import'] button[type='submit']")
        .await;
    b.check(
        "import equipment, the items to add",
        "Check the items before adding them",
    )
    .await;
    let review = b.text_of("#main-content").await;
    assert!(
        review.contains("2 items are ready to be added") && review.contains("LT-0001"),
        "the review does not list the file's items:\n{review}"
    );
    b.click_button_with_text(
        "form[action='/assets/import/confirm'] button",
        "Add 2 items to the register",
    )
    .await;
    b.wait_for_query("imported=2").await;
    b.check(
        "import equipment, done",
        "Import equipment from a spreadsheet",
    )
    .await;
    let banner = b.text_of(".govuk-notification-banner").await;
    assert!(
        banner.contains("2 items were added to the register."),
        "the import does not say what it added: {banner:?}"
    );
    sign_out(b).await;
}

pub(crate) async fn walk_the_device_journey(b: &mut Browser) {
    let files = tempfile::tempdir().unwrap();

    // --- Connie asks to use her phone (after an empty form) and answers its questions. ---
    sign_in(b, "cllr@ashby.example", None).await;
    b.click_link("Your equipment").await;
    b.wait_for_path("/my-equipment").await;
    b.click_link("See your devices").await;
    b.wait_for_path("/devices/mine").await;
    b.check("your devices, none yet", "Your devices").await;
    send_request(b).await;
    b.expect_error_summary("ask to use an own device with nothing filled in")
        .await;
    let error = b.text_of("#name-error").await;
    assert!(
        error.contains("Give the device a name"),
        "the request form does not ask for a name: {error:?}"
    );
    ask_to_use(b, "Connie's iPhone", "phone", "ios").await;
    b.check(
        "the questions, just after asking",
        "How is your device set up?",
    )
    .await;
    let banner = b.text_of(".govuk-notification-banner").await;
    assert!(
        banner.contains("Your request has been sent to the Clerk"),
        "the questions page does not say the request was sent: {banner:?}"
    );
    let phone = device_id(&b.current_url().await);
    let attest = format!("/devices/{phone}/attest");
    b.click("#disk_encryption").await; // Yes
    b.click("input[name='screen_lock'][value='pin']").await;
    b.type_into("#pin_length", "6").await;
    b.click("#idle_lock").await; // After a number of minutes
    b.type_into("#idle_lock_minutes", "2000").await;
    b.click(&format!("form[action='{attest}'] button[type='submit']"))
        .await;
    b.expect_error_summary("the questions with an impossible idle-lock time")
        .await;
    let error = b.text_of("#idle_lock_minutes-error").await;
    assert!(
        error.contains("Idle lock must be a whole number of minutes from 1 to 1440"),
        "the idle-lock answer is refused without saying why: {error:?}"
    );
    b.clear_and_type("#idle_lock_minutes", "5").await;
    b.click(&format!("form[action='{attest}'] button[type='submit']"))
        .await;
    b.wait_for_query("attested=1").await;
    b.check("an own device, answers recorded", "Connie's iPhone")
        .await;
    let heading = b.text_of("h1").await;
    assert!(
        heading.contains("Waiting for the Clerk"),
        "the requested phone is not shown as waiting: {heading:?}"
    );

    // --- A second device, which the Clerk will decline. ---
    b.goto("/devices/mine").await;
    ask_to_use(b, "Old Android tablet", "tablet", "android").await;
    b.goto("/devices/mine").await;
    b.check("your devices, two requests waiting", "Your devices")
        .await;
    let mine = b.text_of("#main-content").await;
    for expected in [
        "Connie's iPhone",
        "Old Android tablet",
        "Waiting for the Clerk",
    ] {
        assert!(
            mine.contains(expected),
            "Your devices does not show {expected:?}:\n{mine}"
        );
    }
    sign_out(b).await;

    // --- The Clerk: the compliance table, then the requests. ---
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    b.click_link("Devices").await;
    b.wait_for_path("/devices").await;
    b.check("devices, two requests waiting", "Devices").await;
    b.screenshot("devices").await;
    let table = b.text_of(".govuk-table").await;
    assert!(
        table.contains("Connie's iPhone") && table.contains("Waiting for the Clerk"),
        "the compliance table does not list the request:\n{table}"
    );
    b.click("a[href='/devices/requests']").await;
    b.wait_for_path("/devices/requests").await;
    b.check("requests to use own devices", "Requests to use own devices")
        .await;
    b.click_link("Connie's iPhone").await;
    b.wait_for_path(&format!("/devices/{phone}")).await;
    b.check("a request to decide", "Connie's iPhone").await;
    b.click_button_with_text(
        &format!("form[action='/devices/{phone}/approve'] button"),
        "Approve for council work",
    )
    .await;
    b.wait_for_query("approved=1").await;
    b.check("an approved own device", "Connie's iPhone").await;
    let approved = b.text_of("#main-content").await;
    assert!(
        approved.contains("The request has been approved")
            && approved.contains("Approved for council work by Clara Clerk"),
        "the approval is not shown:\n{approved}"
    );

    b.goto("/devices/requests").await;
    b.click_link("Old Android tablet").await;
    b.wait_for_url(
        |p, _| p.starts_with("/devices/") && p != "/devices/requests",
        "the tablet's page",
    )
    .await;
    let tablet = device_id(&b.current_url().await);
    b.click_link("Decline").await;
    let decline = format!("/devices/{tablet}/decline");
    b.wait_for_path(&decline).await;
    b.check("decline a request", "Decline the request to use")
        .await;
    b.click(&format!("form[action='{decline}'] button[type='submit']"))
        .await;
    b.expect_error_summary("decline a request without a reason")
        .await;
    let error = b.text_of("#reason-error").await;
    assert!(
        error.contains("Say why the request is declined"),
        "declining without a reason is refused without saying why: {error:?}"
    );
    b.type_into("#reason", DECLINE_REASON).await;
    b.click(&format!("form[action='{decline}'] button[type='submit']"))
        .await;
    b.wait_for_query("declined=1").await;
    b.check("a declined own device", "Old Android tablet").await;
    let declined = b.text_of("#main-content").await;
    assert!(
        declined.contains(DECLINE_REASON),
        "the declined device does not show the reason:\n{declined}"
    );

    // --- Registering the council laptop: a slip first, then linked to the register. ---
    b.goto("/devices").await;
    b.click_link("Register a council device").await;
    b.wait_for_path("/devices/new").await;
    b.check("register a council device", "Register a council device")
        .await;
    b.type_into("#name", "Clerk's laptop").await;
    b.type_into("#asset_number", "LT-9999").await;
    b.click("form[action='/devices/new'] button[type='submit']")
        .await;
    b.expect_error_summary("register a council device with a slip")
        .await;
    let summary = b.text_of(".govuk-error-summary").await;
    for expected in [
        "Choose what kind of device it is",
        "no item numbered LT-9999",
    ] {
        assert!(
            summary.contains(expected),
            "the error summary does not say {expected:?}:\n{summary}"
        );
    }
    b.click("input[name='kind'][value='laptop']").await;
    b.click("input[name='platform'][value='windows']").await;
    choose_option(b, "user", "Charles Chair").await;
    b.clear_and_type("#asset_number", "LT-0001").await;
    b.click("form[action='/devices/new'] button[type='submit']")
        .await;
    b.wait_for_query("registered=1").await;
    b.check("a registered council device", "Clerk's laptop")
        .await;
    let laptop = device_id(&b.current_url().await);
    let registered = b.text_of("#main-content").await;
    for expected in ["The device has been registered", LAPTOP_SERIAL, "LT-0001"] {
        assert!(
            registered.contains(expected),
            "the new device's page does not show {expected:?}:\n{registered}"
        );
    }
    b.goto(&format!("/devices/{laptop}/attest")).await;
    b.check(
        "the questions, answered for the council",
        "Record what you checked on this device",
    )
    .await;

    // --- Its osquery report: a file that is not JSON, then the real output. ---
    b.goto(&format!("/devices/{laptop}")).await;
    b.click_link("Upload an osquery report").await;
    let osquery = format!("/devices/{laptop}/osquery");
    b.wait_for_path(&osquery).await;
    b.check("upload an osquery report", "Upload an osquery report")
        .await;
    choose_file(
        b,
        "#osquery_file",
        files.path(),
        "device.csv",
        "name,version\nWindows,11\n",
    )
    .await;
    b.click(&format!("form[action='{osquery}'] button[type='submit']"))
        .await;
    b.expect_error_summary("an osquery report that is not JSON")
        .await;
    let error = b.text_of("#osquery_file-error").await;
    assert!(
        error.contains("device.csv: The file is not JSON"),
        "the file that is not JSON is refused without saying why: {error:?}"
    );
    choose_file(
        b,
        "#osquery_file",
        files.path(),
        "device.json",
        WINDOWS_OSQUERY,
    )
    .await;
    b.click(&format!("form[action='{osquery}'] button[type='submit']"))
        .await;
    b.check("check an osquery report", "Check what the report says")
        .await;
    let facts = b.text_of(".govuk-summary-list").await;
    assert!(
        facts.contains("10.0.22631") && facts.contains("On and up to date"),
        "the review does not show what the report says:\n{facts}"
    );
    b.click_button_with_text(
        &format!("form[action='{osquery}'] button"),
        "Record these facts",
    )
    .await;
    b.wait_for_query("recorded=1").await;
    b.check("a device with osquery facts", "Clerk's laptop")
        .await;
    let recorded = b.text_of("#main-content").await;
    assert!(
        recorded.contains("The facts from the osquery report have been recorded")
            && recorded.contains("osquery report from the IT provider"),
        "the device's page does not show the recorded facts:\n{recorded}"
    );

    // --- An MDM export: a value that cannot be read, the columns, then the facts recorded. ---
    b.goto("/devices").await;
    b.click_link("Import an MDM export").await;
    b.wait_for_path("/devices/mdm").await;
    b.check("import an MDM export", "Import an MDM export")
        .await;
    upload_mdm(b, files.path(), MDM_WITH_A_SLIP).await;
    b.check(
        "an MDM export with a value that cannot be read",
        "Check the MDM export",
    )
    .await;
    let problems = b.text_of("#problems").await;
    for expected in ["Row 2", "Encrypted", "Sometimes"] {
        assert!(
            problems.contains(expected),
            "the MDM report does not name {expected:?}:\n{problems}"
        );
    }
    b.click_link("Upload another file").await;
    b.wait_for_path("/devices/mdm").await;
    upload_mdm(
        b,
        files.path(),
        &MDM_WITH_A_SLIP.replace("Sometimes", "Yes"),
    )
    .await;
    b.check(
        "an MDM export, its columns and facts",
        "Check the MDM export",
    )
    .await;
    let preview = b.text_of("#main-content").await;
    assert!(
        preview.contains("Facts that will be recorded (1 device)"),
        "the MDM preview does not match the laptop:\n{preview}"
    );
    // The mapping step: no column to match by, then matching by name instead of serial.
    b.click("#identifier_column option[value='']").await;
    check_mdm_again(b).await;
    b.expect_error_summary("an MDM export with no column to match by")
        .await;
    b.click("#identifier-name").await;
    choose_option(b, "identifier_column", "Device name").await;
    check_mdm_again(b).await;
    b.wait_for_element(
        "form[action='/devices/mdm'] button[value='save']",
        "Record facts for 1 device",
    )
    .await;
    b.check("an MDM export, matched by name", "Check the MDM export")
        .await;
    b.click("form[action='/devices/mdm'] button[value='save']")
        .await;
    b.wait_for_query("recorded=1").await;
    b.check("devices, after an MDM export", "Devices").await;
    let banner = b.text_of(".govuk-notification-banner").await;
    assert!(
        banner.contains("Facts recorded for 1 device from the MDM export."),
        "the compliance table does not say what the import recorded: {banner:?}"
    );
    sign_out(b).await;

    // --- Connie sees both decisions. ---
    sign_in(b, "cllr@ashby.example", None).await;
    b.goto("/devices/mine").await;
    b.check("your devices, decided", "Your devices").await;
    let mine = b.text_of("#main-content").await;
    for expected in ["Approved", "Declined", DECLINE_REASON] {
        assert!(
            mine.contains(expected),
            "Your devices does not show {expected:?}:\n{mine}"
        );
    }
    sign_out(b).await;
}

const DECLINE_REASON: &str = "It runs Android 8, which no longer gets security updates.";

/// Writes `contents` to `name` in `dir` and chooses it in the file input `css`: chromedriver
/// takes a file's path typed into the input, as policy.rs uploads its fixture.
async fn choose_file(b: &Browser, css: &str, dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    b.type_into(css, &path.display().to_string()).await;
}

/// Fills in "Ask to use your own device" and sends it; the browser lands on the questions.
async fn ask_to_use(b: &Browser, name: &str, kind: &str, platform: &str) {
    b.clear_and_type("#name", name).await;
    b.click(&format!("input[name='kind'][value='{kind}']"))
        .await;
    b.click(&format!("input[name='platform'][value='{platform}']"))
        .await;
    send_request(b).await;
    b.wait_for_url(
        |p, _| p.ends_with("/attest"),
        "the questions about the device",
    )
    .await;
}

async fn send_request(b: &Browser) {
    b.click_button_with_text("form[action='/devices/mine'] button", "Send the request")
        .await;
}

async fn upload_mdm(b: &Browser, dir: &Path, csv: &str) {
    choose_file(b, "#mdm_file", dir, "intune.csv", csv).await;
    b.click("form[action='/devices/mdm'] button[type='submit']")
        .await;
}

async fn check_mdm_again(b: &Browser) {
    b.click_button_with_text(
        "form[action='/devices/mdm'] button",
        "Check again with these columns",
    )
    .await;
}

/// The id in a ".../devices/{id}..." address.
fn device_id(url: &str) -> String {
    url.split("/devices/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no device in {url}"))
        .to_owned()
}
