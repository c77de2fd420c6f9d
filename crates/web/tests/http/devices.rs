//! Devices: a councillor asks to use their own phone and answers the questions, the Clerk
//! approves or declines (with a reason), the IT provider uploads osquery results and MDM
//! exports, and who may do each. Another council's device is "not found" on every route.

use crate::helpers::*;
use custodian_core::audit::Actor;
use custodian_core::device::{
    Device, DeviceKind, DeviceName, Fact, NewDevice, Platform, register_council_device,
};
use custodian_core::ids::{CouncilId, DeviceId};
use custodian_core::ports::DeviceStore;

/// The id in a "/devices/{id}..." address.
fn device_id(location: &str) -> String {
    location
        .trim_start_matches("/devices/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned()
}

/// Posts a multipart form as a browser's file-upload form does, CSRF token first, every field
/// as text (the review steps send the file's content back this way).
async fn post_multipart(
    app: &TestApp,
    client: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> Page {
    let boundary = "devices-test-boundary-41c9";
    let mut body = String::new();
    for (name, value) in [("csrf_token", client.csrf.as_str())].iter().chain(fields) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let cookies = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{path}", app.address))
        .header("cookie", cookies)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

/// A council laptop registered straight in the store.
async fn council_laptop(app: &TestApp, council: CouncilId, name: &str, serial: &str) -> Device {
    let (device, event) = register_council_device(
        council,
        DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse(name).unwrap(),
            kind: DeviceKind::Laptop,
            platform: Platform::Windows,
            serial: Some(custodian_core::asset::SerialNumber::parse(serial).unwrap()),
        },
        None,
        None,
        Actor::Operator,
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_device(&device, &event).await.unwrap();
    device
}

/// The councillor asks to use their phone; returns the device id.
async fn request_phone(councillor: &mut Client) -> String {
    councillor.get("/devices/mine").await;
    let page = councillor
        .post(
            "/devices/mine",
            &[
                ("name", "Connie's phone"),
                ("kind", "phone"),
                ("platform", "android"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        page.location().ends_with("/attest?requested=1"),
        "{}",
        page.location()
    );
    device_id(page.location())
}

#[tokio::test]
async fn a_councillor_asks_to_use_their_phone_answers_the_questions_and_the_clerk_approves() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = request_phone(&mut councillor).await;

    let questions = councillor
        .get(&format!("/devices/{id}/attest?requested=1"))
        .await;
    assert_eq!(questions.status, 200);
    assert!(
        questions
            .body
            .contains("Your request has been sent to the Clerk")
    );
    // An Android phone is asked about its PIN, lock-out, remote wipe and work profile.
    for field in [
        "pin_length",
        "lockout_attempts",
        "remote_wipe",
        "work_profile",
        "idle_lock_minutes",
    ] {
        assert!(
            questions.body.contains(&format!("name=\"{field}\"")),
            "{field}"
        );
    }
    assert!(!questions.body.contains("name=\"anti_malware\""));

    // A wrong answer is named at its field and nothing is recorded.
    let wrong = councillor
        .post(
            &format!("/devices/{id}/attest"),
            &[("idle_lock", "after"), ("idle_lock_minutes", "2000")],
        )
        .await;
    assert_eq!(wrong.status, 200);
    assert!(
        wrong.body.contains(
            "Idle lock must be a whole number of minutes from 1 to 1440, or choose &#39;Never&#39;."
        ),
        "{}",
        wrong.body
    );
    let answers = [
        ("disk_encryption", "yes"),
        ("screen_lock", "pin"),
        ("pin_length", "6"),
        ("lockout", "after"),
        ("lockout_attempts", "5"),
        ("idle_lock", "after"),
        ("idle_lock_minutes", "30"),
        ("remote_wipe", "unknown"),
    ];
    let saved = councillor
        .post(&format!("/devices/{id}/attest"), &answers)
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = councillor.get(saved.location()).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Waiting for the Clerk"));
    assert!(page.body.contains("Answered by the person who uses it"));
    // The model policy asks for 5 minutes; 30 needs action, with how to change it on Android.
    assert!(
        page.body.contains("locks after 30 minutes"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Settings → Display → Screen timeout."));
    assert!(page.body.contains("Action needed"));

    // Home pages: the councillor is told their device needs a change; the Clerk sees the
    // request waiting and the council's count.
    let home = councillor.get("/").await;
    assert!(
        home.body
            .contains("One of your devices does not meet the council&#39;s IT policy yet."),
        "{}",
        home.body
    );
    assert!(home.body.contains("href=\"/devices/mine\""));

    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let home = clerk.get("/").await;
    assert!(
        home.body.contains(
            "One request to use a person&#39;s own device is waiting for your decision (clause 2.2.1)."
        ),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("One device does not meet the IT policy.")
    );
    let requests = clerk.get("/devices/requests").await;
    assert!(requests.body.contains("Connie Councillor"));
    assert!(requests.body.contains(&format!("/devices/{id}")));
    clerk.get(&format!("/devices/{id}")).await;
    let approved = clerk.post(&format!("/devices/{id}/approve"), &[]).await;
    assert_eq!(approved.status, 303);
    let page = clerk.get(approved.location()).await;
    assert!(
        page.body
            .contains("Approved for council work by Clara Clerk")
    );
    assert!(!clerk.get("/devices/requests").await.body.contains(&id));
    assert!(
        !clerk
            .get("/")
            .await
            .body
            .contains("waiting for your decision")
    );
    // Approving twice is refused in words, not an error page.
    let again = clerk.post(&format!("/devices/{id}/approve"), &[]).await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("has already been approved"));

    let table = clerk.get("/devices").await;
    assert!(table.body.contains("Connie&#39;s phone") || table.body.contains("Connie's phone"));
    assert!(table.body.contains("Personal (own device)"));
    let only_action = clerk.get("/devices?show=action").await;
    assert!(only_action.body.contains(&format!("/devices/{id}")));

    let actions = app.audit_actions(app.a.id).await;
    for action in [
        "device.requested",
        "device.facts_recorded",
        "device.approved",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} missing from {actions:?}"
        );
    }
    let mine = councillor.get("/devices/mine").await;
    assert!(mine.body.contains("Approved"));
}

#[tokio::test]
async fn declining_needs_a_reason_which_the_person_then_sees() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = request_phone(&mut councillor).await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get(&format!("/devices/{id}/decline")).await;
    let empty = clerk
        .post(&format!("/devices/{id}/decline"), &[("reason", "  ")])
        .await;
    assert_eq!(empty.status, 200);
    assert!(
        empty
            .body
            .contains("Say why the request is declined. The person will see your reason.")
    );
    let device_id = DeviceId::parse(&id).unwrap();
    let stored = app.store.device(app.a.id, device_id).await.unwrap();
    assert!(stored.is_pending());

    let declined = clerk
        .post(
            &format!("/devices/{id}/decline"),
            &[(
                "reason",
                "It runs Android 8, which gets no security updates.",
            )],
        )
        .await;
    assert_eq!(declined.status, 303);
    let mine = councillor.get("/devices/mine").await;
    assert!(mine.body.contains("Declined"));
    assert!(
        mine.body
            .contains("It runs Android 8, which gets no security updates.")
    );
    assert!(
        app.audit_actions(app.a.id)
            .await
            .iter()
            .any(|a| a == "device.declined")
    );
}

const WINDOWS_OSQUERY: &str = r#"[{"name":"Microsoft Windows 11 Pro","version":"10.0.22631","major":"10","minor":"0","build":"22631","platform":"windows"}]
[{"drive_letter":"C:","conversion_status":"1","protection_status":"1"}]
[{"antivirus":"Good","autoupdate":"Good","firewall":"Good"}]"#;

#[tokio::test]
async fn an_osquery_file_that_is_not_json_is_refused_and_a_good_one_is_shown_then_recorded() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/devices/new").await;
    let created = clerk
        .post(
            "/devices/new",
            &[
                ("name", "Clerk's laptop"),
                ("kind", "laptop"),
                ("platform", "windows"),
                ("user", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = device_id(created.location());

    clerk.get(&format!("/devices/{id}/osquery")).await;
    let bad = clerk
        .post_file(
            &format!("/devices/{id}/osquery"),
            "osquery_file",
            "device.csv",
            b"name,version\nWindows,11\n",
        )
        .await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.body
            .contains("The file is not JSON (osqueryi --json output expected)"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("line 1 column"));
    let device = app
        .store
        .device(app.a.id, DeviceId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(device.facts.disk_encryption, Fact::Unknown);

    let review = clerk
        .post_file(
            &format!("/devices/{id}/osquery"),
            "osquery_file",
            "device.json",
            WINDOWS_OSQUERY.as_bytes(),
        )
        .await;
    assert_eq!(review.status, 200);
    assert!(review.body.contains("Check what the report says"));
    assert!(review.body.contains("Encrypted"));
    assert!(review.body.contains("On and up to date"));
    let saved = post_multipart(
        &app,
        &clerk,
        &format!("/devices/{id}/osquery"),
        &[("save", "1"), ("osquery_json", WINDOWS_OSQUERY)],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = clerk.get(saved.location()).await;
    assert!(page.body.contains("osquery report from the IT provider"));
    let device = app
        .store
        .device(app.a.id, DeviceId::parse(&id).unwrap())
        .await
        .unwrap();
    assert_eq!(device.facts.disk_encryption.value(), Some(&true));
}

#[tokio::test]
async fn an_mdm_export_with_a_bad_value_reports_its_row_and_column_and_records_nothing() {
    let app = spawn_app().await;
    let first = council_laptop(&app, app.a.id, "Office laptop", "SER-001").await;
    let second = council_laptop(&app, app.a.id, "Clerk laptop", "SER-002").await;
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    it.get("/devices/mdm").await;
    let bad = "Device name,Serial number,Encrypted,OS version\n\
               Office laptop,SER-001,Yes,11\n\
               Clerk laptop,SER-002,Sometimes,11\n\
               Unknown laptop,SER-999,Yes,11\n";
    let report = it
        .post_file("/devices/mdm", "mdm_file", "intune.csv", bad.as_bytes())
        .await;
    assert_eq!(report.status, 200);
    assert!(
        report
            .body
            .contains("Nothing was recorded: 1 value could not be read"),
        "{}",
        report.body
    );
    assert!(report.body.contains("Row 3"));
    assert!(
        report
            .body
            .contains("<td class=\"govuk-table__cell\">Encrypted</td>")
    );
    assert!(report.body.contains("Sometimes"));
    assert!(!report.body.contains("Record facts for"));
    for device in [&first, &second] {
        let stored = app.store.device(app.a.id, device.id).await.unwrap();
        assert_eq!(&stored, device, "nothing recorded");
    }

    let good = bad.replace("Sometimes", "No");
    let preview = it
        .post_file("/devices/mdm", "mdm_file", "intune.csv", good.as_bytes())
        .await;
    assert!(
        preview
            .body
            .contains("Facts that will be recorded (2 devices)"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("SER-999"));
    let saved = post_multipart(
        &app,
        &it,
        "/devices/mdm",
        &[
            ("file_name", "intune.csv"),
            ("csv_text", &good),
            ("identifier", "serial"),
            ("identifier_column", "Serial number"),
            ("fact_disk_encryption", "Encrypted"),
            ("fact_os_version", "OS version"),
            ("step", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), "/devices?recorded=2");
    let stored = app.store.device(app.a.id, second.id).await.unwrap();
    assert_eq!(stored.facts.disk_encryption.value(), Some(&false));
    let table = it.get(saved.location()).await;
    assert!(
        table
            .body
            .contains("Facts recorded for 2 devices from the MDM export.")
    );
    // Nobody's device was created for the unknown row.
    assert_eq!(app.store.devices(app.a.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn another_councils_device_is_not_found_on_every_device_route() {
    let app = spawn_app().await;
    let other = council_laptop(&app, app.b.id, "Brook laptop", "BROOK-1").await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = other.id;
    for path in [
        format!("/devices/{id}"),
        format!("/devices/{id}/attest"),
        format!("/devices/{id}/osquery"),
        format!("/devices/{id}/decline"),
        "/devices/not-an-id".to_owned(),
    ] {
        let page = clerk.get(&path).await;
        assert_eq!(page.status, 404, "GET {path}");
        assert!(
            !page.body.contains("Brook laptop"),
            "GET {path} leaked the device"
        );
    }
    clerk.get("/devices").await;
    for path in ["approve", "decline", "retire", "attest"] {
        let page = clerk
            .post(
                &format!("/devices/{id}/{path}"),
                &[("reason", "x"), ("disk_encryption", "no")],
            )
            .await;
        assert_eq!(page.status, 404, "POST {path}");
    }
    assert!(!clerk.get("/devices").await.body.contains("Brook laptop"));
    assert_eq!(app.store.device(app.b.id, id).await.unwrap(), other);
}

#[tokio::test]
async fn a_councillor_cannot_see_the_compliance_table_or_decide_or_see_someone_elses_device() {
    let app = spawn_app().await;
    let laptop = council_laptop(&app, app.a.id, "Office laptop", "SER-001").await;
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let id = request_phone(&mut chair).await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    for path in [
        "/devices".to_owned(),
        "/devices/requests".to_owned(),
        "/devices/new".to_owned(),
        "/devices/mdm".to_owned(),
        format!("/devices/{id}"),
        format!("/devices/{id}/attest"),
        format!("/devices/{}/osquery", laptop.id),
    ] {
        assert_eq!(councillor.get(&path).await.status, 403, "GET {path}");
    }
    councillor.get("/devices/mine").await;
    for path in [
        format!("/devices/{id}/approve"),
        format!("/devices/{id}/decline"),
        format!("/devices/{id}/retire"),
    ] {
        let page = councillor.post(&path, &[("reason", "no")]).await;
        assert_eq!(page.status, 403, "POST {path}");
    }
    assert!(
        app.store
            .device(app.a.id, DeviceId::parse(&id).unwrap())
            .await
            .unwrap()
            .is_pending()
    );
    assert!(
        app.audit_actions(app.a.id)
            .await
            .iter()
            .any(|a| a == "permission.denied")
    );
}

#[tokio::test]
async fn the_auditor_can_view_devices_but_not_change_them() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = request_phone(&mut councillor).await;
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let table = auditor.get("/devices").await;
    assert_eq!(table.status, 200);
    assert!(!table.body.contains("Register a council device"));
    let page = auditor.get(&format!("/devices/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Approve for council work"));
    for path in [
        "/devices/mine",
        "/devices/new",
        "/devices/mdm",
        "/devices/requests",
    ] {
        assert_eq!(auditor.get(path).await.status, 403, "GET {path}");
    }
    for path in ["approve", "decline", "retire", "attest"] {
        let page = auditor
            .post(
                &format!("/devices/{id}/{path}"),
                &[("reason", "no"), ("disk_encryption", "no")],
            )
            .await;
        assert_eq!(page.status, 403, "POST {path}");
    }
    let device = app
        .store
        .device(app.a.id, DeviceId::parse(&id).unwrap())
        .await
        .unwrap();
    assert!(device.is_pending());
    assert_eq!(device.facts.disk_encryption, Fact::Unknown);
}

#[tokio::test]
async fn an_mdm_export_larger_than_two_megabytes_is_accepted() {
    let app = spawn_app().await;
    council_laptop(&app, app.a.id, "Office laptop", "SER-001").await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    clerk.get("/devices/mdm").await;
    let padding = "x".repeat(700);
    let mut csv = String::from("Serial number,Encrypted,Notes\nSER-001,Yes,first\n");
    for n in 0..5_000 {
        csv.push_str(&format!("OTHER-{n},Yes,{padding}\n"));
    }
    assert!(csv.len() > 3 * 1024 * 1024);
    let page = clerk
        .post_file("/devices/mdm", "mdm_file", "big.csv", csv.as_bytes())
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Facts that will be recorded (1 device)"),
        "{}",
        &page.body[..page.body.len().min(2000)]
    );
}

#[tokio::test]
async fn a_person_stops_using_their_own_device_but_cannot_retire_a_council_device_they_use() {
    let app = spawn_app().await;
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let id = request_phone(&mut councillor).await;
    let person =
        custodian_core::ports::PersonStore::person(&app.store, app.a.id, app.a.councillor.id)
            .await
            .unwrap();
    let (laptop, event) = register_council_device(
        app.a.id,
        DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse("Council laptop").unwrap(),
            kind: DeviceKind::Laptop,
            platform: Platform::Windows,
            serial: None,
        },
        Some(&person),
        None,
        Actor::Operator,
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_device(&laptop, &event).await.unwrap();

    let mine = councillor.get("/devices/mine").await;
    assert!(mine.body.contains("Council laptop"));
    assert!(
        mine.body
            .contains(&format!("action=\"/devices/{id}/retire\""))
    );
    assert!(
        !mine
            .body
            .contains(&format!("action=\"/devices/{}/retire\"", laptop.id))
    );
    let refused = councillor
        .post(&format!("/devices/{}/retire", laptop.id), &[])
        .await;
    assert_eq!(refused.status, 403);
    let retired = councillor.post(&format!("/devices/{id}/retire"), &[]).await;
    assert_eq!(retired.status, 303);
    assert_eq!(retired.location(), "/devices/mine?retired=1");
    let stored = app
        .store
        .device(app.a.id, DeviceId::parse(&id).unwrap())
        .await
        .unwrap();
    assert!(stored.retired.is_some());
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    assert!(!clerk.get("/devices/requests").await.body.contains(&id));
    assert!(
        !clerk
            .get("/")
            .await
            .body
            .contains("waiting for your decision")
    );
}
