//! The home page: what needs attention now, for the signed-in person's role.

use crate::cache::Lookup;
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::CouncilId;
use custodian_core::device::{DeviceAttention, DeviceNeeds, Evaluator, attention, device_needs};
use custodian_core::permission::Action;
use custodian_core::ports::{
    AttentionCounts, AuditLog, AuditQuery, DashboardStore, DeviceStore, PolicyStore, ReminderStore,
    VaultStore,
};
use serde::Deserialize;
use std::sync::Arc;

/// One thing needing attention, with where to deal with it.
pub struct Attention {
    pub text: String,
    pub href: std::borrow::Cow<'static, str>,
    pub action: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: crate::chrome::Chrome,
    first_name: String,
    council: String,
    attention: Vec<Attention>,
    coming_up: Vec<Attention>,
    notifications: Vec<super::notifications::NotificationView>,
    checkpoint: Option<(i64, String)>,
    can_report: bool,
    reported: bool,
    must_sign: bool,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    reported: Option<String>,
}

/// What the home page shows about the council as a whole: cached (see `cache`), because it is
/// the same for everyone and read on every visit.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub counts: AttentionCounts,
    /// The latest audit entry's number and hash.
    pub checkpoint: Option<(i64, String)>,
    /// Active people who have not signed the policy in force (empty when none is required).
    pub unsigned: Vec<custodian_core::PersonId>,
    /// The holder of each issued item still to be acknowledged, once per item.
    pub awaiting_acknowledgement: Vec<custodian_core::PersonId>,
    /// The council's devices under the policy in force: how many need action, need facts
    /// confirmed again, or wait for a decision.
    pub devices: DeviceAttention,
    /// For each device in use that needs something from its user, who that is and what.
    pub device_needs: Vec<(custodian_core::PersonId, DeviceNeeds)>,
    /// People who have left whose leaving checklist still has open items, and how many.
    pub leavers: Vec<(custodian_core::PersonId, usize)>,
    /// What the password vault needs (4.1.1-4.1.6).
    pub vault: super::home_vault::VaultDashboard,
    /// Everything the council has due, soonest first (issue 6). Made from the records alone
    /// (how urgent each is, is worked out from the date when shown), so it is cached with them.
    pub schedule: Vec<custodian_core::reminder::Due>,
    /// The London date it was made on.
    pub made_on: jiff::civil::Date,
    /// What approvals, joining checklists and health and safety need (issue 6).
    pub routines: super::home_routines::RoutineFigures,
}

/// The council's dashboard: the cached one while nothing has changed, otherwise one build per
/// council at a time (see `cache`).
async fn dashboard(state: &AppState, council: CouncilId) -> Result<Arc<Dashboard>, AppError> {
    let today = custodian_core::policy::version::london_today(state.now());
    let inner = state.inner();
    // Dates move on without any change to the records: a dashboard made yesterday is stale.
    match inner
        .dashboards
        .lookup(&council, state.store().change_count())
    {
        Lookup::Fresh(found) if found.made_on == today => return Ok(found),
        Lookup::Aged(found) if found.made_on == today => {
            // Only another process's changes could make it wrong: show it, and have it
            // rebuilt once in the background for the next visit.
            if let Some(turn) = inner.dashboard_builds.turn_if_free(&council) {
                let state = state.clone();
                tokio::spawn(async move {
                    let _turn = turn;
                    if let Err(error) = build_dashboard(&state, council, today).await {
                        tracing::warn!(%error, "could not refresh the home page's figures");
                    }
                });
            }
            return Ok(found);
        }
        _ => {}
    }
    let _turn = inner.dashboard_builds.turn(&council).await;
    // Whoever held the turn before may have just built it.
    if let Lookup::Fresh(found) = inner
        .dashboards
        .lookup(&council, state.store().change_count())
        && found.made_on == today
    {
        return Ok(found);
    }
    build_dashboard(state, council, today).await
}

