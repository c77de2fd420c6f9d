//! The browser session a walk drives: the steps a person takes (open, type, click, wait) and
//! the checks run on each page (axe-core's WCAG 2.2 A and AA rules, reflow at 320 pixels, the
//! GOV.UK error pattern), collected into a report rather than stopping at the first problem.

use super::*;

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
// Inside a box that scrolls by itself (a wide table's container), sticking out is that box's
// business, not the page's: only what widens the page itself is reported.
const scrollsInside = (el) => el.parentElement && el.parentElement.closest('.custodian-table-container');
for (const el of document.body.querySelectorAll('*')) {
  if (scrollsInside(el)) continue;
  const box = el.classList.contains('custodian-table-container');
  if (sticksOut(el) && (box || ![...el.children].some(sticksOut))) found.push(describe(el));
  if (found.length === 5) break;
}
if (found.length === 0) {
  found.push('(the page is ' + document.documentElement.scrollWidth + ' px wide)');
  for (const el of document.body.querySelectorAll('*')) {
    const pos = getComputedStyle(el).position;
    if (sticksOut(el) && (pos === 'absolute' || pos === 'fixed')) found.push(pos + ', escaping its box: ' + describe(el));
    if (found.length === 6) break;
  }
}
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

#[derive(Default)]
pub(crate) struct Report {
    pub(crate) pages: usize,
    pub(crate) problems: Vec<String>,
}

/// The browser session with the few steps the walk needs, each failing with a plain message.
pub(crate) struct Browser {
    pub(crate) client: Client,
    pub(crate) axe: String,
    pub(crate) base: String,
    pub(crate) report: Report,
}

impl Browser {
    pub(crate) async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.goto_absolute(&url).await;
    }

    pub(crate) async fn goto_absolute(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("could not open {url}: {e}"));
    }

    pub(crate) async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!(
                "no element matches `{css}` on {}: {e}",
                self.current_url().await
            ),
        }
    }

    pub(crate) async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    pub(crate) async fn click_link(&self, text: &str) {
        match self.client.find(Locator::LinkText(text)).await {
            Ok(link) => link.click().await.unwrap(),
            Err(e) => panic!("no link {text:?} on {}: {e}", self.current_url().await),
        }
    }

    pub(crate) async fn click_button_with_text(&self, css: &str, text: &str) {
        for button in self.client.find_all(Locator::Css(css)).await.unwrap() {
            if button.text().await.unwrap().contains(text) {
                button.click().await.unwrap();
                return;
            }
        }
        panic!("no button {text:?} on {}", self.current_url().await);
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        self.find(css).await.send_keys(text).await.unwrap();
    }

    pub(crate) async fn clear_and_type(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub(crate) async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap().trim().to_owned()
    }

    pub(crate) async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(unknown page: {e})"))
    }

    /// Waits (briefly, polling) until the browser is on `path`: a click that submits a form
    /// returns before the next page has necessarily loaded.
    pub(crate) async fn wait_for_path(&self, path: &str) {
        self.wait_for_url(|p, _| p == path, path).await;
    }

    pub(crate) async fn wait_for_query(&self, part: &str) {
        self.wait_for_url(|_, q| q.contains(part), part).await;
    }

    /// Waits until `matches(path, query)` holds for the loaded page (at most 5 seconds).
    pub(crate) async fn wait_for_url(&self, matches: impl Fn(&str, &str) -> bool, what: &str) {
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

    pub(crate) async fn ready(&self) -> bool {
        self.client
            .execute("return document.readyState === 'complete';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Waits until the loaded page's main heading contains `heading` (at most 5 seconds), so a
    /// check never runs on the page a click is leaving.
    pub(crate) async fn wait_for_heading(&self, label: &str, heading: &str) {
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

    /// Waits until an element matching `css` shows `text` (at most 5 seconds): for a form that
    /// leads back to a page with the same heading.
    pub(crate) async fn wait_for_element(&self, css: &str, text: &str) {
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(found) = element.text().await
                && found.contains(text)
                && self.ready().await
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no `{css}` showing {text:?} within 5 seconds on {}",
            self.current_url().await
        );
    }

    /// The page shows an error summary (moved into focus by GOV.UK Frontend), and passes axe.
    pub(crate) async fn expect_error_summary(&mut self, label: &str) {
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
    pub(crate) async fn check(&mut self, label: &str, heading: &str) {
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
    pub(crate) async fn check_reflow(&mut self, label: &str, url: &str) {
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
    pub(crate) async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(SCREENSHOTS).unwrap();
        std::fs::write(Path::new(SCREENSHOTS).join(format!("{name}.png")), png).unwrap();
    }
}

/// axe-core, installed from npm by build.rs (`npm ci`) next to GOV.UK Frontend.
pub(crate) fn axe_source() -> String {
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
