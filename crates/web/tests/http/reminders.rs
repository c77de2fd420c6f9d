//! The reminder schedule through the pages: the Clerk's `/reminders` holds the council's
//! schedule, a councillor only their own, another council nothing of it; the calendar feed is
//! an iCalendar file (read back with the `ical` crate, not the writer) holding the same
//! entries, at a secret address that is shown once, kept out of logs, and stops working when
//! revoked or replaced.

use crate::helpers::*;
use crate::policy::{adopt, start_draft, without_mfa_roles};
use custodian_core::ports::PersonStore;
use jiff::SignedDuration;

/// The Clerk adopts the model policy (on 14 September 2026) and stores a website password to
/// change every 30 days; then 400 days pass, so the review (due 14 September 2027), the
/// password change and everyone's signature are overdue.
async fn a_year_on(app: &TestApp) {
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;
    without_mfa_roles(&mut clerk, &id).await;
    assert_eq!(adopt(&mut clerk, &id, "COU/1/26").await.status, 303);
    clerk.get("/vault/new").await;
    let page = clerk
        .post(
            "/vault/new",
            &[
                ("name", "Parish website hosting"),
                ("kind", "website_admin"),
                ("tier", "ordinary"),
                ("username", "parish"),
                ("password", "kettle-orbit-lantern-meadow"),
                ("rotation_days", "30"),
                ("roles", "clerk"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.clock.advance(SignedDuration::from_hours(24 * 400));
}

async fn name_of(app: &TestApp, member: &Member) -> String {
    app.store
        .person(app.a.id, member.id)
        .await
        .unwrap()
        .name
        .to_string()
}

fn feed_path(body: &str) -> String {
    let at = body
        .find("/calendar/")
        .expect("the feed's address is shown");
    let path = &body[at..at + "/calendar/".len() + 64 + ".ics".len()];
    assert!(path.ends_with(".ics"), "{path}");
    path.to_owned()
}

/// The events of an iCalendar file, as (UID, SUMMARY, DTSTART) read by the `ical` parser.
fn events(text: &str) -> Vec<(String, String, String)> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none());
    calendar
        .events
        .iter()
        .map(|event| {
            let value = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_else(|| panic!("{name} missing"))
            };
            (value("UID"), value("SUMMARY"), value("DTSTART"))
        })
        .collect()
}

#[tokio::test]
async fn the_clerk_sees_the_councils_schedule_a_councillor_their_own_and_another_council_none() {
    let app = spawn_app().await;
    a_year_on(&app).await;
    let councillor_name = name_of(&app, &app.a.councillor).await;
    let chair_name = name_of(&app, &app.a.chair).await;

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/reminders").await;
    assert_eq!(page.status, 200);
    let body = page.body.replace("&#x27;", "'").replace("&#39;", "'");
    for expected in [
        "Parish website hosting",
        "Change the password (scheduled change)",
        "Review the IT policy (adopted 14 September 2026, minute COU/1/26)",
        "Read the IT policy and sign its declaration",
        &councillor_name,
        "Overdue",
    ] {
        assert!(body.contains(expected), "{expected} missing:\n{body}");
    }
    assert!(!body.contains("kettle-orbit"), "no secret on the page");

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let own = councillor.get("/reminders").await.body;
    assert!(
        own.contains("Read the IT policy and sign its declaration"),
        "{own}"
    );
    assert!(own.contains("For you."));
    assert!(!own.contains("Parish website hosting"), "{own}");
    assert!(!own.contains("Review the IT policy"));
    assert!(
        !own.contains(&chair_name),
        "another person's signature is not theirs"
    );

    let mut other_clerk = app.signed_in(&app.b.clerk.email).await;
    let other = other_clerk.get("/reminders").await.body;
    assert!(!other.contains("Parish website hosting"));
    assert!(!other.contains(&councillor_name));
}

