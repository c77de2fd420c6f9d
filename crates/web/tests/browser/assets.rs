//! The equipment register journey in the browser: the Clerk adds a phone (after a slip with its
//! IMEI), looks at the register, who has what, the printout and the labels, and issues the phone
//! to a councillor; the councillor acknowledges it and reports it lost; the Clerk then opens the
//! incident it raised. Every page gets the same checks as the rest of the walk.

use super::policy::{sign_in, sign_out};
use super::*;

/// A valid IMEI (Luhn check digit 1) and a mistyped one.
const IMEI: &str = "35-209900-176148-1";
const MISTYPED_IMEI: &str = "35-209900-176148-2";
/// A 20-digit SIM number whose last digit is its Luhn check digit.
const SIM: &str = "89441000303007085218";

pub(crate) async fn walk_the_equipment_journey(b: &mut Browser) {
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;

    // --- The register, empty, from the navigation. ---
    b.click_link("Equipment").await;
    b.wait_for_path("/assets").await;
    b.check("equipment register, empty", "Equipment register")
        .await;

    // --- Adding a phone: a mistyped IMEI first, then the right one. ---
    b.click_link("Add an item").await;
    b.wait_for_path("/assets/new").await;
    b.check("add an item", "Add an item").await;
    b.clear_and_type("#number", "PH-0001").await;
    b.click("#category option[value='phone']").await;
    b.type_into("#make", "Apple").await;
    b.type_into("#model", "iPhone 13").await;
    b.type_into("#imei", MISTYPED_IMEI).await;
    b.type_into("#sim", SIM).await;
    b.type_into("#purchased_on", "1/4/2025").await;
    b.type_into("#cost", "649").await;
    b.click("#authorisation-minute_reference").await;
    b.type_into("#minute_reference", "COU/229/25-26").await;
    b.click("#encrypted").await;
    b.click("form[action='/assets/new'] button[type='submit']")
        .await;
    b.expect_error_summary("add an item with a mistyped IMEI")
        .await;
    b.clear_and_type("#imei", IMEI).await;
    b.click("form[action='/assets/new'] button[type='submit']")
        .await;
    b.wait_for_query("done=added").await;
    b.check("a new item", "PH-0001").await;
    b.screenshot("equipment-item").await;
    let item = item_path(&b.current_url().await);

    // --- The register's other views. ---
    b.goto("/assets?q=iphone").await;
    b.check("equipment register, searched", "Equipment register")
        .await;
    let count = b.text_of("#register-count").await;
    assert_eq!(
        count, "Showing 1 to 1 of 1 item.",
        "the search found {count:?}"
    );
    b.click_link("Print the register").await;
    b.wait_for_path("/assets/print").await;
    b.check("the printable register", "Equipment register")
        .await;
    b.goto("/assets/labels").await;
    b.check("equipment labels", "Equipment labels").await;
    b.screenshot("equipment-labels").await;

    // --- Issuing it to Connie. ---
    b.goto(&item).await;
    b.click_link("Issue to someone").await;
    b.wait_for_path(&format!("{item}/issue")).await;
    b.check("issue an item", "Issue PH-0001").await;
    b.click("form[action$='/issue'] button").await;
    b.expect_error_summary("issue an item without choosing anyone")
        .await;
    choose_option(b, "person", "Connie Councillor").await;
    b.click("form[action$='/issue'] button").await;
    b.wait_for_query("done=issued").await;
    b.check("an issued item", "PH-0001").await;
    b.goto("/assets/holders").await;
    b.check("who has what", "Who has what").await;
    sign_out(b).await;

    // --- Connie acknowledges it, then reports it lost. ---
    sign_in(b, "cllr@ashby.example", None).await;
    b.click_link("Your equipment").await;
    b.wait_for_path("/my-equipment").await;
    b.check("your equipment, to acknowledge", "Your equipment")
        .await;
    b.screenshot("equipment-acknowledge").await;
    let text = b.text_of("#acknowledgement-text").await;
    assert!(
        text.contains("PH-0001 (Apple iPhone 13)"),
        "the acknowledgement does not name the phone: {text}"
    );
    b.click_button_with_text(
        "form[action='/my-equipment/acknowledge'] button",
        "I confirm",
    )
    .await;
    b.wait_for_query("acknowledged=1").await;
    b.check("your equipment, acknowledged", "Your equipment")
        .await;
    b.click(&format!("a[href='{item}/report-loss']")).await;
    b.wait_for_path(&format!("{item}/report-loss")).await;
    b.check("report a loss", "Report lost, stolen or damaged")
        .await;
    b.click("form[action$='/report-loss'] button[type='submit']")
        .await;
    b.expect_error_summary("report a loss with nothing filled in")
        .await;
    b.click("#kind").await;
    b.type_into("#place", "the 17:32 train to Leicester").await;
    b.type_into("#summary", "Left it on the seat.").await;
    b.click("form[action$='/report-loss'] button[type='submit']")
        .await;
    b.wait_for_query("reported=").await;
    b.check("your equipment, after reporting a loss", "Your equipment")
        .await;
    let told = b.text_of("#main-content").await;
    assert!(
        told.contains("You have reported PH-0001 lost") && told.contains("352099001761481"),
        "the reporter is not told what to do next:\n{told}"
    );
    sign_out(b).await;

    // --- The Clerk finds the incident it opened from the item's history. ---
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    b.goto(&item).await;
    b.check("a lost item", "PH-0001").await;
    b.click_link("See the incident").await;
    b.wait_for_url(|p, _| p.starts_with("/incidents/"), "the incident")
        .await;
    b.check("the incident a loss opened", "Lost or stolen device")
        .await;
    let incident = b.text_of("#main-content").await;
    for expected in ["IMEI 352099001761481", SIM, "Wipe the device remotely"] {
        assert!(
            incident.contains(expected),
            "the incident lacks {expected:?}:\n{incident}"
        );
    }
    b.goto(&format!("{item}/wipe")).await;
    b.check("record a data wipe", "Record a data wipe").await;
    b.goto(&format!("{item}/dispose")).await;
    b.check("dispose of an item (refused)", "Dispose of PH-0001")
        .await;
    sign_out(b).await;
}

/// The "/assets/{id}" part of the browser's address.
fn item_path(url: &str) -> String {
    let path = url
        .split("/assets/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no item in {url}"));
    format!("/assets/{path}")
}

/// Chooses the option of select `id` whose text contains `text`.
pub(crate) async fn choose_option(b: &Browser, id: &str, text: &str) {
    let options = b
        .client
        .find_all(Locator::Css(&format!("#{id} option")))
        .await
        .unwrap();
    for option in options {
        if option.text().await.unwrap().contains(text) {
            option.click().await.unwrap();
            return;
        }
    }
    panic!("no option {text:?} in #{id} on {}", b.current_url().await);
}
