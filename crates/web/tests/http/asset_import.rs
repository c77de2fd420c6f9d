//! The register as a spreadsheet on the web: upload, check, confirm; the row-by-row report of a
//! bad file; the download; and who may do each.

use crate::helpers::*;
use custodian_core::asset::{
    AssetNumber, AssetStatus, Category, Encryption, NewAsset, PurchaseAuthorisation, register_asset,
};
use custodian_core::audit::Actor;
use custodian_core::ids::{AssetId, CouncilId};
use custodian_core::ports::AssetStore;

/// Three items: one issued to Ashby's councillor, one in store, one lost.
const REGISTER: &str = "number,category,make,model,imei,purchased_on,cost,status,holder_email,notes\r\n\
    ASH-0001,laptop,Dell,Latitude 5440,,2025-04-01,\"£1,299.99\",,cllr@ashby.example,\"Bag & charger\"\r\n\
    ASH-0002,phone,Apple,iPhone 13,35-209900-176148-1,01/04/2025,499,in store,,\r\n\
    ASH-0003,USB drive,SanDisk,Ultra,,,,lost,,\r\n";

/// The file's text as the review page's confirm form carries it (HTML-unescaped).
fn carried_text(body: &str) -> String {
    let marker = "name=\"register_csv\" value=\"";
    let start = body
        .find(marker)
        .expect("the confirm form carries the file")
        + marker.len();
    let end = start + body[start..].find('"').unwrap();
    let mut text = body[start..end].to_owned();
    for (entity, character) in [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#62;", ">"),
    ] {
        text = text.replace(entity, character);
    }
    // Ampersands last, so "&amp;quot;" stays "&quot;".
    text.replace("&amp;", "&").replace("&#38;", "&")
}

async fn register_size(app: &TestApp, council: CouncilId) -> usize {
    app.store.all_assets(council).await.unwrap().len()
}

#[tokio::test]
async fn a_clerk_uploads_a_register_checks_the_preview_and_imports_everything() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let form = clerk.get("/assets/import").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Import equipment from a spreadsheet"));

    let review = clerk
        .post_file(
            "/assets/import",
            "register_file",
            "register.csv",
            REGISTER.as_bytes(),
        )
        .await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(
        review.body.contains(
            "3 items are ready to be added to the register: 1 in store, 1 issued, 1 lost."
        ),
        "{}",
        review.body
    );
    assert!(review.body.contains("Connie Councillor"));
    assert!(review.body.contains("cannot accept responsibility"));
    // Nothing is stored until the Clerk confirms.
    assert_eq!(register_size(&app, app.a.id).await, 0);

    let text = carried_text(&review.body);
    assert_eq!(text.replace("\r\n", "\n"), REGISTER.replace("\r\n", "\n"));
    let done = clerk
        .post_file(
            "/assets/import/confirm",
            "register_csv",
            "",
            text.as_bytes(),
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/assets/import?imported=3");
    let banner = clerk.get(done.location()).await;
    assert!(banner.body.contains("3 items were added to the register."));

    let register = app.store.all_assets(app.a.id).await.unwrap();
    assert_eq!(register.len(), 3);
    assert_eq!(register[0].holder(), Some(app.a.councillor.id));
    assert_eq!(register[0].notes, "Bag & charger");
    assert!(matches!(
        register[0].status,
        AssetStatus::Issued {
            acknowledged_at: None,
            ..
        }
    ));
    assert_eq!(register[2].status, AssetStatus::Lost);
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(actions.last().map(String::as_str), Some("assets.imported"));
    assert_eq!(
        actions.iter().filter(|a| *a == "asset.registered").count(),
        3
    );

    // Confirming the same file again would repeat every number: refused, nothing added.
    let again = clerk
        .post_file(
            "/assets/import/confirm",
            "register_csv",
            "",
            text.as_bytes(),
        )
        .await;
    assert_eq!(again.status, 200);
    assert!(
        again.body.contains("The file has 3 problems"),
        "{}",
        again.body
    );
    assert!(again.body.contains("such as ASH-0004"));
    assert_eq!(register_size(&app, app.a.id).await, 3);
}

