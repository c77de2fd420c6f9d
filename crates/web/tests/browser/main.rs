//! Browser tests: every page a Clerk can see, the signed-out pages, the IT policy journey
//! (built, adopted, imported, compared, then signed by a councillor: policy.rs) and the equipment
//! journey (added, issued, acknowledged, reported lost: assets.rs), the equipment import and the
//! devices (own-device requests and decisions, the questions, osquery and MDM evidence:
//! devices.rs), the password vault (an item added, a password revealed, a councillor's refused
//! reveal recorded as an incident: vault.rs), the incident workflow and the leaver's checklist (a
//! personal-data breach seen through to its printable report, a leaver's items waived and ticked:
//! routines.rs), approvals and health and safety (a purchase asked for and approved, a hazard
//! reported, the checklists, email and reminders pages: approvals.rs), opened in
//! headless Chromium through chromedriver and checked with axe-core against the WCAG 2.2 level A
//! and AA rules. The pages are reached as a person would reach them: by typing into fields and
//! clicking buttons and links, with GOV.UK Frontend's JavaScript running under the real Content
//! Security Policy.
//!
//! The test is built only with the `browser-tests` feature, so a plain `cargo test` passes on a
//! machine without Chromium; `.ci/run` runs it with
//! `cargo test --workspace --features custodian-web/browser-tests --test browser`, and then a
//! missing or broken Chromium or chromedriver fails the test with a message saying what to
//! install: it never skips silently.
//! This file must not reach any address but 127.0.0.1, nor leave processes running.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::{CouncilKind, CouncilName, Founding};
use custodian_core::ids::{CouncilId, IncidentId, PersonId};
use custodian_core::incident::{IncidentKind, IncidentReport, open_incident};
use custodian_core::person::{Email, NewPerson, PersonName, Role, RoleSet, add_person};
use custodian_core::ports::{CouncilStore, IncidentStore, PersonStore};
use custodian_core::time::Clock;
use custodian_store::Store;
use custodian_web::{ServeOptions, app_with_clock, provisioning};
use fantoccini::{Client, ClientBuilder, Locator};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PASSWORD: &str = "correct-horse-battery-staple";
const SETUP_CODE: &str = "ABCD-EFGH-JKLM";
const SCREENSHOTS: &str = "/tmp/custodian-screens";

#[tokio::test]
async fn every_page_a_clerk_can_reach_passes_the_wcag_2_2_aa_checks_in_a_real_browser() {
    let started = Instant::now();
    let axe = axe_source();
    let council = spawn_council_app().await;
    let setup = spawn_setup_app().await;
    let driver = Chromedriver::start().await;
    let client = driver.connect().await;

    // The walk runs in its own task so that, pass or fail, the browser session is closed
    // (which quits Chromium) before the guard stops chromedriver.
    let walk = tokio::spawn(walk_every_page(
        client.clone(),
        axe,
        council.address.clone(),
        council.chair,
        council.incident,
        setup.address.clone(),
    ));
    let outcome = walk.await;
    let _ = client.close().await;
    drop(driver);
    let report = match outcome {
        Ok(report) => report,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("the browser walk was cancelled: {e}"),
    };
    println!(
        "Checked {} pages with axe-core in {:.1} s",
        report.pages,
        started.elapsed().as_secs_f64()
    );
    assert!(
        report.problems.is_empty(),
        "{} accessibility or page problems found:\n\n{}",
        report.problems.len(),
        report.problems.join("\n")
    );
}

