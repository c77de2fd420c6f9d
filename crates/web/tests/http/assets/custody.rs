//! Custody, losses and disposal through the pages: issue → acknowledge → report lost, wipe then
//! dispose, and who has what.

use super::*;
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::{IncidentStore, PersonStore};

/// Issues item `id` to `person` as `client` (who must manage the register).
pub async fn issue_to(client: &mut Client, id: &str, person: &str) -> Page {
    let path = format!("/assets/{id}/issue");
    client.get(&path).await;
    client.post(&path, &[("person", person)]).await
}

#[tokio::test]
async fn an_issued_item_is_acknowledged_by_its_holder_and_both_show_in_its_history() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let phone = add_item(&mut clerk, &phone_form("PH-1")).await;
    let laptop = add_item(&mut clerk, &laptop_form("LAP-1")).await;
    let councillor_id = app.a.councillor.id.to_string();
    for id in [&phone, &laptop] {
        let issued = issue_to(&mut clerk, id, &councillor_id).await;
        assert_eq!(issued.status, 303, "{}", issued.body);
    }
    // Issuing again to the same person is refused plainly at the field.
    let again = issue_to(&mut clerk, &phone, &councillor_id).await;
    assert_eq!(again.status, 200);
    assert!(
        again
            .body
            .contains("PH-1 is already issued to this person.")
    );

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let home = councillor.get("/").await;
    assert!(home.body.contains("to acknowledge"), "{}", home.body);
    let mine = councillor.get("/my-equipment").await;
    assert_eq!(mine.status, 200);
    assert!(mine.body.contains("I confirm that I have received this council equipment: LAP-1 (Dell Latitude 5440); PH-1 (Apple iPhone 13)."), "{}", mine.body);
    let liability = PolicyProfile::model_defaults()
        .negligence_liability
        .describe();
    assert!(
        mine.body
            .contains(&format!("I may be liable for {liability}"))
    );
    assert!(mine.body.contains("href=\"/devices/mine\""));
    let fields = form_fields(&mine.body, "/my-equipment/acknowledge");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = councillor
        .post_raw("/my-equipment/acknowledge", &fields)
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let mine = councillor.get(done.location()).await;
    assert!(mine.body.contains("You have acknowledged the 2 items."));
    let home = councillor.get("/").await;
    assert!(!home.body.contains("to acknowledge"), "{}", home.body);
    assert!(!mine.body.contains("I confirm and accept responsibility"));

    // The same form again (a second tab) is refused and records nothing more.
    let again = councillor
        .post_raw("/my-equipment/acknowledge", &fields)
        .await;
    assert_eq!(again.status, 409);
    assert!(
        again.body.contains("You have already acknowledged"),
        "{}",
        again.body
    );

    // The holder sees their own item's page; the Clerk sees its whole history.
    let own = councillor.get(&format!("/assets/{phone}")).await;
    assert_eq!(own.status, 200);
    let page = clerk.get(&format!("/assets/{phone}")).await;
    for expected in [
        "Added to the register by Clara Clerk.",
        "Issued to Connie Councillor by Clara Clerk.",
        "Acknowledged by Connie Councillor: they confirmed they received it and accept responsibility for it (together with 1 other item).",
        "They accepted this text:",
        "I confirm that I have received this council equipment: LAP-1",
    ] {
        assert!(
            page.body.contains(expected),
            "missing {expected:?}:\n{}",
            page.body
        );
    }
    let actions = app.audit_actions(app.a.id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "asset.acknowledged")
            .count(),
        2
    );
}

