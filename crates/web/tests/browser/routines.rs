//! The incident workflow and the leaver's checklist (issue 6) in the browser. The Clerk reports
//! a personal-data breach from the home page and sees its 72-hour countdown, gives it an owner,
//! adds to its timeline, records that the ICO will not be told (with the reason) and that the
//! people affected were told, closes it with the outcome and lessons learned, and opens the
//! printable report. Then she issues a phone to the IT provider and marks him as left (through
//! the page's "are you sure?" question), which leads to his leaving checklist: she waives the
//! phone's return with a reason and ticks the item done by hand, and the checklist closes.
//! Every page gets the same checks as the rest of the walk.

use super::assets::choose_option;
use super::policy::{sign_in, sign_out};
use super::*;

const BREACH: &str = "An email listing allotment holders' addresses was sent to the wrong list.";
const ACTION: &str = "Asked the recipients to delete the email and confirm they have.";
const ICO_REASON: &str =
    "Only names and addresses, sent to 12 residents who all confirmed deletion.";
const TOLD_REASON: &str = "Each allotment holder was phoned by the Clerk on the same day.";
const OUTCOME: &str = "All 12 recipients confirmed in writing that they deleted the email.";
const LESSONS: &str = "Allotment mailings now go out with the addresses hidden (Bcc).";
const LEAVER: &str = "Ivan Provider";
const WAIVE_REASON: &str = "Phone kept by agreement of the council, minute COU/31/26-27";

pub(crate) async fn walk_the_routines(b: &mut Browser) {
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    let incident = report_a_breach(b).await;
    work_the_breach_through(b, &incident).await;
    close_it_and_print(b, &incident).await;
    let leaving = mark_the_it_provider_left(b).await;
    settle_the_checklist(b, &leaving).await;
    sign_out(b).await;
}

/// From the home page's link to the new breach's page, where its countdown runs; returns the
/// incident's address.
async fn report_a_breach(b: &mut Browser) -> String {
    b.goto("/").await;
    b.click_link("report an incident").await;
    b.wait_for_path("/incidents/new").await;
    b.click("#kind-personal_data_breach").await;
    b.type_into("#summary", BREACH).await;
    b.click("form[action='/incidents/new'] button[type='submit']")
        .await;
    b.wait_for_url(
        |p, _| p.starts_with("/incidents/") && p != "/incidents/new",
        "the new incident's page",
    )
    .await;
    b.check(
        "a personal data breach, just reported",
        "Personal data breach",
    )
    .await;
    b.screenshot("incident-breach").await;
    let clock = b.text_of("#breach-clock").await;
    assert!(
        clock.contains("72 hours") && clock.contains("left to tell the ICO"),
        "the new breach shows no running 72-hour countdown:\n{clock}"
    );
    let url = b.current_url().await;
    let id = id_after(&url, "/incidents/");
    format!("/incidents/{id}")
}

/// The owner, an action on the timeline, the ICO decision and the people told: each form
/// leads back to the incident's page, which must then show what was recorded.
async fn work_the_breach_through(b: &mut Browser, incident: &str) {
    // The Clerk reported it, so her name is on the page already: the owner is the Chair.
    choose_option(b, "owner", "Charles Chair").await;
    b.click(&format!("form[action='{incident}/owner'] button"))
        .await;
    b.wait_for_element("dl.govuk-summary-list", "Charles Chair")
        .await;
    b.check("a breach with an owner", "Personal data breach")
        .await;

    b.type_into("#text", ACTION).await;
    b.click(&format!("form[action='{incident}/actions'] button"))
        .await;
    b.wait_for_element("#timeline + ol", ACTION).await;
    b.check("a breach with a timeline", "Personal data breach")
        .await;

    b.click("#notify-no").await;
    b.type_into("#ico_reason", ICO_REASON).await;
    b.click(&format!("form[action='{incident}/ico'] button"))
        .await;
    b.wait_for_element("dl.govuk-summary-list", "will not tell the ICO")
        .await;
    b.check(
        "a breach, the ICO decision recorded",
        "Personal data breach",
    )
    .await;
    let clock = b.text_of("#breach-clock").await;
    assert!(
        clock.contains("Decided in time"),
        "deciding not to tell the ICO did not stop the clock:\n{clock}"
    );

    b.click("#people_told").await;
    b.type_into("#told_reason", TOLD_REASON).await;
    b.click(&format!("form[action='{incident}/people-told'] button"))
        .await;
    b.wait_for_element("dl.govuk-summary-list", "Yes, they have been told")
        .await;
    b.check("a breach, the people told", "Personal data breach")
        .await;
    let summary = b.text_of("dl.govuk-summary-list").await;
    for expected in [ICO_REASON, TOLD_REASON] {
        assert!(
            summary.contains(expected),
            "the incident does not show {expected:?}:\n{summary}"
        );
    }
}

