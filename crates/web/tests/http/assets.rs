//! The equipment register's pages: adding items (and the mistakes a Clerk makes doing it),
//! issuing and acknowledging, loss reports, wiping and disposal, the list's search, filters,
//! sorting and pages, the printouts, and who may do what (assets/access.rs).

mod access;
pub mod custody;

use crate::helpers::*;
use custodian_core::asset::{
    Asset, AssetNumber, Category, Encryption, NewAsset, PurchaseAuthorisation, luhn_check_digit,
    register_asset,
};
use custodian_core::audit::Actor;
use custodian_core::ids::{AssetId, CouncilId};
use custodian_core::ports::AssetStore;

pub const IMEI: &str = "35-209900-176148-1";
pub const IMEI_DIGITS: &str = "352099001761481";

/// A 20-digit SIM number with its check digit.
pub fn sim() -> String {
    let payload = "8944100030300708521";
    format!("{payload}{}", luhn_check_digit(payload))
}

/// The form a Clerk fills in for a laptop numbered `number`; tests change what they need.
pub fn laptop_form(number: &str) -> Vec<(&'static str, String)> {
    vec![
        ("number", number.to_owned()),
        ("category", "laptop".to_owned()),
        ("make", "Dell".to_owned()),
        ("model", "Latitude 5440".to_owned()),
        ("serial", "5CG1234XYZ".to_owned()),
        ("imei", String::new()),
        ("sim", String::new()),
        ("purchased_on", "1/4/2025".to_owned()),
        ("cost", "1,299.99".to_owned()),
        ("supplier", "Acme Computers Ltd".to_owned()),
        ("authorisation", "minute_reference".to_owned()),
        ("approved_by", String::new()),
        ("minute_reference", "COU/229/25-26".to_owned()),
        ("warranty_ends", "1/4/2028".to_owned()),
        ("encrypted", "yes".to_owned()),
        ("location", "Council office".to_owned()),
        ("notes", String::new()),
    ]
}

pub fn phone_form(number: &str) -> Vec<(&'static str, String)> {
    let mut form = laptop_form(number);
    set(&mut form, "category", "phone");
    set(&mut form, "make", "Apple");
    set(&mut form, "model", "iPhone 13");
    set(&mut form, "imei", IMEI);
    set(&mut form, "sim", &sim());
    form
}