/// Reads everything the dashboard shows and caches it. The caller holds the council's turn.
async fn build_dashboard(
    state: &AppState,
    council: CouncilId,
    today: jiff::civil::Date,
) -> Result<Arc<Dashboard>, AppError> {
    let change_count = state.store().change_count();
    let cache = &state.inner().dashboards;
    let counts = state.store().attention_counts(council).await?;
    let newest = AuditQuery {
        limit: 1,
        ..AuditQuery::default()
    };
    let checkpoint = state
        .store()
        .entries(council, &newest)
        .await?
        .first()
        .map(|e| (e.seq, e.hash.clone()));
    let unsigned = state.store().unsigned_people(council).await?;
    let awaiting_acknowledgement = state
        .store()
        .holders_awaiting_acknowledgement(council)
        .await?;
    let (profile, _) = super::policy::profile_in_force(state, council).await?;
    let all_devices = state.store().devices(council).await?;
    let now = state.now();
    let devices = attention(&all_devices, &profile, now);
    let evaluator = Evaluator::new(&profile, now);
    let device_needs = all_devices
        .iter()
        .filter_map(|device| {
            let needs = device_needs(&evaluator, device);
            let user = device.user?;
            (needs.action || needs.reconfirmation).then_some((user, needs))
        })
        .collect();
    let vault = super::home_vault::VaultDashboard::of(
        &state.store().vault_items(council).await?,
        &state.store().grants(council).await?,
        &state.store().emergencies(council).await?,
        now,
    );
    let leavers = super::leaving::open_checklists(state, council).await?;
    let mut records = state.store().reminder_records(council).await?;
    let schedule = records.schedule(today);
    let health = std::mem::take(&mut records.health);
    let routines =
        super::home_routines::RoutineFigures::read(state, council, health, &profile).await?;
    let found = Arc::new(Dashboard {
        made_on: today,
        schedule,
        routines,
        leavers,
        vault,
        counts,
        checkpoint,
        unsigned,
        awaiting_acknowledgement,
        devices,
        device_needs,
    });
    cache.put(council, change_count, found.clone());
    Ok(found)
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let dashboard = dashboard(&state, current.council.id).await?;
    let mut attention = Vec::new();
    // Signing the policy comes first: it is what the council asks of everyone (seeds' declaration).
    let must_sign =
        dashboard.unsigned.contains(&current.person.id) && signed_in.may(Action::SignDeclaration);
    if must_sign {
        attention.push(Attention {
            text: "The council has adopted its IT policy. Please read it and sign the declaration that you will follow it.".to_owned(),
            href: "/policy/declaration".into(),
            action: "Read and sign the IT policy",
        });
    }
    policy_attention(&signed_in, &dashboard, state.now(), &mut attention);
    equipment_attention(&signed_in, &dashboard, &mut attention);
    device_attention(&signed_in, &dashboard, &mut attention);
    super::home_vault::attention(&signed_in, &dashboard.vault, state.now(), &mut attention);
    leaver_attention(&state, &signed_in, &dashboard, &mut attention).await?;
    let to_acknowledge = dashboard
        .awaiting_acknowledgement
        .contains(&current.person.id);
    super::home_routines::attention(
        &state,
        &signed_in,
        &dashboard.routines,
        to_acknowledge,
        &mut attention,
    )
    .await?;
    if !current.has_second_factor {
        attention.push(Attention {
            text: "You have not set up an authenticator app or a passkey. Either stops someone who learns your password from signing in as you.".to_owned(),
            href: "/account/mfa".into(),
            action: "Set up your authenticator app",
        });
    }
    breach_attention(&state, &signed_in, &mut attention).await?;
    let open = dashboard.counts.open_incidents;
    if signed_in.may(Action::ViewIncidents) && open > 0 {
        attention.push(Attention {
            text: format!("{open} open incident{}.", if open == 1 { "" } else { "s" }),
            href: "/incidents".into(),
            action: "See incidents",
        });
    }
    let invited = dashboard.counts.invited_people;
    if signed_in.may(Action::ViewPeople) && invited > 0 {
        attention.push(Attention {
            text: format!(
                "{invited} {} not yet accepted their invitation.",
                if invited == 1 {
                    "person has"
                } else {
                    "people have"
                },
            ),
            href: "/people".into(),
            action: "See people",
        });
    }
    let checkpoint = if signed_in.may(Action::ViewAuditLog) {
        dashboard.checkpoint.clone()
    } else {
        None
    };
    Ok(render(&HomePage {
        chrome: chrome(&signed_in, "/"),
        first_name: current
            .person
            .name
            .as_str()
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        council: current.council.name.to_string(),
        attention,
        coming_up: super::reminders::coming_up(&state, &signed_in, &dashboard.schedule).await?,
        notifications: super::notifications::for_home(&state, &signed_in).await?,
        checkpoint,
        can_report: signed_in.may(Action::ReportIncident),
        reported: query.reported.is_some(),
        must_sign,
    })?
    .into_response())
}

