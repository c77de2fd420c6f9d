//! The password vault (issue 5) in the browser. The Clerk finds Passwords in the menu, adds the
//! council website's admin password (after an empty form) with three suggested random words,
//! reveals it with a reason, sees the value with its copy button and vault.js hiding it again,
//! and finds the reveal in the item's access history; the other vault pages are visited too.
//! Then a councillor, who is not allowed, tries to reveal it: the attempt is refused and
//! recorded as an incident, and the Clerk finds the message on the home page, the incident in
//! the list and the refused attempt in the item's history, then marks the item compromised.
//! Every page gets the same checks as the rest of the walk.

use super::policy::{sign_in, sign_out};
use super::*;

const ITEM: &str = "Council website admin";
const REVEAL_REASON: &str = "Update the list of councillors on the website";

/// Posts the reveal form for `action` from the page on screen, as a person whose page has no
/// reveal form would have to: with the session's form token taken from the sign-out form.
const POST_REVEAL: &str = r#"
const [action, reason] = arguments;
const form = document.createElement('form');
form.method = 'post';
form.action = action;
const add = (name, value) => {
  const input = document.createElement('input');
  input.type = 'hidden';
  input.name = name;
  input.value = value;
  form.appendChild(input);
};
add('csrf_token', document.querySelector("form[action='/sign-out'] input[name='csrf_token']").value);
add('field', 'password');
add('reason', reason);
document.body.appendChild(form);
form.submit();
"#;

/// Loads vault.js a second time (a new address, so the module runs again) after shortening the
/// page's hiding delay, and reports what the page shows a moment after the delay. This runs the
/// served script under the page's real Content Security Policy without waiting 30 seconds.
const HIDE_SOON: &str = r#"
const done = arguments[arguments.length - 1];
const box = document.querySelector('[data-vault-reveal]');
box.dataset.hideAfter = '0.2';
const script = document.createElement('script');
script.type = 'module';
script.src = '/assets/vault.js?hide-soon';
script.onerror = () => done({ error: 'vault.js could not be loaded again (blocked or missing)' });
script.onload = () => window.setTimeout(() => done({
  boxHidden: box.hidden,
  value: document.getElementById('secret-value').textContent,
  noteShown: [...document.querySelectorAll('[data-vault-hidden-note]')].some((n) => !n.hidden),
}), 1000);
document.body.appendChild(script);
"#;

#[derive(Deserialize)]
struct HideOutcome {
    error: Option<String>,
    #[serde(default, rename = "boxHidden")]
    box_hidden: bool,
    #[serde(default)]
    value: String,
    #[serde(default, rename = "noteShown")]
    note_shown: bool,
}

