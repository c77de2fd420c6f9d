//! Contract cases: approval requests — stored and read back whole; a decision or withdrawal is
//! stored once, over the revision it was made from, with the requester's notification and its
//! audit entry in one transaction; another council's request is out of reach; the reminder
//! schedule's list holds pending requests and approvals with a last day.

use super::*;
use custodian_core::approval::{
    ApprovalId, ApprovalRequest, CouncilMinute, Decision, DecisionInput, NewRequest, Outcome,
    decide, request, withdraw,
};
use custodian_core::ids::NotificationId;
use custodian_core::policy::choices::{ApprovalKind, Approver, Approvers};
use custodian_core::ports::{ApprovalStore, Notification, OpenApproval, VaultStore};

fn ask(
    person: &Person,
    kind: ApprovalKind,
    title: &str,
    at: Timestamp,
) -> (ApprovalRequest, AuditEvent) {
    request(
        ApprovalId::generate(),
        person,
        kind,
        &NewRequest {
            title,
            details: "Line one\nline \"two\" — café 🙂",
            cost: "£1,249.99",
            needed_until: None,
        },
        &Approvers::model_defaults(),
        at,
    )
    .unwrap()
}

async fn stored(
    store: &Store,
    person: &Person,
    kind: ApprovalKind,
    at: Timestamp,
) -> ApprovalRequest {
    let (asked, event) = ask(person, kind, "Buy a laptop", at);
    store.insert_approval(&asked, &event).await.unwrap();
    asked
}

fn approve_until(last: Option<&str>) -> DecisionInput<'static> {
    DecisionInput {
        outcome: Outcome::Approved,
        note: "Within budget",
        expires_on: last.map(|d| d.parse().unwrap()),
        minute_reference: "",
        meeting_on: None,
        revision: 0,
    }
}

fn told(request: &ApprovalRequest, at: Timestamp) -> Notification {
    Notification {
        id: NotificationId::generate(),
        council_id: request.council_id,
        person_id: request.requester,
        message: "Your request was approved".to_owned(),
        link: Some(format!("/approvals/{}", request.id)),
        created_at: at,
        dismissed_at: None,
    }
}

/// The sample's requests: one the Council approved (minute, meeting date, end date, cost) and
/// one withdrawn, so every column travels in an export.
pub(super) async fn sample_approvals(store: &Store, requester: &Person, decider: &Person) {
    let mut approvers = Approvers::model_defaults();
    approvers.set(ApprovalKind::BuyEquipmentOrSoftware, Approver::Council);
    let (asked, event) = request(
        ApprovalId::generate(),
        requester,
        ApprovalKind::BuyEquipmentOrSoftware,
        &NewRequest {
            title: "Wyn's \"new\" laptop 💻",
            details: "For the Treasurer —\nline two",
            cost: "899.5",
            needed_until: Some("2026-07-31".parse().unwrap()),
        },
        &approvers,
        t(40),
    )
    .unwrap();
    store.insert_approval(&asked, &event).await.unwrap();
    // The sample's people are councillors, so the decision is written out rather than made by
    // `decide` (which asks for the Clerk or the Chair): the store keeps whatever core decided.
    let decided = ApprovalRequest {
        decision: Some(Decision {
            outcome: Outcome::Approved,
            note: Some("Up to £900; \"refurbished\" is fine".to_owned()),
            expires_on: Some("2026-08-31".parse().unwrap()),
            minute: Some(CouncilMinute {
                reference: MinuteReference::parse("Minute 24/113").unwrap(),
                meeting_on: "2026-06-08".parse().unwrap(),
            }),
            by: decider.id,
            at: t(41),
        }),
        revision: 1,
        ..asked
    };
    let event = event_for(&decided, decider, "approval.decided", t(41));
    store
        .update_approval(&decided, &[told(&decided, t(41))], &event)
        .await
        .unwrap();
    let (other, event) = ask(
        requester,
        ApprovalKind::PaidConnectivity,
        "Hotel Wi-Fi",
        t(42),
    );
    store.insert_approval(&other, &event).await.unwrap();
    let (withdrawn, event) = withdraw(&other, requester.id, 0, t(43)).unwrap();
    store
        .update_approval(&withdrawn, &[], &event)
        .await
        .unwrap();
}

fn event_for(request: &ApprovalRequest, by: &Person, action: &str, at: Timestamp) -> AuditEvent {
    event(request.council_id, at, Actor::Person(by.id), action).subject(request.subject())
}

