//! Loading a list from its folder: finding the category folders, reading each file line by
//! line into the tables, and reporting what could not be used.

use super::entries::{self, EntryProblem};
use super::table::DomainTable;
use super::{CategoryError, CategoryId, CategoryLists, CategorySet, MAX_CATEGORIES, UrlPrefix};
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Malformed lines kept with their text for the report; all are counted.
pub const MALFORMED_KEPT: usize = 100;

impl CategoryLists {
    /// Loads the UT1-format list in `dir`: every sub-folder with a `domains` or `urls` file is a
    /// category named by the folder. Fails only when there is no list to speak of (the folder is
    /// missing, holds no categories, or a file cannot be read); bad lines are in the report.
    pub fn load(dir: &Path) -> Result<(CategoryLists, LoadReport), CategoryError> {
        read_list(dir, true)
    }

    /// Reads the list in `dir` as [`load`](Self::load) does, finding the same categories and
    /// bad lines, without building the tables for matching: the names and the report, in a
    /// fraction of the time and memory (for the settings page, which shows them).
    pub fn check(dir: &Path) -> Result<(Vec<String>, LoadReport), CategoryError> {
        read_list(dir, false).map(|(lists, report)| (lists.names, report))
    }
}

/// Loads (`keep`) or only checks the list in `dir`.
fn read_list(dir: &Path, keep: bool) -> Result<(CategoryLists, LoadReport), CategoryError> {
    let folders = category_folders(dir)?;
    let mut report = LoadReport {
        skipped: folders.skipped,
        ..LoadReport::default()
    };
    if folders.found.is_empty() {
        return Err(CategoryError::NoCategories {
            path: dir.to_owned(),
            nested: nested_list(dir),
        });
    }
    if folders.found.len() > MAX_CATEGORIES {
        return Err(CategoryError::TooManyCategories {
            path: dir.to_owned(),
            found: folders.found.len(),
        });
    }
    let mut builder = Builder {
        keep,
        ..Builder::default()
    };
    // Sized once from the files (a full list's line is rarely under 20 bytes), so the
    // table of millions of names is not rebuilt again and again as it fills.
    let listed_bytes: u64 = folders
        .found
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name).join("domains")).ok())
        .map(|meta| meta.len())
        .sum();
    if keep {
        builder.domains =
            DomainTable::with_capacity(usize::try_from(listed_bytes / 20).unwrap_or(0));
    }
    for (index, name) in folders.found.iter().enumerate() {
        let id = CategoryId(u16::try_from(index).unwrap_or(u16::MAX));
        let folder = dir.join(name);
        let domains = builder.read_domains(&folder, name, id, &mut report)?;
        let urls = builder.read_urls(&folder, name, id, &mut report)?;
        report.categories.push(CategoryCount {
            name: name.clone(),
            domains,
            urls,
        });
    }
    let lists = CategoryLists {
        names: folders.found,
        domains: builder.domains,
        sets: builder.set_ids.sets,
        urls: builder.urls,
    };
    Ok((lists, report))
}

/// What a load found: each category's counts, folders skipped and bad lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub categories: Vec<CategoryCount>,
    /// Folders that are not categories, with why (hidden folders are skipped silently).
    pub skipped: Vec<SkippedFolder>,
    /// Every bad line, counted.
    pub malformed_total: u64,
    /// The first [`MALFORMED_KEPT`] bad lines.
    pub malformed: Vec<MalformedEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub name: String,
    /// Entries read from `domains` (a domain listed twice counts twice).
    pub domains: u64,
    pub urls: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFolder {
    pub name: String,
    pub reason: &'static str,
}

/// A line of a list that was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedEntry {
    /// The file within the list, such as `gambling/domains`.
    pub file: String,
    /// 1-based.
    pub line: u64,
    /// The line as written (its first 80 characters).
    pub text: String,
    pub problem: EntryProblem,
}

