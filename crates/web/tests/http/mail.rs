//! Email through the pages and a real SMTP conversation: settings checked and saved (the
//! password sealed, never shown), an incident's alert reaching the Clerk's inbox in the test's
//! own SMTP sink, a server that refuses connections recorded, shown to the Clerk and retried
//! later, duplicates refused by their key, a locked vault holding mail, and who may do what.

use crate::helpers::*;
use crate::smtp_sink::SmtpSink;
use custodian_core::mail::{MailId, MailKind, MailStatus, NewMail, OutgoingMail};
use custodian_core::person::Email;
use custodian_core::ports::{IncidentStore, MailStore};
use custodian_web::mail::{Mailer, SendReport, enqueue};
use jiff::SignedDuration;
use sqlx::Row;

const SMTP_PASSWORD: &str = "smtp-kettle-orbit-9931";

/// The Clerk's settings form pointed at `port` on this computer, without encryption.
fn settings(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("enabled", "on".to_owned()),
        ("host", "127.0.0.1".to_owned()),
        ("port", port.to_string()),
        ("security", "none".to_owned()),
        ("username", String::new()),
        ("from_address", "clerk@ashby.example".to_owned()),
        ("from_name", "Ashby Parish Council".to_owned()),
        ("digest_hour", "7".to_owned()),
    ]
}

async fn save(clerk: &mut Client, fields: &[(&'static str, String)]) -> Page {
    clerk.get("/settings/email").await;
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    clerk.post("/settings/email", &fields).await
}

fn mailer(app: &TestApp) -> Mailer {
    Mailer::new(app.store.clone(), None, "custodian.test")
}

/// A port nothing listens on: bound, then let go.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_reported_incident_reaches_the_clerks_inbox_with_its_kind_and_link() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let saved = save(&mut clerk, &settings(sink.port)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/incidents/new").await;
    let summary = "Nadia Example's phone with the allotment list was stolen";
    let reported = councillor
        .post(
            "/incidents/new",
            &[("kind", "lost_or_stolen_device"), ("summary", summary)],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let id = app.store.incidents(app.a.id).await.unwrap()[0].id;

    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let to_clerk = sink.to(&app.a.clerk.email);
    assert_eq!(to_clerk.len(), 1);
    let mail = &to_clerk[0];
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Incident reported: Lost or stolen device"
    );
    assert_eq!(mail.from, "clerk@ashby.example");
    let body = mail.body();
    assert!(
        body.contains(&format!("{}/incidents/{id}", app.address)),
        "{body}"
    );
    assert!(!body.contains("Nadia"), "the summary stays out of email");
    // The Chair may manage incidents too; the councillor who reported it is not mailed.
    assert_eq!(sink.to(&app.a.chair.email).len(), 1);
    assert!(sink.to(&app.a.councillor.email).is_empty());

    // The outbox says it went.
    let outbox = app.store.mail_outbox(app.a.id, 20).await.unwrap();
    assert!(outbox.iter().all(|q| q.status() == MailStatus::Sent));
}

#[tokio::test]
async fn a_breach_alert_states_the_72_hour_deadline() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    save(&mut clerk, &settings(sink.port)).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/incidents/new").await;
    councillor
        .post(
            "/incidents/new",
            &[
                ("kind", "personal_data_breach"),
                ("summary", "Sent the list to the wrong group"),
            ],
        )
        .await;
    mailer(&app).send_due(app.clock_now()).await.unwrap();
    let mail = &sink.to(&app.a.clerk.email)[0];
    assert!(mail.header("Subject").unwrap().contains("72-hour"));
    assert!(mail.body().contains("within 72 hours"), "{}", mail.body());
}

#[tokio::test]
async fn a_refused_connection_is_recorded_shown_to_the_clerk_and_retried_later() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    save(&mut clerk, &settings(closed_port().await)).await;
    let page = clerk.post("/settings/email/test", &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);

    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(
        report,
        SendReport {
            failed: 1,
            ..SendReport::default()
        }
    );
    let outbox = app.store.mail_outbox(app.a.id, 20).await.unwrap();
    let failed = &outbox[0];
    assert_eq!(failed.status(), MailStatus::Retrying);
    assert_eq!(failed.attempts, 1);
    let error = failed.last_error.clone().unwrap();
    assert!(
        error.contains("Could not send through 127.0.0.1"),
        "{error}"
    );
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert_eq!(
        failed.next_attempt_at,
        Some(app.clock_now() + SignedDuration::from_mins(1))
    );

    // The Clerk sees it, with the error and a way to try again.
    let page = clerk.get("/settings/email").await;
    assert!(page.body.contains("Will try again"), "{}", page.body);
    assert!(page.body.contains("Could not send through 127.0.0.1"));
    assert!(page.body.contains("Try again now"));

    // Nothing is due before the minute is up.
    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(report, SendReport::default());

    // The server comes back; a minute later the retry goes through.
    let sink = SmtpSink::start().await;
    save(&mut clerk, &settings(sink.port)).await;
    app.clock.advance(SignedDuration::from_mins(2));
    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let mail = &sink.to(&app.a.clerk.email)[0];
    assert_eq!(mail.header("Subject").unwrap(), "Custodian test message");
    let outbox = app.store.mail_outbox(app.a.id, 20).await.unwrap();
    assert_eq!(outbox[0].status(), MailStatus::Sent);
    assert_eq!(outbox[0].attempts, 2);
}