#[tokio::test]
async fn a_request_is_stored_whole_and_decided_once_with_the_requesters_notification() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let connie = add(store, ashby.id, "Connie Councillor", "connie@a.example").await;
        let asked = stored(store, &connie, ApprovalKind::BuyEquipmentOrSoftware, t(5)).await;
        assert_eq!(
            store.approval(ashby.id, asked.id).await.unwrap(),
            asked,
            "{engine}"
        );
        assert_eq!(asked.cost_pence, Some(124_999), "{engine}");

        let (approved, decided) =
            decide(&asked, &approve_until(Some("2026-12-31")), &clerk, t(6)).unwrap();
        let before = all_entries(store).await.len();
        store
            .update_approval(&approved, &[told(&approved, t(6))], &decided)
            .await
            .unwrap_or_else(|e| panic!("{engine}: could not store the decision: {e}"));
        assert_eq!(
            store.approval(ashby.id, asked.id).await.unwrap(),
            approved,
            "{engine}"
        );
        let entries = all_entries(store).await;
        assert_eq!(entries.len(), before + 1, "{engine}");
        assert_eq!(
            entries.last().unwrap().action,
            "approval.decided",
            "{engine}"
        );
        let messages = store.notifications(ashby.id, connie.id).await.unwrap();
        assert_eq!(messages.len(), 1, "{engine}: the requester is told");

        // A second decision made from the same page (revision 0) is refused, and nothing is
        // stored: not the decision, the message or the audit entry.
        let (declined, event) = decide(
            &asked,
            &DecisionInput {
                outcome: Outcome::Declined,
                note: "No budget",
                ..approve_until(None)
            },
            &clerk,
            t(7),
        )
        .unwrap();
        let again = store
            .update_approval(&declined, &[told(&declined, t(7))], &event)
            .await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{engine}: {again:?}"
        );
        assert_eq!(all_entries(store).await.len(), before + 1, "{engine}");
        assert_eq!(
            store
                .notifications(ashby.id, connie.id)
                .await
                .unwrap()
                .len(),
            1,
            "{engine}"
        );
        assert_eq!(
            store.approval(ashby.id, asked.id).await.unwrap(),
            approved,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn another_councils_request_is_not_found_and_cannot_be_changed() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@b.example").await;
        let connie = add(store, ashby.id, "Connie Councillor", "connie@a.example").await;
        let asked = stored(store, &connie, ApprovalKind::InstallSoftware, t(5)).await;
        let missing = store.approval(bryn.id, asked.id).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{engine}: {missing:?}"
        );
        assert!(
            store.approvals(bryn.id).await.unwrap().is_empty(),
            "{engine}"
        );

        // Dressed up as Bryn's: no such request in Bryn.
        let (approved, _) = decide(&asked, &approve_until(None), &clerk, t(6)).unwrap();
        let disguised = ApprovalRequest {
            council_id: bryn.id,
            ..approved
        };
        let event = event_for(&disguised, &clerk, "approval.decided", t(6));
        let refused = store.update_approval(&disguised, &[], &event).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound(_))),
            "{engine}: {refused:?}"
        );
        // A request naming another council's person is refused before anything is written.
        let brynwr = add(store, bryn.id, "Bryn Person", "p@b.example").await;
        let (foreign, event) = ask(&brynwr, ApprovalKind::InstallSoftware, "Zoom", t(7));
        let foreign = ApprovalRequest {
            council_id: ashby.id,
            ..foreign
        };
        let event = AuditEvent {
            council_id: ashby.id,
            ..event
        };
        let refused = store.insert_approval(&foreign, &event).await;
        assert!(
            matches!(refused, Err(StoreError::NotFound("person"))),
            "{engine}: {refused:?}"
        );
        assert_eq!(
            store.approvals(ashby.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_reminder_list_holds_pending_requests_and_approvals_with_a_last_day() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let connie = add(store, ashby.id, "Connie Councillor", "connie@a.example").await;
        let kind = ApprovalKind::PaidConnectivity;
        let pending = stored(store, &connie, kind, t(1)).await;
        let until = stored(store, &connie, kind, t(2)).await;
        let for_good = stored(store, &connie, kind, t(3)).await;
        let declined = stored(store, &connie, kind, t(4)).await;
        let withdrawn = stored(store, &connie, kind, t(5)).await;
        let decisions = [
            (&until, approve_until(Some("2026-07-01"))),
            (&for_good, approve_until(None)),
            (
                &declined,
                DecisionInput {
                    outcome: Outcome::Declined,
                    note: "Use the free Wi-Fi",
                    ..approve_until(None)
                },
            ),
        ];
        for (request, input) in decisions {
            let (decided, event) = decide(request, &input, &clerk, t(10)).unwrap();
            store.update_approval(&decided, &[], &event).await.unwrap();
        }
        let (gone, event) = withdraw(&withdrawn, connie.id, 0, t(10)).unwrap();
        store.update_approval(&gone, &[], &event).await.unwrap();

        let open = store.open_approvals(ashby.id).await.unwrap();
        let expected =
            [(&pending, None), (&until, Some("2026-07-01"))].map(|(r, last)| OpenApproval {
                id: r.id,
                council_id: ashby.id,
                kind,
                requester: connie.id,
                approver: Approver::Clerk,
                requested_at: r.requested_at,
                expires_on: last.map(|d| d.parse().unwrap()),
            });
        assert_eq!(open, expected, "{engine}");
        // Newest first for the list page.
        let all: Vec<ApprovalId> = store
            .approvals(ashby.id)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(
            all,
            [withdrawn.id, declined.id, for_good.id, until.id, pending.id],
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn the_database_refuses_a_council_decision_without_its_minute_reference() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@a.example").await;
        let connie = add(store, ashby.id, "Connie Councillor", "connie@a.example").await;
        let asked = stored(store, &connie, ApprovalKind::DomainOrTrademark, t(1)).await;
        assert_eq!(asked.approver, Approver::Council, "{engine}");
        // Written out by hand: `decide` would refuse it first.
        let unminuted = ApprovalRequest {
            decision: Some(Decision {
                outcome: Outcome::Approved,
                note: None,
                expires_on: None,
                minute: None,
                by: clerk.id,
                at: t(2),
            }),
            revision: 1,
            ..asked.clone()
        };
        let event = event_for(&unminuted, &clerk, "approval.decided", t(2));
        let before = all_entries(store).await.len();
        let refused = store.update_approval(&unminuted, &[], &event).await;
        assert!(
            refused.is_err(),
            "{engine}: stored a council decision without a minute"
        );
        assert_eq!(all_entries(store).await.len(), before, "{engine}");
        assert_eq!(
            store.approval(ashby.id, asked.id).await.unwrap(),
            asked,
            "{engine}"
        );
        db.finish().await;
    }
}
