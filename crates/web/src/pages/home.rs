//! The home page: what needs attention now, for the signed-in person's role.

use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::CouncilId;
use custodian_core::permission::Action;
use custodian_core::ports::{AttentionCounts, AuditLog, AuditQuery, DashboardStore, PolicyStore};
use serde::Deserialize;
use std::sync::Arc;

/// One thing needing attention, with where to deal with it.
pub struct Attention {
    pub text: String,
    pub href: &'static str,
    pub action: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: crate::chrome::Chrome,
    first_name: String,
    council: String,
    attention: Vec<Attention>,
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
}

async fn dashboard(state: &AppState, council: CouncilId) -> Result<Arc<Dashboard>, AppError> {
    let change_count = state.store().change_count();
    let cache = &state.inner().dashboards;
    if let Some(found) = cache.get(&council, change_count) {
        return Ok(found);
    }
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
    let found = Arc::new(Dashboard {
        counts,
        checkpoint,
        unsigned,
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
            href: "/policy/declaration",
            action: "Read and sign the IT policy",
        });
    }
    policy_attention(&signed_in, &dashboard, state.now(), &mut attention);
    if !current.has_second_factor {
        attention.push(Attention {
            text: "You have not set up an authenticator app or a passkey. Either stops someone who learns your password from signing in as you.".to_owned(),
            href: "/account/mfa",
            action: "Set up your authenticator app",
        });
    }
    let open = dashboard.counts.open_incidents;
    if signed_in.may(Action::ViewIncidents) && open > 0 {
        attention.push(Attention {
            text: format!("{open} open incident{}.", if open == 1 { "" } else { "s" }),
            href: "/incidents",
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
            href: "/people",
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
        checkpoint,
        can_report: signed_in.may(Action::ReportIncident),
        reported: query.reported.is_some(),
        must_sign,
    })?
    .into_response())
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
            href: "/policy/declarations",
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
                    href: "/policy",
                    action: "Start the review",
                });
            }
        }
        None => attention.push(Attention {
            text: "The council has not adopted an IT policy in Custodian yet.".to_owned(),
            href: "/policy",
            action: "Set up the IT policy",
        }),
    }
}
