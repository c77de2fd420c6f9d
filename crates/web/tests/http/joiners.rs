//! The joiner's checklist through the pages: inviting a person makes it; their setting a
//! password, signing the declaration and acknowledging equipment settle items without a tick;
//! the Clerk ticks the council email address and waives (with a reason) the rest; it closes only
//! when nothing is open; who may read and change it; the council-wide list of open checklists.

use crate::assets::{add_item, laptop_form};
use crate::helpers::*;
use crate::policy::{adopt, start_draft, without_mfa_roles};
use custodian_core::ids::PersonId;
use custodian_core::joiner::{JoinerChecklist, Mark, Task};
use custodian_core::ports::{JoinerStore, PersonStore, PolicyStore};

fn invitation_path(body: &str) -> String {
    let link = body.split("class=\"custodian-link-text\">").nth(1).unwrap();
    let link = link.split("</code>").next().unwrap();
    format!("/invitation/{}", link.rsplit('/').next().unwrap())
}

/// The state tag shown just before the first label containing `label`.
fn state_of(body: &str, label: &str) -> String {
    let at = body
        .find(label)
        .unwrap_or_else(|| panic!("{label} is not on the page"));
    let before = &body[..at];
    let tag = before.rfind("govuk-tag--").expect("a state tag");
    let start = tag + before[tag..].find('>').unwrap() + 1;
    let end = start + before[start..].find('<').unwrap();
    before[start..end].to_owned()
}

/// The Clerk invites Vera, a volunteer; returns her id and her invitation's path.
async fn invite_vera(app: &TestApp, clerk: &mut Client) -> (PersonId, String) {
    clerk.get("/people/new").await;
    let page = clerk
        .post(
            "/people/new",
            &[
                ("name", "Vera Volunteer"),
                ("email", "vera@ashby.example"),
                ("roles", "other_authorised_user"),
            ],
        )
        .await;
    assert!(page.body.contains("Invitation ready for Vera Volunteer"));
    let email = custodian_core::person::Email::parse("vera@ashby.example").unwrap();
    let vera = app
        .store
        .person_by_email(app.a.id, &email)
        .await
        .unwrap()
        .unwrap();
    (vera.id, invitation_path(&page.body))
}

