//! Setting monitoring up in the browser, on an installation of its own: the Clerk opens the
//! overview (the gate lists what is missing), sends the impact assessment empty and sees the
//! error summary, fills it in, tries a category folder that does not exist, saves the project's
//! test list with a flagged category, and makes an upload key (shown once). Every page gets the
//! walk's checks (axe-core's WCAG 2.2 A and AA rules, the CSP, the heading).

use super::policy::{sign_in, sign_out};
use super::*;

/// Starts an installation with one council whose Clerk has set nothing up, on a thread and
/// runtime of its own (as `monitoring_reports` does: the store's calls cannot be part of the
/// walk's spawned task). Its server runs until the test process ends.
fn start_unmonitored_app() -> (String, tempfile::TempDir) {
    let (started, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (store, dir) = new_store().await;
            found(
                &store,
                "Ashby Parish Council",
                "Clara Clerk",
                "clerk@ashby.example",
            )
            .await;
            let _ = started.send((serve(store, None).await, dir));
            std::future::pending::<()>().await;
        });
    });
    ready.recv().unwrap()
}

pub(crate) async fn walk_the_setup(b: &mut Browser) {
    let (address, _dir) = tokio::task::spawn_blocking(start_unmonitored_app)
        .await
        .unwrap();
    let main_base = std::mem::replace(&mut b.base, address);
    sign_in(b, "clerk@ashby.example", None).await;

    b.goto("/monitoring").await;
    b.check("internet use, before the assessment", "Internet use")
        .await;
    b.screenshot("monitoring-overview-gate").await;

    b.goto("/monitoring/assessment").await;
    b.check(
        "monitoring impact assessment",
        "Monitoring impact assessment",
    )
    .await;
    b.click("form[action='/monitoring/assessment'] button[type='submit']")
        .await;
    b.expect_error_summary("monitoring impact assessment with errors")
        .await;
    b.clear_and_type(
        "#purpose",
        "To check council equipment is not used for unlawful or harmful sites.",
    )
    .await;
    b.clear_and_type(
        "#necessity",
        "A laptop was infected last year after a visit to a file-sharing site.",
    )
    .await;
    b.clear_and_type(
        "#alternatives",
        "The router blocks known malware sites, but cannot show whether a breach happened.",
    )
    .await;
    b.click("input[name='viewer_roles'][value='clerk']").await;
    b.clear_and_type("#decided_on", "1/9/2026").await;
    b.clear_and_type("#minute_reference", "COU/12/26-27").await;
    b.clear_and_type("#assessed_by", "Clara Clerk").await;
    b.click("form[action='/monitoring/assessment'] button[type='submit']")
        .await;
    b.wait_for_query("done=assessment").await;
    b.check("internet use, assessment recorded", "Internet use")
        .await;

    b.goto("/monitoring/settings").await;
    b.check("monitoring settings", "Monitoring settings").await;
    b.clear_and_type("#categories_path", "/no/such/folder")
        .await;
    b.click("form[action='/monitoring/settings'] button[type='submit']")
        .await;
    b.expect_error_summary("monitoring settings with a folder that does not exist")
        .await;
    let folder = format!("{}/../monitor/test-categories", env!("CARGO_MANIFEST_DIR"));
    b.clear_and_type("#categories_path", &folder).await;
    b.click("form[action='/monitoring/settings'] button[type='submit']")
        .await;
    b.wait_for_query("saved=1").await;
    b.click("input[name='flagged'][value='gambling']").await;
    b.click("form[action='/monitoring/settings'] button[type='submit']")
        .await;
    b.wait_for_query("saved=1").await;
    b.check(
        "monitoring settings with a category list",
        "Monitoring settings",
    )
    .await;
    b.screenshot("monitoring-settings").await;

    b.goto("/monitoring/keys").await;
    b.check("upload keys", "Upload keys").await;
    b.click("form[action='/monitoring/keys'] button[type='submit']")
        .await;
    b.expect_error_summary("upload keys without a name").await;
    b.clear_and_type("#name", "Squid proxy at the office").await;
    b.click("form[action='/monitoring/keys'] button[type='submit']")
        .await;
    b.wait_for_element("#new-key", "").await;
    b.check("upload key made", "Upload keys").await;
    b.screenshot("monitoring-upload-key").await;

    sign_out(b).await;
    b.base = main_base;
}
