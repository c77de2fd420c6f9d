//! What the register list asks of storage: filters, sort and page, and the page that comes
//! back. Plain values only; the store turns them into SQL and must escape the search text.
//! Also the text each item is found by, so every path that stores an item computes it alike.

use super::{Asset, Category, SerialNumber};
use crate::ids::PersonId;

/// What [`search_text`] puts between fields. No field can hold a line break (asset numbers,
/// serial numbers and one-line text refuse control characters), so a search containing one
/// matches nothing, as it did when each field was searched on its own.
pub const SEARCH_FIELD_SEPARATOR: char = '\n';

/// Capitals folded away one character at a time with Rust's `to_lowercase`: the same on both
/// engines and for every alphabet (SQLite's own folding knows only A to Z). Character by
/// character, so part of a word folds as it does inside the whole word (a Greek final sigma
/// stays σ).
fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// The text the register search looks through for one item: its number, make, model, serial
/// number and location, each with capitals folded away, one per line. The store keeps it beside
/// the item and finds [`AssetQuery::folded_search`] anywhere in it.
pub fn search_text(
    number: &str,
    make: &str,
    model: &str,
    serial: Option<&str>,
    location: &str,
) -> String {
    let fields = [number, make, model, serial.unwrap_or(""), location];
    let mut text = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            text.push(SEARCH_FIELD_SEPARATOR);
        }
        text.push_str(&fold(field));
    }
    text
}

impl Asset {
    /// [`search_text`] of this item's fields.
    pub fn search_text(&self) -> String {
        search_text(
            self.number.as_str(),
            &self.make,
            &self.model,
            self.serial.as_ref().map(SerialNumber::as_str),
            &self.location,
        )
    }
}

/// An item's status without its details, for filtering the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    InStore,
    Issued,
    Lost,
    Stolen,
    Damaged,
    Disposed,
}

impl StatusFilter {
    /// The stored name, the same as [`super::AssetStatus::as_str`].
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::InStore => "in_store",
            StatusFilter::Issued => "issued",
            StatusFilter::Lost => "lost",
            StatusFilter::Stolen => "stolen",
            StatusFilter::Damaged => "damaged",
            StatusFilter::Disposed => "disposed",
        }
    }
}

/// The column the list is sorted by. Ties are broken by asset number, so pages never overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AssetSort {
    #[default]
    Number,
    Category,
    /// Items with no purchase date come last in either direction.
    PurchasedOn,
    Status,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

/// One page of the council's register. `Default` is the first 50 items by number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssetQuery {
    /// Matched, ignoring capitals, anywhere in the number, make, model, serial number or
    /// location. Blank means no search.
    pub text: Option<String>,
    pub category: Option<Category>,
    pub status: Option<StatusFilter>,
    pub holder: Option<PersonId>,
    pub sort: AssetSort,
    pub direction: SortDirection,
    /// Items per page: 0 means [`AssetQuery::DEFAULT_PAGE_SIZE`]; more than
    /// [`AssetQuery::MAX_PAGE_SIZE`] is cut to it.
    pub page_size: u32,
    /// Counted from 1; 0 is read as 1.
    pub page: u32,
}

impl AssetQuery {
    pub const DEFAULT_PAGE_SIZE: u32 = 50;
    pub const MAX_PAGE_SIZE: u32 = 200;

    /// The page size actually used.
    pub fn limit(&self) -> u32 {
        match self.page_size {
            0 => Self::DEFAULT_PAGE_SIZE,
            n => n.min(Self::MAX_PAGE_SIZE),
        }
    }

    /// The page actually shown, counted from 1.
    pub fn page_number(&self) -> u32 {
        self.page.max(1)
    }

    /// How many items come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page_number() - 1) * u64::from(self.limit())
    }

    /// The search text trimmed, or `None` when blank.
    pub fn search(&self) -> Option<&str> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// The search text trimmed and with capitals folded away as in [`search_text`], or `None`
    /// when blank.
    pub fn folded_search(&self) -> Option<String> {
        self.search().map(fold)
    }
}

/// One page of items and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetPage {
    pub assets: Vec<Asset>,
    /// Every matching item, not only this page's.
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

impl AssetPage {
    /// How many pages the matching items fill (at least 1, so "page 1 of 1" reads right).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.page_size.max(1))).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_size_defaults_to_50_and_is_capped_at_200() {
        let mut query = AssetQuery::default();
        assert_eq!(query.limit(), 50);
        query.page_size = 500;
        assert_eq!(query.limit(), 200);
        query.page_size = 10;
        assert_eq!(query.limit(), 10);
    }

    #[test]
    fn pages_count_from_one_and_page_zero_is_the_first() {
        let mut query = AssetQuery {
            page_size: 10,
            ..AssetQuery::default()
        };
        assert_eq!(query.offset(), 0);
        query.page = 3;
        assert_eq!(query.offset(), 20);
    }

    #[test]
    fn blank_search_text_is_no_search() {
        let query = AssetQuery {
            text: Some("   ".into()),
            ..AssetQuery::default()
        };
        assert_eq!(query.search(), None);
    }

    #[test]
    fn the_search_text_holds_each_searched_field_folded_on_its_own_line() {
        assert_eq!(
            search_text("ASH-01", "Dell", "Latitude", Some("5CG1X"), "École Hall"),
            "ash-01\ndell\nlatitude\n5cg1x\nécole hall"
        );
        assert_eq!(
            search_text("ASH-01", "HP", "LaserJet", None, "Office"),
            "ash-01\nhp\nlaserjet\n\noffice"
        );
    }

    #[test]
    fn the_search_and_the_stored_text_fold_capitals_alike_in_any_alphabet() {
        let query = AssetQuery {
            text: Some("  ÉCOLE ΟΔΟΣ ".into()),
            ..AssetQuery::default()
        };
        let folded = query.folded_search();
        assert_eq!(folded.as_deref(), Some("école οδοσ"));
        let stored = search_text("A1", "", "", None, "École ΟΔΟΣ 5");
        assert!(stored.contains(folded.as_deref().unwrap_or_default()));
    }

    #[test]
    fn an_empty_register_still_has_one_page() {
        let page = AssetPage {
            assets: vec![],
            total: 0,
            page: 1,
            page_size: 50,
        };
        assert_eq!(page.pages(), 1);
        assert_eq!(AssetPage { total: 101, ..page }.pages(), 3);
    }
}
