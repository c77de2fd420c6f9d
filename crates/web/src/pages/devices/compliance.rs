//! The Clerk's compliance table (`/devices`): every device in use, who uses it, whether it is
//! the council's or their own, and whether it meets the policy, with counts and a "needs
//! action" filter. Printable for a council meeting or the internal auditor.

use super::profile_in_force;
use super::views::{Names, Tag, approval_tag, counts_sentence, kind_and_platform, status_tag};
use crate::error::AppError;
use crate::nav::{chrome, local_date, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use custodian_core::device::{Evaluator, Status, attention};
use custodian_core::permission::Action;
use custodian_core::policy::version::london_today;
use custodian_core::ports::DeviceStore;

pub struct Row {
    pub id: String,
    pub name: String,
    pub user: String,
    pub ownership: &'static str,
    pub kind: String,
    pub status: Tag,
    pub approval: Option<Tag>,
    pub detail: String,
}

#[derive(Default)]
pub struct Counts {
    pub in_use: usize,
    pub compliant: usize,
    pub action_needed: usize,
    pub unknown: usize,
    pub pending: usize,
    pub to_confirm: usize,
    pub not_in_use: usize,
}

#[derive(Template)]
#[template(path = "devices/compliance.html")]
struct CompliancePage {
    chrome: crate::chrome::Chrome,
    rows: Vec<Row>,
    counts: Counts,
    only_action: bool,
    adopted: bool,
    idle_minutes: u16,
    pin_digits: u8,
    lockout_attempts: u8,
    printed_on: String,
    can_register: bool,
    can_decide: bool,
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewCompliance).await?;
    let council = signed_in.council_id();
    let query: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let value = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let only_action = value("show") == Some("action");
    let done = value("recorded")
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| match n {
            1 => "Facts recorded for 1 device from the MDM export.".to_owned(),
            n => format!("Facts recorded for {n} devices from the MDM export."),
        });

    let devices = state.store().devices(council).await?;
    let (profile, adopted) = profile_in_force(&state, council).await?;
    let now = state.now();
    let evaluator = Evaluator::new(&profile, now);
    let names = Names::of(&state, council).await?;
    let mut counts = Counts {
        to_confirm: attention(&devices, &profile, now).needing_reconfirmation,
        ..Counts::default()
    };
    let mut rows = Vec::new();
    for device in &devices {
        if !device.is_in_use() {
            counts.not_in_use += 1;
            continue;
        }
        let evaluation = evaluator.evaluate(&device.facts);
        counts.in_use += 1;
        counts.pending += usize::from(device.is_pending());
        match evaluation.overall() {
            Status::Compliant => counts.compliant += 1,
            Status::ActionNeeded => counts.action_needed += 1,
            Status::Unknown => counts.unknown += 1,
        }
        if only_action && evaluation.overall() != Status::ActionNeeded {
            continue;
        }
        rows.push(Row {
            id: device.id.to_string(),
            name: device.name.to_string(),
            user: names.user(device),
            ownership: device.ownership().label(),
            kind: kind_and_platform(device),
            status: status_tag(evaluation.overall()),
            approval: approval_tag(device).filter(|_| device.is_pending()),
            detail: counts_sentence(&evaluation),
        });
    }
    Ok(render(&CompliancePage {
        chrome: chrome(&signed_in, "/devices"),
        rows,
        counts,
        only_action,
        adopted,
        idle_minutes: profile.device_idle_lock_minutes,
        pin_digits: profile.device_pin_min_digits,
        lockout_attempts: profile.device_lockout_attempts,
        printed_on: local_date(london_today(now)),
        can_register: signed_in.may(Action::RecordDeviceEvidence),
        can_decide: signed_in.may(Action::ApproveOwnDevice),
        done,
    })?
    .into_response())
}
