//! Health and safety through the pages: marking display screen users, recording assessments
//! and eye-test offers (never one's own: the Chair records the Clerk's), the person answering
//! their offer, workstation requests and hazard reports, who sees what, and bad input refused
//! with nothing saved.

use crate::helpers::*;
use custodian_core::health::{DseRules, Due, HealthRecords};
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::{AuditLog, AuditQuery, HealthStore, PersonStore};
use jiff::civil::Date;

async fn records(app: &TestApp) -> HealthRecords {
    app.store.health_records(app.a.id).await.unwrap()
}

/// Today in England on the test clock.
fn today(app: &TestApp) -> Date {
    jiff::tz::TimeZone::get("Europe/London")
        .unwrap()
        .to_datetime(app.clock_now())
        .date()
}

fn day_text(date: Date) -> String {
    format!("{}/{}/{}", date.day(), date.month(), date.year())
}

/// Every audit entry's details of council A, as one text.
async fn audit_details(app: &TestApp) -> String {
    let query = AuditQuery {
        limit: 10_000,
        ..AuditQuery::default()
    };
    app.store
        .entries(app.a.id, &query)
        .await
        .unwrap()
        .iter()
        .map(|e| e.details.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn open(client: &mut Client, path: &str) -> Page {
    let page = client.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    page
}

#[tokio::test]
async fn the_clerk_marks_a_display_screen_user_records_their_assessment_and_they_answer_the_eye_test_offer()
 {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let cllr = app.a.councillor.id;
    let person_page = format!("/health-and-safety/people/{cllr}");

    // Councillors are not display screen users until the Clerk says so.
    let overview = open(&mut clerk, "/health-and-safety").await;
    assert!(overview.body.contains("Clara Clerk"), "the Clerk is a user");
    open(&mut clerk, &person_page).await;
    let marked = clerk
        .post(&format!("{person_page}/dse-user"), &[("dse_user", "yes")])
        .await;
    assert_eq!(marked.status, 303, "{}", marked.body);
    let overview = open(&mut clerk, "/health-and-safety").await;
    assert!(overview.body.contains("Connie Councillor"));

    let today = today(&app);
    let recorded = clerk
        .post(
            &format!("{person_page}/assessments"),
            &[
                ("assessed_on", &day_text(today)),
                ("assessor", "outside"),
                ("assessor_name", "Wellbeing Assessors Ltd"),
                ("outcome", "changes_needed"),
                ("actions", "Footrest and a monitor riser for Connie's back"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let offered = clerk
        .post(
            &format!("{person_page}/eye-tests"),
            &[("offered_on", &day_text(today))],
        )
        .await;
    assert_eq!(offered.status, 303, "{}", offered.body);

    let stored = records(&app).await;
    let rules = DseRules::from_profile(&PolicyProfile::model_defaults());
    let person = app
        .store
        .people(app.a.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id == cllr)
        .unwrap();
    let status = stored.status(&person, &rules, today);
    // The model policy promises eye tests, not a yearly assessment: the first one is done.
    assert_eq!(status.assessment, Due::Ok { next: None });
    assert!(status.offer_awaiting_answer().is_some());
    let page = open(&mut clerk, &person_page).await;
    assert!(page.body.contains("Footrest and a monitor riser"));

    // Connie answers on her own page.
    let mut connie = app.signed_in(&app.a.councillor.email).await;
    let mine = open(&mut connie, "/health-and-safety/mine").await;
    let offer = stored.offers[0].id;
    assert!(
        mine.body
            .contains(&format!("/health-and-safety/eye-tests/{offer}/answer"))
    );
    let answered = connie
        .post(
            &format!("/health-and-safety/eye-tests/{offer}/answer"),
            &[("answer", "taken_up"), ("test_date", &day_text(today))],
        )
        .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    assert_eq!(answered.location(), "/health-and-safety/mine?done=answered");
    let stored = records(&app).await;
    assert!(!stored.offers[0].awaits_answer());

    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "dse.user_set",
        "dse.assessed",
        "eye_test.offered",
        "eye_test.recorded",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    let details = audit_details(&app).await;
    assert!(!details.contains("Footrest"), "{details}");
    assert!(!details.contains("Wellbeing"), "{details}");
}

#[tokio::test]
async fn the_chair_records_the_clerks_assessment_and_the_clerk_cannot_record_their_own() {
    let app = spawn_app().await;
    let clerk_page = format!("/health-and-safety/people/{}", app.a.clerk.id);
    let today = day_text(today(&app));
    let fields = [
        ("assessed_on", today.as_str()),
        ("assessor", "council"),
        ("assessor_person", &app.a.chair.id.to_string()),
        ("outcome", "no_changes_needed"),
    ];

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    open(&mut clerk, &clerk_page).await;
    let own = clerk
        .post(&format!("{clerk_page}/assessments"), &fields)
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("Nobody records their own"));
    let own = clerk
        .post(
            &format!("{clerk_page}/eye-tests"),
            &[("offered_on", &today)],
        )
        .await;
    assert_eq!(own.status, 403);
    let stored = records(&app).await;
    assert!(stored.assessments.is_empty() && stored.offers.is_empty());

    let mut chair = app.signed_in(&app.a.chair.email).await;
    open(&mut chair, &clerk_page).await;
    let done = chair
        .post(&format!("{clerk_page}/assessments"), &fields)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let stored = records(&app).await;
    assert_eq!(stored.assessments.len(), 1);
    assert_eq!(stored.assessments[0].recorded_by, app.a.chair.id);
    assert_eq!(stored.assessments[0].person_id, app.a.clerk.id);
}

#[tokio::test]
async fn the_clerks_own_workstation_request_is_resolved_by_the_chair_not_the_clerk() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    open(&mut clerk, "/health-and-safety/mine").await;
    let asked = clerk
        .post(
            "/health-and-safety/workstation-requests",
            &[("problem", "The desk is too high for my chair")],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let id = records(&app).await.requests[0].id;
    let path = format!("/health-and-safety/workstation-requests/{id}");
    let page = open(&mut clerk, &path).await;
    assert!(page.body.contains("This is your own request"));
    let refused = clerk
        .post(&path, &[("outcome", "done"), ("text", "Lowered it")])
        .await;
    assert_eq!(refused.status, 403);

    let mut chair = app.signed_in(&app.a.chair.email).await;
    open(&mut chair, &path).await;
    let missing = chair
        .post(&path, &[("outcome", "done"), ("text", " ")])
        .await;
    assert_eq!(missing.status, 200);
    assert!(missing.body.contains("Say what was done"));
    assert!(records(&app).await.requests[0].resolution.is_open());
    let done = chair
        .post(
            &path,
            &[("outcome", "done"), ("text", "Desk legs shortened")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let again = chair
        .post(&path, &[("outcome", "declined"), ("text", "No")])
        .await;
    assert_eq!(again.status, 409);
    let mine = open(&mut clerk, "/health-and-safety/mine").await;
    assert!(mine.body.contains("Desk legs shortened"));
}

#[tokio::test]
async fn a_councillor_reports_a_hazard_and_sees_only_their_own() {
    let app = spawn_app().await;
    let mut connie = app.signed_in(&app.a.councillor.email).await;
    let mut ivan = app.signed_in(&app.a.it_provider.email).await;
    open(&mut connie, "/health-and-safety/mine").await;
    open(&mut ivan, "/health-and-safety/mine").await;
    let reported = connie
        .post(
            "/health-and-safety/hazards",
            &[
                ("place", "Parish office, by the printer"),
                ("description", "Trailing extension cable across the doorway"),
            ],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let other = ivan
        .post(
            "/health-and-safety/hazards",
            &[
                ("place", "Server cupboard"),
                ("description", "Loose floor tile"),
            ],
        )
        .await;
    assert_eq!(other.status, 303);

    let mine = open(&mut connie, "/health-and-safety/mine").await;
    assert!(mine.body.contains("Trailing extension cable"));
    assert!(!mine.body.contains("Loose floor tile"));
    assert_eq!(connie.get("/health-and-safety").await.status, 403);
    let hazard = records(&app)
        .await
        .hazards
        .into_iter()
        .find(|h| h.reported_by == app.a.councillor.id)
        .unwrap();
    let path = format!("/health-and-safety/hazards/{}", hazard.id);
    assert_eq!(connie.get(&path).await.status, 403);
    let details = audit_details(&app).await;
    assert!(!details.contains("cable") && !details.contains("printer"));

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let overview = open(&mut clerk, "/health-and-safety").await;
    assert!(overview.body.contains("Trailing extension cable"));
    assert!(overview.body.contains("Loose floor tile"));
    let safe = clerk
        .post(&path, &[("outcome", "done"), ("text", "Cable re-routed")])
        .await;
    assert_eq!(safe.status, 303, "{}", safe.body);
    let mine = open(&mut connie, "/health-and-safety/mine").await;
    assert!(mine.body.contains("Made safe") && mine.body.contains("Cable re-routed"));
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.iter().any(|a| a == "hazard.resolved"));
}

#[tokio::test]
async fn another_councils_records_are_not_found() {
    let app = spawn_app().await;
    let mut connie = app.signed_in(&app.a.councillor.email).await;
    open(&mut connie, "/health-and-safety/mine").await;
    connie
        .post(
            "/health-and-safety/hazards",
            &[("place", "Hall"), ("description", "Wet floor")],
        )
        .await;
    connie
        .post(
            "/health-and-safety/workstation-requests",
            &[("problem", "Glare on the screen")],
        )
        .await;
    let stored = records(&app).await;
    let hazard = format!("/health-and-safety/hazards/{}", stored.hazards[0].id);
    let request = format!(
        "/health-and-safety/workstation-requests/{}",
        stored.requests[0].id
    );
    let person = format!("/health-and-safety/people/{}", app.a.councillor.id);

    let mut other = app.signed_in(&app.b.clerk.email).await;
    open(&mut other, "/health-and-safety").await;
    for path in [&hazard, &request, &person] {
        assert_eq!(other.get(path).await.status, 404, "{path}");
    }
    let fields = [("outcome", "declined"), ("text", "Not ours")];
    assert_eq!(other.post(&hazard, &fields).await.status, 404);
    assert_eq!(other.post(&request, &fields).await.status, 404);
    let offered = other
        .post(
            &format!("{person}/eye-tests"),
            &[("offered_on", "1/1/2026")],
        )
        .await;
    assert_eq!(offered.status, 404);
    let stored = records(&app).await;
    assert!(stored.hazards[0].resolution.is_open() && stored.offers.is_empty());
}

#[tokio::test]
async fn lesser_roles_are_refused() {
    let app = spawn_app().await;
    let person = format!("/health-and-safety/people/{}", app.a.councillor.id);
    let mut ivan = app.signed_in(&app.a.it_provider.email).await;
    open(&mut ivan, "/health-and-safety/mine").await;
    assert_eq!(ivan.get("/health-and-safety").await.status, 403);
    assert_eq!(ivan.get(&person).await.status, 403);

    let mut audrey = app.signed_in(&app.a.auditor.email).await;
    open(&mut audrey, "/health-and-safety").await;
    open(&mut audrey, &person).await;
    let hazard = audrey
        .post(
            "/health-and-safety/hazards",
            &[("place", "Hall"), ("description", "Wet floor")],
        )
        .await;
    assert_eq!(hazard.status, 403);
    let offer = audrey
        .post(
            &format!("{person}/eye-tests"),
            &[("offered_on", "1/1/2026")],
        )
        .await;
    assert_eq!(offer.status, 403);

    let mut connie = app.signed_in(&app.a.councillor.email).await;
    open(&mut connie, "/health-and-safety/mine").await;
    let marked = connie
        .post(&format!("{person}/dse-user"), &[("dse_user", "yes")])
        .await;
    assert_eq!(marked.status, 403);
    let stored = records(&app).await;
    assert!(stored.hazards.is_empty() && stored.offers.is_empty() && stored.marks.is_empty());
}

#[tokio::test]
async fn bad_dates_are_refused_with_a_clear_message_and_nothing_saved() {
    let app = spawn_app().await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let person = format!("/health-and-safety/people/{}", app.a.clerk.id);
    open(&mut chair, &person).await;
    let tomorrow = day_text(today(&app).tomorrow().unwrap());
    for (date, expected) in [
        ("31/2/2026", "is not a date Custodian can read"),
        (tomorrow.as_str(), "cannot be in the future"),
        ("", "Enter the date of the assessment"),
        ("1/4/26", "is not a date Custodian can read"),
    ] {
        let page = chair
            .post(
                &format!("{person}/assessments"),
                &[
                    ("assessed_on", date),
                    ("assessor", "outside"),
                    ("assessor_name", "A. Adviser"),
                    ("outcome", "no_changes_needed"),
                ],
            )
            .await;
        assert_eq!(page.status, 200, "{date}");
        assert!(page.body.contains(expected), "{date}: {}", page.body);
        assert!(page.body.contains("A. Adviser"), "what was typed is kept");
    }
    let page = chair
        .post(
            &format!("{person}/eye-tests"),
            &[("offered_on", "next week")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("14/3/2026"), "says how to write it");

    // A test date before the offer is refused too.
    let offered = chair
        .post(
            &format!("{person}/eye-tests"),
            &[("offered_on", &day_text(today(&app)))],
        )
        .await;
    assert_eq!(offered.status, 303);
    let offer = records(&app).await.offers[0].id;
    let page = chair
        .post(
            &format!("/health-and-safety/eye-tests/{offer}/answer"),
            &[("answer", "taken_up"), ("test_date", "1/1/2020")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("before the day the test was offered"));

    let stored = records(&app).await;
    assert!(stored.assessments.is_empty());
    assert!(stored.offers[0].awaits_answer() && stored.offers[0].revision == 0);
    let actions = app.audit_actions(app.a.id).await;
    assert!(
        !actions
            .iter()
            .any(|a| a == "dse.assessed" || a == "eye_test.recorded")
    );
}
