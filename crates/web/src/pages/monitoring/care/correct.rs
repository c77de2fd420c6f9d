//! Correcting records that were not the person's (issue 7, item 7; 5.1.9): the records and
//! raw lines of one name, exactly as logged, over a period, given to another person or to no
//! one. The rules matching names are not changed (ending a rule is `names`' job); the store
//! re-attributes in one transaction with the audit entry.

use super::{Choice, council_person, key_from, key_kind, person_choices, require_clerk};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::pages::monitoring::{read_day, uk_date};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::audit::AuditEvent;
use custodian_core::ports::{MonitorStore, Reattributed, SubjectKey};
use serde::Deserialize;
use serde_json::json;

/// The correction form: the key exactly as logged, the days, and who they really were.
#[derive(Deserialize, Default)]
pub struct CorrectForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// A person's id, or `nobody`.
    #[serde(default)]
    person: String,
}

#[derive(Template)]
#[template(path = "monitoring/names_correct.html")]
struct CorrectPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    kinds: Vec<Choice>,
    value: String,
    from: String,
    to: String,
    people: Vec<Choice>,
}

async fn correct_page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    form: &CorrectForm,
) -> Result<Response, AppError> {
    let people = state.people(signed_in.council_id()).await?;
    let mut choices = vec![Choice {
        value: "nobody".to_owned(),
        label: "No one: leave them unmatched".to_owned(),
        checked: form.person == "nobody",
    }];
    choices.extend(person_choices(&people, &form.person));
    let kind = if form.kind == "user" {
        "user"
    } else {
        "client"
    };
    let kinds = [
        ("user", "User name"),
        ("client", "Address or computer name"),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        checked: value == kind,
    })
    .collect();
    Ok((
        errors.status(),
        render(&CorrectPage {
            chrome: chrome(signed_in, "/monitoring"),
            errors,
            kinds,
            value: form.value.clone(),
            from: form.from.clone(),
            to: form.to.clone(),
            people: choices,
        })?,
    )
        .into_response())
}

pub async fn correct_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(form): Query<CorrectForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    // The person the records were wrongly given to is not the one to choose: start unchosen.
    let form = CorrectForm {
        person: String::new(),
        ..form
    };
    correct_page(&state, &signed_in, Errors::new(), &form).await
}

pub async fn correct(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<CorrectForm>,
) -> Result<Response, AppError> {
    require_clerk(&signed_in).await?;
    let council = signed_in.council_id();
    let people = state.people(council).await?;
    let mut errors = Errors::new();
    let key = key_from(&form.kind, &form.value);
    if key.is_none() {
        errors.add(
            "value",
            "Enter the user name or address exactly as the log shows it.",
        );
    }
    let from = errors.check("from", read_day(form.from.trim(), "The first day"));
    let to = errors.check("to", read_day(form.to.trim(), "The last day"));
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        errors.add("to", "The last day is before the first. Check both dates.");
    }
    let person = match form.person.as_str() {
        "nobody" => Some(None),
        id => match council_person(&people, id) {
            Some(person) => Some(Some(person.id)),
            None => {
                errors.add(
                    "person",
                    "Choose whose records they are, or no one to leave them unmatched.",
                );
                None
            }
        },
    };
    let (Some(key), Some(from), Some(to), Some(person)) = (key, from, to, person) else {
        return correct_page(&state, &signed_in, errors, &form).await;
    };
    if !errors.is_empty() {
        return correct_page(&state, &signed_in, errors, &form).await;
    }
    let (now, actor) = (state.now(), signed_in.actor());
    let (kind, _, value) = key_kind(&key);
    let report = state
        .store()
        .reattribute(council, &key, from, to, person, |r: &Reattributed| {
            let mut event = AuditEvent::new(council, now, actor, "monitor.corrected");
            if let Some(person) = person {
                event = event.subject(format!("person:{person}"));
            }
            event.details(json!({
                "kind": kind,
                "value": value,
                "from": from.date().to_string(),
                "to": to.date().to_string(),
                "person": person.map(|p| p.to_string()),
                "days": r.days,
                "records": r.records,
                "raw_chunks": r.raw_chunks,
            }))
        })
        .await?;
    if report.records == 0 {
        errors.add(
            "value",
            format!(
                "No records of {} between {} and {} needed changing. Check the spelling is exactly as logged (capitals matter here) and the dates.",
                describe(&key),
                uk_date(from),
                uk_date(to)
            ),
        );
        return correct_page(&state, &signed_in, errors, &form).await;
    }
    Ok(Redirect::to(&format!(
        "/monitoring/names?corrected={}&days={}",
        report.records, report.days
    ))
    .into_response())
}

fn describe(key: &SubjectKey) -> String {
    match key {
        SubjectKey::User(text) => format!("the user name {text}"),
        SubjectKey::Client(text) => format!("the address {text}"),
    }
}
