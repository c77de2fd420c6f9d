//! The Clerk's care of the monitoring records (issue 7, items 2, 6 and 7; policy 5.1.8, 5.1.9):
//! matching the names and addresses in the logs to people ([`names`]), legal holds ([`holds`]),
//! and answering a person's subject access, correction or erasure request ([`subject`]).
//!
//! Every page here is the Clerk's ([`Action::ManageMonitoring`]): the council's monitoring
//! settings choose who may *view* records, but matching, holds and requests are the Clerk's
//! duty whoever views. Every page that shows or exports records also records the view with
//! [`audit_view`](super::audit_view). This module only reads forms and calls the rules of
//! `core::monitor` and the store; it must not decide retention or who may see what itself.

mod correct;
mod export;
mod holds;
mod names;
mod subject;

use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use custodian_core::audit::Actor;
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::person::{Person, PersonStatus};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{LocalDay, StoreError, SubjectKey};

/// The care pages, merged into the monitoring routes by `super::routes`. Static segments
/// (`/monitoring/names/new`) win over `/monitoring/names/{id}/…` in axum's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/names", get(names::list))
        .route(
            "/monitoring/names/new",
            get(names::new_form).post(names::create),
        )
        .route(
            "/monitoring/names/correct",
            get(correct::correct_form).post(correct::correct),
        )
        .route(
            "/monitoring/names/{id}/end",
            get(names::end_form).post(names::end),
        )
        .route("/monitoring/holds", get(holds::list))
        .route(
            "/monitoring/holds/new",
            get(holds::new_form).post(holds::create),
        )
        .route(
            "/monitoring/holds/{id}/release",
            get(holds::release_form).post(holds::release),
        )
        .route("/monitoring/subject-access", get(subject::choose))
        // `{file}` is a person's id (their summary) or the id with `.zip` (the download):
        // axum's router cannot match a parameter followed by a fixed suffix.
        .route("/monitoring/subject-access/{file}", get(subject::show))
        .route(
            "/monitoring/subject-access/{person}/erase",
            get(subject::erase_form).post(subject::erase),
        )
}

/// Allows the Clerk's monitoring pages, or refuses with 403 and an audited refusal.
async fn require_clerk(signed_in: &SignedIn) -> Result<(), AppError> {
    signed_in.require(Action::ManageMonitoring).await
}

/// The council's London "today" as a day number.
fn today(state: &AppState) -> LocalDay {
    LocalDay::from_date(london_today(state.now()))
}

/// One option of a select or radio group (the shape `macros/forms.html` expects).
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The council's people as options, by name; those who have left are marked, since their
/// records may still need a hold or an answer to a request.
fn person_choices(people: &[Person], selected: &str) -> Vec<Choice> {
    let mut sorted: Vec<&Person> = people.iter().collect();
    sorted.sort_by_key(|p| p.name.as_str().to_lowercase());
    sorted
        .into_iter()
        .map(|p| {
            let value = p.id.to_string();
            Choice {
                checked: value == selected,
                label: match p.status {
                    PersonStatus::Left => format!("{} (has left)", p.name),
                    _ => p.name.to_string(),
                },
                value,
            }
        })
        .collect()
}

/// A person of the signed-in council chosen by id, or `None` (a tampered or stale form).
fn council_person<'a>(people: &'a [Person], id: &str) -> Option<&'a Person> {
    let id = PersonId::parse(id.trim()).ok()?;
    people.iter().find(|p| p.id == id)
}

/// A person's name, or a plain stand-in when the id is not one of the council's people.
fn name_of(people: &[Person], id: PersonId) -> String {
    people.iter().find(|p| p.id == id).map_or_else(
        || "someone no longer listed".to_owned(),
        |p| p.name.to_string(),
    )
}

/// Who did something, as the pages say it.
fn actor_name(people: &[Person], actor: &Actor) -> String {
    match actor {
        Actor::Person(id) => name_of(people, *id),
        Actor::Operator => "The server's operator".to_owned(),
        Actor::System => "Custodian".to_owned(),
        Actor::Anonymous => "Someone not signed in".to_owned(),
    }
}

/// A key's kind as a query or form names it (`user` or `client`) and as the pages say it.
fn key_kind(key: &SubjectKey) -> (&'static str, &'static str, &str) {
    match key {
        SubjectKey::User(text) => ("user", "User name", text),
        SubjectKey::Client(text) => ("client", "Address", text),
    }
}

/// The key a form or query names: `kind` `user` (a proxy user name) or `client` (an address or
/// computer name), and the text exactly as logged.
fn key_from(kind: &str, value: &str) -> Option<SubjectKey> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match kind {
        "user" => Some(SubjectKey::User(value.to_owned())),
        "client" | "address" => Some(SubjectKey::Client(value.to_owned())),
        _ => None,
    }
}

/// The query string for `key` (`kind=user&value=jsmith`), for links to the forms.
fn key_query(key: &SubjectKey) -> String {
    let (kind, _, value) = key_kind(key);
    form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", kind)
        .append_pair("value", value)
        .finish()
}

/// The store's refusal of a change (a hold in the way, a date out of order) as a sentence for
/// the page; anything else stays an error.
fn refusal(error: StoreError) -> Result<String, AppError> {
    match error {
        StoreError::Conflict(message) => Ok(sentence(&message)),
        other => Err(other.into()),
    }
}

/// `text` with a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// "1 day", "3 days".
fn plural(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_read_as_sentences() {
        assert_eq!(
            sentence("this hold was already released"),
            "This hold was already released."
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(plural(1, "day", "days"), "1 day");
        assert_eq!(plural(0, "day", "days"), "0 days");
    }

    #[test]
    fn keys_come_from_their_kind_and_value_exactly_as_logged() {
        assert_eq!(
            key_from("user", " JSmith "),
            Some(SubjectKey::User("JSmith".to_owned()))
        );
        assert_eq!(
            key_from("client", "10.0.0.5"),
            Some(SubjectKey::Client("10.0.0.5".to_owned()))
        );
        assert_eq!(key_from("other", "x"), None);
        assert_eq!(key_from("user", " "), None);
        assert_eq!(
            key_query(&SubjectKey::User("a b&c".to_owned())),
            "kind=user&value=a+b%26c"
        );
    }
}
