//! Approvals through the pages: asking, deciding (the Clerk's own kinds, and the Council's with
//! its minute reference), telling the requester, withdrawing, expiry with the clock; who may do
//! what, across roles and councils; own devices sent to their own flow.

use crate::helpers::*;
use custodian_core::approval::{ApprovalId, ApprovalState};
use custodian_core::device::{DeviceKind, DeviceName, NewDevice, Platform, request_own_device};
use custodian_core::ids::DeviceId;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{ApprovalStore, DeviceStore, PersonStore, VaultStore};
use jiff::{SignedDuration, ToSpan};

/// `client` asks for approval of `kind` with `fields`; returns the new request's id.
async fn ask(client: &mut Client, kind: &str, fields: &[(&str, &str)]) -> ApprovalId {
    let form = client.get(&format!("/approvals/new/{kind}")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let page = client.post(&format!("/approvals/new/{kind}"), fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = page
        .location()
        .trim_start_matches("/approvals/")
        .trim_end_matches("?done=requested");
    ApprovalId::parse(id).unwrap()
}

/// The day `days` from the test clock's today, as a Clerk types it.
fn day_from_today(app: &TestApp, days: i64) -> String {
    let day = london_today(app.clock_now())
        .checked_add(days.days())
        .unwrap();
    day.strftime("%-d/%-m/%Y").to_string()
}

async fn decide(client: &mut Client, id: ApprovalId, fields: &[(&str, &str)]) -> Page {
    client.get(&format!("/approvals/{id}")).await;
    let mut all = vec![("revision", "0")];
    all.extend_from_slice(fields);
    client.post(&format!("/approvals/{id}/decide"), &all).await
}

async fn state_of(app: &TestApp, id: ApprovalId) -> ApprovalState {
    app.store
        .approval(app.a.id, id)
        .await
        .unwrap()
        .state(app.clock_now())
}

fn wifi() -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", "Hotel Wi-Fi at the SLCC conference"),
        ("cost", "12.50"),
    ]
}

#[tokio::test]
async fn a_request_approved_by_the_clerk_is_audited_and_the_requester_is_told() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let kinds = councillor.get("/approvals/new").await;
    assert_eq!(kinds.status, 200);
    // Each kind with its clause and who decides it under the (model) policy.
    assert!(kinds.body.contains("Paid Wi-Fi or mobile data while away"));
    assert!(kinds.body.contains("Clause 6.1.2. Decided by the Clerk."));
    assert!(kinds.body.contains("Clause 2.1.7. Decided by the Council"));
    let id = ask(&mut councillor, "paid_connectivity", &wifi()).await;
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let list = clerk.get("/approvals").await;
    assert!(
        list.body
            .contains("1 approval request is waiting for your decision")
    );
    assert!(list.body.contains("Hotel Wi-Fi at the SLCC conference"));
    let until = day_from_today(&app, 10);
    let decided = decide(
        &mut clerk,
        id,
        &[
            ("outcome", "approve"),
            ("note", "Keep the receipt"),
            ("expires_on", &until),
        ],
    )
    .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    assert!(matches!(
        state_of(&app, id).await,
        ApprovalState::Approved {
            expires_on: Some(_)
        }
    ));

    let messages = app
        .store
        .notifications(app.a.id, app.a.councillor.id)
        .await
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].message.contains("was approved, until"),
        "{}",
        messages[0].message
    );
    assert_eq!(
        messages[0].link.as_deref(),
        Some(format!("/approvals/{id}").as_str())
    );
    let home = councillor.get("/").await;
    assert!(
        home.body.contains("Hotel Wi-Fi at the SLCC conference"),
        "the home page shows the message"
    );
    let page = councillor.get(&format!("/approvals/{id}")).await;
    assert!(page.body.contains("Keep the receipt"));
    assert!(page.body.contains("Approved"));

    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"approval.requested".to_owned()));
    assert!(
        actions.ends_with(&["approval.decided".to_owned()]),
        "{actions:?}"
    );
    let audit = clerk.get("/audit?what=approval.").await;
    assert!(audit.body.contains("Approval request decided"));
    assert!(
        !audit.body.contains("Hotel Wi-Fi"),
        "nothing typed reaches the audit log"
    );
}