#[tokio::test]
async fn the_clerk_reports_a_phone_lost_and_the_incident_carries_its_numbers_and_the_liability() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let phone = add_item(&mut clerk, &phone_form("PH-1")).await;
    issue_to(&mut clerk, &phone, &app.a.councillor.id.to_string()).await;

    let path = format!("/assets/{phone}/report-loss");
    let form = clerk.get(&path).await;
    assert_eq!(form.status, 200);
    let empty = clerk.post(&path, &[("kind", ""), ("summary", "")]).await;
    assert!(
        empty
            .body
            .contains("Choose whether the item was lost, stolen or damaged.")
    );
    assert!(empty.body.contains("Describe what happened."));
    let future = clerk
        .post(
            &path,
            &[
                ("kind", "lost"),
                ("happened_on", "1/1/2031"),
                ("summary", "Gone"),
            ],
        )
        .await;
    assert!(
        future
            .body
            .contains("The time it happened must be now or in the past.")
    );
    assert!(app.store.incidents(app.a.id).await.unwrap().is_empty());

    let reported = clerk
        .post(
            &path,
            &[
                ("kind", "lost"),
                ("happened_on", "20/9/2026"),
                ("happened_time", "17:30"),
                ("place", "the 17:32 train to Leicester"),
                ("summary", "Left on the seat."),
            ],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    assert!(reported.location().starts_with("/incidents/"));
    let incident = clerk.get(reported.location()).await;
    let liability = PolicyProfile::model_defaults()
        .negligence_liability
        .describe();
    for expected in [
        "Lost: PH-1, Apple iPhone 13 (phone).",
        &format!("IMEI {IMEI_DIGITS}"),
        &format!("SIM number {}", sim()),
        "ask them to block the device and the SIM",
        "Wipe the device remotely now where possible",
        &format!("may be liable for {liability}"),
        "Where: the 17:32 train to Leicester. Left on the seat.",
    ] {
        assert!(
            incident.body.contains(expected),
            "missing {expected:?}:\n{}",
            incident.body
        );
    }
    let page = clerk.get(&format!("/assets/{phone}")).await;
    assert!(
        page.body
            .contains("Reported lost by Clara Clerk. An incident was opened.")
    );
    assert!(page.body.contains("See the incident"));
    // A second report of the same loss is refused.
    let twice = clerk
        .post(&path, &[("kind", "stolen"), ("summary", "Again")])
        .await;
    assert!(twice.body.contains("PH-1 is already recorded as lost."));
}

#[tokio::test]
async fn a_councillor_reports_their_own_phone_lost_and_is_told_what_to_do_next() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let phone = add_item(&mut clerk, &phone_form("PH-1")).await;
    issue_to(&mut clerk, &phone, &app.a.councillor.id.to_string()).await;

    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    let path = format!("/assets/{phone}/report-loss");
    assert_eq!(councillor.get(&path).await.status, 200);
    let reported = councillor
        .post(
            &path,
            &[("kind", "stolen"), ("summary", "Taken from my bag.")],
        )
        .await;
    assert_eq!(reported.status, 303, "{}", reported.body);
    assert_eq!(
        reported.location(),
        format!("/my-equipment?reported={phone}")
    );
    let mine = councillor.get(reported.location()).await;
    for expected in [
        "You have reported PH-1 stolen.",
        "wipe it remotely",
        "ask them to block the phone and the SIM card",
        IMEI_DIGITS,
        "report the theft to the police",
    ] {
        assert!(
            mine.body.contains(expected),
            "missing {expected:?}:\n{}",
            mine.body
        );
    }
    let incidents = app.store.incidents(app.a.id).await.unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].reported_by, Some(app.a.councillor.id));
    // Someone else's "reported" link shows no numbers.
    let mut chair = app.signed_in(&app.a.chair.email).await;
    let other = chair.get(&format!("/my-equipment?reported={phone}")).await;
    assert!(!other.body.contains(IMEI_DIGITS));
}