pub fn set(form: &mut [(&'static str, String)], field: &str, value: &str) {
    for (name, v) in form.iter_mut() {
        if *name == field {
            *v = value.to_owned();
        }
    }
}

/// Posts an item form and returns the page that comes back.
pub async fn post_item(client: &mut Client, path: &str, form: &[(&'static str, String)]) -> Page {
    client.get(path).await;
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post(path, &fields).await
}

/// Adds an item through the form as `client` and returns its id.
pub async fn add_item(client: &mut Client, form: &[(&'static str, String)]) -> String {
    let page = post_item(client, "/assets/new", form).await;
    assert_eq!(page.status, 303, "adding an item failed: {}", page.body);
    item_id(page.location())
}

/// The id in an "/assets/{id}..." address.
pub fn item_id(location: &str) -> String {
    location
        .trim_start_matches("/assets/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned()
}

/// Registers `count` items straight into the store: numbered `{prefix}-0001`..., alternately
/// laptops and printers, the laptops bought on the same day.
pub async fn seed_items(app: &TestApp, council: CouncilId, prefix: &str, count: u32) -> Vec<Asset> {
    let mut all = Vec::new();
    for i in 1..=count {
        let input = NewAsset {
            number: AssetNumber::parse(&format!("{prefix}-{i:04}")).unwrap(),
            category: if i % 2 == 0 {
                Category::Printer
            } else {
                Category::Laptop
            },
            make: if i % 2 == 0 { "Brother" } else { "Dell" }.into(),
            model: format!("Model {i}"),
            serial: None,
            imei: None,
            sim: None,
            purchased_on: (i % 2 == 1).then(|| jiff::civil::date(2024, 1, 1 + (i % 28) as i8)),
            cost_pence: Some(10_000),
            supplier: String::new(),
            authorisation: PurchaseAuthorisation::None,
            warranty_ends: None,
            encrypted: Encryption::Unknown,
            location: String::new(),
            notes: String::new(),
        };
        let (asset, event) = register_asset(
            council,
            AssetId::generate(),
            input,
            Actor::Operator,
            app.clock_now(),
        )
        .unwrap();
        app.store.insert_asset(&asset, &event).await.unwrap();
        all.push(asset);
    }
    all
}

/// The fields a browser would send back from an item's edit form (a laptop), with `changes`.
fn edit_fields(body: &str, action: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = form_fields(body, action);
    // form_fields reads inputs only; the kind of item is a select.
    fields.push(("category".to_owned(), "laptop".to_owned()));
    for (name, value) in fields.iter_mut() {
        if let Some((_, new)) = changes.iter().find(|(n, _)| n == name) {
            *value = (*new).to_owned();
        }
    }
    fields
}

fn as_pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_clerk_adds_an_item_with_every_field_and_its_page_shows_them() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let form = clerk.get("/assets/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("value=\"ASSET-0001\""),
        "an empty register suggests the first number"
    );

    let id = add_item(&mut clerk, &phone_form("ABC-0042")).await;
    let page = clerk.get(&format!("/assets/{id}?done=added")).await;
    assert_eq!(page.status, 200);
    for expected in [
        "has been added to the register",
        "ABC-0042",
        "Apple iPhone 13",
        IMEI_DIGITS,
        &sim(),
        "£1,299.99",
        "Acme Computers Ltd",
        "The council, minute reference COU/229/25-26",
        "Added to the register by Clara Clerk",
    ] {
        assert!(page.body.contains(expected), "missing {expected:?}");
    }
    let next = clerk.get("/assets/new").await;
    assert!(
        next.body.contains("value=\"ABC-0043\""),
        "the next number continues the council's own pattern"
    );
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"asset.registered".to_owned())
    );
}

#[tokio::test]
async fn a_number_already_used_is_refused_at_the_field_with_the_next_free_one_suggested() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    add_item(&mut clerk, &laptop_form("ABC-0042")).await;
    let page = post_item(&mut clerk, "/assets/new", &laptop_form("abc-0042")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body
            .contains("The council already has an item numbered abc-0042. Choose another number, such as ABC-0043."),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"number-error\""));
    assert!(
        page.body.contains("value=\"Latitude 5440\""),
        "what was typed is kept"
    );
    let register = app
        .store
        .assets(app.a.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(register.total, 1);
}

#[tokio::test]
async fn a_mistyped_imei_is_explained_beside_its_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut form = phone_form("PH-1");
    set(&mut form, "imei", "352099001761482");
    let page = post_item(&mut clerk, "/assets/new", &form).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"imei-error\""));
    assert!(
        page.body
            .contains("The IMEI 352099001761482 is not valid: its last digit should be 1."),
        "{}",
        page.body
    );
    // An IMEI on a laptop is refused too, naming the item and what to do.
    let mut form = laptop_form("LAP-1");
    set(&mut form, "imei", IMEI);
    let page = post_item(&mut clerk, "/assets/new", &form).await;
    assert!(
        page.body
            .contains("An IMEI is only kept for phones and tablets")
    );
    assert_eq!(
        app.store
            .assets(app.a.id, &Default::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn a_purchase_date_in_the_future_or_unreadable_is_refused_and_nothing_is_saved() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let before = app.audit_actions(app.a.id).await.len();
    let mut form = laptop_form("ABC-1");
    set(&mut form, "purchased_on", "1/1/2030");
    set(&mut form, "warranty_ends", "");
    let page = post_item(&mut clerk, "/assets/new", &form).await;
    assert!(page.body.contains("id=\"purchased_on-error\""));
    assert!(
        page.body
            .contains("The purchase date 2030-01-01 is in the future."),
        "{}",
        page.body
    );
    set(&mut form, "purchased_on", "last Tuesday");
    set(&mut form, "cost", "twelve pounds");
    let page = post_item(&mut clerk, "/assets/new", &form).await;
    assert!(
        page.body
            .contains("Enter the purchase date as day, month and year")
    );
    assert!(
        page.body
            .contains("is not an amount of money Custodian can read")
    );
    assert!(page.body.contains("href=\"#purchased_on\""));
    assert!(page.body.contains("href=\"#cost\""));
    assert_eq!(
        app.store
            .assets(app.a.id, &Default::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(app.audit_actions(app.a.id).await.len(), before);
}

#[tokio::test]
async fn editing_keeps_the_custody_and_refuses_to_overwrite_a_change_made_meanwhile() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    let id = add_item(&mut clerk, &laptop_form("ABC-1")).await;
    let edit = format!("/assets/{id}/edit");

    // Both open the form; the IT provider saves first.
    let clerk_form = clerk.get(&edit).await;
    let it_form = it.get(&edit).await;
    let fields = edit_fields(&it_form.body, &edit, &[("location", "Server cupboard")]);
    let saved = it.post_raw(&edit, &as_pairs(&fields)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // The Clerk's form still carries the old fingerprint: refused, input kept.
    let fields = edit_fields(&clerk_form.body, &edit, &[("model", "Latitude 7440")]);
    let refused = clerk.post_raw(&edit, &as_pairs(&fields)).await;
    assert_eq!(refused.status, 200);
    assert!(
        refused
            .body
            .contains("Someone else changed ABC-1 after you opened this page"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Latitude 7440\""));
    let stored = app
        .store
        .asset(app.a.id, AssetId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(stored.location, "Server cupboard");
    assert_eq!(stored.model, "Latitude 5440");

    // Saving again is now a deliberate choice, and the history says what changed.
    let again = edit_fields(&refused.body, &edit, &[]);
    assert_eq!(clerk.post_raw(&edit, &as_pairs(&again)).await.status, 303);
    let page = clerk.get(&format!("/assets/{id}")).await;
    assert!(page.body.contains("Latitude 7440"));
    assert!(
        page.body
            .contains("Details changed by Ivan Provider: location.")
    );
    // The Clerk's form still said "Council office": saving again deliberately puts it back.
    assert!(
        page.body
            .contains("Details changed by Clara Clerk: model, location.")
    );
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages_through_the_address() {
    let app = spawn_app().await;
    seed_items(&app, app.a.id, "ASH", 120).await;
    seed_items(&app, app.b.id, "BRK", 3).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;

    let first = clerk.get("/assets").await;
    assert_eq!(first.status, 200);
    assert!(
        first.body.contains("Showing 1 to 50 of 120 items."),
        "{}",
        first.body
    );
    assert!(first.body.contains("ASH-0001"));
    assert!(!first.body.contains("ASH-0051"));
    assert!(
        !first.body.contains("BRK-"),
        "another council's items never show"
    );
    assert!(first.body.contains("href=\"/assets?page=2\""));

    let second = clerk.get("/assets?page=2").await;
    assert!(second.body.contains("Showing 51 to 100 of 120 items."));
    assert!(second.body.contains("ASH-0051"));
    let past_the_end = clerk.get("/assets?page=99").await;
    assert!(
        past_the_end
            .body
            .contains("Showing 101 to 120 of 120 items.")
    );

    let printers = clerk.get("/assets?category=printer").await;
    assert!(printers.body.contains("of 60 items"));
    assert!(!printers.body.contains(">ASH-0001<"));
    let search = clerk.get("/assets?q=model+11").await;
    // "Model 11", "Model 110" ... "Model 119": eleven items.
    assert!(
        search.body.contains("Showing 1 to 11 of 11 items."),
        "{}",
        search.body
    );

    let descending = clerk.get("/assets?sort=number&dir=desc").await;
    let at = |body: &str, text: &str| body.find(text).unwrap();
    assert!(at(&descending.body, ">ASH-0120<") < at(&descending.body, ">ASH-0119<"));
    assert!(descending.body.contains("aria-sort=\"descending\""));
    let by_date = clerk.get("/assets?sort=purchased").await;
    assert!(by_date.body.contains("aria-sort=\"ascending\""));

    // Nonsense falls back to the defaults rather than failing.
    let nonsense = clerk
        .get("/assets?category=spaceship&status=%FF&sort=colour&dir=sideways&page=-1&page=x&holder=nobody")
        .await;
    assert_eq!(nonsense.status, 200);
    assert!(nonsense.body.contains("Showing 1 to 50 of 120 items."));
}

#[tokio::test]
async fn the_printed_register_totals_by_kind_and_status_and_labels_carry_a_qr_code() {
    let app = spawn_app().await;
    let items = seed_items(&app, app.a.id, "ASH", 4).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;

    let print = clerk.get("/assets/print").await;
    assert_eq!(print.status, 200);
    for expected in [
        "Ashby Parish Council",
        "Equipment register",
        "Printed ",
        "£400.00",
        "By kind of item",
        "By status",
        "custodian-no-print",
    ] {
        assert!(print.body.contains(expected), "missing {expected:?}");
    }
    let printers = clerk.get("/assets/print?category=printer").await;
    assert!(printers.body.contains("£200.00"));
    assert!(printers.body.contains("Only the items matching"));

    let labels = clerk.get("/assets/labels").await;
    assert_eq!(labels.status, 200);
    assert_eq!(
        labels.body.matches("<svg").count(),
        4 + 1,
        "four QR codes and the logo"
    );
    assert!(labels.body.contains("ASH-0004"));
    assert!(!labels.body.contains("<?xml"));
    let one = clerk
        .get(&format!("/assets/labels?ids={}", items[0].id))
        .await;
    assert!(one.body.contains("1 label,"));
    assert!(one.body.contains("QR code that opens the page of ASH-0001"));
}
