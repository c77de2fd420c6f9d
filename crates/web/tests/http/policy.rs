//! The IT policy: building a draft with the question pages, importing a document, adopting,
//! signing, comparing versions, and who may do each.

use crate::helpers::*;
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::PolicyStore;

/// The id in a "/policy/versions/{id}..." address.
fn version_id(location: &str) -> String {
    location
        .trim_start_matches("/policy/versions/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned()
}

/// Starts a draft from the model as `client` and returns its id.
pub async fn start_draft(client: &mut Client) -> String {
    client.get("/policy").await;
    let page = client
        .post("/policy/drafts", &[("start_from", "model")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location().ends_with("/questions/equipment-use"));
    version_id(page.location())
}

/// Answers the MFA question with no roles, so adopting does not send the test's people off to
/// set up an authenticator app.
pub async fn without_mfa_roles(client: &mut Client, id: &str) {
    client
        .get(&format!("/policy/versions/{id}/questions/mfa"))
        .await;
    let page = client
        .post(
            &format!("/policy/versions/{id}/questions/mfa"),
            &[("mfa", "where_possible")],
        )
        .await;
    assert_eq!(page.status, 303);
}

pub async fn adopt(client: &mut Client, id: &str, minute: &str) -> Page {
    client.get(&format!("/policy/versions/{id}/adopt")).await;
    client
        .post(
            &format!("/policy/versions/{id}/adopt"),
            &[
                ("day", "14"),
                ("month", "9"),
                ("year", "2026"),
                ("minute_reference", minute),
            ],
        )
        .await
}

#[tokio::test]
async fn the_clerk_builds_adopts_and_everyone_is_asked_to_sign() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let home = clerk.get("/").await;
    assert!(home.body.contains("has not adopted an IT policy"));

    let id = start_draft(&mut clerk).await;
    let question = clerk
        .get(&format!("/policy/versions/{id}/questions/devices"))
        .await;
    assert!(
        question
            .body
            .contains("How must phones, tablets and laptops be locked?")
    );
    let answered = clerk
        .post(
            &format!("/policy/versions/{id}/questions/devices"),
            &[
                ("device_pin_min_digits", "6"),
                ("device_lockout_attempts", "12"),
                ("device_idle_lock_minutes", "5"),
            ],
        )
        .await;
    assert_eq!(answered.status, 303);
    assert!(answered.location().ends_with("/questions/passwords"));

    let summary = clerk.get(&format!("/policy/versions/{id}")).await;
    assert!(summary.body.contains("12 attempts"));
    assert!(summary.body.contains("Weaker than recommended"));
    let document = clerk.get(&format!("/policy/versions/{id}/document")).await;
    assert!(
        document.body.contains("12 failed attempts"),
        "{}",
        document.body
    );
    assert!(document.body.contains("Ashby Parish Council"));

    without_mfa_roles(&mut clerk, &id).await;
    let adopted = adopt(&mut clerk, &id, "COU/12/26-27").await;
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    let confirmation = clerk.get(adopted.location()).await;
    assert!(confirmation.body.contains("is now the council's IT policy"));
    let in_force = app.store.in_force(app.a.id).await.unwrap().unwrap();
    assert_eq!(in_force.profile.device_lockout_attempts, 12);
    assert_eq!(in_force.minute_reference.unwrap().as_str(), "COU/12/26-27");
    assert_eq!(
        in_force.review_due.unwrap().to_string(),
        "2027-09-14",
        "review is due 12 months after adoption"
    );

    // The councillor sees the request first, and signs by typing their name.
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let home = councillor.get("/").await;
    assert!(home.body.contains("Please sign the council's IT policy"));
    let form = councillor.get("/policy/declaration").await;
    assert!(
        form.body
            .contains("I confirm I have read and understood the Ashby Parish Council IT Policy")
    );
    let wrong = councillor
        .post(
            "/policy/declaration",
            &[
                ("version", &in_force.id.to_string()),
                ("typed_name", "Someone Else"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("Connie Councillor"), "{}", wrong.body);
    let signed = councillor
        .post(
            "/policy/declaration",
            &[
                ("version", &in_force.id.to_string()),
                ("typed_name", "  connie   COUNCILLOR "),
            ],
        )
        .await;
    assert_eq!(signed.status, 303);
    let home = councillor.get("/").await;
    assert!(!home.body.contains("Please sign the council's IT policy"));
    let record = councillor
        .get(&format!(
            "/policy/declarations/{}/{}",
            in_force.id, app.a.councillor.id
        ))
        .await;
    assert_eq!(record.status, 200);
    assert!(record.body.contains("Connie Councillor"));

    // The Clerk sees who has still to sign; the auditor is not asked to.
    let list = clerk.get("/policy/declarations").await;
    assert!(list.body.contains("Charles Chair"));
    assert!(!list.body.contains("Audrey Auditor"));
    let home = clerk.get("/").await;
    assert!(
        home.body.contains("people have not signed the IT policy"),
        "{}",
        home.body
    );

    let actions = app.audit_actions(app.a.id).await;
    for expected in [
        "policy.draft_created",
        "policy.draft_updated",
        "policy.adopted",
        "policy.declaration_signed",
    ] {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing");
    }
}

#[tokio::test]
async fn adopting_a_policy_makes_its_mfa_roles_the_rule_for_signing_in() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;
    // The model policy asks the Clerk and the IT provider to use a second factor (4.1.7).
    assert_eq!(adopt(&mut clerk, &id, "COU/3").await.status, 303);
    let council = custodian_core::ports::CouncilStore::council(&app.store, app.a.id)
        .await
        .unwrap();
    assert!(
        council
            .settings
            .mfa_required_roles
            .contains(custodian_core::person::Role::Clerk)
    );
    let next = clerk.get("/policy").await;
    assert_eq!(next.status, 303);
    assert!(
        next.location().starts_with("/account/mfa"),
        "{}",
        next.location()
    );
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("council.settings_changed")
    );
}

#[tokio::test]
async fn a_wrong_answer_is_explained_kept_on_the_page_and_changes_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;
    clerk
        .get(&format!("/policy/versions/{id}/questions/devices"))
        .await;
    let page = clerk
        .post(
            &format!("/policy/versions/{id}/questions/devices"),
            &[
                ("device_pin_min_digits", "2"),
                ("device_lockout_attempts", "three"),
                ("device_idle_lock_minutes", "5"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("There is a problem"));
    assert!(
        page.body
            .contains("The shortest PIN must be between 4 and 16")
    );
    assert!(page.body.contains("must be a whole number"));
    assert!(
        page.body.contains("value=\"three\""),
        "the wrong answer stays on the page"
    );
    let version = app
        .store
        .version(
            app.a.id,
            custodian_core::ids::PolicyVersionId::parse(&id).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(version.profile, PolicyProfile::model_defaults());

    let adopt_page = adopt(&mut clerk, &id, "").await;
    assert_eq!(adopt_page.status, 200);
    assert!(adopt_page.body.contains("Enter the minute reference"));
    let future = clerk
        .post(
            &format!("/policy/versions/{id}/adopt"),
            &[
                ("day", "1"),
                ("month", "1"),
                ("year", "2030"),
                ("minute_reference", "X/1"),
            ],
        )
        .await;
    assert!(
        future.body.contains("There is a problem"),
        "{}",
        future.body
    );
    let not_a_date = clerk
        .post(
            &format!("/policy/versions/{id}/adopt"),
            &[
                ("day", "31"),
                ("month", "2"),
                ("year", "2026"),
                ("minute_reference", "X/1"),
            ],
        )
        .await;
    assert!(not_a_date.body.contains("must be a real date"));
    assert!(app.store.in_force(app.a.id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_review_compares_clause_by_clause_with_the_version_in_force() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let first = start_draft(&mut clerk).await;
    without_mfa_roles(&mut clerk, &first).await;
    assert_eq!(adopt(&mut clerk, &first, "COU/1").await.status, 303);
    clerk.get("/policy").await;
    let page = clerk
        .post("/policy/drafts", &[("start_from", "in_force")])
        .await;
    let second = version_id(page.location());
    clerk
        .get(&format!("/policy/versions/{second}/questions/monitoring"))
        .await;
    clerk
        .post(
            &format!("/policy/versions/{second}/questions/monitoring"),
            &[("internet_log_retention_months", "3")],
        )
        .await;
    let compare = clerk
        .get(&format!("/policy/compare?from={first}&to={second}"))
        .await;
    assert_eq!(compare.status, 200);
    assert!(compare.body.contains("Clause 5.1.11"), "{}", compare.body);
    assert!(
        compare
            .body
            .contains("<ins class=\"custodian-added\">3</ins>")
    );
    assert!(
        compare
            .body
            .contains("<del class=\"custodian-removed\">6</del>")
    );

    assert_eq!(adopt(&mut clerk, &second, "COU/2").await.status, 303);
    let versions = app.store.versions(app.a.id).await.unwrap();
    assert_eq!(versions.iter().filter(|v| v.is_in_force()).count(), 1);
    // An adopted version can no longer be changed or deleted.
    let change = clerk
        .post(
            &format!("/policy/versions/{second}/questions/monitoring"),
            &[("internet_log_retention_months", "9")],
        )
        .await;
    assert_eq!(change.status, 303);
    let delete = clerk
        .post(&format!("/policy/versions/{first}/delete"), &[])
        .await;
    assert_eq!(delete.status, 303);
    let versions = app.store.versions(app.a.id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        app.store
            .in_force(app.a.id)
            .await
            .unwrap()
            .unwrap()
            .profile
            .internet_log_retention_months,
        3
    );
}

#[tokio::test]
async fn documents_download_as_markdown_and_word() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;
    let markdown = clerk.get(&format!("/policy/versions/{id}/policy.md")).await;
    assert_eq!(markdown.status, 200);
    assert!(markdown.body.contains("Information Technology Policy"));
    assert!(
        markdown
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Ashby-Parish-Council-IT-policy-v1.md")
    );
    let word = clerk
        .get(&format!("/policy/versions/{id}/policy.docx"))
        .await;
    assert_eq!(word.status, 200);
    assert_eq!(
        word.headers.get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
}

#[tokio::test]
async fn importing_a_policy_shows_its_sources_and_confirming_makes_a_draft() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/policy/import").await;
    let text = include_str!("../../../core/tests/fixtures/policies/aspatria.txt");
    let review = clerk
        .post_file(
            "/policy/import",
            "policy_file",
            "aspatria.txt",
            text.as_bytes(),
        )
        .await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(review.body.contains("Check what Custodian found"));
    assert!(review.body.contains("from clause 2.1.5"), "{}", review.body);
    assert!(
        review.body.contains("value=\"30\""),
        "idle lock of 30 minutes found"
    );
    // Nothing is saved until the Clerk confirms.
    assert!(app.store.versions(app.a.id).await.unwrap().is_empty());

    let fields = form_fields(&review.body, "/policy/import/confirm");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let confirmed = clerk.post_raw("/policy/import/confirm", &pairs).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let versions = app.store.versions(app.a.id).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].profile.device_idle_lock_minutes, 30);
    assert_eq!(
        versions[0].profile.negligence_liability,
        custodian_core::policy::NegligenceLiability::Fixed {
            amount_pence: 20_000
        }
    );
}

#[tokio::test]
async fn an_upload_that_is_not_a_policy_is_refused_and_saves_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/policy/import").await;
    for (name, bytes, expected) in [
        (
            "minutes.txt",
            b"Minutes of the meeting held on Tuesday.".as_slice(),
            "too few",
        ),
        ("scan.pdf", b"%PDF-1.7 binary".as_slice(), "This is a PDF"),
        (
            "policy.docx",
            b"PK\x03\x04 not really a zip".as_slice(),
            "Word",
        ),
    ] {
        let page = clerk
            .post_file("/policy/import", "policy_file", name, bytes)
            .await;
        assert_eq!(page.status, 200, "{name}");
        assert!(page.body.contains("There is a problem"), "{name}");
        assert!(page.body.contains(expected), "{name}: {}", page.body);
    }
    let without_token = clerk
        .post_file_without_csrf("/policy/import", "policy_file", "p.txt", b"text")
        .await;
    assert_eq!(without_token.status, 403);
    assert!(app.store.versions(app.a.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn lesser_roles_and_other_councils_cannot_touch_the_policy() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/policy").await.status, 200);
    assert_eq!(
        councillor
            .get(&format!("/policy/versions/{id}"))
            .await
            .status,
        200
    );
    for path in [
        format!("/policy/versions/{id}/questions/devices"),
        format!("/policy/versions/{id}/adopt"),
        "/policy/import".to_owned(),
        "/policy/declarations".to_owned(),
        format!("/policy/declarations/{id}/{}", app.a.clerk.id),
    ] {
        assert_eq!(councillor.get(&path).await.status, 403, "GET {path}");
    }
    for path in [
        "/policy/drafts".to_owned(),
        format!("/policy/versions/{id}/questions/devices"),
        format!("/policy/versions/{id}/adopt"),
        format!("/policy/versions/{id}/delete"),
    ] {
        assert_eq!(
            councillor
                .post(&path, &[("start_from", "model")])
                .await
                .status,
            403,
            "POST {path}"
        );
    }
    // The IT provider drafts but only the Clerk records an adoption.
    let mut provider = app.signed_in(&app.a.it_provider.email).await;
    assert_eq!(
        provider
            .get(&format!("/policy/versions/{id}/questions/devices"))
            .await
            .status,
        200
    );
    assert_eq!(
        provider
            .get(&format!("/policy/versions/{id}/adopt"))
            .await
            .status,
        403
    );
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    assert_eq!(auditor.get("/policy/declaration").await.status, 403);
    assert_eq!(auditor.get("/policy/declarations").await.status, 200);

    let mut other_clerk = app.signed_in(&app.b.clerk.email).await;
    for path in [
        format!("/policy/versions/{id}"),
        format!("/policy/versions/{id}/document"),
        format!("/policy/versions/{id}/policy.docx"),
        format!("/policy/versions/{id}/questions/devices"),
        format!("/policy/versions/{id}/adopt"),
        format!("/policy/compare?from={id}&to={id}"),
        format!("/policy/declarations/{id}/{}", app.a.clerk.id),
    ] {
        let page = other_clerk.get(&path).await;
        assert_eq!(page.status, 404, "GET {path}");
        assert!(
            !page.body.contains("Ashby"),
            "GET {path} leaked the other council"
        );
    }
    other_clerk.get("/policy").await;
    let adopt = other_clerk
        .post(
            &format!("/policy/versions/{id}/adopt"),
            &[
                ("day", "1"),
                ("month", "9"),
                ("year", "2026"),
                ("minute_reference", "X"),
            ],
        )
        .await;
    assert_eq!(adopt.status, 404);
    let delete = other_clerk
        .post(&format!("/policy/versions/{id}/delete"), &[])
        .await;
    assert_eq!(delete.status, 404);
    assert_eq!(app.store.versions(app.a.id).await.unwrap().len(), 1);
}
