//! Matching names in the logs to people and devices (issue 7, item 2): a match takes the stored
//! records, and an address matched to a device means whoever the register says uses it.

use crate::helpers::*;
use crate::monitoring_care::*;
use custodian_core::ids::PersonId;
use custodian_core::ports::{LocalDay, MonitorStore};

#[tokio::test]
async fn matching_a_name_gives_it_the_stored_records_and_takes_it_off_the_unmatched_list() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let names = clerk.get("/monitoring/names").await;
    assert_eq!(names.status, 200);
    assert!(
        names
            .body
            .contains("/monitoring/names/new?kind=client&#38;value=192.0.2.77"),
        "{}",
        names.body
    );
    assert!(names.body.contains("ccouncillor"), "the rule is listed");

    let form = clerk
        .get("/monitoring/names/new?kind=client&value=192.0.2.77")
        .await;
    assert_eq!(form.status, 200);
    let first_seen = days[0].date();
    let shown = format!(
        "value=\"{}/{}/{}\"",
        first_seen.day(),
        first_seen.month(),
        first_seen.year()
    );
    assert!(
        form.body.contains(&shown),
        "the first day the name was seen is the default: {shown}"
    );

    // Mistakes are shown beside their fields, and nothing is saved.
    let wrong = clerk
        .post(
            "/monitoring/names/new",
            &[
                ("kind", "client"),
                ("value", "192.0.2 .77"),
                ("valid_from", "31/2/2026"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Choose the person (or the device)"));
    assert!(wrong.body.contains("is not a day of the calendar"));
    assert!(app.store.identities(app.a.id).await.unwrap().len() == 1);

    let chair = app.a.chair.id.to_string();
    let saved = clerk
        .post(
            "/monitoring/names/new",
            &[
                ("kind", "client"),
                ("value", "192.0.2.77"),
                ("who", &format!("person:{chair}")),
                ("valid_from", &iso(days[0])),
                ("valid_to", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let done = clerk.get(saved.location()).await;
    assert!(
        done.body
            .contains("2 days of records are now Charles Chair&#39;s."),
        "{}",
        done.body
    );
    assert!(
        !done.body.contains("value=192.0.2.77"),
        "no longer unmatched"
    );
    let chairs = app
        .store
        .person_day(app.a.id, app.a.chair.id, days[1])
        .await
        .unwrap();
    assert_eq!(chairs.len(), 1);
    assert_eq!(chairs[0].site, "shop.example");
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"monitor.identity.added".to_owned()));
    assert!(count(&actions, "monitor.viewed") >= 2, "{actions:?}");

    // The address went back to the office on the second day: end the chair's rule.
    let rule = app
        .store
        .identities(app.a.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.value() == "192.0.2.77")
        .unwrap();
    let end_path = format!("/monitoring/names/{}/end", rule.id);
    assert_eq!(clerk.get(&end_path).await.status, 200);
    let backwards = clerk
        .post(&end_path, &[("last_day", &iso(LocalDay(days[0].0 - 5)))])
        .await;
    assert_eq!(backwards.status, 422);
    assert!(backwards.body.contains("cannot end before that day"));
    let ended = clerk.post(&end_path, &[("last_day", &iso(days[0]))]).await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let list = clerk.get(ended.location()).await;
    assert!(
        list.body.contains("1 day of records changed hands"),
        "{}",
        list.body
    );
    assert!(
        app.store
            .person_day(app.a.id, app.a.chair.id, days[1])
            .await
            .unwrap()
            .is_empty()
    );
    let unmatched = app
        .store
        .unattributed(app.a.id, days[0], days[1])
        .await
        .unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].first_day, days[1]);
    assert!(
        app.audit_actions(app.a.id)
            .await
            .contains(&"monitor.identity.ended".to_owned())
    );
}

/// A council laptop in the register, used by `user` (or by no one).
async fn laptop(
    app: &TestApp,
    name: &str,
    user: Option<PersonId>,
) -> custodian_core::ids::DeviceId {
    use custodian_core::device::{DeviceKind, DeviceName, NewDevice, Platform};
    use custodian_core::ports::{DeviceStore, PersonStore};
    let person = match user {
        Some(id) => Some(app.store.person(app.a.id, id).await.unwrap()),
        None => None,
    };
    let (device, event) = custodian_core::device::register_council_device(
        app.a.id,
        custodian_core::ids::DeviceId::generate(),
        NewDevice {
            name: DeviceName::parse(name).unwrap(),
            kind: DeviceKind::Laptop,
            platform: Platform::Windows,
            serial: None,
        },
        person.as_ref(),
        None,
        custodian_core::audit::Actor::Operator,
        app.clock_now(),
    )
    .unwrap();
    app.store.insert_device(&device, &event).await.unwrap();
    device.id
}

#[tokio::test]
async fn an_address_matched_to_a_device_means_whoever_the_register_says_uses_it() {
    let app = spawn_app().await;
    let (mut clerk, days) = clerk_with_sample(&app).await;
    let spare = laptop(&app, "Spare laptop", None).await;
    let chairs = laptop(&app, "Chair's laptop", Some(app.a.chair.id)).await;
    let form = clerk
        .get("/monitoring/names/new?kind=client&value=192.0.2.77")
        .await;
    assert!(
        form.body
            .contains("Chair&#39;s laptop (used by Charles Chair)"),
        "{}",
        form.body
    );

    let day = iso(days[0]);
    let fields = |who: String| {
        vec![
            ("kind", "client".to_owned()),
            ("value", "192.0.2.77".to_owned()),
            ("who", who),
            ("valid_from", day.clone()),
        ]
    };
    let spare_fields = fields(format!("device:{spare}"));
    let spare_refs: Vec<(&str, &str)> =
        spare_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = clerk.post("/monitoring/names/new", &spare_refs).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Spare laptop has no user in the register")
    );

    let chair_fields = fields(format!("device:{chairs}"));
    let chair_refs: Vec<(&str, &str)> =
        chair_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = clerk.post("/monitoring/names/new", &chair_refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let done = clerk.get(saved.location()).await;
    assert!(
        done.body
            .contains("2 days of records are now Charles Chair&#39;s, through Chair&#39;s laptop."),
        "{}",
        done.body
    );
    assert_eq!(
        app.store
            .person_day(app.a.id, app.a.chair.id, days[1])
            .await
            .unwrap()
            .len(),
        1
    );
}