/// Leaving checklists with items still open, for those who see people (the Clerk acts on them).
async fn leaver_attention(
    state: &AppState,
    signed_in: &SignedIn,
    dashboard: &Dashboard,
    attention: &mut Vec<Attention>,
) -> Result<(), AppError> {
    if !signed_in.may(Action::ViewPeople) || dashboard.leavers.is_empty() {
        return Ok(());
    }
    let people = state.people(signed_in.council_id()).await?;
    for (person, open) in &dashboard.leavers {
        let name = people
            .iter()
            .find(|p| p.id == *person)
            .map_or_else(|| "Someone who has left".to_owned(), |p| p.name.to_string());
        attention.push(Attention {
            text: format!(
                "{name} has left: {} on their leaving checklist still {} doing.",
                plural(*open, "one item", "items"),
                if *open == 1 { "needs" } else { "need" },
            ),
            href: format!("/people/{person}/leaving").into(),
            action: "See the leaving checklist",
        });
    }
    Ok(())
}

/// Each open personal-data breach with its 72-hour clock (UK GDPR art. 33), for those who see
/// incidents. Read on each visit rather than cached: the clock moves with time, not with changes.
async fn breach_attention(
    state: &AppState,
    signed_in: &SignedIn,
    attention: &mut Vec<Attention>,
) -> Result<(), AppError> {
    use custodian_core::ports::IncidentStore;
    if !signed_in.may(Action::ViewIncidents) {
        return Ok(());
    }
    let now = state.now();
    for breach in state.store().open_breaches(signed_in.council_id()).await? {
        if let Some(clock) = breach.breach_clock(now) {
            let clock = super::incidents::ClockView::of(clock);
            attention.push(Attention {
                text: format!(
                    "Personal data breach reported {}. {}",
                    crate::nav::local_time(breach.reported_at),
                    clock.sentence
                ),
                href: format!("/incidents/{}", breach.id).into(),
                action: "See the incident",
            });
        }
    }
    Ok(())
}

/// What the council's policy needs: signatures still missing, a review coming up or overdue,
/// or no policy adopted at all.
fn policy_attention(
    signed_in: &SignedIn,
    dashboard: &Dashboard,
    now: jiff::Timestamp,
    attention: &mut Vec<Attention>,
) {
    let counts = &dashboard.counts;
    let unsigned = dashboard.unsigned.len();
    if signed_in.may(Action::ViewDeclarations) && unsigned > 0 {
        attention.push(Attention {
            text: format!(
                "{unsigned} {} not signed the IT policy in force.",
                if unsigned == 1 {
                    "person has"
                } else {
                    "people have"
                }
            ),
            href: "/policy/declarations".into(),
            action: "See who has not signed",
        });
    }
    if !signed_in.may(Action::DraftPolicy) {
        return;
    }
    match counts.policy_review_due {
        Some(due) => {
            let (text, pressing) = super::policy::review_words(due, now);
            if pressing {
                attention.push(Attention {
                    text: format!("IT policy: {text}."),
                    href: "/policy".into(),
                    action: "Start the review",
                });
            }
        }
        None => attention.push(Attention {
            text: "The council has not adopted an IT policy in Custodian yet.".to_owned(),
            href: "/policy".into(),
            action: "Set up the IT policy",
        }),
    }
}

