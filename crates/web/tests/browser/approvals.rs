//! Approvals and health and safety in the browser (issue 6). Connie, a councillor, asks for
//! approval to buy a headset (clause 1.1.7) and reports a hazard; the Clerk finds the request
//! from her home page, approves it with a condition, and looks at the health-and-safety
//! overview, the joining and leaving checklists, the email settings and the reminders; Connie then
//! sees the approval on her request's page. Every page gets the same checks as the rest of the
//! walk.

use super::policy::{sign_in, sign_out};
use super::*;

const TITLE: &str = "Buy a headset for online meetings";
const CONDITION: &str = "Buy it from the council's usual supplier and add it to the register.";
const HAZARD_PLACE: &str = "Back office, by the printer";
const HAZARD: &str = "The printer's cable runs across the walkway.";

pub(crate) async fn walk_approvals_and_health(b: &mut Browser) {
    sign_in(b, "cllr@ashby.example", None).await;
    let request = ask_to_buy_a_headset(b).await;
    report_a_hazard(b).await;
    sign_out(b).await;

    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    approve_from_the_home_page(b, &request).await;
    look_at_the_routines(b).await;
    sign_out(b).await;

    sign_in(b, "cllr@ashby.example", None).await;
    b.goto(&request).await;
    b.check("an approved request, seen by the person who asked", TITLE)
        .await;
    let page = b.text_of("main").await;
    assert!(
        page.contains("Approved") && page.contains(CONDITION),
        "Connie's request does not show the approval and its condition:\n{page}"
    );
    // The message about the decision waits on her home page until she dismisses it.
    b.goto("/").await;
    let home = b.text_of("main").await;
    assert!(
        home.contains(&format!("Your request \"{TITLE}\" was approved")),
        "Connie's home page does not tell her of the decision:\n{home}"
    );
    b.click("form[action$='/dismiss'] button[type='submit']")
        .await;
    b.wait_for_path("/").await;
    b.check("home, the message dismissed", "Hello, Connie")
        .await;
    sign_out(b).await;
}

/// Through the list of kinds to the buying form, first sent empty (errors), then filled in;
/// returns the new request's address.
async fn ask_to_buy_a_headset(b: &mut Browser) -> String {
    b.click_link("Approvals").await;
    b.wait_for_path("/approvals").await;
    b.check("approvals, as a councillor", "Approvals").await;
    b.goto("/approvals/new").await;
    b.check("the kinds of approval", "Ask for approval").await;
    b.click("a[href='/approvals/new/buy_equipment_or_software']")
        .await;
    b.wait_for_path("/approvals/new/buy_equipment_or_software")
        .await;
    b.check("ask to buy equipment", "Buying").await;
    b.click("form[action='/approvals/new/buy_equipment_or_software'] button[type='submit']")
        .await;
    b.expect_error_summary("ask to buy equipment with errors")
        .await;
    b.clear_and_type("#title", TITLE).await;
    b.clear_and_type("#cost", "45.00").await;
    b.click("form[action='/approvals/new/buy_equipment_or_software'] button[type='submit']")
        .await;
    b.wait_for_url(
        |p, q| p.starts_with("/approvals/") && q.contains("done=requested"),
        "the new request's page",
    )
    .await;
    b.check("a request just sent", TITLE).await;
    let url = b.current_url().await;
    url.split_once("/approvals/")
        .map(|(_, rest)| format!("/approvals/{}", rest.split('?').next().unwrap_or_default()))
        .unwrap_or_else(|| panic!("no request in {url}"))
}

async fn report_a_hazard(b: &mut Browser) {
    b.click_link("Your workstation").await;
    b.wait_for_path("/health-and-safety/mine").await;
    b.check("your workstation", "workstation").await;
    b.type_into("#place", HAZARD_PLACE).await;
    b.type_into("#description", HAZARD).await;
    b.click("form[action='/health-and-safety/hazards'] button[type='submit']")
        .await;
    b.wait_for_url(
        |p, q| p == "/health-and-safety/mine" && q.contains("done="),
        "the workstation page after reporting",
    )
    .await;
    b.check("your workstation, hazard reported", "workstation")
        .await;
    let page = b.text_of("main").await;
    assert!(
        page.contains(HAZARD_PLACE),
        "the reported hazard is not listed for the person who reported it:\n{page}"
    );
}

/// The home page says a request waits for the Clerk; she follows it and approves.
async fn approve_from_the_home_page(b: &mut Browser, request: &str) {
    b.goto("/").await;
    let home = b.text_of("main").await;
    assert!(
        home.contains("waiting for your decision"),
        "the Clerk's home page does not mention the request waiting for her:\n{home}"
    );
    b.goto("/approvals").await;
    b.check("approvals, as the Clerk", "Approvals").await;
    b.click_link(TITLE).await;
    b.wait_for_path(request).await;
    b.check("a request to decide", TITLE).await;
    b.click("form[action$='/decide'] button[type='submit']")
        .await;
    b.expect_error_summary("a decision with nothing chosen")
        .await;
    b.click("#outcome").await;
    b.type_into("#note", CONDITION).await;
    b.click("form[action$='/decide'] button[type='submit']")
        .await;
    b.wait_for_url(
        |p, q| p == request && q.contains("done=decided"),
        "the decided request",
    )
    .await;
    b.check("a request just approved", TITLE).await;
}

/// The other routines' pages the Clerk uses, each checked.
async fn look_at_the_routines(b: &mut Browser) {
    b.click_link("Health and safety").await;
    b.wait_for_path("/health-and-safety").await;
    b.check("health and safety overview", "Health and safety")
        .await;
    let overview = b.text_of("main").await;
    assert!(
        overview.contains(HAZARD_PLACE),
        "the hazard Connie reported is not on the Clerk's overview:\n{overview}"
    );
    b.goto("/people/checklists").await;
    b.check("joining and leaving checklists", "checklists")
        .await;
    b.goto("/settings/email").await;
    b.check("email settings", "Email").await;
    b.goto("/reminders").await;
    b.check("reminders", "").await;
}