#[tokio::test]
async fn a_message_given_up_is_audited_and_can_be_tried_again_by_hand() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    save(&mut clerk, &settings(closed_port().await)).await;
    clerk.post("/settings/email/test", &[]).await;
    let mut given_up = 0;
    for _ in 0..custodian_core::mail::MAX_ATTEMPTS {
        given_up += mailer(&app)
            .send_due(app.clock_now())
            .await
            .unwrap()
            .given_up;
        app.clock.advance(SignedDuration::from_hours(7));
    }
    assert_eq!(given_up, 1);
    let outbox = app.store.mail_outbox(app.a.id, 20).await.unwrap();
    assert_eq!(outbox[0].status(), MailStatus::GivenUp);
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"mail.given_up".to_owned())
    );
    // Days have passed on the test clock: the Clerk signs in again.
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let page = clerk.get("/settings/email").await;
    assert!(page.body.contains("Given up"), "{}", page.body);

    let id = outbox[0].mail.id.to_string();
    let retried = clerk
        .post(&format!("/settings/email/{id}/retry"), &[])
        .await;
    assert_eq!(retried.status, 303, "{}", retried.body);
    let outbox = app.store.mail_outbox(app.a.id, 20).await.unwrap();
    assert_eq!(outbox[0].attempts, 0);
    assert_eq!(outbox[0].next_attempt_at, Some(app.clock_now()));
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"mail.retried".to_owned())
    );

    // Another council's Clerk cannot touch it.
    let mut other = app.signed_in(&app.b.clerk.email).await;
    other.get("/settings/email").await;
    let page = other
        .post(&format!("/settings/email/{id}/retry"), &[])
        .await;
    assert_eq!(page.status, 404);
}

#[tokio::test]
async fn the_same_dedupe_key_is_never_queued_twice() {
    let app = spawn_app().await;
    let address = Email::parse(&app.a.clerk.email).unwrap();
    let mail = |key: &str| {
        OutgoingMail::new(
            MailId::generate(),
            NewMail {
                council_id: app.a.id,
                recipient: app.a.clerk.id,
                address: &address,
                subject: "Your digest",
                body: "Nothing due today.",
                kind: MailKind::Digest,
                dedupe_key: key.to_owned(),
            },
            app.clock_now(),
        )
        .unwrap()
    };
    let key = format!("digest:{}:2026-09-21", app.a.clerk.id);
    assert_eq!(enqueue(&app.store, &[mail(&key)]).await.unwrap(), 1);
    assert_eq!(enqueue(&app.store, &[mail(&key)]).await.unwrap(), 0);
    assert_eq!(app.store.mail_outbox(app.a.id, 20).await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_settings_are_refused_field_by_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut fields = settings(25);
    fields[1].1 = "smtp example".to_owned();
    fields[2].1 = "70000".to_owned();
    fields[5].1 = "clerk-at-ashby".to_owned();
    let page = save(&mut clerk, &fields).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("can only hold letters, digits, dots and hyphens")
    );
    assert!(page.body.contains("from 1 to 65535"));
    assert!(
        page.body
            .contains("Enter the From address as an email address")
    );
    assert!(app.store.mail_settings(app.a.id).await.unwrap().is_none());

    // No encryption to a server elsewhere is refused, with the reason.
    let mut fields = settings(25);
    fields[1].1 = "smtp.example.org".to_owned();
    let page = save(&mut clerk, &fields).await;
    assert!(
        page.body
            .contains("only allowed to a server on this computer")
    );
    assert!(app.store.mail_settings(app.a.id).await.unwrap().is_none());
}