#[tokio::test]
async fn disposal_is_refused_until_a_wipe_is_recorded_then_allowed() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let laptop = add_item(&mut clerk, &laptop_form("LAP-1")).await;
    let dispose = format!("/assets/{laptop}/dispose");

    let page = clerk.get(&dispose).await;
    assert!(
        page.body
            .contains("Record how the data was wiped before disposing of LAP-1 (clause 2.2.12).")
    );
    assert!(
        page.body
            .contains(&format!("href=\"/assets/{laptop}/wipe\""))
    );
    let refused = clerk
        .post(&dispose, &[("recycler", "Green Recyclers Ltd")])
        .await;
    assert!(
        refused
            .body
            .contains("Record how the data was wiped before disposing")
    );
    let stored = |app: &TestApp| {
        let id = AssetId::parse(&laptop).unwrap();
        let store = app.store.clone();
        let council = app.a.id;
        async move { store.asset(council, id).await.unwrap() }
    };
    assert_eq!(stored(&app).await.status.as_str(), "in_store");

    let wipe = format!("/assets/{laptop}/wipe");
    clerk.get(&wipe).await;
    let it = app.a.it_provider.id.to_string();
    let future = clerk
        .post(
            &wipe,
            &[
                ("method", "overwrite"),
                ("wiped_by", &it),
                ("wiped_on", "1/1/2031"),
            ],
        )
        .await;
    assert!(
        future
            .body
            .contains("The wipe date 2031-01-01 is in the future.")
    );
    let wiped = clerk
        .post(
            &wipe,
            &[
                ("method", "overwrite"),
                ("wiped_by", &it),
                ("wiped_on", "18/9/2026"),
                ("certificate", "WIPE-77"),
            ],
        )
        .await;
    assert_eq!(wiped.status, 303, "{}", wiped.body);

    clerk.get(&dispose).await;
    let empty = clerk.post(&dispose, &[("recycler", " ")]).await;
    assert!(empty.body.contains("Give the name of the recycler"));
    let disposed = clerk
        .post(
            &dispose,
            &[
                ("recycler", "Green Recyclers Ltd"),
                ("certificate", "WEEE-9"),
            ],
        )
        .await;
    assert_eq!(disposed.status, 303, "{}", disposed.body);
    let page = clerk.get(&format!("/assets/{laptop}")).await;
    for expected in [
        "Disposed of",
        "Data wiped by Ivan Provider on 18 September 2026 (overwritten with a wiping tool); recorded by Clara Clerk. Certificate WIPE-77.",
        "Disposed of by Clara Clerk: taken away by Green Recyclers Ltd. Certificate WEEE-9.",
    ] {
        assert!(
            page.body.contains(expected),
            "missing {expected:?}:\n{}",
            page.body
        );
    }
    assert!(!page.body.contains(&format!("/assets/{laptop}/edit")));
    assert_eq!(stored(&app).await.status.as_str(), "disposed");
}

#[tokio::test]
async fn who_has_what_puts_items_with_leavers_first_and_flags_unacknowledged_ones() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let laptop = add_item(&mut clerk, &laptop_form("LAP-1")).await;
    let phone = add_item(&mut clerk, &phone_form("PH-1")).await;
    issue_to(&mut clerk, &laptop, &app.a.chair.id.to_string()).await;
    issue_to(&mut clerk, &phone, &app.a.councillor.id.to_string()).await;
    clerk.get(&format!("/people/{}", app.a.councillor.id)).await;
    let left = clerk
        .post(
            &format!("/people/{}/leave", app.a.councillor.id),
            &[("leave_date", "2026-09-01")],
        )
        .await;
    assert_eq!(left.status, 303, "{}", left.body);
    assert_eq!(
        app.store
            .person(app.a.id, app.a.councillor.id)
            .await
            .unwrap()
            .status
            .label(),
        "Left"
    );

    let page = clerk.get("/assets/holders").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("2 items are issued to 2 people."));
    assert!(
        page.body
            .contains("1 item is still with people who have left.")
    );
    assert!(page.body.contains("2 items have not yet been acknowledged"));
    let connie = page.body.find("Connie Councillor").unwrap();
    let charles = page.body.find("Charles Chair").unwrap();
    assert!(connie < charles, "the leaver comes first");
    assert!(page.body.contains("left the council on 1 September 2026"));

    let person = clerk.get(&format!("/people/{}", app.a.chair.id)).await;
    assert!(person.body.contains("Equipment they hold"));
    assert!(person.body.contains("LAP-1"));

    // The Clerk's home page says the same, with links to deal with it.
    let home = clerk.get("/").await;
    assert!(
        home.body.contains(
            "One item is still with someone who has left. Collect it and wipe it before issuing it again."
        ),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("2 issued items have not yet been acknowledged by the person holding them.")
    );
    assert!(home.body.contains("href=\"/assets/holders\""));
}
