//! Category lists in the UT1 format (Université Toulouse Capitole's blacklists): which sites
//! are gambling, adult, malware and so on, so the Clerk can see flagged visits (issue 7, item 4).
//!
//! A list is a folder with a folder per category, named for the category (`gambling`,
//! `social_networks`). Each holds a `domains` file, one domain a line, which matches the domain
//! and all its sub-domains, and may hold a `urls` file of host-and-path prefixes
//! (`example.com/games`). `#` starts a comment; blank lines are skipped. A bad line is counted
//! and reported with its file and line number and never stops the load.
//!
//! Matching runs once per (person, day, site) group at ingest, so it is a few hash look-ups:
//! the host, then the host with one label less, and so on. Reads files only in
//! [`CategoryLists::load`]; never writes anything.

mod entries;
mod load;
mod table;
#[cfg(test)]
mod tests;

pub use entries::EntryProblem;
pub use load::{CategoryCount, LoadReport, MALFORMED_KEPT, MalformedEntry, SkippedFolder};

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use table::DomainTable;

/// The most categories one list may have: enough for UT1's (under 100 folders, counting its
/// aliases), and it keeps a [`CategorySet`] to four machine words.
pub const MAX_CATEGORIES: usize = 256;

/// One category of a loaded list: its position in [`CategoryLists::names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CategoryId(u16);

impl CategoryId {
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// A set of categories of one list (a site may be in several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CategorySet([u64; MAX_CATEGORIES / 64]);

impl CategorySet {
    pub const EMPTY: CategorySet = CategorySet([0; MAX_CATEGORIES / 64]);

    pub fn with(mut self, id: CategoryId) -> Self {
        if let Some(word) = self.0.get_mut(id.index() / 64) {
            *word |= 1 << (id.index() % 64);
        }
        self
    }

    pub fn contains(self, id: CategoryId) -> bool {
        self.0
            .get(id.index() / 64)
            .is_some_and(|word| word & (1 << (id.index() % 64)) != 0)
    }

    pub fn union(self, other: CategorySet) -> Self {
        let mut words = self.0;
        for (word, theirs) in words.iter_mut().zip(other.0) {
            *word |= theirs;
        }
        CategorySet(words)
    }

    pub fn intersects(self, other: CategorySet) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    pub fn is_empty(self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }

    /// The categories in the set, in list order.
    pub fn ids(self) -> impl Iterator<Item = CategoryId> {
        (0..MAX_CATEGORIES as u16)
            .map(CategoryId)
            .filter(move |&id| self.contains(id))
    }
}

/// A path prefix of a `urls` entry and its category.
#[derive(Debug)]
struct UrlPrefix {
    /// Lower case, from its `/`; empty for an entry that is a host alone.
    path: Box<[u8]>,
    category: CategoryId,
}

/// A loaded category list, ready for matching.
pub struct CategoryLists {
    names: Vec<String>,
    domains: DomainTable,
    /// The distinct sets of categories domains belong to; the table stores an index into this.
    sets: Vec<CategorySet>,
    /// `urls` entries by host (without a `www.`-like first part).
    urls: HashMap<Box<[u8]>, Vec<UrlPrefix>>,
}

impl Default for CategoryLists {
    /// No categories: nothing matches. Used when the council has not given a list.
    fn default() -> Self {
        Self {
            names: Vec::new(),
            domains: DomainTable::new(),
            sets: Vec::new(),
            urls: HashMap::new(),
        }
    }
}

impl fmt::Debug for CategoryLists {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CategoryLists")
            .field("names", &self.names)
            .field("domains", &self.domains.len())
            .field("url_hosts", &self.urls.len())
            .finish()
    }
}