#[tokio::test]
async fn declining_needs_a_reason_which_the_requester_then_sees() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = ask(&mut councillor, "paid_connectivity", &wifi()).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let before = app.audit_actions(app.a.id).await.len();
    let refused = decide(&mut clerk, id, &[("outcome", "decline"), ("note", "  ")]).await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Say why the request is declined"));
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);
    assert_eq!(app.audit_actions(app.a.id).await.len(), before);

    let declined = decide(
        &mut clerk,
        id,
        &[
            ("outcome", "decline"),
            ("note", "The venue's Wi-Fi is free"),
        ],
    )
    .await;
    assert_eq!(declined.status, 303, "{}", declined.body);
    assert_eq!(state_of(&app, id).await, ApprovalState::Declined);
    let page = councillor.get(&format!("/approvals/{id}")).await;
    assert!(
        page.body.contains("The venue&#x27;s Wi-Fi is free")
            || page.body.contains("The venue&#39;s Wi-Fi is free"),
        "{}",
        page.body
    );
    // Decided once: a second decision from the old page is refused.
    let again = decide(&mut clerk, id, &[("outcome", "approve")]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("already decided"));
}

#[tokio::test]
async fn a_council_decision_needs_its_minute_reference_and_meeting_date() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = ask(
        &mut councillor,
        "recording_on_premises",
        &[("title", "Film the annual parish meeting")],
    )
    .await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get(&format!("/approvals/{id}")).await;
    assert!(page.body.contains("Record the Council's decision"));
    let refused = decide(&mut clerk, id, &[("outcome", "approve")]).await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("enter the minute reference"));
    assert!(refused.body.contains("Enter the date of the meeting"));
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);

    let yesterday = day_from_today(&app, -1);
    let done = decide(
        &mut clerk,
        id,
        &[
            ("outcome", "approve"),
            ("minute_reference", "Minute 24/113"),
            ("meeting_on", &yesterday),
            ("expires_on", ""),
        ],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = councillor.get(&format!("/approvals/{id}")).await;
    assert!(page.body.contains("Minute 24/113, at the meeting of"));
}

#[tokio::test]
async fn nobody_decides_their_own_request_and_the_chair_decides_the_clerks() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let buy = [("title", "Buy a laptop for the Clerk"), ("cost", "")];
    let form = clerk.get("/approvals/new/buy_equipment_or_software").await;
    assert!(form.body.contains("What will it cost?"));
    let refused = clerk
        .post("/approvals/new/buy_equipment_or_software", &buy)
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Enter what it will cost"));
    assert!(app.store.approvals(app.a.id).await.unwrap().is_empty());
    let id = ask(
        &mut clerk,
        "buy_equipment_or_software",
        &[("title", "Buy a laptop for the Clerk"), ("cost", "£649")],
    )
    .await;
    let own = clerk.get(&format!("/approvals/{id}")).await;
    assert!(
        !own.body.contains("/decide\""),
        "no decision form on one's own request"
    );
    assert!(own.body.contains("the Chair decides this one"));
    let refused = decide(&mut clerk, id, &[("outcome", "approve")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Nobody decides their own request"));
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);

    let mut chair = app.signed_in(&app.a.chair.email).await;
    let list = chair.get("/approvals").await;
    assert!(
        list.body
            .contains("1 approval request is waiting for your decision")
    );
    let approved = decide(&mut chair, id, &[("outcome", "approve")]).await;
    assert_eq!(approved.status, 303, "{}", approved.body);
}

