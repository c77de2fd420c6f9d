//! The home page: what needs attention now, for the signed-in person's role.

use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::incident::IncidentStatus;
use custodian_core::permission::Action;
use custodian_core::person::PersonStatus;
use custodian_core::ports::{
    AccountStore, AuditLog, AuditQuery, IncidentStore, PasskeyStore, PersonStore,
};
use serde::Deserialize;

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
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    reported: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let current = &signed_in.current;
    let council = current.council.id;
    let mut attention = Vec::new();
    let account = state.store().account(current.session.account_id).await?;
    if account.totp_secret.is_none() && state.store().passkeys(account.id).await?.is_empty() {
        attention.push(Attention {
            text: "You have not set up an authenticator app or a passkey. Either stops someone who learns your password from signing in as you.".to_owned(),
            href: "/account/mfa",
            action: "Set up your authenticator app",
        });
    }
    if signed_in.may(Action::ViewIncidents) {
        let open = state
            .store()
            .incidents(council)
            .await?
            .iter()
            .filter(|i| i.status == IncidentStatus::Open)
            .count();
        if open > 0 {
            attention.push(Attention {
                text: format!("{open} open incident{}.", if open == 1 { "" } else { "s" }),
                href: "/incidents",
                action: "See incidents",
            });
        }
    }
    if signed_in.may(Action::ViewPeople) {
        let invited = state
            .store()
            .people(council)
            .await?
            .iter()
            .filter(|p| p.status == PersonStatus::Invited)
            .count();
        if invited > 0 {
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
    }
    let checkpoint = if signed_in.may(Action::ViewAuditLog) {
        state
            .store()
            .entries(
                council,
                &AuditQuery {
                    limit: 1,
                    ..AuditQuery::default()
                },
            )
            .await?
            .first()
            .map(|e| (e.seq, e.hash.clone()))
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
    })?
    .into_response())
}