impl CategoryLists {
    /// The categories' names (their folder names), sorted; a [`CategoryId`] indexes this.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn name(&self, id: CategoryId) -> Option<&str> {
        self.names.get(id.index()).map(String::as_str)
    }

    /// The category with this folder name.
    pub fn id(&self, name: &str) -> Option<CategoryId> {
        let index = self.names.iter().position(|n| n == name)?;
        u16::try_from(index).ok().map(CategoryId)
    }

    /// Every category of a site: those whose `domains` hold the host or a domain it is under,
    /// and those whose `urls` hold a prefix of the host and `path` (the part from the first `/`,
    /// as in [`crate::Hit::path`]; `None` when the log has no path, as for DNS queries, in which
    /// case only host-only `urls` entries count). A path prefix matches up to a `/`, `?` or `#`
    /// or the end (`/games` matches `/games/poker`, not `/gamesroom`). The host should be lower
    /// case without port or trailing dot, as [`crate::Hit::site`] is; other forms are tolerated
    /// at the cost of a copy.
    pub fn categories_of(&self, host: &str, path: Option<&str>) -> CategorySet {
        if self.names.is_empty() {
            return CategorySet::EMPTY;
        }
        let host = host.strip_suffix('.').unwrap_or(host);
        let lowered;
        let host = if host.bytes().any(|b| b.is_ascii_uppercase()) {
            lowered = host.to_ascii_lowercase();
            lowered.as_str()
        } else {
            host
        };
        let mut found = self.domain_categories(host.as_bytes());
        if !self.urls.is_empty() {
            found = found.union(self.url_categories(host.as_bytes(), path));
        }
        found
    }

    fn domain_categories(&self, host: &[u8]) -> CategorySet {
        let set_of = |name: &[u8]| {
            self.domains
                .get(name)
                .and_then(|set| self.sets.get(usize::from(set)).copied())
                .unwrap_or_default()
        };
        // An address has no parent domains: 192.0.2.7 is not "under" 2.7.
        if is_address(host) {
            return set_of(host);
        }
        let mut found = CategorySet::EMPTY;
        let mut rest = host;
        loop {
            found = found.union(set_of(rest));
            match rest.iter().position(|&b| b == b'.') {
                Some(dot) => rest = rest.get(dot + 1..).unwrap_or(&[]),
                None => break,
            }
        }
        found
    }

    /// Whether any `urls` entry names a path (not a host alone): only then can one request to
    /// a site be in a category its other requests are not, and the summariser looks at paths.
    pub fn has_url_paths(&self) -> bool {
        self.urls
            .values()
            .any(|prefixes| prefixes.iter().any(|prefix| !prefix.path.is_empty()))
    }

    /// The categories of the `urls` entries with a path that `path` on `host` falls under
    /// (host-only entries and `domains` are the site's, from [`categories_of`] with no path).
    /// `host` as [`crate::Hit::site`] gives it.
    ///
    /// [`categories_of`]: CategoryLists::categories_of
    pub fn path_categories_of(&self, host: &str, path: &str) -> CategorySet {
        let Some(prefixes) = self.urls.get(entries::strip_www(host.as_bytes())) else {
            return CategorySet::EMPTY;
        };
        prefixes
            .iter()
            .filter(|prefix| {
                !prefix.path.is_empty() && path_starts_with(path.as_bytes(), &prefix.path)
            })
            .fold(CategorySet::EMPTY, |set, prefix| set.with(prefix.category))
    }

    fn url_categories(&self, host: &[u8], path: Option<&str>) -> CategorySet {
        let Some(prefixes) = self.urls.get(entries::strip_www(host)) else {
            return CategorySet::EMPTY;
        };
        let path = path.unwrap_or("").as_bytes();
        prefixes
            .iter()
            .filter(|prefix| path_starts_with(path, &prefix.path))
            .fold(CategorySet::EMPTY, |set, prefix| set.with(prefix.category))
    }

    /// The names of the categories in `set`, in list order.
    pub fn names_of(&self, set: CategorySet) -> impl Iterator<Item = &str> {
        set.ids().filter_map(|id| self.name(id))
    }

    /// The names of the categories in `set` joined by commas ("adult,gambling"), the form the
    /// store keeps. Folder names cannot contain commas.
    pub fn joined_names(&self, set: CategorySet) -> String {
        self.names_of(set).collect::<Vec<_>>().join(",")
    }
}

