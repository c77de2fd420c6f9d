//! Browser tests: every page a Clerk can see, and the signed-out pages, opened in headless
//! Chromium through chromedriver and checked with axe-core against the WCAG 2.2 level A and AA
//! rules. The pages are reached as a person would reach them: by typing into fields and clicking
//! buttons and links, with GOV.UK Frontend's JavaScript running under the real Content Security
//! Policy.
//!
//! The tests are `#[ignore]`d so a plain `cargo test` passes on a machine without Chromium;
//! `.ci/run` runs them with `--ignored`, and then a missing or broken Chromium or chromedriver
//! fails the test with a message saying what to install: it never skips silently.
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

/// The axe-core rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// Runs axe on the whole document and hands back only what the report needs.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] })
  .then((r) => done({
    violations: r.violations.map((v) => ({
      id: v.id,
      impact: v.impact || '',
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => Array.isArray(t) ? t.join(' >>> ') : String(t)),
        html: n.html,
        summary: n.failureSummary || '',
      })),
    })),
  }))
  .catch((e) => done({ error: String(e) }));
"#;

/// The innermost elements that reach past the right edge of the viewport, if the page is
/// wider than the viewport.
const OVERFLOWING: &str = r#"
const limit = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth <= limit) return [];
const sticksOut = (el) => el.getBoundingClientRect().right > limit + 1;
const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
  (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
  ' "' + (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
const found = [];
for (const el of document.body.querySelectorAll('*')) {
  if (sticksOut(el) && ![...el.children].some(sticksOut)) found.push(describe(el));
  if (found.length === 5) break;
}
if (found.length === 0) found.push('(the page is ' + document.documentElement.scrollWidth + ' px wide)');
return found;
"#;

/// GOV.UK's error pattern, which axe does not check: each error message is read out with its
/// field (through `aria-describedby`), and each link in the error summary leads to a field.
const UNLINKED_ERRORS: &str = r#"
const described = new Set([...document.querySelectorAll('[aria-describedby]')]
  .flatMap((el) => el.getAttribute('aria-describedby').trim().split(/\s+/)));
const problems = [];
for (const message of document.querySelectorAll('.govuk-error-message')) {
  if (!message.id || !described.has(message.id)) {
    problems.push('error message "' + message.textContent.trim() + '" is not tied to its field by aria-describedby');
  }
}
for (const link of document.querySelectorAll('.govuk-error-summary__list a')) {
  const target = decodeURIComponent((link.getAttribute('href') || '').replace(/^#/, ''));
  if (!document.getElementById(target)) {
    problems.push('error summary link "' + link.textContent.trim() + '" leads to no field (#' + target + ')');
  }
}
return problems;
"#;

#[derive(Deserialize)]
struct AxeOutcome {
    #[serde(default)]
    violations: Vec<Violation>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Violation {
    id: String,
    impact: String,
    help: String,
    #[serde(rename = "helpUrl")]
    help_url: String,
    nodes: Vec<ViolationNode>,
}

#[derive(Deserialize)]
struct ViolationNode {
    target: Vec<String>,
    html: String,
    summary: String,
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
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

    b.report
}

#[derive(Default)]
struct Report {
    pages: usize,
    problems: Vec<String>,
}

/// The browser session with the few steps the walk needs, each failing with a plain message.
struct Browser {
    client: Client,
    axe: String,
    base: String,
    report: Report,
}

impl Browser {
    async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.goto_absolute(&url).await;
    }

    async fn goto_absolute(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("could not open {url}: {e}"));
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!(
                "no element matches `{css}` on {}: {e}",
                self.current_url().await
            ),
        }
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    async fn click_link(&self, text: &str) {
        match self.client.find(Locator::LinkText(text)).await {
            Ok(link) => link.click().await.unwrap(),
            Err(e) => panic!("no link {text:?} on {}: {e}", self.current_url().await),
        }
    }

    async fn click_button_with_text(&self, css: &str, text: &str) {
        for button in self.client.find_all(Locator::Css(css)).await.unwrap() {
            if button.text().await.unwrap().contains(text) {
                button.click().await.unwrap();
                return;
            }
        }
        panic!("no button {text:?} on {}", self.current_url().await);
    }

    async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap();
    }

    async fn clear_and_type(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap().trim().to_owned()
    }

    async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(unknown page: {e})"))
    }

    /// Waits (briefly, polling) until the browser is on `path`: a click that submits a form
    /// returns before the next page has necessarily loaded.
    async fn wait_for_path(&self, path: &str) {
        self.wait_for_url(|p, _| p == path, path).await;
    }

    async fn wait_for_query(&self, part: &str) {
        self.wait_for_url(|_, q| q.contains(part), part).await;
    }

    /// Waits until `matches(path, query)` holds for the loaded page (at most 5 seconds).
    async fn wait_for_url(&self, matches: impl Fn(&str, &str) -> bool, what: &str) {
        for _ in 0..100 {
            if let Ok(url) = self.client.current_url().await
                && matches(url.path(), url.query().unwrap_or(""))
                && self.ready().await
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the browser did not reach {what:?} within 5 seconds; it is on {}",
            self.current_url().await
        );
    }

    async fn ready(&self) -> bool {
        self.client
            .execute("return document.readyState === 'complete';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Waits until the loaded page's main heading contains `heading` (at most 5 seconds), so a
    /// check never runs on the page a click is leaving.
    async fn wait_for_heading(&self, label: &str, heading: &str) {
        let mut found = String::new();
        for _ in 0..100 {
            if let Ok(h1) = self.client.find(Locator::Css("h1")).await
                && let Ok(text) = h1.text().await
            {
                found = text;
                if found.contains(heading) && self.ready().await {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "[{label}] expected a heading with {heading:?} on {}, found {found:?}",
            self.current_url().await
        );
    }

    /// The page shows an error summary (moved into focus by GOV.UK Frontend), and passes axe.
    async fn expect_error_summary(&mut self, label: &str) {
        for _ in 0..100 {
            if self
                .client
                .find(Locator::Css(".govuk-error-summary"))
                .await
                .is_ok()
                && self.ready().await
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let summary = self.text_of(".govuk-error-summary").await;
        assert!(
            summary.contains("There is a problem"),
            "{label}: no error summary on {}",
            self.current_url().await
        );
        let focused = self
            .client
            .execute(
                "return document.activeElement !== null && \
                 document.activeElement.classList.contains('govuk-error-summary');",
                vec![],
            )
            .await
            .unwrap();
        if focused != serde_json::Value::Bool(true) {
            self.report.problems.push(format!(
                "[{label}] the error summary did not take focus, so GOV.UK Frontend's error \
                 summary script did not run"
            ));
        }
        let unlinked = self.client.execute(UNLINKED_ERRORS, vec![]).await.unwrap();
        let unlinked: Vec<String> = serde_json::from_value(unlinked).unwrap();
        for problem in unlinked {
            self.report.problems.push(format!("[{label}] {problem}"));
        }
        let title = self.client.title().await.unwrap();
        if !title.starts_with("Error: ") {
            self.report.problems.push(format!(
                "[{label}] the page title {title:?} does not start with \"Error: \""
            ));
        }
        self.check(label, "").await;
    }

    /// Checks the page on screen: its main heading (when `heading` is given), that
    /// GOV.UK Frontend's script ran under the CSP, and axe's WCAG 2.2 A and AA rules.
    async fn check(&mut self, label: &str, heading: &str) {
        self.report.pages += 1;
        self.wait_for_heading(label, heading).await;
        let url = self.current_url().await;
        // app.js (a module script) sets this class. If it did not, the Content Security
        // Policy blocked a script or the script failed: either way the page's JavaScript broke.
        let supported = self
            .client
            .execute(
                "return document.body.classList.contains('govuk-frontend-supported');",
                vec![],
            )
            .await
            .unwrap();
        if supported != serde_json::Value::Bool(true) {
            self.report.problems.push(format!(
                "[{label}] {url}: <body> lacks `govuk-frontend-supported`: app.js did not run \
                 (blocked by the Content Security Policy, or it failed)"
            ));
        }
        let present = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap();
        if present != serde_json::Value::Bool(true) {
            self.client
                .execute(&self.axe, vec![])
                .await
                .unwrap_or_else(|e| panic!("could not load axe-core into {url}: {e}"));
        }
        let raw = self
            .client
            .execute_async(RUN_AXE, vec![serde_json::json!(WCAG_TAGS)])
            .await
            .unwrap_or_else(|e| panic!("axe-core did not run on {url}: {e}"));
        let outcome: AxeOutcome = serde_json::from_value(raw)
            .unwrap_or_else(|e| panic!("axe-core gave an unexpected answer on {url}: {e}"));
        if let Some(error) = outcome.error {
            panic!("axe-core failed on {url}: {error}");
        }
        for v in outcome.violations {
            let mut text = format!(
                "[{label}] {url}\n  {} ({}): {}\n  {}\n",
                v.id, v.impact, v.help, v.help_url
            );
            for node in v.nodes {
                let _ = writeln!(
                    text,
                    "    at {}\n       {}\n       {}",
                    node.target.join(", "),
                    node.html,
                    node.summary.replace('\n', "\n       ")
                );
            }
            self.report.problems.push(text);
        }
        self.check_reflow(label, &url).await;
    }

    /// WCAG 2.2 success criterion 1.4.10 (Reflow), which axe cannot check: at 320 CSS pixels
    /// wide the page must not scroll sideways. Reports the elements that stick out.
    async fn check_reflow(&mut self, label: &str, url: &str) {
        self.client.set_window_size(320, 1000).await.unwrap();
        let outcome = self.client.execute(OVERFLOWING, vec![]).await;
        self.client.set_window_size(1280, 1000).await.unwrap();
        let offenders: Vec<String> = serde_json::from_value(outcome.unwrap()).unwrap();
        if !offenders.is_empty() {
            self.report.problems.push(format!(
                "[{label}] {url}\n  reflow (WCAG 1.4.10): at 320 px wide the page scrolls sideways; \
                 these stick out:\n    {}\n",
                offenders.join("\n    ")
            ));
        }
    }

    /// Saves a screenshot (not part of the test's verdict: for people to look at).
    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(SCREENSHOTS).unwrap();
        std::fs::write(Path::new(SCREENSHOTS).join(format!("{name}.png")), png).unwrap();
    }
}

/// axe-core, installed from npm by build.rs (`npm ci`) next to GOV.UK Frontend.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "could not read {}: {e}.\naxe-core is pinned in crates/web/package.json; install it \
             with `npm ci` in crates/web (the build does this when node_modules is missing or \
             older than package-lock.json).",
            path.display()
        )
    })
}

// ---------------------------------------------------------------------------------------------
// chromedriver and Chromium
// ---------------------------------------------------------------------------------------------

/// A chromedriver started by this test, stopped (with any Chromium it started) when dropped,
/// also when the test fails.
struct Chromedriver {
    child: Child,
    port: u16,
    chromedriver: String,
    chromium: String,
    log: PathBuf,
    /// Chromium's profile and chromedriver's log: fresh for each run, removed afterwards.
    dir: tempfile::TempDir,
}

fn tool(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

const INSTALL_HINT: &str = "The browser test needs Chromium and chromedriver: on Debian or Ubuntu \
     run `apt-get install chromium chromium-driver`, or set CUSTODIAN_CHROMIUM and \
     CUSTODIAN_CHROMEDRIVER to their paths.";

impl Chromedriver {
    async fn start() -> Self {
        let chromedriver = tool("CUSTODIAN_CHROMEDRIVER", DEFAULT_CHROMEDRIVER);
        let chromium = tool("CUSTODIAN_CHROMIUM", DEFAULT_CHROMIUM);
        if !Path::new(&chromium).is_file() {
            panic!("Chromium is not at {chromium}. {INSTALL_HINT}");
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("chromedriver.log");
        // A free port: bind port 0, note the port the system chose, release it for chromedriver.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("could not start chromedriver ({chromedriver}): {e}. {INSTALL_HINT}")
            });
        let mut driver = Chromedriver {
            child,
            port,
            chromedriver,
            chromium,
            log,
            dir,
        };
        driver.wait_until_ready().await;
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `/status` until chromedriver says it is ready (at most 10 seconds).
    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::new();
        let status = format!("{}/status", self.url());
        for _ in 0..100 {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "chromedriver ({}) stopped at once ({exit}). Its output:\n{}\n{INSTALL_HINT}",
                    self.chromedriver,
                    self.log_text()
                );
            }
            if let Ok(response) = http.get(&status).send().await
                && let Ok(body) = response.text().await
                && let Ok(json) = serde_json::from_str::<serde_json::Value>(&body)
                && json["value"]["ready"] == serde_json::Value::Bool(true)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "chromedriver ({}) did not answer on port {} within 10 seconds. Its output:\n{}",
            self.chromedriver,
            self.port,
            self.log_text()
        );
    }

    /// Opens a browser session: headless Chromium with a fresh profile and nothing that
    /// reaches out to the network by itself.
    async fn connect(&self) -> Client {
        let profile = self.dir.path().join("profile");
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start Chromium ({}): {e}\nchromedriver's output:\n{}\n{INSTALL_HINT}",
                    self.chromium,
                    self.log_text()
                )
            })
    }

    /// Asks chromedriver to shut down (which quits any Chromium it still runs), by a plain
    /// blocking request so it also works while a failed test unwinds.
    fn request_shutdown(&self) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = write!(
            stream,
            "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let mut ignored = Vec::new();
        let _ = stream.read_to_end(&mut ignored);
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.request_shutdown();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The applications under test
// ---------------------------------------------------------------------------------------------

/// A fixed clock: pages show the same dates on every run.
struct FixedClock(Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

struct CouncilApp {
    address: String,
    chair: PersonId,
    incident: IncidentId,
    _dir: tempfile::TempDir,
}

struct SetupApp {
    address: String,
    _dir: tempfile::TempDir,
}

fn now() -> Timestamp {
    Timestamp::from_second(1_790_000_000).unwrap()
}

async fn serve(store: Store, setup_code: Option<&str>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let options = ServeOptions {
        public_url: address.clone(),
        setup_code: setup_code.map(|c| SecretString::from(c.to_owned())),
    };
    let router = app_with_clock(store, options, Arc::new(FixedClock(now())));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    address
}

async fn new_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_in(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

/// Founds a council whose Clerk has accepted their invitation; no role must use MFA, so the
/// test signs in with a password alone.
async fn found(store: &Store, name: &str, clerk_name: &str, clerk_email: &str) -> CouncilId {
    let founding = Founding {
        council_id: CouncilId::generate(),
        name: CouncilName::parse(name).unwrap(),
        kind: CouncilKind::Parish,
        clerk_id: PersonId::generate(),
        clerk_name: PersonName::parse(clerk_name).unwrap(),
        clerk_email: Email::parse(clerk_email).unwrap(),
    };
    let (council, _, token) = provisioning::found(store, founding, Actor::Operator, now())
        .await
        .unwrap();
    provisioning::accept_invitation(
        store,
        token.expose_secret(),
        SecretString::from(PASSWORD),
        name,
        now(),
    )
    .await
    .unwrap();
    let event = AuditEvent::new(
        council.id,
        now(),
        Actor::Operator,
        "council.settings_changed",
    );
    store
        .update_council(council.id, &council.name, &Default::default(), &event)
        .await
        .unwrap();
    council.id
}

/// Adds a person; `accept` signs them up with the test password (or, for someone who already
/// has an account, joins it), otherwise they stay invited.
async fn person(
    store: &Store,
    council: CouncilId,
    name: &str,
    email: &str,
    roles: &[Role],
    accept: bool,
) -> PersonId {
    let (person, event) = add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(email).unwrap(),
            roles: RoleSet::of(roles),
            start_date: None,
        },
        Actor::Operator,
        now(),
    )
    .unwrap();
    store.insert_person(&person, &event).await.unwrap();
    let token = provisioning::invite(store, council, person.id, Actor::Operator, now())
        .await
        .unwrap();
    if accept {
        provisioning::accept_invitation(
            store,
            token.expose_secret(),
            SecretString::from(PASSWORD),
            "council",
            now(),
        )
        .await
        .unwrap();
    }
    person.id
}

/// Ashby Parish Council with its Clerk (Clara, who is also a councillor at Brook Town Council),
/// a few people and an incident.
async fn spawn_council_app() -> CouncilApp {
    let (store, dir) = new_store().await;
    let ashby = found(
        &store,
        "Ashby Parish Council",
        "Clara Clerk",
        "clerk@ashby.example",
    )
    .await;
    let chair = person(
        &store,
        ashby,
        "Charles Chair",
        "chair@ashby.example",
        &[Role::Chair, Role::Councillor],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Connie Councillor",
        "cllr@ashby.example",
        &[Role::Councillor],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Ivan Provider",
        "it@ashby.example",
        &[Role::ItProvider],
        true,
    )
    .await;
    person(
        &store,
        ashby,
        "Sam Staff",
        "sam@ashby.example",
        &[Role::Staff],
        false,
    )
    .await;
    let incident = IncidentId::generate();
    let (record, event) = open_incident(
        ashby,
        incident,
        IncidentReport {
            kind: IncidentKind::LostOrStolenDevice,
            summary: "Council laptop left on the train from Leicester.".to_owned(),
            happened_at: Some(now() - jiff::SignedDuration::from_hours(30)),
        },
        Actor::Person(chair),
        now(),
    )
    .unwrap();
    store.insert_incident(&record, &event).await.unwrap();

    let brook = found(
        &store,
        "Brook Town Council",
        "Brenda Clerk",
        "clerk@brook.example",
    )
    .await;
    person(
        &store,
        brook,
        "Clara Clerk",
        "clerk@ashby.example",
        &[Role::Councillor],
        true,
    )
    .await;

    CouncilApp {
        address: serve(store, None).await,
        chair,
        incident,
        _dir: dir,
    }
}

/// A fresh installation waiting for its first-run setup.
async fn spawn_setup_app() -> SetupApp {
    let (store, dir) = new_store().await;
    SetupApp {
        address: serve(store, Some(SETUP_CODE)).await,
        _dir: dir,
    }
}