#[tokio::test]
async fn another_councils_request_is_not_found() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = ask(&mut councillor, "install_software", &[("title", "Zoom")]).await;
    let mut other = app.signed_in(&app.b.clerk.email).await;
    assert_eq!(other.get(&format!("/approvals/{id}")).await.status, 404);
    other.get("/approvals").await;
    let decided = other
        .post(
            &format!("/approvals/{id}/decide"),
            &[("outcome", "approve"), ("revision", "0")],
        )
        .await;
    assert_eq!(decided.status, 404);
    let list = other.get("/approvals").await;
    assert!(!list.body.contains("Zoom"));
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);
}

#[tokio::test]
async fn a_councillor_cannot_decide_or_see_someone_elses_request() {
    let app = spawn_app().await;
    let mut provider = app.signed_in(&app.a.it_provider.email).await;
    let id = ask(
        &mut provider,
        "install_software",
        &[("title", "Remote support tool")],
    )
    .await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(
        councillor.get(&format!("/approvals/{id}")).await.status,
        403
    );
    let list = councillor.get("/approvals").await;
    assert_eq!(list.status, 200);
    assert!(
        !list.body.contains("Remote support tool"),
        "only their own requests"
    );
    let decided = councillor
        .post(
            &format!("/approvals/{id}/decide"),
            &[("outcome", "approve"), ("revision", "0")],
        )
        .await;
    assert_eq!(decided.status, 403);
    let withdrawn = councillor
        .post(&format!("/approvals/{id}/withdraw"), &[("revision", "0")])
        .await;
    assert_eq!(withdrawn.status, 403);
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);
}

