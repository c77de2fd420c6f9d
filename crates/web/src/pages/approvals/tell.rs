//! Telling people about approvals: the requester when their request is decided, and the home
//! page's lines (requests waiting for your decision; your approvals ending soon).

use crate::error::AppError;
use crate::nav::local_date;
use crate::pages::home::Attention;
use crate::session::SignedIn;
use crate::state::AppState;
use custodian_core::approval::{ApprovalRequest, ApprovalState, Outcome};
use custodian_core::ids::NotificationId;
use custodian_core::permission::Action;
use custodian_core::ports::Notification;
use jiff::Timestamp;
use std::borrow::Cow;

/// What the requester is told when their request is decided. This is the one place that
/// tells them: today an in-app message, stored in the decision's own transaction; email
/// (the outbox) joins here, so every decision reaches the requester the same way.
pub fn tell_requester(request: &ApprovalRequest, now: Timestamp) -> Vec<Notification> {
    let Some(decision) = &request.decision else {
        return Vec::new();
    };
    let message = match (decision.outcome, decision.expires_on) {
        (Outcome::Approved, Some(last)) => format!(
            "Your request \"{}\" was approved, until {}.",
            request.title,
            local_date(last)
        ),
        (Outcome::Approved, None) => format!("Your request \"{}\" was approved.", request.title),
        (Outcome::Declined, _) => format!(
            "Your request \"{}\" was declined. The reason is on the request's page.",
            request.title
        ),
    };
    vec![Notification {
        id: NotificationId::generate(),
        council_id: request.council_id,
        person_id: request.requester,
        message,
        link: Some(format!("/approvals/{}", request.id)),
        created_at: now,
        dismissed_at: None,
    }]
}

/// The same news by email, when the council has email turned on: queued after the decision is
/// stored (the outbox lives apart from the approvals' transaction), so a mail problem never
/// undoes a decision; it is logged, and the in-app message stands.
pub async fn mail_requester(state: &AppState, request: &ApprovalRequest) {
    let Some(decision) = &request.decision else {
        return;
    };
    let result = async {
        if !crate::mail::is_on(state.store(), request.council_id).await? {
            return Ok(0);
        }
        let people = state
            .people(request.council_id)
            .await
            .map_err(|e| custodian_core::ports::StoreError::Unavailable(e.to_string().into()))?;
        let Some(requester) = people.iter().find(|p| p.id == request.requester) else {
            return Ok(0);
        };
        let (subject, outcome) = match decision.outcome {
            Outcome::Approved => ("Your request was approved", "approved"),
            Outcome::Declined => ("Your request was declined", "declined"),
        };
        let until = match (decision.outcome, decision.expires_on) {
            (Outcome::Approved, Some(last)) => format!(" It holds until {}.", local_date(last)),
            _ => String::new(),
        };
        let link = format!(
            "{}/approvals/{}",
            state.inner().options.public_url.trim_end_matches('/'),
            request.id
        );
        let body = format!(
            "Your request \"{}\" ({}, clause {}) was {outcome}.{until}\n\nThe decision, with any reason or conditions, is on the request's page:\n{link}\n",
            request.title,
            request.kind.label(),
            request.kind.clause(),
        );
        let mail = crate::mail::to_person(
            requester,
            subject,
            &body,
            custodian_core::mail::MailKind::Approval,
            format!("approval:{}:{outcome}", request.id),
            state.now(),
        );
        crate::mail::enqueue(state.store(), mail.as_slice()).await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, request = %request.id, "the approval email could not be queued");
    }
}

/// The home page's lines about approvals for the signed-in person: how many requests wait for
/// their decision, and each of their own approvals ending within 14 days.
/// `requests` are the council's (the home page keeps them with its cached figures).
pub async fn attention(
    state: &AppState,
    signed_in: &SignedIn,
    requests: &[ApprovalRequest],
) -> Result<Vec<Attention>, AppError> {
    let may_decide = signed_in.may(Action::DecideApprovals);
    let may_ask = signed_in.may(Action::RequestApproval);
    if !may_decide && !may_ask {
        return Ok(Vec::new());
    }
    let council = signed_in.council_id();
    let now = state.now();
    let me = signed_in.person_id();
    let mut lines = Vec::new();
    if may_decide {
        let people = state.people(council).await?;
        let person = |id| people.iter().find(|p| p.id == id);
        let waiting = match person(me) {
            Some(myself) => requests
                .iter()
                .filter(|r| person(r.requester).is_some_and(|asker| r.waits_for(asker, myself)))
                .count(),
            None => 0,
        };
        if waiting > 0 {
            lines.push(Attention {
                text: match waiting {
                    1 => "1 approval request is waiting for your decision".to_owned(),
                    n => format!("{n} approval requests are waiting for your decision"),
                },
                href: Cow::Borrowed("/approvals?state=pending"),
                action: "Decide",
            });
        }
    }
    for request in requests.iter().filter(|r| r.requester == me) {
        let Some(days) = request.expires_soon(now) else {
            continue;
        };
        let ApprovalState::Approved {
            expires_on: Some(last),
        } = request.state(now)
        else {
            continue;
        };
        let when = match days {
            0 => "ends today".to_owned(),
            1 => "ends tomorrow".to_owned(),
            n => format!("ends in {n} days, after {}", local_date(last)),
        };
        lines.push(Attention {
            text: format!("Your approval \"{}\" {when}", request.title),
            href: Cow::Owned(format!("/approvals/{}", request.id)),
            action: "See the approval",
        });
    }
    Ok(lines)
}
