//! The register list: search, filters, sortable columns and pages, all in the address so a
//! view can be bookmarked or shared. Parameters that cannot be read fall back to their defaults
//! rather than failing.

use super::{AssetRow, Choice, People};
use crate::error::AppError;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use custodian_core::asset::{AssetQuery, AssetSort, Category, SortDirection, StatusFilter};
use custodian_core::ids::PersonId;
use custodian_core::permission::Action;
use custodian_core::ports::AssetStore;

pub const STATUSES: [(StatusFilter, &str); 6] = [
    (StatusFilter::InStore, "In store"),
    (StatusFilter::Issued, "Issued"),
    (StatusFilter::Lost, "Lost"),
    (StatusFilter::Stolen, "Stolen"),
    (StatusFilter::Damaged, "Damaged"),
    (StatusFilter::Disposed, "Disposed of"),
];

const SORTS: [(AssetSort, &str, &str); 4] = [
    (AssetSort::Number, "number", "Number"),
    (AssetSort::Category, "category", "Category"),
    (AssetSort::PurchasedOn, "purchased", "Bought"),
    (AssetSort::Status, "status", "Status"),
];

/// The list's parameters as read from the address: each one that could not be read is left at
/// its default.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub text: String,
    pub category: Option<Category>,
    pub status: Option<StatusFilter>,
    pub holder: Option<PersonId>,
    pub sort: AssetSort,
    pub direction: SortDirection,
    pub page: u32,
}

impl Filters {
    /// Reads `q`, `category`, `status`, `holder`, `sort`, `dir` and `page`; the first of a
    /// repeated parameter counts.
    pub fn from_query(raw: Option<&str>) -> Self {
        let mut filters = Filters::default();
        let mut seen = std::collections::HashSet::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !seen.insert(key.clone()) {
                continue;
            }
            let value = value.trim();
            match key.as_ref() {
                "q" => filters.text = value.chars().take(100).collect(),
                "category" => filters.category = Category::parse(value).ok(),
                "status" => {
                    filters.status = STATUSES
                        .iter()
                        .find(|(s, _)| s.as_str() == value)
                        .map(|(s, _)| *s);
                }
                "holder" => filters.holder = PersonId::parse(value).ok(),
                "sort" => {
                    filters.sort = SORTS
                        .iter()
                        .find(|(_, name, _)| *name == value)
                        .map_or(AssetSort::Number, |(s, _, _)| *s);
                }
                "dir" if value == "desc" => filters.direction = SortDirection::Descending,
                "page" => filters.page = value.parse().unwrap_or(1).max(1),
                _ => {}
            }
        }
        filters
    }

    pub fn query(&self) -> AssetQuery {
        AssetQuery {
            text: Some(self.text.clone()).filter(|t| !t.trim().is_empty()),
            category: self.category,
            status: self.status,
            holder: self.holder,
            sort: self.sort,
            direction: self.direction,
            page_size: AssetQuery::DEFAULT_PAGE_SIZE,
            page: self.page.max(1),
        }
    }

    /// The address of this view with some parameters changed; defaults are left out.
    pub fn link(&self, path: &str, sort: AssetSort, direction: SortDirection, page: u32) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if !self.text.is_empty() {
            out.append_pair("q", &self.text);
        }
        if let Some(category) = self.category {
            out.append_pair("category", category.as_str());
        }
        if let Some(status) = self.status {
            out.append_pair("status", status.as_str());
        }
        if let Some(holder) = self.holder {
            out.append_pair("holder", &holder.to_string());
        }
        if sort != AssetSort::Number {
            let name = SORTS
                .iter()
                .find(|(s, _, _)| *s == sort)
                .map(|(_, n, _)| *n);
            out.append_pair("sort", name.unwrap_or("number"));
        }
        if direction == SortDirection::Descending {
            out.append_pair("dir", "desc");
        }
        if page > 1 {
            out.append_pair("page", &page.to_string());
        }
        let query = out.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    /// The same filters without paging or sorting, for the print and label links.
    pub fn filter_link(&self, path: &str) -> String {
        self.link(path, AssetSort::Number, SortDirection::Ascending, 1)
    }
}

/// A column heading: sorted by it (and which way) and the link that sorts by it next.
pub struct SortColumn {
    pub label: &'static str,
    pub href: String,
    /// "ascending", "descending" or "none", for `aria-sort`.
    pub aria_sort: &'static str,
}

/// One link of the page navigation; `None` number means an ellipsis.
pub struct PageLink {
    pub number: Option<u64>,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage {
    chrome: crate::chrome::Chrome,
    text: String,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    holders: Vec<Choice>,
    columns: Vec<SortColumn>,
    rows: Vec<AssetRow>,
    total: u64,
    first_shown: u64,
    last_shown: u64,
    pages: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
    /// People whose names match the search, as links to the items they hold.
    matching_people: Vec<(String, String)>,
    /// Set when the search matched no item but one person, whose items are shown instead.
    showing_holder: Option<String>,
    can_manage: bool,
    print_link: String,
    labels_link: String,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewRegister).await?;
    let council = signed_in.council_id();
    let mut filters = Filters::from_query(raw.as_deref());
    let people = People::of(&state, council).await?;