#[tokio::test]
async fn the_auditor_sees_every_request_but_cannot_ask_or_decide() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = ask(
        &mut councillor,
        "external_link",
        &[("title", "Link to the allotment society")],
    )
    .await;
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let list = auditor.get("/approvals").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Link to the allotment society"));
    assert!(!list.body.contains("Ask for approval</a>"));
    let page = auditor.get(&format!("/approvals/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/decide\""));
    assert_eq!(auditor.get("/approvals/new").await.status, 403);
    assert_eq!(
        auditor.get("/approvals/new/install_software").await.status,
        403
    );
    let asked = auditor
        .post(
            "/approvals/new/install_software",
            &[("title", "Audit tool")],
        )
        .await;
    assert_eq!(asked.status, 403);
    let decided = auditor
        .post(
            &format!("/approvals/{id}/decide"),
            &[("outcome", "approve"), ("revision", "0")],
        )
        .await;
    assert_eq!(decided.status, 403);
    assert_eq!(app.store.approvals(app.a.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_approval_past_its_last_day_shows_as_expired() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let until = day_from_today(&app, 3);
    let mut fields = wifi();
    fields.push(("needed_until", &until));
    let id = ask(&mut councillor, "paid_connectivity", &fields).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    // The decision form offers the day asked for as the last day.
    let page = clerk.get(&format!("/approvals/{id}")).await;
    assert!(
        page.body.contains(&format!("value=\"{until}\"")),
        "{}",
        page.body
    );
    let expires_on = form_fields(&page.body, &format!("/approvals/{id}/decide"))
        .into_iter()
        .find(|(name, _)| name == "expires_on")
        .unwrap()
        .1;
    let decided = decide(
        &mut clerk,
        id,
        &[("outcome", "approve"), ("expires_on", &expires_on)],
    )
    .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    // Ending soon: on the requester's list (the home page's lines).
    let mine = councillor.get("/approvals").await;
    assert!(mine.body.contains("ends in 3 days"), "{}", mine.body);

    app.clock.advance(SignedDuration::from_hours(24 * 5));
    assert!(matches!(
        state_of(&app, id).await,
        ApprovalState::Expired { .. }
    ));
    // Sessions end when idle, so both sign in again five days on.
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = councillor.get(&format!("/approvals/{id}")).await;
    assert!(page.body.contains(">Expired<"), "{}", page.body);
    let expired = clerk.get("/approvals?state=expired").await;
    assert!(expired.body.contains("Hotel Wi-Fi at the SLCC conference"));
    let approved = clerk.get("/approvals?state=approved").await;
    assert!(!approved.body.contains("Hotel Wi-Fi at the SLCC conference"));
    let mine = councillor.get("/approvals").await;
    assert!(!mine.body.contains("ends in"));
}

#[tokio::test]
async fn the_requester_withdraws_a_waiting_request_and_it_cannot_then_be_decided() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = ask(
        &mut councillor,
        "social_media_contacts",
        &[("title", "Add the Facebook page")],
    )
    .await;
    let page = councillor.get(&format!("/approvals/{id}")).await;
    assert!(page.body.contains("Withdraw the request"));
    let withdrawn = councillor
        .post(&format!("/approvals/{id}/withdraw"), &[("revision", "0")])
        .await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    assert_eq!(state_of(&app, id).await, ApprovalState::Withdrawn);
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let refused = decide(&mut clerk, id, &[("outcome", "approve")]).await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("withdrawn"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(
        actions.contains(&"approval.withdrawn".to_owned()),
        "{actions:?}"
    );
    assert!(
        !actions.contains(&"approval.decided".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn own_devices_are_asked_for_by_registering_the_device_and_listed_beside_approvals() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let kinds = councillor.get("/approvals/new").await;
    assert!(kinds.body.contains("href=\"/devices/mine\""));
    let sent = councillor.get("/approvals/new/own_device").await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.location(), "/devices/mine");
    let posted = councillor
        .post("/approvals/new/own_device", &[("title", "My phone")])
        .await;
    assert_eq!(posted.location(), "/devices/mine");
    assert!(app.store.approvals(app.a.id).await.unwrap().is_empty());

    let person = app
        .store
        .person(app.a.id, app.a.councillor.id)
        .await
        .unwrap();
    let (phone, event) = request_own_device(
        app.a.id,
        DeviceId::generate(),
        &person,
        NewDevice {
            name: DeviceName::parse("Connie's Pixel").unwrap(),
            kind: DeviceKind::Phone,
            platform: Platform::Android,
            serial: None,
        },
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_device(&phone, &event).await.unwrap();
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let list = clerk.get("/approvals?kind=own_device").await;
    assert!(
        list.body
            .contains(&format!("href=\"/devices/{}\"", phone.id)),
        "{}",
        list.body
    );
    let other_kind = clerk.get("/approvals?kind=install_software").await;
    assert!(!other_kind.body.contains(&format!("/devices/{}", phone.id)));
}

#[tokio::test]
async fn bad_input_says_what_to_fix_and_saves_nothing() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/approvals/new/paid_connectivity").await;
    let long = "x".repeat(121);
    let refused = councillor
        .post(
            "/approvals/new/paid_connectivity",
            &[
                ("title", &long),
                ("cost", "lots"),
                ("needed_until", "31/2/2026"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("Keep the title to 120 characters"));
    assert!(refused.body.contains("Enter the cost in pounds and pence"));
    assert!(refused.body.contains("is not a real date"));
    assert!(app.store.approvals(app.a.id).await.unwrap().is_empty());
    assert_eq!(
        councillor.get("/approvals/new/no_such_kind").await.status,
        404
    );
    assert_eq!(councillor.get("/approvals/not-an-id").await.status, 404);

    let id = ask(&mut councillor, "paid_connectivity", &wifi()).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let past = day_from_today(&app, -1);
    let refused = decide(
        &mut clerk,
        id,
        &[("outcome", "approve"), ("expires_on", &past)],
    )
    .await;
    assert_eq!(refused.status, 200);
    assert!(
        refused
            .body
            .contains("cannot end before the day it is decided")
    );
    let refused = decide(&mut clerk, id, &[]).await;
    assert!(
        refused
            .body
            .contains("Choose whether to approve or decline")
    );
    assert_eq!(state_of(&app, id).await, ApprovalState::Pending);
}