#[tokio::test]
async fn the_smtp_password_is_sealed_and_never_shown() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut fields = settings(2525);
    fields[4].1 = "clerk".to_owned();
    fields.push(("password", SMTP_PASSWORD.to_owned()));
    let page = save(&mut clerk, &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = clerk.get("/settings/email").await;
    assert!(page.body.contains("A password is saved"));
    assert!(!page.body.contains(SMTP_PASSWORD));

    // A failed save shows the form again without the typed password.
    fields[2].1 = "0".to_owned();
    let page = save(&mut clerk, &fields).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(SMTP_PASSWORD));

    // The stored row holds it only sealed, and the audit entry not at all.
    let row = sqlx::query("SELECT password_sealed FROM mail_settings")
        .fetch_one(app.store.write_pool())
        .await
        .unwrap();
    let sealed: String = row.try_get("password_sealed").unwrap();
    assert!(sealed.starts_with("v1:"));
    assert!(!sealed.contains(SMTP_PASSWORD));
    let audit = sqlx::query("SELECT details FROM audit_log")
        .fetch_all(app.store.write_pool())
        .await
        .unwrap();
    for row in audit {
        let details: String = row.try_get("details").unwrap();
        assert!(!details.contains(SMTP_PASSWORD));
    }
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"mail.settings_changed".to_owned())
    );

    // Saving again without typing one keeps it.
    fields[2].1 = "2525".to_owned();
    fields.pop();
    save(&mut clerk, &fields).await;
    let settings = app.store.mail_settings(app.a.id).await.unwrap().unwrap();
    assert_eq!(settings.password_sealed.as_deref(), Some(sealed.as_str()));
}

#[tokio::test]
async fn with_the_vault_locked_a_password_cannot_be_saved_and_mail_waits_with_the_reason() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let mut fields = settings(2525);
    fields[4].1 = "clerk".to_owned();
    fields.push(("password", SMTP_PASSWORD.to_owned()));
    save(&mut clerk, &fields).await;
    clerk.post("/settings/email/test", &[]).await;

    // The mailer here has no vault key: the message waits, without counting a try.
    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(report.held, 1, "{report:?}");
    let queued = &app.store.mail_outbox(app.a.id, 20).await.unwrap()[0];
    assert_eq!(queued.attempts, 0);
    assert!(
        queued
            .last_error
            .as_deref()
            .unwrap()
            .contains("vault is locked")
    );

    let mut locked = app.signed_in_locked(&app.a.clerk.email).await;
    let page = save(&mut locked, &fields).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("The vault is locked, so a password cannot be saved now")
    );
}

#[tokio::test]
async fn councillors_may_not_see_or_change_email_settings() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get("/settings/email").await.status, 403);
    councillor.get("/").await;
    let fields: Vec<(&str, String)> = settings(25);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        councillor.post("/settings/email", &fields).await.status,
        403
    );
    assert_eq!(
        councillor.post("/settings/email/test", &[]).await.status,
        403
    );
    assert!(app.store.mail_settings(app.a.id).await.unwrap().is_none());
}

#[tokio::test]
async fn opening_emergency_access_mails_the_clerk_without_the_reason() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    save(&mut clerk, &settings(sink.port)).await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    chair.get("/vault/emergency").await;
    let reason = "Nadia is in hospital and the website is wrong";
    let page = chair
        .post("/vault/emergency/open", &[("reason", reason)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    mailer(&app).send_due(app.clock_now()).await.unwrap();
    let to_clerk = sink.to(&app.a.clerk.email);
    assert_eq!(to_clerk.len(), 1, "{:?}", sink.received());
    let mail = &to_clerk[0];
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Emergency access to the sealed passwords was opened"
    );
    let body = mail.body();
    assert!(
        body.contains("Charles Chair opened emergency access"),
        "{body}"
    );
    assert!(body.contains(&format!("{}/vault/emergency", app.address)));
    assert!(!body.contains("Nadia"), "the reason stays out of email");
    assert!(
        sink.to(&app.a.chair.email).is_empty(),
        "the opener is not mailed"
    );
}