/// Vera accepts her invitation, choosing a password; returns her signed-in client.
async fn vera_accepts(app: &TestApp, path: &str) -> Client {
    let mut vera = app.client();
    vera.get(path).await;
    let ok = vera
        .post(
            path,
            &[
                ("password", "lantern-otter-quarry"),
                ("confirm", "lantern-otter-quarry"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    vera
}

async fn stored(app: &TestApp, id: PersonId) -> JoinerChecklist {
    app.store
        .joiner_checklist(app.a.id, id)
        .await
        .unwrap()
        .expect("a checklist")
}

#[tokio::test]
async fn inviting_a_person_makes_their_checklist_and_their_password_settles_the_first_item() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let (vera, invitation) = invite_vera(&app, &mut clerk).await;
    let checklist = stored(&app, vera).await;
    let tasks: Vec<Task> = checklist.items.iter().map(|i| i.task).collect();
    assert_eq!(tasks, Task::ALL);
    let actions = app.audit_actions(app.a.id).await;
    assert!(actions.contains(&"joiner.checklist_created".to_owned()));

    let path = format!("/people/{vera}/joining");
    let page = clerk.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("6 item(s) still to do"), "{}", page.body);
    assert_eq!(state_of(&page.body, "Set a password"), "Open");
    // No policy is in force yet, so the declaration waits for one.
    assert!(
        page.body
            .contains("has not adopted an IT policy in Custodian yet")
    );
    let person = clerk.get(&format!("/people/{vera}")).await;
    assert!(person.body.contains(&path));

    let _vera = vera_accepts(&app, &invitation).await;
    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Set a password"), "Done");
    assert!(page.body.contains("They have set a password."));
    assert!(page.body.contains("5 item(s) still to do"));
    // Nothing was ticked: the records show it.
    assert!(
        stored(&app, vera)
            .await
            .items
            .iter()
            .all(|i| i.mark == Mark::Open)
    );
}

#[tokio::test]
async fn signing_the_declaration_and_acknowledging_equipment_settle_their_items() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let draft = start_draft(&mut clerk).await;
    without_mfa_roles(&mut clerk, &draft).await;
    assert_eq!(adopt(&mut clerk, &draft, "COU/12/26-27").await.status, 303);
    let (vera, invitation) = invite_vera(&app, &mut clerk).await;
    let mut client = vera_accepts(&app, &invitation).await;
    let path = format!("/people/{vera}/joining");

    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Sign the declaration"), "Open");
    let in_force = app.store.in_force(app.a.id).await.unwrap().unwrap();
    client.get("/policy/declaration").await;
    let signed = client
        .post(
            "/policy/declaration",
            &[
                ("version", &in_force.id.to_string()),
                ("typed_name", "Vera Volunteer"),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Sign the declaration"), "Done");

    // Issued but not yet acknowledged: still open.
    let laptop = add_item(&mut clerk, &laptop_form("LAP-9")).await;
    clerk.get(&format!("/assets/{laptop}/issue")).await;
    let issued = clerk
        .post(
            &format!("/assets/{laptop}/issue"),
            &[("person", &vera.to_string())],
        )
        .await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Receive council equipment"), "Open");
    let mine = client.get("/my-equipment").await;
    let fields = form_fields(&mine.body, "/my-equipment/acknowledge");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let done = client.post_raw("/my-equipment/acknowledge", &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = clerk.get(&path).await;
    assert_eq!(state_of(&page.body, "Receive council equipment"), "Done");
    assert!(page.body.contains("They acknowledged receiving LAP-9."));
    assert!(page.body.contains("3 item(s) still to do"), "{}", page.body);
}

#[tokio::test]
async fn waiving_needs_a_reason_the_email_is_an_address_and_the_list_closes_when_nothing_is_open() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let (vera, invitation) = invite_vera(&app, &mut clerk).await;
    vera_accepts(&app, &invitation).await;
    let path = format!("/people/{vera}/joining");
    clerk.get(&path).await;

    // A task the records show cannot be ticked by hand.
    let ticked = clerk
        .post(&format!("{path}/done"), &[("item", "set_up_mfa")])
        .await;
    assert_eq!(ticked.status, 409);
    assert!(ticked.body.contains("shown by the council"));
    // Waiving needs a reason, and without one nothing is stored.
    let before = stored(&app, vera).await;
    let waived = clerk
        .post(
            &format!("{path}/waive"),
            &[("item", "register_own_devices"), ("reason", "  ")],
        )
        .await;
    assert_eq!(waived.status, 200);
    assert!(waived.body.contains("Give the reason this item is waived"));
    // The council email must be an address.
    let bad = clerk
        .post(
            &format!("{path}/done"),
            &[("item", "council_email"), ("note", "vera at ashby")],
        )
        .await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("is not an email address"), "{}", bad.body);
    assert_eq!(stored(&app, vera).await, before);

    for (item, reason) in [
        ("register_own_devices", "Uses only council equipment"),
        (
            "receive_equipment",
            "Nothing to issue: uses the office computer",
        ),
        ("set_up_mfa", "Reads agendas only, on the office computer"),
        ("sign_declaration", "Policy to be adopted next month"),
    ] {
        let waived = clerk
            .post(
                &format!("{path}/waive"),
                &[("item", item), ("reason", reason)],
            )
            .await;
        assert_eq!(waived.status, 303, "{item}: {}", waived.body);
    }
    let page = clerk.get(&path).await;
    assert!(page.body.contains("1 item(s) still to do"), "{}", page.body);
    assert!(page.body.contains("Uses only council equipment"));
    assert!(
        !app.audit_actions(app.a.id)
            .await
            .contains(&"joiner.closed".to_owned())
    );
    let done = clerk
        .post(
            &format!("{path}/done"),
            &[("item", "council_email"), ("note", "Vera@AshbyPC.gov.uk")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), format!("{path}?done=closed"));
    let page = clerk.get(&path).await;
    assert!(page.body.contains("Every item is done or waived"));
    assert!(page.body.contains("vera@ashbypc.gov.uk"));
    assert!(stored(&app, vera).await.closed_at.is_some());
    let again = clerk.post(&format!("{path}/close"), &[]).await;
    assert_eq!(again.status, 409);
    let actions = app.audit_actions(app.a.id).await;
    for action in ["joiner.item_waived", "joiner.item_done", "joiner.closed"] {
        assert!(actions.contains(&action.to_owned()), "{action}");
    }
}

#[tokio::test]
async fn officers_read_a_checklist_councillors_may_not_and_other_councils_find_nothing() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let (vera, _) = invite_vera(&app, &mut clerk).await;
    let path = format!("/people/{vera}/joining");
    let fields = [("item", "register_own_devices"), ("reason", "x")];

    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    let page = auditor.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Waive this item"));
    for action in ["done", "waive", "close", "create"] {
        let refused = auditor.post(&format!("{path}/{action}"), &fields).await;
        assert_eq!(refused.status, 403, "auditor POST {action}");
    }
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert_eq!(councillor.get(&path).await.status, 403);
    assert_eq!(councillor.get("/people/checklists").await.status, 403);
    assert_eq!(
        councillor
            .post(&format!("{path}/waive"), &fields)
            .await
            .status,
        403
    );

    // The IT provider invites people, so may change it too.
    let mut it = app.signed_in(&app.a.it_provider.email).await;
    it.get(&path).await;
    let waived = it.post(&format!("{path}/waive"), &fields).await;
    assert_eq!(waived.status, 303, "{}", waived.body);

    let mut other = app.signed_in(&app.b.clerk.email).await;
    assert_eq!(other.get(&path).await.status, 404);
    other.get("/people").await;
    for action in ["done", "waive", "close", "create"] {
        let refused = other
            .post(
                &format!("{path}/{action}"),
                &[("item", "council_email"), ("note", "a@b.example")],
            )
            .await;
        assert_eq!(refused.status, 404, "other council POST {action}");
    }
    let list = stored(&app, vera).await;
    let settled: Vec<Task> = list
        .items
        .iter()
        .filter(|i| i.mark != Mark::Open)
        .map(|i| i.task)
        .collect();
    assert_eq!(settled, [Task::RegisterOwnDevices]);
}