impl fmt::Display for MalformedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, line {}: \"{}\" {}",
            self.file, self.line, self.text, self.problem
        )
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domains: u64 = self.categories.iter().map(|c| c.domains).sum();
        let urls: u64 = self.categories.iter().map(|c| c.urls).sum();
        writeln!(
            f,
            "Loaded {} categories: {domains} domains and {urls} web addresses.",
            self.categories.len()
        )?;
        for folder in &self.skipped {
            writeln!(f, "Skipped the folder {}: {}", folder.name, folder.reason)?;
        }
        if self.malformed_total > 0 {
            writeln!(
                f,
                "{} lines could not be used and were left out.",
                self.malformed_total
            )?;
            for entry in &self.malformed {
                writeln!(f, "  {entry}")?;
            }
            let unshown = self
                .malformed_total
                .saturating_sub(self.malformed.len() as u64);
            if unshown > 0 {
                writeln!(f, "  … and {unshown} more.")?;
            }
        }
        Ok(())
    }
}

struct Folders {
    /// Category names, sorted.
    found: Vec<String>,
    skipped: Vec<SkippedFolder>,
}

fn category_folders(dir: &Path) -> Result<Folders, CategoryError> {
    let unreadable = |source| CategoryError::Unreadable {
        path: dir.to_owned(),
        source,
    };
    match std::fs::metadata(dir) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(CategoryError::FolderMissing {
                path: dir.to_owned(),
            });
        }
        Err(error) => return Err(unreadable(error)),
        Ok(meta) if !meta.is_dir() => {
            return Err(CategoryError::NotAFolder {
                path: dir.to_owned(),
            });
        }
        Ok(_) => {}
    }
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let path = entry.path();
        // `is_dir` follows links: UT1 names some categories twice through symbolic links.
        if !path.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !path.join("domains").is_file() && !path.join("urls").is_file() {
            skipped.push(SkippedFolder {
                name,
                reason: "it has no domains or urls file.",
            });
        } else if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            skipped.push(SkippedFolder {
                name,
                reason: "a category's name may have only letters, digits, - and _. Rename the folder.",
            });
        } else {
            found.push(name);
        }
    }
    found.sort();
    skipped.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Folders { found, skipped })
}

/// A sub-folder of `dir` that itself holds category folders.
fn nested_list(dir: &Path) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .find(|sub| category_folders(sub).is_ok_and(|folders| !folders.found.is_empty()))
}

/// Builds the tables while the files are read.
#[derive(Default)]
struct Builder {
    /// Whether entries are kept for matching, or only read and checked.
    keep: bool,
    domains: DomainTable,
    set_ids: SetIds,
    urls: HashMap<Box<[u8]>, Vec<UrlPrefix>>,
}

/// The distinct category sets domains are in, numbered.
#[derive(Default)]
struct SetIds {
    sets: Vec<CategorySet>,
    ids: HashMap<CategorySet, u16>,
    /// The set last numbered: a `domains` file gives one category to name after name.
    last: Option<(CategorySet, u16)>,
}

impl SetIds {
    /// The number of set `current` with `category` added (`current` itself when the set has it
    /// already); None past 65,536 distinct sets.
    fn with(&mut self, current: Option<u16>, category: CategoryId) -> Option<u16> {
        let set = current
            .and_then(|id| self.sets.get(usize::from(id)).copied())
            .unwrap_or_default();
        if current.is_some() && set.contains(category) {
            return current;
        }
        let wanted = set.with(category);
        if let Some((last, id)) = self.last
            && last == wanted
        {
            return Some(id);
        }
        let id = match self.ids.get(&wanted) {
            Some(&id) => id,
            None => {
                let id = u16::try_from(self.sets.len()).ok()?;
                self.sets.push(wanted);
                self.ids.insert(wanted, id);
                id
            }
        };
        self.last = Some((wanted, id));
        Some(id)
    }
}