#[tokio::test]
async fn a_decided_approval_is_mailed_to_the_person_who_asked() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let saved = save(&mut clerk, &settings(sink.port)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    councillor.get("/approvals/new/install_software").await;
    let asked = councillor
        .post(
            "/approvals/new/install_software",
            &[("title", "Install the allotments booking app")],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let request = asked
        .location()
        .trim_end_matches("?done=requested")
        .to_owned();
    clerk.get(&request).await;
    let decided = clerk
        .post(
            &format!("{request}/decide"),
            &[
                ("revision", "0"),
                ("outcome", "decline"),
                ("note", "Use the council's booking site instead."),
            ],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);

    let report = mailer(&app).send_due(app.clock_now()).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let inbox = sink.to(&app.a.councillor.email);
    assert_eq!(inbox.len(), 1, "the requester got no email");
    assert_eq!(
        inbox[0].header("Subject").unwrap(),
        "Your request was declined"
    );
    let body = inbox[0].body();
    assert!(
        body.contains("Install the allotments booking app"),
        "{body}"
    );
    assert!(body.contains("clause 1.1.9"), "{body}");
    assert!(
        body.contains(&format!("{}{request}", app.address)),
        "{body}"
    );
    // The reason stays on the page, behind sign-in.
    assert!(!body.contains("booking site instead"), "{body}");
}

/// `app`'s day at `hour`:00 in London.
fn london_hour(app: &TestApp, hour: i8) -> jiff::Timestamp {
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    app.clock_now()
        .to_zoned(london.clone())
        .date()
        .at(hour, 0, 0, 0)
        .to_zoned(london)
        .unwrap()
        .timestamp()
}

#[tokio::test]
async fn the_daily_digest_comes_once_at_the_councils_hour_with_what_is_due() {
    use custodian_web::digest;
    use std::collections::HashMap;
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let saved = save(&mut clerk, &settings(sink.port)).await; // digest at 7:00
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Before the hour, nothing is made.
    let early = digest::run(
        &app.store,
        &app.address,
        london_hour(&app, 6),
        &mut HashMap::new(),
    )
    .await
    .unwrap();
    assert_eq!(early, digest::DigestReport::default());

    // At the hour: the Clerk, a display screen user never assessed, is due an assessment and
    // an eye-test offer (3.1.2), which the Clerk and the Chair arrange.
    let mut done = HashMap::new();
    let at = london_hour(&app, 8);
    let first = digest::run(&app.store, &app.address, at, &mut done)
        .await
        .unwrap();
    assert_eq!(first.councils, 1, "{first:?}");
    assert!(first.queued >= 2, "{first:?}");
    mailer(&app).send_due(at).await.unwrap();
    let to_clerk = sink.to(&app.a.clerk.email);
    assert_eq!(to_clerk.len(), 1, "the Clerk should get exactly one digest");
    let subject = to_clerk[0].header("Subject").unwrap();
    assert!(subject.starts_with("Custodian: "), "{subject}");
    let body = to_clerk[0].body();
    assert!(body.contains("Assess their workstation"), "{body}");
    assert!(
        body.contains(&format!(
            "{}/health-and-safety/people/{}",
            app.address, app.a.clerk.id
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!("{}/reminders", app.address)),
        "{body}"
    );
    // A councillor who uses no display screen for work has nothing due: no digest.
    assert!(sink.to(&app.a.councillor.email).is_empty());
    // Another council's records never reach this council's digests.
    assert!(!body.contains(&app.b.clerk.id.to_string()), "{body}");

    // Again the same day: not made again in this process, and not queued again after a
    // restart (which forgets `done`).
    let again = digest::run(&app.store, &app.address, at, &mut done)
        .await
        .unwrap();
    assert_eq!(again.councils, 0);
    let restarted = digest::run(&app.store, &app.address, at, &mut HashMap::new())
        .await
        .unwrap();
    assert_eq!(restarted.queued, 0, "{restarted:?}");
    mailer(&app).send_due(at).await.unwrap();
    assert_eq!(sink.to(&app.a.clerk.email).len(), 1);
}

#[tokio::test]
async fn an_incident_opened_by_a_loss_report_is_mailed_at_once_too() {
    use crate::assets::{add_item, custody::issue_to, phone_form};
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let saved = save(&mut clerk, &settings(sink.port)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let phone = add_item(&mut clerk, &phone_form("PH-9")).await;
    issue_to(&mut clerk, &phone, &app.a.councillor.id.to_string()).await;

    // The councillor reports her own phone stolen from the register, not the incident form.
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let path = format!("/assets/{phone}/report-loss");
    councillor.get(&path).await;
    let reported = councillor
        .post(
            &path,
            &[
                ("kind", "stolen"),
                ("happened_on", ""),
                ("summary", "Taken from my bag at the village fete."),
            ],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    let incident = app.store.incidents(app.a.id).await.unwrap()[0].id;

    mailer(&app).send_due(app.clock_now()).await.unwrap();
    let to_clerk = sink.to(&app.a.clerk.email);
    assert_eq!(
        to_clerk.len(),
        1,
        "the Clerk was not told of the loss by email"
    );
    assert_eq!(
        to_clerk[0].header("Subject").unwrap(),
        "Incident reported: Lost or stolen device"
    );
    let body = to_clerk[0].body();
    assert!(body.contains(&format!("/incidents/{incident}")), "{body}");
    assert!(!body.contains("village fete"), "{body}");
}