/// Closed with the outcome and lessons learned, then the printable report shows it all.
async fn close_it_and_print(b: &mut Browser, incident: &str) {
    b.type_into("#outcome", OUTCOME).await;
    b.type_into("#lessons", LESSONS).await;
    b.click(&format!("form[action='{incident}/close'] button"))
        .await;
    b.wait_for_element("dl.govuk-summary-list", "Lessons learned")
        .await;
    b.check("a closed breach", "Personal data breach").await;
    let closed = b.text_of("#main-content").await;
    assert!(
        closed.contains("Closed") && closed.contains(OUTCOME) && closed.contains(LESSONS),
        "the closed incident does not show its outcome and lessons:\n{closed}"
    );
    assert!(
        b.client
            .find(Locator::Css(&format!("form[action='{incident}/close']")))
            .await
            .is_err(),
        "a closed incident still offers to close it"
    );

    b.click_link("Printable report").await;
    b.wait_for_path(&format!("{incident}/report")).await;
    b.check("an incident's printable report", "Incident report")
        .await;
    b.screenshot("incident-report").await;
    let report = b.text_of("article").await;
    for expected in [
        BREACH,
        "Charles Chair",
        ACTION,
        "Decided in time",
        ICO_REASON,
        TOLD_REASON,
        OUTCOME,
        LESSONS,
    ] {
        assert!(
            report.contains(expected),
            "the printable report lacks {expected:?}:\n{report}"
        );
    }
}

/// Issues the imported phone PH-0002 (devices.rs) to the IT provider, then marks him as left
/// from his page; returns the address of his leaving checklist, where that leads.
async fn mark_the_it_provider_left(b: &mut Browser) -> String {
    b.goto("/assets").await;
    b.click_link("PH-0002").await;
    b.wait_for_url(|p, _| p.starts_with("/assets/"), "PH-0002's page")
        .await;
    b.click_link("Issue to someone").await;
    b.wait_for_url(|p, _| p.ends_with("/issue"), "the issue form")
        .await;
    choose_option(b, "person", LEAVER).await;
    b.click("form[action$='/issue'] button").await;
    b.wait_for_query("done=issued").await;

    b.goto("/people").await;
    b.click_link(LEAVER).await;
    b.wait_for_url(|p, _| p.starts_with("/people/"), "the IT provider's page")
        .await;
    let person = format!("/people/{}", id_after(&b.current_url().await, "/people/"));
    b.click_button_with_text(
        &format!("form[action='{person}/leave'] button"),
        "Mark as left",
    )
    .await;
    accept_the_question(b, &format!("Mark {LEAVER} as left?")).await;
    let leaving = format!("{person}/leaving");
    b.wait_for_path(&leaving).await;
    b.check("a leaver's checklist, just made", "Leaving checklist")
        .await;
    b.screenshot("leaving-checklist").await;
    let list = b.text_of("#main-content").await;
    for expected in [
        "Stop Ivan Provider signing in",
        "Collect PH-0002 (Apple iPhone 12)",
        "update their social-media profiles",
        "2 item(s) still to do",
    ] {
        assert!(
            list.contains(expected),
            "the new checklist does not show {expected:?}:\n{list}"
        );
    }
    leaving
}

/// Waives the phone's return with a reason, ticks the hand-ticked item done, and the page
/// shows each change, the second closing the checklist.
async fn settle_the_checklist(b: &mut Browser, leaving: &str) {
    // Found by its link to the register, which stays when the item's forms go.
    let phone = "li:has(a[href^='/assets/'])";
    b.click(&format!("{phone} .govuk-details__summary")).await;
    b.type_into(&format!("{phone} textarea[name='reason']"), WAIVE_REASON)
        .await;
    b.click(&format!("{phone} form[action='{leaving}/waive'] button"))
        .await;
    b.wait_for_query("done=waived").await;
    b.check("a leaver's checklist, an item waived", "Leaving checklist")
        .await;
    let waived = b.text_of(phone).await;
    assert!(
        waived.contains("Waived") && waived.contains(WAIVE_REASON),
        "the phone's item does not show it waived with the reason:\n{waived}"
    );
    assert!(
        b.text_of("#main-content")
            .await
            .contains("1 item(s) still to do"),
        "waiving an item did not leave one to do"
    );

    let profiles = "li:has(input[name='item'][value='update_social_media_profiles'])";
    b.type_into(
        &format!("{profiles} input[name='note']"),
        "He confirmed by email",
    )
    .await;
    b.click(&format!("{profiles} form[action='{leaving}/done'] button"))
        .await;
    b.wait_for_query("done=closed").await;
    b.check("a leaver's checklist, closed", "Leaving checklist")
        .await;
    let closed = b.text_of("#main-content").await;
    assert!(
        closed.contains("Every item is done or waived")
            && closed.contains("Done by hand.")
            && closed.contains("He confirmed by email"),
        "the checklist does not show the tick and that it closed:\n{closed}"
    );
}

/// Accepts the browser's "are you sure?" question (app.js asks it for forms with
/// `data-confirm`), after checking it asks `question`.
async fn accept_the_question(b: &Browser, question: &str) {
    for _ in 0..100 {
        if let Ok(text) = b.client.get_alert_text().await {
            assert!(
                text.contains(question),
                "the browser asked {text:?}, not {question:?}"
            );
            b.client.accept_alert().await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the browser asked no question within 5 seconds on {}",
        b.current_url().await
    );
}

/// The id that follows `prefix` in an address.
fn id_after(url: &str, prefix: &str) -> String {
    url.split(prefix)
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no id after {prefix} in {url}"))
        .to_owned()
}
