//! In-app notifications: the messages Custodian leaves for one person (a request for vault
//! access to approve, emergency access opened, a refused reveal), shown on their home page
//! until they dismiss them. Only the person a message is for may see or dismiss it; messages
//! never hold a secret (the vault writes them without one).

use crate::error::AppError;
use crate::nav::local_time;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::ids::{CouncilId, NotificationId, PersonId};
use custodian_core::person::Person;
use custodian_core::ports::{Notification, VaultStore};
use jiff::Timestamp;

/// One message as the home page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationView {
    pub id: String,
    pub message: String,
    /// A page of Custodian's to follow; only local paths are kept, so a message can never
    /// send someone to another site.
    pub link: Option<String>,
    pub created: String,
}

impl NotificationView {
    fn of(notification: &Notification) -> Self {
        Self {
            id: notification.id.to_string(),
            message: notification.message.clone(),
            link: notification
                .link
                .clone()
                .filter(|l| l.starts_with('/') && !l.starts_with("//") && !l.contains('\\')),
            created: local_time(notification.created_at),
        }
    }
}

/// The signed-in person's undismissed messages, newest first, for the home page.
pub async fn for_home(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Vec<NotificationView>, AppError> {
    let notifications = state
        .store()
        .notifications(signed_in.council_id(), signed_in.person_id())
        .await?;
    Ok(notifications.iter().map(NotificationView::of).collect())
}

/// `POST /notifications/{id}/dismiss`: hides one of the person's own messages. Another
/// person's message, or another council's, is "not found" (the store checks both).
pub async fn dismiss(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = NotificationId::parse(&id).map_err(|_| AppError::NotFound)?;
    state
        .store()
        .dismiss_notification(
            signed_in.council_id(),
            signed_in.person_id(),
            id,
            state.now(),
        )
        .await?;
    Ok(Redirect::to("/").into_response())
}

/// A message for each of `people` (except `except`) who is active and holds a role `wanted`
/// accepts: the vault tells approvers and emergency holders this way.
pub fn to_each(
    council: CouncilId,
    people: &[Person],
    wanted: impl Fn(&Person) -> bool,
    except: &[PersonId],
    message: &str,
    link: &str,
    now: Timestamp,
) -> Vec<Notification> {
    people
        .iter()
        .filter(|p| p.council_id == council && p.may_sign_in())
        .filter(|p| !except.contains(&p.id))
        .filter(|p| wanted(p))
        .map(|p| Notification {
            id: NotificationId::generate(),
            council_id: council,
            person_id: p.id,
            message: message.to_owned(),
            link: Some(link.to_owned()),
            created_at: now,
            dismissed_at: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(link: &str) -> Notification {
        Notification {
            id: NotificationId::generate(),
            council_id: CouncilId::generate(),
            person_id: PersonId::generate(),
            message: "Ivan Provider asked for access".to_owned(),
            link: Some(link.to_owned()),
            created_at: Timestamp::from_second(1_790_000_000).unwrap(),
            dismissed_at: None,
        }
    }

    /// The home page's partial, rendered as home.html will call it.
    #[derive(askama::Template)]
    #[template(
        source = r#"{% import "macros/notifications.html" as n %}{% call n::notifications(items, csrf_token) %}"#,
        ext = "html"
    )]
    struct Partial {
        items: Vec<NotificationView>,
        csrf_token: String,
    }

    #[test]
    fn the_partial_shows_each_message_with_its_own_dismiss_form() {
        use askama::Template as _;
        let view = NotificationView::of(&notification("/vault/requests"));
        let html = Partial {
            items: vec![view.clone()],
            csrf_token: "tok-1".to_owned(),
        }
        .render()
        .unwrap();
        assert!(html.contains("Ivan Provider asked for access"));
        assert!(html.contains(&format!("action=\"/notifications/{}/dismiss\"", view.id)));
        assert!(html.contains(r#"name="csrf_token" value="tok-1""#));
        assert!(html.contains(r#"href="/vault/requests""#));
        let empty = Partial {
            items: Vec::new(),
            csrf_token: "tok-1".to_owned(),
        }
        .render()
        .unwrap();
        assert!(!empty.contains("Messages for you"));
    }

    #[test]
    fn a_link_to_another_site_is_not_shown() {
        assert_eq!(
            NotificationView::of(&notification("/vault/requests")).link,
            Some("/vault/requests".to_owned())
        );
        assert_eq!(
            NotificationView::of(&notification("//evil.example")).link,
            None
        );
        assert_eq!(
            NotificationView::of(&notification("https://evil.example")).link,
            None
        );
    }
}
