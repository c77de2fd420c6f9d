//! Records in the categories the council flags, hits per category, and traffic that matched
//! no one (for the Clerk to match to a person on the identities page).

use super::{
    Names, ReportHead, Who, clock_time, count, day_words, human_bytes, key_kind_words, key_text,
    site_link, status_of,
};
use crate::error::AppError;
use crate::nav::render;
use crate::pages::monitoring::{PeriodQuery, audit_view, require_viewer, uk_date};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::ports::{MonitorStore, SubjectKey};
use serde_json::json;

/// The identities page's form to match `key` to a person (helper C's page).
pub fn match_link(key: &SubjectKey) -> String {
    let kind = match key {
        SubjectKey::User(_) => "user",
        SubjectKey::Client(_) => "client",
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", kind)
        .append_pair("value", key_text(key))
        .finish();
    format!("/monitoring/names/new?{query}")
}

pub struct CategoryRow {
    pub category: String,
    pub hits: String,
    pub data: String,
    pub people: String,
    pub flagged_hits: String,
    pub flagged: bool,
}

pub struct FlaggedRow {
    pub day: String,
    pub day_link: Option<String>,
    pub who: Who,
    pub site: String,
    pub site_link: String,
    pub categories: String,
    pub first: String,
    pub last: String,
    pub hits: String,
    pub data: String,
}

#[derive(Template)]
#[template(path = "monitoring/report_categories.html")]
struct CategoriesPage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    categories: Vec<CategoryRow>,
    flagged: Vec<FlaggedRow>,
    flagged_names: String,
    has_lists: bool,
}

/// `GET /monitoring/categories`: hits per category and every record in a flagged category.
pub async fn categories(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let settings = require_viewer(&state, &signed_in).await?;
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let mut page = CategoriesPage {
        chrome: crate::nav::chrome(&signed_in, "/monitoring"),
        head,
        categories: Vec::new(),
        flagged: Vec::new(),
        flagged_names: settings.flagged_categories.join(", "),
        has_lists: settings.categories_path.is_some(),
    };
    let Some(period) = period else {
        let status = status_of(&page.head);
        return Ok((status, render(&page)?).into_response());
    };
    audit_view(
        &state,
        &signed_in,
        "categories",
        None,
        json!({ "period": period.to_json() }),
    )
    .await?;
    let council = signed_in.council_id();
    let totals = state
        .store()
        .category_totals(council, period.from, period.to)
        .await?;
    let records = state
        .store()
        .flagged_records(council, period.from, period.to)
        .await?;
    let names = Names::of(&state, &signed_in).await?;
    page.categories = totals
        .iter()
        .map(|t| CategoryRow {
            flagged: settings.flagged_categories.contains(&t.category),
            category: t.category.clone(),
            hits: count(t.hits),
            data: human_bytes(t.bytes),
            people: count(t.people),
            flagged_hits: count(t.flagged_hits),
        })
        .collect();
    page.flagged = records
        .iter()
        .map(|r| FlaggedRow {
            day: uk_date(r.day),
            day_link: r
                .person
                .map(|p| format!("/monitoring/people/{p}?day={}", r.day.date())),
            who: Who::of(&names, r.person, Some(&r.key)),
            site_link: site_link(&r.site, &page.head.query),
            site: r.site.clone(),
            categories: r.categories.join(", "),
            first: clock_time(r.first_at),
            last: clock_time(r.last_at),
            hits: count(r.hits),
            data: human_bytes(r.bytes),
        })
        .collect();
    Ok(render(&page)?.into_response())
}

pub struct UnmatchedRow {
    pub kind: &'static str,
    pub value: String,
    pub days: String,
    pub hits: String,
    pub data: String,
    pub first_day: String,
    pub last_day: String,
    pub match_link: String,
}

#[derive(Template)]
#[template(path = "monitoring/report_unattributed.html")]
struct UnattributedPage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    rows: Vec<UnmatchedRow>,
    may_match: bool,
}

/// `GET /monitoring/unattributed`: user names and addresses that matched no one.
pub async fn unattributed(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let mut page = UnattributedPage {
        chrome: crate::nav::chrome(&signed_in, "/monitoring"),
        head,
        rows: Vec::new(),
        may_match: signed_in.may(custodian_core::permission::Action::ManageMonitoring),
    };
    let Some(period) = period else {
        let status = status_of(&page.head);
        return Ok((status, render(&page)?).into_response());
    };
    audit_view(
        &state,
        &signed_in,
        "unattributed",
        None,
        json!({ "period": period.to_json() }),
    )
    .await?;
    let keys = state
        .store()
        .unattributed(signed_in.council_id(), period.from, period.to)
        .await?;
    page.rows = keys
        .iter()
        .map(|k| UnmatchedRow {
            kind: key_kind_words(&k.key),
            value: key_text(&k.key).to_owned(),
            days: count(k.days),
            hits: count(k.hits),
            data: human_bytes(k.bytes),
            first_day: day_words(k.first_day),
            last_day: day_words(k.last_day),
            match_link: match_link(&k.key),
        })
        .collect();
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_link_names_the_kind_and_the_value_exactly_as_logged() {
        assert_eq!(
            match_link(&SubjectKey::User("J Smith&co".to_owned())),
            "/monitoring/names/new?kind=user&value=J+Smith%26co"
        );
        assert_eq!(
            match_link(&SubjectKey::Client("192.0.2.77".to_owned())),
            "/monitoring/names/new?kind=client&value=192.0.2.77"
        );
    }
}