pub(crate) async fn walk_the_vault_journey(b: &mut Browser) {
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    let (id, phrase) = add_the_website_password(b).await;
    let item = format!("/vault/{id}");
    reveal_it(b, &item, &phrase).await;
    visit_the_other_vault_pages(b, &item).await;
    sign_out(b).await;

    // --- A councillor, who is not allowed, tries to reveal it. ---
    sign_in(b, "cllr@ashby.example", None).await;
    b.click_link("Passwords").await;
    b.wait_for_path("/vault").await;
    b.check("passwords, as a councillor", "Passwords").await;
    let list = b.text_of("#main-content").await;
    assert!(
        !list.contains(ITEM) && list.contains("There are no passwords you may reveal."),
        "a councillor not allowed on {ITEM:?} sees it listed:\n{list}"
    );
    b.goto(&item).await;
    b.check("a vault item, as a councillor", "You cannot do this")
        .await;
    // The error page carries no form token, so the attempt is made from the list.
    b.goto("/vault").await;
    b.client
        .execute(
            POST_REVEAL,
            vec![
                serde_json::json!(format!("{item}/reveal")),
                serde_json::json!("Just curious"),
            ],
        )
        .await
        .unwrap();
    b.wait_for_path(&format!("{item}/reveal")).await;
    b.check("a refused reveal", "You are not allowed to reveal this")
        .await;
    let refused = b.text_of("#main-content").await;
    assert!(
        refused.contains("This attempt has been recorded as an incident"),
        "the refused page does not say an incident was opened:\n{refused}"
    );
    sign_out(b).await;

    // --- The Clerk is told, and finds the incident and the attempt in the history. ---
    sign_in(b, "clerk@ashby.example", Some("Ashby")).await;
    b.check("home, with a message about the refused reveal", "Hello")
        .await;
    let told = format!("Connie Councillor tried to reveal \"{ITEM}\"");
    let home = b.text_of("#main-content").await;
    assert!(
        home.contains(&told),
        "the Clerk's home page does not show the refused reveal:\n{home}"
    );
    b.click_link("Incidents").await;
    b.wait_for_path("/incidents").await;
    b.check("incidents, with the refused reveal", "Incidents")
        .await;
    let incidents = b.text_of("#main-content").await;
    assert!(
        incidents.contains("Security incident")
            && incidents.contains(&format!(
                "tried to reveal a secret of the vault item \"{ITEM}\""
            )),
        "the incidents list does not show the refused reveal:\n{incidents}"
    );

    b.goto("/").await;
    b.click_button_with_text("form[action^='/notifications/'] button", "Dismiss")
        .await;
    // The form leads back to the home page, so wait for the message to go rather than for
    // an address.
    wait_until_gone(b, &told).await;
    b.check("home, the message dismissed", "Hello").await;

    b.goto(&item).await;
    b.check("a vault item, after the refused reveal", ITEM)
        .await;
    let history = b.text_of(".govuk-table").await;
    assert!(
        history.contains("Tried to reveal (refused)") && history.contains("Connie Councillor"),
        "the item's history does not list the refused attempt:\n{history}"
    );

    // --- Marked compromised: the page lists who revealed it. ---
    b.type_into("#compromise-reason", "Someone not allowed tried to see it")
        .await;
    b.click_button_with_text(
        &format!("form[action='{item}/compromised'] button"),
        "Mark as compromised",
    )
    .await;
    b.check(
        "a vault item marked as compromised",
        "marked as compromised",
    )
    .await;
    let compromised = b.text_of("#main-content").await;
    assert!(
        compromised.contains("Clara Clerk"),
        "the compromised page does not list who revealed the password:\n{compromised}"
    );
    sign_out(b).await;
}