#[tokio::test]
async fn the_calendar_feed_holds_the_same_entries_and_stops_when_revoked_or_replaced() {
    let app = spawn_app().await;
    a_year_on(&app).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let list = clerk.get("/reminders").await.body;
    let rows = list.matches("<tr class=\"govuk-table__row\">").count() - 1;

    assert!(
        clerk
            .get("/account/calendar")
            .await
            .body
            .contains("You have no calendar feed")
    );
    let made = clerk.post("/account/calendar", &[]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let path = feed_path(&made.body);
    assert!(made.body.contains(&format!("{}{path}", app.address)));

    // No session: a calendar app cannot sign in.
    let mut calendar_app = app.client();
    let feed = calendar_app.get(&path).await;
    assert_eq!(feed.status, 200);
    assert_eq!(feed.headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(feed.headers["cache-control"], "private, no-store");
    assert!(feed.headers.get("set-cookie").is_none());
    let found = events(&feed.body);
    assert_eq!(
        found.len(),
        rows,
        "the feed and the page list the same entries"
    );
    let hosting = found
        .iter()
        .find(|(_, summary, _)| summary.contains("Parish website hosting"))
        .expect("the password change is in the feed");
    assert!(hosting.0.starts_with(&app.a.id.to_string()), "{hosting:?}");
    assert!(
        found
            .iter()
            .any(|(_, s, _)| s.contains("Review the IT policy"))
    );
    assert!(
        found.iter().any(|(_, _, start)| start == "20270914"),
        "the review's day"
    );
    assert!(!feed.body.contains("kettle-orbit"));
    // The same entries keep the same UIDs from one fetch to the next.
    assert_eq!(events(&calendar_app.get(&path).await.body), found);

    // The address is shown once, never again, and never logged.
    let token = path
        .trim_start_matches("/calendar/")
        .trim_end_matches(".ics");
    let later = clerk.get("/account/calendar").await.body;
    assert!(later.contains("You have a calendar feed"));
    assert!(!later.contains(token));
    assert!(!clerk.get("/reminders").await.body.contains(token));
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(!logs.contains(token), "the feed's token is in the logs");

    // A new address replaces the old one.
    let remade = clerk.post("/account/calendar", &[]).await;
    let new_path = feed_path(&remade.body);
    assert_ne!(new_path, path);
    assert_eq!(calendar_app.get(&path).await.status, 404);
    assert_eq!(calendar_app.get(&new_path).await.status, 200);

    // Revoked: a plain 404, like an address that never existed.
    let revoked = clerk.post("/account/calendar/revoke", &[]).await;
    assert_eq!(revoked.status, 200);
    assert!(revoked.body.contains("Its address no longer works"));
    assert_eq!(calendar_app.get(&new_path).await.status, 404);
    let unknown = format!("/calendar/{}.ics", "ab".repeat(32));
    assert_eq!(calendar_app.get(&unknown).await.status, 404);
    assert_eq!(
        calendar_app.get("/calendar/not-a-token.ics").await.status,
        404
    );

    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "calendar.feed_created")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "calendar.feed_revoked")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_councillors_feed_holds_only_their_own_entries_and_ends_when_they_leave() {
    let app = spawn_app().await;
    a_year_on(&app).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/account/calendar").await;
    let made = councillor.post("/account/calendar", &[]).await;
    assert_eq!(made.status, 200, "{}", made.body);
    let path = feed_path(&made.body);
    let mut calendar_app = app.client();
    let found = events(&calendar_app.get(&path).await.body);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .1
            .contains("Read the IT policy and sign its declaration")
    );

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get(&format!("/people/{}", app.a.councillor.id)).await;
    let left = clerk
        .post(
            &format!("/people/{}/leave", app.a.councillor.id),
            &[("leave_date", "")],
        )
        .await;
    assert_eq!(left.status, 303, "{}", left.body);
    assert_eq!(calendar_app.get(&path).await.status, 404);
}
