//! The most visited sites over a period, and who used one site.

use super::{Names, ReportHead, Who, count, human_bytes, site_link, status_of};
use crate::error::AppError;
use crate::nav::{local_time, render};
use crate::pages::monitoring::{PeriodQuery, audit_view, require_viewer};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use custodian_core::ports::MonitorStore;
use serde_json::json;

/// How many sites the top-sites report lists.
pub const TOP_SITES: u32 = 100;

pub struct SiteTotalRow {
    pub site: String,
    pub link: String,
    pub hits: String,
    pub data: String,
    pub people: String,
}

#[derive(Template)]
#[template(path = "monitoring/report_sites.html")]
struct TopSitesPage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    rows: Vec<SiteTotalRow>,
    limit: u32,
}

/// `GET /monitoring/sites`: the most visited sites over the period, by hits.
pub async fn top(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let mut rows = Vec::new();
    if let Some(period) = period {
        audit_view(
            &state,
            &signed_in,
            "top_sites",
            None,
            json!({ "period": period.to_json() }),
        )
        .await?;
        let sites = state
            .store()
            .top_sites(signed_in.council_id(), period.from, period.to, TOP_SITES)
            .await?;
        rows = sites
            .iter()
            .map(|s| SiteTotalRow {
                link: site_link(&s.site, &head.query),
                site: s.site.clone(),
                hits: count(s.hits),
                data: human_bytes(s.bytes),
                people: count(s.people),
            })
            .collect();
    }
    let status = status_of(&head);
    let page = TopSitesPage {
        chrome: crate::nav::chrome(&signed_in, "/monitoring"),
        head,
        rows,
        limit: TOP_SITES,
    };
    Ok((status, render(&page)?).into_response())
}

/// A site as typed into the address bar or a link: how the logs' parser writes sites (lower
/// case, no port, IPv6 in brackets), or a message saying what is wrong with it.
pub fn read_site(text: &str) -> Result<String, String> {
    let site = text.trim().to_ascii_lowercase();
    let site = site.strip_suffix('.').unwrap_or(&site).to_owned();
    let shown: String = text.trim().chars().take(60).collect();
    if site.is_empty() {
        return Err("Choose a site from the list of top sites.".to_owned());
    }
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']');
    if site.len() > 255 || !site.chars().all(allowed) {
        return Err(format!(
            "\"{shown}\" is not a site name as the logs record them. A site name looks like \
             www.example.com: letters, digits, dots and hyphens, without http:// or a path. \
             Choose one from the list of top sites."
        ));
    }
    Ok(site)
}

pub struct VisitorRow {
    pub who: Who,
    /// The link to match an unmatched log name to a person.
    pub match_link: Option<String>,
    pub days: String,
    pub hits: String,
    pub data: String,
    pub first: String,
    pub last: String,
}

#[derive(Template)]
#[template(path = "monitoring/report_site.html")]
struct SitePage {
    chrome: crate::chrome::Chrome,
    head: ReportHead,
    site: String,
    site_error: Option<String>,
    rows: Vec<VisitorRow>,
    day_query: String,
    may_match: bool,
}

/// `GET /monitoring/sites/{site}`: who used the site over the period.
pub async fn visitors(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(site): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    require_viewer(&state, &signed_in).await?;
    let (head, period) = ReportHead::read(&state, &signed_in, &query);
    let mut page = SitePage {
        chrome: crate::nav::chrome(&signed_in, "/monitoring"),
        site: site.trim().chars().take(60).collect(),
        site_error: None,
        rows: Vec::new(),
        day_query: String::new(),
        may_match: signed_in.may(custodian_core::permission::Action::ManageMonitoring),
        head,
    };
    let site = match read_site(&site) {
        Ok(site) => site,
        Err(message) => {
            page.site_error = Some(message);
            return Ok((axum::http::StatusCode::BAD_REQUEST, render(&page)?).into_response());
        }
    };
    page.site = site.clone();
    let Some(period) = period else {
        let status = status_of(&page.head);
        return Ok((status, render(&page)?).into_response());
    };
    audit_view(
        &state,
        &signed_in,
        "site_visitors",
        Some(format!("site:{site}")),
        json!({ "site": site, "period": period.to_json() }),
    )
    .await?;
    let found = state
        .store()
        .site_visitors(signed_in.council_id(), &site, period.from, period.to)
        .await?;
    let names = Names::of(&state, &signed_in).await?;
    // A person's link opens their last day in the period.
    page.day_query = format!("day={}", period.to.date());
    page.rows = found
        .iter()
        .map(|v| VisitorRow {
            who: Who::of(&names, v.person, v.key.as_ref()),
            match_link: v.key.as_ref().map(super::flags::match_link),
            days: count(v.days),
            hits: count(v.hits),
            data: human_bytes(v.bytes),
            first: local_time(v.first_at),
            last: local_time(v.last_at),
        })
        .collect();
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_is_read_as_the_parser_writes_it_or_refused_with_a_reason() {
        assert_eq!(read_site(" News.Example. ").as_deref(), Ok("news.example"));
        assert_eq!(read_site("[2001:db8::1]").as_deref(), Ok("[2001:db8::1]"));
        assert!(read_site("").unwrap_err().contains("Choose a site"));
        let refused = read_site("http://x.example/a b").unwrap_err();
        assert!(refused.contains("is not a site name"), "{refused}");
        assert!(read_site(&"a".repeat(300)).is_err());
    }
}
