//! The council-wide list of open joining and leaving checklists, and what the home page shows
//! of joining checklists: the person's own open items with where to do them, and for those who
//! invite people, how many joiners still have items open.

use super::{OpenJoiner, open_checklists};
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::pages::home::Attention;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodian_core::joiner::Task;
use custodian_core::permission::Action;

/// One open checklist as listed.
pub struct ListRow {
    pub name: String,
    pub href: String,
    pub kind: &'static str,
    pub open: String,
}

#[derive(Template)]
#[template(path = "people_checklists.html")]
struct ChecklistsPage {
    chrome: crate::chrome::Chrome,
    rows: Vec<ListRow>,
}

/// Items open, in words: "3 items open", or, for a list the records settled, what to do.
fn open_words(open: usize) -> String {
    match open {
        0 => "None: record it as closed".to_owned(),
        1 => "1 item open".to_owned(),
        n => format!("{n} items open"),
    }
}

/// `GET /people/checklists`: every joining and leaving checklist of the council with items
/// still open, oldest joiners first, then leavers.
pub async fn checklists(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewPeople).await?;
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let name_of = |id| {
        people.iter().find(|p| p.id == id).map_or_else(
            || "Someone no longer listed".to_owned(),
            |p| p.name.to_string(),
        )
    };
    let mut rows: Vec<ListRow> = open_checklists(&state, council)
        .await?
        .iter()
        .map(|joiner: &OpenJoiner| ListRow {
            name: name_of(joiner.person_id),
            href: format!("/people/{}/joining", joiner.person_id),
            kind: "Joining",
            open: open_words(joiner.open.len()),
        })
        .collect();
    rows.extend(
        crate::pages::leaving::open_checklists(&state, council)
            .await?
            .iter()
            .map(|(person, open)| ListRow {
                name: name_of(*person),
                href: format!("/people/{person}/leaving"),
                kind: "Leaving",
                open: open_words(*open),
            }),
    );
    Ok(render(&ChecklistsPage {
        chrome: chrome(&signed_in, "/people"),
        rows,
    })?
    .into_response())
}

/// The signed-in person's own open items on their joining checklist, each with where they do
/// it, for their home page. Items the Clerk does (the council email address, issuing
/// equipment) are not theirs to act on and are left out. `open` is the council's open
/// checklists (cached with the home page's figures); `to_acknowledge` says whether an item
/// issued to them waits for their acknowledgement.
pub fn own_attention(
    signed_in: &SignedIn,
    open: &[OpenJoiner],
    to_acknowledge: bool,
) -> Vec<Attention> {
    let me = signed_in.person_id();
    let Some(mine) = open.iter().find(|j| j.person_id == me) else {
        return Vec::new();
    };
    let mut attention = Vec::new();
    for task in &mine.open {
        let (text, href, action) = match task {
            Task::SetUpMfa => (
                "Your joining checklist: set up an authenticator app or a passkey, so that \
                 someone who learns your password still cannot sign in as you.",
                "/account/mfa",
                "Set up an authenticator app or a passkey",
            ),
            Task::SignDeclaration => (
                "Your joining checklist: read the council's IT policy and sign the declaration \
                 that you will follow it.",
                "/policy/declaration",
                "Read and sign the IT policy",
            ),
            Task::RegisterOwnDevices => (
                "Your joining checklist: if you use your own phone, tablet or computer for \
                 council work, register it so the council can agree to it.",
                "/devices/mine",
                "Register your own devices",
            ),
            Task::ReceiveEquipment if to_acknowledge => (
                "Your joining checklist: confirm that you have received the council \
                 equipment issued to you.",
                "/my-equipment",
                "Acknowledge your equipment",
            ),
            _ => continue,
        };
        attention.push(Attention {
            text: text.to_owned(),
            href: href.into(),
            action,
        });
    }
    attention
}

/// For those who invite people (the Clerk and the IT provider): how many joining checklists
/// still have items open, or wait to be recorded closed.
pub fn clerk_attention(signed_in: &SignedIn, open: &[OpenJoiner]) -> Vec<Attention> {
    if !signed_in.may(Action::InvitePerson) || open.is_empty() {
        return Vec::new();
    }
    let with_items = open.iter().filter(|j| !j.open.is_empty()).count();
    let text = match (with_items, open.len() - with_items) {
        (0, ready) => format!(
            "{} joining {} every item settled and can be recorded as closed.",
            ready,
            if ready == 1 {
                "checklist has"
            } else {
                "checklists have"
            }
        ),
        (1, _) => "1 person who joined still has items open on their joining checklist.".to_owned(),
        (n, _) => {
            format!("{n} people who joined still have items open on their joining checklists.")
        }
    };
    vec![Attention {
        text,
        href: "/people/checklists".into(),
        action: "See the open checklists",
    }]
}