#[tokio::test]
async fn a_file_with_bad_rows_is_reported_row_by_row_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/assets/import").await;
    let bad = "Asset Tag,Category,IMEI,Purchase Date,Checked Out To,Shoe size\n\
               A-1,laptop,,2025-04-01,,9\n\
               A-2,phone,352099001761482,,,\n\
               A-3,projector,,2030-01-01,Nobody Known,\n";
    let page = clerk
        .post_file("/assets/import", "register_file", "bad.csv", bad.as_bytes())
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body
            .contains("The file has 4 problems, so nothing was added")
    );
    for expected in [
        "its last digit should be 1",
        "is not a category Custodian knows",
        "is in the future",
        "No one called",
        "ignored: Shoe size",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    assert!(
        page.body
            .contains("<td class=\"govuk-table__cell govuk-table__cell--numeric\">3</td>")
    );
    assert!(
        page.body
            .contains("<td class=\"govuk-table__cell\">Purchase Date</td>")
    );
    assert_eq!(register_size(&app, app.a.id).await, 0);

    let missing_column = clerk
        .post_file(
            "/assets/import",
            "register_file",
            "x.csv",
            b"Item,Kind\nLaptop,laptop\n",
        )
        .await;
    assert!(
        missing_column
            .body
            .contains("no column for the asset number")
    );
    let nothing = clerk
        .post_file("/assets/import", "register_file", "", b"")
        .await;
    assert!(nothing.body.contains("Choose the CSV file"));
    let without_token = clerk
        .post_file_without_csrf(
            "/assets/import/confirm",
            "register_csv",
            "",
            REGISTER.as_bytes(),
        )
        .await;
    assert_eq!(without_token.status, 403);
    assert_eq!(register_size(&app, app.a.id).await, 0);
}

#[tokio::test]
async fn only_those_who_manage_the_register_may_import_but_the_auditor_may_download() {
    let app = spawn_app().await;
    for email in [&app.a.councillor.email, &app.a.auditor.email] {
        let mut person = app.signed_in(email).await;
        assert_eq!(person.get("/assets/import").await.status, 403, "{email}");
        let upload = person
            .post_file(
                "/assets/import",
                "register_file",
                "r.csv",
                REGISTER.as_bytes(),
            )
            .await;
        assert_eq!(upload.status, 403, "{email}");
        let confirm = person
            .post_file(
                "/assets/import/confirm",
                "register_csv",
                "",
                REGISTER.as_bytes(),
            )
            .await;
        assert_eq!(confirm.status, 403, "{email}");
    }
    assert_eq!(register_size(&app, app.a.id).await, 0);

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/assets.csv").await.status, 403);
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    assert_eq!(auditor.get("/assets.csv").await.status, 200);
    let mut provider = app.signed_in(&app.a.it_provider.email).await;
    assert_eq!(provider.get("/assets/import").await.status, 200);
    assert_eq!(
        app.client().get("/assets.csv").await.status,
        303,
        "signed out"
    );
}

async fn store_item(app: &TestApp, council: CouncilId, number: &str) {
    let input = NewAsset {
        number: AssetNumber::parse(number).unwrap(),
        category: Category::Laptop,
        make: "Dell".into(),
        model: "Latitude".into(),
        serial: None,
        imei: None,
        sim: None,
        purchased_on: None,
        cost_pence: Some(50_000),
        supplier: String::new(),
        authorisation: PurchaseAuthorisation::None,
        warranty_ends: None,
        encrypted: Encryption::Yes,
        location: "=cmd|' /C calc'!A0".into(),
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
}

#[tokio::test]
async fn the_download_is_the_councils_own_register_and_is_audited() {
    let app = spawn_app().await;
    store_item(&app, app.a.id, "ASH-0001").await;
    store_item(&app, app.b.id, "BRK-0001").await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/assets.csv").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        page.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"equipment-register-")
    );
    let csv = page.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("number,category,make,model,"));
    assert!(lines[1].starts_with("ASH-0001,laptop,Dell,Latitude,"));
    assert!(lines[1].contains(",500.00,"));
    assert!(lines[1].contains("'=cmd"), "formulas are defused: {csv}");
    assert!(!csv.contains("BRK-0001"));
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(actions.last().map(String::as_str), Some("assets.exported"));
    assert!(
        !app.audit_actions(app.b.id)
            .await
            .contains(&"assets.exported".to_owned())
    );

    // The download imports back into another council's register unchanged.
    let mut other = app.signed_in(&app.b.clerk.email).await;
    other.get("/assets/import").await;
    let renumbered = page.body.replace("ASH-0001", "BRK-0002");
    let review = other
        .post_file(
            "/assets/import",
            "register_file",
            "ashby.csv",
            renumbered.as_bytes(),
        )
        .await;
    assert!(review.body.contains("1 item is ready"), "{}", review.body);
}