#[tokio::test]
async fn someone_invited_before_checklists_gets_one_on_request_and_the_open_list_shows_both_kinds()
{
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    // The fixture's councillor was invited the old way: no checklist.
    let councillor = app.a.councillor.id;
    let path = format!("/people/{councillor}/joining");
    let page = clerk.get(&path).await;
    assert!(page.body.contains("Start joining checklist"));
    let made = clerk.post(&format!("{path}/create"), &[]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let list = stored(&app, councillor).await;
    assert_eq!(list.items.len(), 6);
    // They already have a password; the rest stays open.
    let page = clerk.get(made.location()).await;
    assert_eq!(state_of(&page.body, "Set a password"), "Done");
    let again = clerk.post(&format!("{path}/create"), &[]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("already has a joining checklist"));

    // The chair leaves: their leaving checklist is open too.
    let chair = app.a.chair.id;
    clerk.get(&format!("/people/{chair}")).await;
    let left = clerk.post(&format!("/people/{chair}/leave"), &[]).await;
    assert_eq!(left.status, 303);
    let page = clerk.get("/people/checklists").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("/people/{councillor}/joining")));
    assert!(page.body.contains("Connie Councillor"));
    assert!(page.body.contains(&format!("/people/{chair}/leaving")));
    assert!(page.body.contains("Charles Chair"));
    assert!(page.body.contains(">Joining<"));
    assert!(page.body.contains(">Leaving<"));
    assert!(page.body.contains("5 items open"), "{}", page.body);
    // Officers read it; the people page links to it.
    let mut auditor = app.signed_in(&app.a.auditor.email).await;
    assert_eq!(auditor.get("/people/checklists").await.status, 200);
    assert!(
        clerk
            .get("/people")
            .await
            .body
            .contains("/people/checklists")
    );
    let mut other = app.signed_in(&app.b.clerk.email).await;
    let theirs = other.get("/people/checklists").await;
    assert!(!theirs.body.contains("Connie Councillor"));
}