impl Builder {
    fn add_domain(&mut self, name: &[u8], category: CategoryId) -> Result<(), CategoryError> {
        // One look-up in the table: the closure gets the name's current set, if any.
        let Builder {
            domains, set_ids, ..
        } = self;
        let mut too_many = false;
        domains
            .upsert(name, |current| {
                set_ids.with(current, category).unwrap_or_else(|| {
                    too_many = true;
                    current.unwrap_or(0)
                })
            })
            .map_err(|_| CategoryError::TooLarge)?;
        if too_many {
            return Err(CategoryError::TooLarge);
        }
        Ok(())
    }

    fn add_url(&mut self, host: &[u8], path: &[u8], category: CategoryId) {
        let prefixes = self.urls.entry(host.into()).or_default();
        if !prefixes
            .iter()
            .any(|p| p.category == category && *p.path == *path)
        {
            prefixes.push(UrlPrefix {
                path: path.into(),
                category,
            });
        }
    }

    /// Reads a category's `domains` file, if it has one; the number of entries used.
    fn read_domains(
        &mut self,
        folder: &Path,
        category: &str,
        id: CategoryId,
        report: &mut LoadReport,
    ) -> Result<u64, CategoryError> {
        let mut name = Vec::new();
        let mut count = 0;
        let label = format!("{category}/domains");
        for_each_line(&folder.join("domains"), &label, report, |line| {
            if entries::domain_line(line, &mut name)? {
                count += 1;
                if self.keep {
                    self.add_domain(&name, id).map_err(LineError::Fatal)?;
                }
            }
            Ok(())
        })?;
        Ok(count)
    }

    /// Reads a category's `urls` file, if it has one; the number of entries used.
    fn read_urls(
        &mut self,
        folder: &Path,
        category: &str,
        id: CategoryId,
        report: &mut LoadReport,
    ) -> Result<u64, CategoryError> {
        let (mut host, mut path) = (Vec::new(), Vec::new());
        let mut count = 0;
        let label = format!("{category}/urls");
        for_each_line(&folder.join("urls"), &label, report, |line| {
            if entries::url_line(line, &mut host, &mut path)? {
                count += 1;
                self.add_url(&host, &path, id);
            }
            Ok(())
        })?;
        Ok(count)
    }
}

/// Why one line stopped: a bad entry (reported, and the load goes on) or a list too large to
/// load (which ends it).
enum LineError {
    Bad(EntryProblem),
    Fatal(CategoryError),
}

impl From<EntryProblem> for LineError {
    fn from(problem: EntryProblem) -> Self {
        LineError::Bad(problem)
    }
}

/// Reads `path` line by line, if it exists, giving each line to `use_line`; a bad entry goes
/// into the report with the file's label and the line's number.
fn for_each_line(
    path: &Path,
    label: &str,
    report: &mut LoadReport,
    mut use_line: impl FnMut(&str) -> Result<(), LineError>,
) -> Result<(), CategoryError> {
    let unreadable = |source| CategoryError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(unreadable(error)),
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buffer = Vec::new();
    let mut number = 0u64;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer).map_err(unreadable)? == 0 {
            return Ok(());
        }
        number += 1;
        let mut bytes = buffer.as_slice();
        if number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let outcome = match std::str::from_utf8(bytes) {
            Ok(line) => use_line(line),
            Err(_) => Err(LineError::Bad(EntryProblem::NotText)),
        };
        match outcome {
            Ok(()) => {}
            Err(LineError::Fatal(error)) => return Err(error),
            Err(LineError::Bad(problem)) => {
                report.malformed_total += 1;
                if report.malformed.len() < MALFORMED_KEPT {
                    report.malformed.push(MalformedEntry {
                        file: label.to_owned(),
                        line: number,
                        text: String::from_utf8_lossy(bytes)
                            .trim()
                            .chars()
                            .take(80)
                            .collect(),
                        problem,
                    });
                }
            }
        }
    }
}