/// Waits (at most 5 seconds) until the loaded page no longer shows `text`.
async fn wait_until_gone(b: &Browser, text: &str) {
    for _ in 0..100 {
        let shown = b
            .client
            .execute(
                "return document.readyState !== 'complete' || \
                 document.body.innerText.includes(arguments[0]);",
                vec![serde_json::json!(text)],
            )
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        if !shown {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{text:?} is still shown after 5 seconds on {}",
        b.current_url().await
    );
}

/// From the menu to a new item (after an empty form), with three suggested words as its
/// password; returns the item's id and the words.
async fn add_the_website_password(b: &mut Browser) -> (String, String) {
    b.click_link("Passwords").await;
    b.wait_for_path("/vault").await;
    b.check("passwords, none yet", "Passwords").await;
    let empty = b.text_of("#main-content").await;
    assert!(
        empty.contains("No passwords are kept in the vault yet."),
        "the empty vault does not say so:\n{empty}"
    );
    b.click_link("Add a password").await;
    b.wait_for_path("/vault/new").await;
    b.check("add a password", "Add a password to the vault")
        .await;
    b.click_button_with_text("form[action='/vault/new'] button", "Add to the vault")
        .await;
    b.expect_error_summary("add a password with nothing filled in")
        .await;

    b.clear_and_type("#name", ITEM).await;
    b.click("input[name='kind'][value='website_admin']").await;
    b.clear_and_type("#address", "https://ashby-pc.example/wp-admin")
        .await;
    b.clear_and_type("#username", "ashby-clerk").await;
    b.click("input[name='roles'][value='clerk']").await;
    b.click("input[name='roles'][value='it_provider']").await;
    b.click_button_with_text("form[action='/vault/new'] button", "Suggest random words")
        .await;
    b.wait_for_element("#suggested", "-").await;
    b.check(
        "add a password, words suggested",
        "Add a password to the vault",
    )
    .await;
    let phrase = b.text_of("#suggested").await;
    assert_eq!(
        phrase.split('-').count(),
        3,
        "the suggestion is not three words: {phrase:?}"
    );
    let in_the_box = b.find("#password").await.prop("value").await.unwrap();
    assert_eq!(
        in_the_box.as_deref(),
        Some(phrase.as_str()),
        "the suggested words were not put in the password box"
    );
    for role in ["clerk", "it_provider"] {
        let ticked = b
            .find(&format!("input[name='roles'][value='{role}']"))
            .await
            .is_selected()
            .await
            .unwrap();
        assert!(ticked, "the {role} tick was lost when words were suggested");
    }
    b.click("#default_changed").await;
    b.click_button_with_text("form[action='/vault/new'] button", "Add to the vault")
        .await;
    b.wait_for_url(
        |p, q| p.starts_with("/vault/") && q.contains("added=1"),
        "the new item's page",
    )
    .await;
    b.check("a vault item, just added", ITEM).await;
    b.screenshot("vault-item").await;
    let url = b.current_url().await;
    let id = url
        .split("/vault/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?']).next())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| panic!("no vault item in {url}"))
        .to_owned();
    (id, phrase)
}

/// Reveals the password with a reason; the value shows with its copy button, vault.js hides
/// it again, and the item's history lists the reveal.
async fn reveal_it(b: &mut Browser, item: &str, phrase: &str) {
    b.type_into("#reason-password", REVEAL_REASON).await;
    b.click_button_with_text(
        &format!("form[action='{item}/reveal'] button"),
        "Reveal the password",
    )
    .await;
    b.wait_for_element("#secret-value", "-").await;
    b.check("a revealed password", "Password").await;
    b.screenshot("vault-revealed").await;
    assert_eq!(
        b.text_of("#secret-value").await,
        phrase,
        "the revealed password is not the one saved"
    );
    let copy = b.find("button[data-copy-target='secret-value']").await;
    assert!(
        copy.is_displayed().await.unwrap(),
        "the copy button is not shown (app.js shows it)"
    );
    let delay = b
        .find("[data-vault-reveal]")
        .await
        .attr("data-hide-after")
        .await
        .unwrap();
    assert_eq!(
        delay.as_deref(),
        Some("30"),
        "the page does not ask for the value to be hidden after 30 seconds"
    );
    let loaded = b
        .client
        .execute(
            "return document.querySelector(\"script[src='/assets/vault.js']\") !== null && \
             performance.getEntriesByType('resource').some((e) => e.name.endsWith('/assets/vault.js'));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        loaded,
        serde_json::Value::Bool(true),
        "the reveal page did not load vault.js"
    );
    let hidden = b.client.execute_async(HIDE_SOON, vec![]).await.unwrap();
    let hidden: HideOutcome = serde_json::from_value(hidden).unwrap();
    if let Some(error) = hidden.error {
        panic!("{error}");
    }
    assert!(
        hidden.box_hidden && hidden.value.is_empty() && hidden.note_shown,
        "vault.js did not hide the value and say so (box hidden: {}, value wiped: {}, note \
         shown: {})",
        hidden.box_hidden,
        hidden.value.is_empty(),
        hidden.note_shown
    );
    b.check("a revealed password, hidden again", "Password")
        .await;

    b.click_link("Reveal it again").await;
    b.wait_for_path(item).await;
    b.check("a vault item, after a reveal", ITEM).await;
    let history = b.text_of(".govuk-table").await;
    for expected in ["Revealed", "Clara Clerk", REVEAL_REASON] {
        assert!(
            history.contains(expected),
            "the item's history does not show {expected:?}:\n{history}"
        );
    }
}

/// The vault's other pages, reached from the item and the list.
async fn visit_the_other_vault_pages(b: &mut Browser, item: &str) {
    b.click_link("Change the details").await;
    b.wait_for_path(&format!("{item}/edit")).await;
    b.check("change a vault item's details", "Change the details of")
        .await;
    b.goto(item).await;
    b.click_link("Change the password or another secret").await;
    b.wait_for_path(&format!("{item}/secret")).await;
    b.check("change a vault item's secret", "Set or change a secret")
        .await;

    b.click_link("Passwords").await;
    b.wait_for_path("/vault").await;
    b.check("passwords, one item", "Passwords").await;
    let list = b.text_of("#main-content").await;
    assert!(
        list.contains(ITEM),
        "the list does not show {ITEM:?}:\n{list}"
    );
    b.click_link("Ask for time-limited access").await;
    b.wait_for_path("/vault/requests").await;
    b.check("vault access requests", "Requests for vault access")
        .await;
    b.goto("/vault").await;
    b.click_link("Emergency access").await;
    b.wait_for_path("/vault/emergency").await;
    b.check(
        "emergency access",
        "Emergency access to the sealed passwords",
    )
    .await;
}