/// Visits every page and returns what axe and the page checks found.
async fn walk_every_page(
    client: Client,
    axe: String,
    base: String,
    chair: PersonId,
    incident: IncidentId,
    setup_base: String,
) -> Report {
    let mut b = Browser {
        client,
        axe,
        base,
        report: Report::default(),
    };
    b.client.set_window_size(1280, 1000).await.unwrap();

    // --- First-run setup, on the instance with no council yet. ---
    b.goto_absolute(&format!("{setup_base}/setup")).await;
    b.check("first-run setup", "Set up Custodian").await;
    b.click("form[action='/setup'] button[type='submit']").await;
    b.expect_error_summary("first-run setup with errors").await;

    // --- Signed out. ---
    b.goto("/sign-in").await;
    b.check("sign in", "Sign in").await;
    b.type_into("#email", "clerk@ashby.example").await;
    b.type_into("#password", "not the password").await;
    b.click("form[action='/sign-in'] button[type='submit']")
        .await;
    b.expect_error_summary("sign in with a wrong password")
        .await;
    b.goto("/invitation/not-a-real-token").await;
    b.check("unusable invitation link", "cannot be used").await;
    b.goto("/accessibility").await;
    b.check("accessibility statement (signed out)", "Accessibility")
        .await;

    // --- Sign in through the form: Clara works for two councils, so she chooses one. ---
    b.goto("/sign-in").await;
    b.type_into("#email", "clerk@ashby.example").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/sign-in'] button[type='submit']")
        .await;
    b.wait_for_path("/choose-council").await;
    b.check("choose a council", "Choose a council").await;
    b.click_button_with_text("form[action='/choose-council'] button", "Ashby")
        .await;
    b.wait_for_path("/").await;
    b.check("home", "Hello").await;
    b.screenshot("home").await;

    // --- People. ---
    b.click_link("People").await;
    b.wait_for_path("/people").await;
    b.check("people", "People").await;
    b.screenshot("people").await;
    b.click_link("Charles Chair").await;
    b.wait_for_path(&format!("/people/{chair}")).await;
    b.check("a person", "Charles Chair").await;
    b.click_link("Change details").await;
    b.wait_for_path(&format!("/people/{chair}/edit")).await;
    b.check("change a person's details", "Change").await;

    b.goto("/people/new").await;
    b.check("invite a person", "Invite a person").await;
    b.click("form[action='/people/new'] button[type='submit']")
        .await;
    b.expect_error_summary("invite a person with errors").await;
    b.clear_and_type("#name", "Pat Volunteer").await;
    b.clear_and_type("#email", "pat@ashby.example").await;
    b.click("input[name='roles'][value='other_authorised_user']")
        .await;
    b.click("form[action='/people/new'] button[type='submit']")
        .await;
    b.check("invitation ready", "Invitation ready").await;
    let link = b.text_of("#invitation-link").await;
    assert!(
        link.starts_with(&format!("{}/invitation/", b.base)),
        "the invitation page shows no usable link: {link:?}"
    );
    b.click_link("Go to Pat Volunteer's page").await;
    b.wait_for_url(|p, _| p.starts_with("/people/"), "Pat Volunteer's page")
        .await;
    b.check("an invited person", "Pat Volunteer").await;
    b.goto_absolute(&link).await;
    b.check("accept an invitation", "Set your password").await;

    // --- Incidents. ---
    b.goto("/").await;
    b.click_link("Incidents").await;
    b.wait_for_path("/incidents").await;
    b.check("incidents", "Incidents").await;
    b.click(&format!("a[href='/incidents/{incident}']")).await;
    b.wait_for_path(&format!("/incidents/{incident}")).await;
    b.check("an incident", "Lost or stolen device").await;
    b.goto("/incidents/new").await;
    b.check("report an incident", "Report an incident").await;
    b.click("form[action='/incidents/new'] button[type='submit']")
        .await;
    b.expect_error_summary("report an incident with errors")
        .await;

    // --- Audit log, filtered through its form. ---
    b.goto("/audit").await;
    b.check("audit log", "Audit log").await;
    b.click("#what option[value='person.']").await;
    b.type_into("#from", "2026-01-01").await;
    b.click("form[action='/audit'] button[type='submit']").await;
    b.wait_for_query("what=person.").await;
    b.check("audit log, filtered", "Audit log").await;
    let rows = b
        .client
        .find_all(Locator::Css(".govuk-table__body .govuk-table__row"))
        .await
        .unwrap();
    assert!(!rows.is_empty(), "the filtered audit log shows no entries");

    // --- Settings, account and the rest. ---
    b.goto("/settings").await;
    b.check("council settings", "Council settings").await;
    b.goto("/account").await;
    b.check("your account", "Your account").await;
    b.goto("/account/mfa").await;
    b.check("set up an authenticator app", "authenticator")
        .await;
    b.goto("/choose-council").await;
    b.check("switch council", "Choose a council").await;
    b.goto("/accessibility").await;
    b.check("accessibility statement", "Accessibility").await;
    b.goto("/no-such-page").await;
    b.check("page not found", "Page not found").await;

    // --- Sign out through the header button. ---
    b.goto("/").await;
    b.click("form[action='/sign-out'] button[type='submit']")
        .await;
    b.wait_for_path("/sign-in").await;
    b.check("signed out", "Sign in").await;

    // --- The equipment register: add, issue, acknowledge, report lost (assets.rs). It runs
    // before the policy journey, which leaves the Clerk with an authenticator app. ---
    assets::walk_the_equipment_journey(&mut b).await;

    // --- Equipment imported from a spreadsheet, and devices: own-device requests and the
    // Clerk's decisions, the questions, a council laptop's osquery report, an MDM export
    // (devices.rs). Also before the policy journey, which changes how the Clerk signs in. ---
    devices::walk_the_equipment_import(&mut b).await;
    devices::walk_the_device_journey(&mut b).await;

    // --- The password vault: an item added and revealed, then a refused reveal that opens an
    // incident (vault.rs). Also before the policy journey, for the Clerk's sign-in. ---
    vault::walk_the_vault_journey(&mut b).await;

    // --- A personal-data breach from report to printable report, then a leaver's checklist
    // (routines.rs). Before the policy journey too, for the Clerk's sign-in. ---
    routines::walk_the_routines(&mut b).await;

    // --- A councillor's request approved by the Clerk, a hazard reported, and the other
    // routines' pages (approvals.rs). Before the policy journey too, for the Clerk's sign-in. ---
    approvals::walk_approvals_and_health(&mut b).await;

    // --- The IT policy: built, adopted, imported, compared and signed (policy.rs). ---
    policy::walk_the_policy_journey(&mut b).await;

    // --- The internet-use reports, on a monitored installation of their own: the index with a
    // period typed wrong then right, a person's day, the sites, categories, unmatched traffic and
    // the Clerk's own records (monitoring_reports.rs). ---
    monitoring_reports::walk_the_reports(&mut b).await;

    // --- Setting monitoring up on an installation of its own: the gate, the impact assessment
    // with errors then right, the settings with a wrong folder then the test list, and an upload
    // key shown once (monitoring_setup.rs). ---
    monitoring_setup::walk_the_setup(&mut b).await;

    b.report
}

mod approvals;
mod apps;
mod assets;
mod devices;
mod driver;
mod monitoring_reports;
mod monitoring_setup;
mod policy;
mod routines;
mod session;
mod vault;

use apps::*;
use driver::*;
use session::*;