    let matching: Vec<_> = if filters.text.trim().chars().count() >= 2 {
        let text = filters.text.trim().to_lowercase();
        people
            .0
            .iter()
            .filter(|p| p.name.as_str().to_lowercase().contains(&text))
            .collect()
    } else {
        Vec::new()
    };
    let mut found = state.store().assets(council, &filters.query()).await?;
    let mut showing_holder = None;
    // A search for a holder's name: the register's columns do not hold names, so when no item
    // matches and exactly one person does, show what that person holds.
    if found.total == 0
        && filters.holder.is_none()
        && let [person] = matching.as_slice()
    {
        filters.holder = Some(person.id);
        filters.text.clear();
        found = state.store().assets(council, &filters.query()).await?;
        showing_holder = Some(person.name.to_string());
    }
    // Past the last page (an old bookmark): show the last page instead.
    if found.assets.is_empty() && found.total > 0 {
        filters.page = u32::try_from(found.pages()).unwrap_or(1);
        found = state.store().assets(council, &filters.query()).await?;
    }

    let path = "/assets";
    let columns = SORTS
        .iter()
        .map(|(sort, _, label)| {
            let current = *sort == filters.sort;
            let next_direction = if current && filters.direction == SortDirection::Ascending {
                SortDirection::Descending
            } else {
                SortDirection::Ascending
            };
            SortColumn {
                label,
                href: filters.link(path, *sort, next_direction, 1),
                aria_sort: match (current, filters.direction) {
                    (false, _) => "none",
                    (true, SortDirection::Ascending) => "ascending",
                    (true, SortDirection::Descending) => "descending",
                },
            }
        })
        .collect();
    let pages_total = found.pages();
    let current = u64::from(found.page);
    let link = |n: u64| {
        filters.link(
            path,
            filters.sort,
            filters.direction,
            u32::try_from(n).unwrap_or(1),
        )
    };
    let offset = (current - 1) * u64::from(found.page_size);
    let status_value = filters.status.map(|s| s.as_str()).unwrap_or_default();
    let category_value = filters.category.map(|c| c.as_str()).unwrap_or_default();
    let holder_value = filters.holder.map(|h| h.to_string()).unwrap_or_default();
    let mut holders: Vec<Choice> = people
        .0
        .iter()
        .map(|p| Choice::new(p.id.to_string(), p.name.to_string(), &holder_value))
        .collect();
    holders.sort_by_key(|c| c.label.to_lowercase());
    Ok(render(&ListPage {
        chrome: chrome(&signed_in, "/assets"),
        text: filters.text.clone(),
        categories: Category::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), c.label(), category_value))
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|(s, label)| Choice::new(s.as_str(), *label, status_value))
            .collect(),
        holders,
        columns,
        rows: found
            .assets
            .iter()
            .map(|a| AssetRow::of(a, &people))
            .collect(),
        total: found.total,
        first_shown: if found.total == 0 { 0 } else { offset + 1 },
        last_shown: offset + found.assets.len() as u64,
        pages: page_links(current, pages_total, &link),
        previous: (current > 1).then(|| link(current - 1)),
        next: (current < pages_total).then(|| link(current + 1)),
        matching_people: if showing_holder.is_some() {
            Vec::new()
        } else {
            matching
                .iter()
                .map(|p| {
                    let holder = Filters {
                        holder: Some(p.id),
                        ..Filters::default()
                    };
                    (p.name.to_string(), holder.filter_link(path))
                })
                .collect()
        },
        showing_holder,
        can_manage: signed_in.may(Action::ManageAssets),
        print_link: filters.filter_link("/assets/print"),
        labels_link: filters.filter_link("/assets/labels"),
    })?
    .into_response())
}

/// GOV.UK pagination: the first and last pages, the current one and its neighbours, with
/// ellipses between.
fn page_links(current: u64, total: u64, link: &dyn Fn(u64) -> String) -> Vec<PageLink> {
    if total <= 1 {
        return Vec::new();
    }
    let mut links = Vec::new();
    let mut last_shown = 0;
    for n in 1..=total {
        let near = n + 1 >= current && n <= current + 1;
        if n == 1 || n == total || near {
            if n > last_shown + 1 {
                links.push(PageLink {
                    number: None,
                    href: String::new(),
                    current: false,
                });
            }
            links.push(PageLink {
                number: Some(n),
                href: link(n),
                current: n == current,
            });
            last_shown = n;
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_parameters_fall_back_to_the_defaults() {
        let filters = Filters::from_query(Some(
            "category=spaceship&status=exploded&holder=x&sort=colour&dir=up&page=-3&page=9",
        ));
        assert_eq!(
            filters.query(),
            AssetQuery {
                page_size: AssetQuery::DEFAULT_PAGE_SIZE,
                page: 1,
                ..AssetQuery::default()
            }
        );
    }

    #[test]
    fn a_view_round_trips_through_its_link() {
        let filters = Filters::from_query(Some(
            "q=dell+5440&category=laptop&status=issued&sort=purchased&dir=desc&page=3",
        ));
        assert_eq!(filters.text, "dell 5440");
        assert_eq!(filters.category, Some(Category::Laptop));
        assert_eq!(filters.status, Some(StatusFilter::Issued));
        assert_eq!(filters.sort, AssetSort::PurchasedOn);
        assert_eq!(filters.direction, SortDirection::Descending);
        let link = filters.link("/assets", filters.sort, filters.direction, filters.page);
        assert_eq!(
            link,
            "/assets?q=dell+5440&category=laptop&status=issued&sort=purchased&dir=desc&page=3"
        );
        let again = Filters::from_query(link.split_once('?').map(|(_, q)| q));
        assert_eq!(again.query(), filters.query());
    }

    #[test]
    fn long_runs_of_pages_are_shortened_with_ellipses() {
        let numbers = |current, total| {
            page_links(current, total, &|n| n.to_string())
                .iter()
                .map(|l| l.number.map_or("…".to_owned(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(numbers(1, 1), "");
        assert_eq!(numbers(1, 3), "1 2 3");
        assert_eq!(numbers(5, 10), "1 … 4 5 6 … 10");
        assert_eq!(numbers(10, 10), "1 … 9 10");
    }
}