/// Equipment: what the person must acknowledge, and for those who keep the register, items
/// with people who have left and items nobody has acknowledged (1.1.5, 2.1.6).
fn equipment_attention(
    signed_in: &SignedIn,
    dashboard: &Dashboard,
    attention: &mut Vec<Attention>,
) {
    let me = signed_in.current.person.id;
    let mine = dashboard
        .awaiting_acknowledgement
        .iter()
        .filter(|holder| **holder == me)
        .count();
    if mine > 0 && signed_in.may(Action::HoldEquipment) {
        attention.push(Attention {
            text: format!(
                "The council has issued you {} to acknowledge: confirm you have received {} and accept responsibility for {}.",
                plural(mine, "an item", "items"),
                if mine == 1 { "it" } else { "them" },
                if mine == 1 { "it" } else { "them" },
            ),
            href: "/my-equipment".into(),
            action: "See your equipment",
        });
    }
    if !signed_in.may(Action::ViewRegister) {
        return;
    }
    let with_leavers = dashboard.counts.items_with_leavers;
    if with_leavers > 0 {
        attention.push(Attention {
            text: format!(
                "{} still with {} left. Collect {} and wipe {} before issuing {} again.",
                plural(with_leavers as usize, "One item is", "items are"),
                if with_leavers == 1 {
                    "someone who has"
                } else {
                    "people who have"
                },
                if with_leavers == 1 { "it" } else { "them" },
                if with_leavers == 1 { "it" } else { "them" },
                if with_leavers == 1 { "it" } else { "them" },
            ),
            href: "/assets/holders".into(),
            action: "See who has what",
        });
    }
    let unacknowledged = dashboard.counts.unacknowledged_items;
    if unacknowledged > 0 {
        attention.push(Attention {
            text: format!(
                "{} not yet been acknowledged by the person holding {}.",
                plural(
                    unacknowledged as usize,
                    "One issued item has",
                    "issued items have"
                ),
                if unacknowledged == 1 { "it" } else { "them" },
            ),
            href: "/assets/holders".into(),
            action: "See who has what",
        });
    }
}

/// Devices (2.1.4, 2.2): the person's own that need something, and for those who oversee
/// compliance, the council's totals and the requests waiting for a decision (2.2.1).
fn device_attention(signed_in: &SignedIn, dashboard: &Dashboard, attention: &mut Vec<Attention>) {
    let me = signed_in.current.person.id;
    let (mut action, mut reconfirm) = (0, 0);
    for (user, needs) in &dashboard.device_needs {
        if *user == me {
            action += usize::from(needs.action);
            reconfirm += usize::from(needs.reconfirmation && !needs.action);
        }
    }
    if signed_in.may(Action::HoldEquipment) && action + reconfirm > 0 {
        let text = if action > 0 {
            format!(
                "{} not meet the council's IT policy yet. The page says what to change.",
                plural(action, "One of your devices does", "of your devices do"),
            )
        } else {
            format!(
                "The security settings you gave for {} over a year old. Please check {} again.",
                plural(reconfirm, "one of your devices are", "of your devices are"),
                if reconfirm == 1 { "it" } else { "them" },
            )
        };
        attention.push(Attention {
            text,
            href: "/devices/mine".into(),
            action: "See your devices",
        });
    }
    let devices = &dashboard.devices;
    if signed_in.may(Action::ApproveOwnDevice) && devices.pending_requests > 0 {
        attention.push(Attention {
            text: match devices.pending_requests {
                1 => "One request to use a person's own device is waiting for your decision (clause 2.2.1).".to_owned(),
                n => format!("{n} requests to use people's own devices are waiting for your decision (clause 2.2.1)."),
            },
            href: "/devices/requests".into(),
            action: "Decide on requests",
        });
    }
    if signed_in.may(Action::ViewCompliance) && devices.needing_action > 0 {
        attention.push(Attention {
            text: format!(
                "{} not meet the IT policy.",
                plural(devices.needing_action, "One device does", "devices do"),
            ),
            href: "/devices".into(),
            action: "See device compliance",
        });
    }
    if signed_in.may(Action::ViewCompliance) && devices.needing_reconfirmation > 0 {
        attention.push(Attention {
            text: format!(
                "{} security settings that were confirmed over a year ago and must be confirmed again.",
                plural(devices.needing_reconfirmation, "One device has", "devices have"),
            ),
            href: "/devices".into(),
            action: "See device compliance",
        });
    }
}

/// "One item is" / "3 items are": `one` is used as written for 1, `many` after the number.
pub(super) fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        one.to_owned()
    } else {
        format!("{count} {many}")
    }
}