/// Whether `path` begins with `prefix` (lower case) at a path boundary, ignoring case.
fn path_starts_with(path: &[u8], prefix: &[u8]) -> bool {
    if prefix.is_empty() {
        return true;
    }
    let Some(head) = path.get(..prefix.len()) else {
        return false;
    };
    if !head.eq_ignore_ascii_case(prefix) {
        return false;
    }
    prefix.ends_with(b"/")
        || path
            .get(prefix.len())
            .is_none_or(|next| matches!(next, b'/' | b'?' | b'#'))
}

/// An IPv4 address or a bracketed IPv6 one.
fn is_address(host: &[u8]) -> bool {
    host.first() == Some(&b'[') || host.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

/// Which categories flag a visit: the council's choice of flagged categories (adult, gambling,
/// malware…) and of allowed ones (its own sites, support services), which win: a site in an
/// allowed category never flags anyone, even when it is in a flagged category too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flagging {
    pub flagged: CategorySet,
    pub allowed: CategorySet,
}

impl Flagging {
    /// The council's choice, by category name. Every name must be a category of `lists`; the
    /// error names those that are not (for the settings form).
    pub fn new<S: AsRef<str>>(
        lists: &CategoryLists,
        flagged: &[S],
        allowed: &[S],
    ) -> Result<Flagging, CategoryError> {
        let (flagging, unknown) = Flagging::ignoring_unknown(lists, flagged, allowed);
        if unknown.is_empty() {
            Ok(flagging)
        } else {
            Err(CategoryError::UnknownCategories {
                names: unknown,
                available: lists.names.clone(),
            })
        }
    }

    /// As [`Flagging::new`], but names the list does not have (it may have been updated since
    /// the council chose) are returned for a warning instead of refusing.
    pub fn ignoring_unknown<S: AsRef<str>>(
        lists: &CategoryLists,
        flagged: &[S],
        allowed: &[S],
    ) -> (Flagging, Vec<String>) {
        let mut unknown = Vec::new();
        let mut set_of = |names: &[S]| {
            names.iter().fold(CategorySet::EMPTY, |set, name| {
                let name = name.as_ref().trim();
                match lists.id(name) {
                    Some(id) => set.with(id),
                    None => {
                        unknown.push(name.to_owned());
                        set
                    }
                }
            })
        };
        let flagging = Flagging {
            flagged: set_of(flagged),
            allowed: set_of(allowed),
        };
        (flagging, unknown)
    }

    /// Whether a site in `categories` is flagged: in a flagged category and in no allowed one.
    pub fn flags(&self, categories: CategorySet) -> bool {
        categories.intersects(self.flagged) && !categories.intersects(self.allowed)
    }
}

/// Why a list could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum CategoryError {
    #[error(
        "There is no category list at {path}. Check the folder named in the monitoring settings, or ask your IT provider where they unpacked the list."
    )]
    FolderMissing { path: PathBuf },
    #[error(
        "{path} is a file, not a folder. Give the folder that holds one folder per category (such as gambling or adult)."
    )]
    NotAFolder { path: PathBuf },
    #[error(
        "The folder {path} has no categories in it: no sub-folder holds a domains or urls file.{}",
        nested.as_ref().map(|n| format!(" The list seems to be one level down: use {} instead.", n.display())).unwrap_or_default()
    )]
    NoCategories {
        path: PathBuf,
        /// A sub-folder that does hold categories (UT1 unpacks into `blacklists`).
        nested: Option<PathBuf>,
    },
    #[error(
        "The folder {path} has {found} category folders; Custodian can use at most {MAX_CATEGORIES}. Check it is the right folder."
    )]
    TooManyCategories { path: PathBuf, found: usize },
    #[error(
        "Custodian could not read {path} ({source}). Check that the file is there and that the server is allowed to read it."
    )]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "The category list is too large to load (its names pass 4 GB). Use a smaller list, or fewer categories."
    )]
    TooLarge,
    #[error(
        "The category list has no categor{} called {}. Choose from: {}.",
        if names.len() == 1 { "y" } else { "ies" },
        names.join(", "),
        available.join(", ")
    )]
    UnknownCategories {
        names: Vec<String>,
        available: Vec<String>,
    },
}
