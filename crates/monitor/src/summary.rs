//! Summarising a log as it is read: chunks in, the daily log out, one group per key (proxy user
//! name, else client address), London day and site, with first and last time, hits, bytes and
//! hits per hour.
//!
//! Built for speed on one thread: every line is parsed in place; keys and sites are interned
//! once (`intern`: a name to a number) and groups are counted under three numbers (`tally`,
//! which also keeps finished days packed small), so a line costs a few look-ups and no
//! allocation. Strings are made only at [`Summarizer::finish`], once per distinct key, site and
//! group; [`Summarizer::finish_totals`] makes none.
//!
//! A bad line never stops the file: it is counted, and the first 100 are kept with their line
//! numbers and reasons. What does stop it is a file that is plainly in another format (most of
//! its first 20 lines unreadable, and they look like a format Custodian knows), or a CSV mapping
//! naming a column the file does not have: both are mistakes in what was asked, best said at once.

use crate::category::{CategoryLists, CategorySet};
use crate::clock::LondonClock;
use crate::detect::{DETECTION_LINES, Detection, detect};
use crate::format::{Format, FormatKind};
use crate::intern::Interner;
use crate::parse::{LineParser, Parsed};
use crate::reader::{Line, LineSplitter, MAX_LINE_BYTES, MalformedLine, MalformedLines};
use crate::record::{Group, Hit, LocalDay, SubjectKey, Totals};
use crate::tally;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// How to summarise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Keep each hit's raw line, grouped by key and day, for investigations (the store
    /// compresses them). Off for `monitor summarize`, which prints figures only.
    pub keep_raw_lines: bool,
    /// The date lines without a year are dated against (see `clock`): the file's modification
    /// date, or 31 December of a year the person names.
    pub year_reference: Date,
}

impl SummaryOptions {
    pub fn new(year_reference: Date) -> SummaryOptions {
        SummaryOptions {
            keep_raw_lines: false,
            year_reference,
        }
    }
}

/// The raw lines of one key's hits on one day, joined by newlines, in the order read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLines {
    pub key: SubjectKey,
    pub day: LocalDay,
    pub lines: Vec<u8>,
}

/// The `urls` categories of one group's requests: the categories of the category list's
/// entries with a path that any of its requests fell under (see
/// [`Summarizer::match_url_paths`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathCategories {
    pub key: SubjectKey,
    pub day: LocalDay,
    pub site: String,
    pub categories: CategorySet,
}

/// Everything read from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub totals: Totals,
    /// The first 100 malformed lines (all are counted in `totals.malformed`).
    pub malformed: Vec<MalformedLine>,
    /// Sorted by key, day and site.
    pub groups: Vec<Group>,
    /// Empty unless `keep_raw_lines`; sorted by key and day.
    pub raw: Vec<RawLines>,
    /// Groups some of whose requests fell under a `urls` entry with a path; empty unless
    /// [`Summarizer::match_url_paths`] was called. In no particular order.
    pub path_categories: Vec<PathCategories>,
    /// Set when most of the first lines could not be read: what they look like (a format, or
    /// nothing Custodian knows), so the report can say so.
    pub first_lines: Option<Detection>,
}

/// A mistake in what was asked that makes reading the file pointless.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SummaryError {
    /// Most of the first lines cannot be read in the chosen format and look like another.
    #[error("{}", wrong_format_message(*chosen, *likely, *examined, *unreadable))]
    WrongFormat {
        chosen: FormatKind,
        likely: FormatKind,
        examined: usize,
        unreadable: usize,
    },
    #[error(
        "The CSV file has no column headed \"{column}\"; its first row has: {headings}. Check the column mapping against the file's first row."
    )]
    UnknownColumn { column: String, headings: String },
    #[error(
        "The column mapping asks for column {number}, but the file's first row has only {columns} columns."
    )]
    ColumnBeyondRow { number: usize, columns: usize },
}

fn wrong_format_message(
    chosen: FormatKind,
    likely: FormatKind,
    examined: usize,
    unreadable: usize,
) -> String {
    let lines = if examined == 1 {
        "The first line looks".to_owned()
    } else {
        format!("The first {examined} lines look")
    };
    let advice = match likely {
        FormatKind::Csv => "try --format csv with --csv-columns naming its columns".to_owned(),
        other => format!("try --format {}", other.name()),
    };
    format!(
        "{lines} like {}, not {} ({unreadable} of {examined} could not be read as {}): {advice}.",
        likely.description(),
        chosen.description(),
        chosen.name(),
    )
}

/// Reads a log chunk by chunk and summarises it. `feed` as data arrives, then `finish`.
#[derive(Debug)]
pub struct Summarizer {
    splitter: LineSplitter,
    reading: Reading,
}

/// Everything but the splitter, so the splitter can hand lines to it.
#[derive(Debug)]
struct Reading {
    format: FormatKind,
    parser: LineParser,
    clock: LondonClock,
    scratch: String,
    tally: Tally,
    malformed: MalformedLines,
    first_lines: FirstLines,
    failed: Option<SummaryError>,
}

impl Summarizer {
    pub fn new(format: Format, options: SummaryOptions) -> Summarizer {
        Summarizer {
            splitter: LineSplitter::new(),
            reading: Reading {
                format: format.kind(),
                parser: LineParser::new(&format, options.year_reference),
                clock: LondonClock::new(),
                scratch: String::new(),
                tally: Tally::new(options.keep_raw_lines),
                malformed: MalformedLines::default(),
                first_lines: FirstLines::default(),
                failed: None,
            },
        }
    }

    /// Reads a chunk of any size; a line cut at its end waits for the next chunk. After an
    /// error, more data is ignored and the same error returned.
    pub fn feed(&mut self, data: &[u8]) -> Result<(), SummaryError> {
        if let Some(error) = &self.reading.failed {
            return Err(error.clone());
        }
        let reading = &mut self.reading;
        self.splitter
            .feed(data, |number, line| reading.line(number, line));
        self.reading.tally.groups.flush();
        match &self.reading.failed {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// Looks up each request's path (plain HTTP only: HTTPS and DNS show none) in the `urls`
    /// entries of `lists` that name a path, so a group is put in a category for a part of a
    /// site (`example.com/games`) as well as for whole sites. A path is not kept, only the
    /// categories it matched ([`Summary::path_categories`]). Call before feeding.
    pub fn match_url_paths(&mut self, lists: Arc<CategoryLists>) {
        if lists.has_url_paths() {
            self.reading.tally.url_lists = Some(lists);
        }
    }

    /// Bytes of a last line still waiting for its end (while following a growing file).
    pub fn pending_bytes(&self) -> usize {
        self.splitter.pending_bytes()
    }

    /// The figures so far (a line still waiting for its end is not counted). Counting the
    /// groups packs the tables being counted, so this is for the end of a batch of lines,
    /// not every line.
    pub fn totals(&mut self) -> Totals {
        self.reading.totals(self.splitter.lines())
    }

    /// Ends the input: reads a last line without a newline, and returns the summary.
    pub fn finish(self) -> Result<Summary, SummaryError> {
        let (mut reading, lines) = self.finish_reading()?;
        let totals = reading.totals(lines);
        let Reading {
            tally,
            malformed,
            first_lines,
            ..
        } = reading;
        let (groups, raw, path_categories) = tally.into_groups();
        Ok(Summary {
            totals,
            malformed: malformed.into_first(),
            groups,
            raw,
            path_categories,
            first_lines: first_lines.hint,
        })
    }

    /// Like [`finish`](Self::finish), without making the groups and raw lines (for
    /// `monitor summarize`, which prints the figures only): `groups` and `raw` are empty,
    /// `totals.groups` still counts them.
    pub fn finish_totals(self) -> Result<Summary, SummaryError> {
        let (mut reading, lines) = self.finish_reading()?;
        Ok(Summary {
            totals: reading.totals(lines),
            malformed: reading.malformed.into_first(),
            groups: Vec::new(),
            raw: Vec::new(),
            path_categories: Vec::new(),
            first_lines: reading.first_lines.hint,
        })
    }

    fn finish_reading(mut self) -> Result<(Reading, u64), SummaryError> {
        if let Some(error) = self.reading.failed {
            return Err(error);
        }
        let reading = &mut self.reading;
        self.splitter
            .finish(|number, line| reading.line(number, line));
        self.reading.tally.groups.flush();
        self.reading.check_first_lines();
        match self.reading.failed {
            Some(error) => Err(error),
            None => Ok((self.reading, self.splitter.lines())),
        }
    }
}

/// Summarises a whole log held in memory (tests, fuzzing, small uploads).
pub fn summarize_slice(
    format: Format,
    options: SummaryOptions,
    input: &[u8],
) -> Result<Summary, SummaryError> {
    let mut summarizer = Summarizer::new(format, options);
    summarizer.feed(input)?;
    summarizer.finish()
}

impl Reading {
    fn line(&mut self, number: u64, line: Line<'_>) {
        if self.failed.is_some() {
            return;
        }
        let bytes = match line {
            Line::Text(bytes) => bytes,
            Line::TooLong => {
                self.malformed(number, TOO_LONG);
                if self.first_lines.note(b"", true) {
                    self.check_first_lines();
                }
                return;
            }
        };
        let bytes = if number == 1 {
            // A byte-order mark, as Windows programs write at the start of a text file.
            bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes)
        } else {
            bytes
        };
        if bytes.iter().all(|&b| b == b' ' || b == b'\t') {
            return;
        }
        let unreadable = match std::str::from_utf8(bytes) {
            Err(_) => {
                self.malformed(number, "the line is not valid UTF-8 text");
                true
            }
            Ok(text) => match self.parser.parse(text, &mut self.clock, &mut self.scratch) {
                Err(error) => {
                    self.failed = Some(error);
                    return;
                }
                Ok(Parsed::Hit(hit)) => match self.tally.add(&hit, bytes, &mut self.clock) {
                    Ok(()) => false,
                    Err(reason) => {
                        self.malformed(number, reason);
                        true
                    }
                },
                Ok(Parsed::NotAHit) => false,
                Ok(Parsed::Malformed(reason)) => {
                    self.malformed(number, reason);
                    true
                }
            },
        };
        if self.first_lines.note(bytes, unreadable) {
            self.check_first_lines();
        }
    }

    fn malformed(&mut self, number: u64, reason: &str) {
        self.malformed.record(number, reason);
    }

    /// Once the first lines are in (or the file ended sooner): if most could not be read,
    /// either the file is in another format (an error) or the summary says what they look like.
    fn check_first_lines(&mut self) {
        let first = &mut self.first_lines;
        if first.checked || first.examined == 0 || self.failed.is_some() {
            return;
        }
        first.checked = true;
        if first.unreadable * 2 <= first.examined {
            return;
        }
        let detection = detect(&first.text);
        first.text = Vec::new();
        match detection.likely {
            Some(likely) if likely != self.format => {
                self.failed = Some(SummaryError::WrongFormat {
                    chosen: self.format,
                    likely,
                    examined: first.examined,
                    unreadable: first.unreadable,
                });
            }
            _ => first.hint = Some(detection),
        }
    }

    fn totals(&mut self, lines: u64) -> Totals {
        Totals {
            lines,
            hits: self.tally.hits,
            bytes: self.tally.bytes,
            malformed: self.malformed.count(),
            groups: self.tally.groups.groups(),
        }
    }
}

const TOO_LONG: &str = "the line is longer than 65,536 bytes";
const _: () = assert!(MAX_LINE_BYTES == 65_536);

/// The first non-blank lines, kept until the format check has looked at them.
#[derive(Debug, Default)]
struct FirstLines {
    text: Vec<u8>,
    examined: usize,
    unreadable: usize,
    checked: bool,
    hint: Option<Detection>,
}

impl FirstLines {
    /// Notes one non-blank line; true when enough have been seen to check.
    fn note(&mut self, line: &[u8], unreadable: bool) -> bool {
        if self.checked || self.examined >= DETECTION_LINES {
            return false;
        }
        self.examined += 1;
        self.unreadable += usize::from(unreadable);
        if self.text.len() + line.len() < 64 * 1024 {
            self.text.extend_from_slice(line);
            self.text.push(b'\n');
        }
        self.examined == DETECTION_LINES
    }
}

/// The groups being counted, under interned numbers, with the figures of the whole file.
#[derive(Debug)]
struct Tally {
    /// Key numbers are a user's number times two, or a client's times two plus one.
    users: Interner,
    clients: Interner,
    sites: Interner,
    groups: tally::Tally,
    /// (key, day) → raw lines, when they are kept.
    raw: Option<FxHashMap<(u32, i32), Vec<u8>>>,
    /// The lists whose `urls` paths are looked up, when asked for and they have any.
    url_lists: Option<Arc<CategoryLists>>,
    /// (key, day, site) → the categories its requests' paths matched, for groups with any.
    path_sets: FxHashMap<(u32, i32, u32), CategorySet>,
    hits: u64,
    bytes: u64,
}

impl Tally {
    fn new(keep_raw_lines: bool) -> Tally {
        Tally {
            users: Interner::default(),
            clients: Interner::default(),
            sites: Interner::default(),
            groups: tally::Tally::default(),
            raw: keep_raw_lines.then(FxHashMap::default),
            url_lists: None,
            path_sets: FxHashMap::default(),
            hits: 0,
            bytes: 0,
        }
    }

    /// Counts one hit; the reason if it cannot be counted.
    fn add(
        &mut self,
        hit: &Hit<'_>,
        line: &[u8],
        clock: &mut LondonClock,
    ) -> Result<(), &'static str> {
        let Some((day, hour)) = clock.day_and_hour(hit.at) else {
            return Err("the time is outside the years a log can hold");
        };
        let key = match hit.user {
            Some(user) => self.users.intern(user).and_then(|n| n.checked_mul(2)),
            None => self
                .clients
                .intern(hit.client)
                .and_then(|n| n.checked_mul(2))
                .and_then(|n| n.checked_add(1)),
        }
        .ok_or(TOO_MANY)?;
        let site = self.sites.intern(hit.site).ok_or(TOO_MANY)?;
        self.groups
            .add(key, site, day.0, hour, hit.at, hit.bytes)
            .map_err(|_| "the time is outside the years a log can hold")?;
        self.hits += 1;
        self.bytes = self.bytes.saturating_add(hit.bytes);
        if let (Some(lists), Some(path)) = (&self.url_lists, hit.path) {
            let categories = lists.path_categories_of(hit.site, path);
            if !categories.is_empty() {
                let set = self.path_sets.entry((key, day.0, site)).or_default();
                *set = set.union(categories);
            }
        }
        if let Some(raw) = &mut self.raw {
            let lines = raw.entry((key, day.0)).or_default();
            if !lines.is_empty() {
                lines.push(b'\n');
            }
            lines.extend_from_slice(line);
        }
        Ok(())
    }

    /// The groups and raw lines with their names, sorted by key, day and site, and the
    /// groups' path categories.
    fn into_groups(self) -> (Vec<Group>, Vec<RawLines>, Vec<PathCategories>) {
        let key_count = 2 * self.users.len().max(self.clients.len());
        let mut keys: Vec<SubjectKey> = vec![SubjectKey::Client(String::new()); key_count];
        for (number, name) in self.users.into_names().into_iter().enumerate() {
            if let Some(slot) = keys.get_mut(2 * number) {
                *slot = SubjectKey::User(name);
            }
        }
        for (number, name) in self.clients.into_names().into_iter().enumerate() {
            if let Some(slot) = keys.get_mut(2 * number + 1) {
                *slot = SubjectKey::Client(name);
            }
        }
        let sites = self.sites.into_names();
        let key_rank = ranks(&keys);
        let site_rank = ranks(&sites);
        let rank = |ranks: &[u32], id: u32| ranks.get(id as usize).copied().unwrap_or(u32::MAX);

        let path_categories = self
            .path_sets
            .into_iter()
            .filter_map(|((key, day, site), categories)| {
                Some(PathCategories {
                    key: keys.get(key as usize)?.clone(),
                    day: LocalDay(day),
                    site: sites.get(site as usize)?.clone(),
                    categories,
                })
            })
            .collect();
        let mut counted = self.groups.into_groups();
        counted.sort_unstable_by_key(|c| (rank(&key_rank, c.key), c.day, rank(&site_rank, c.site)));
        let groups = counted
            .into_iter()
            .filter_map(|c| {
                Some(Group {
                    key: keys.get(c.key as usize)?.clone(),
                    day: LocalDay(c.day),
                    site: sites.get(c.site as usize)?.clone(),
                    figures: c.figures,
                })
            })
            .collect();

        let mut raw: Vec<((u32, i32), Vec<u8>)> =
            self.raw.unwrap_or_default().into_iter().collect();
        raw.sort_unstable_by_key(|&((key, day), _)| (rank(&key_rank, key), day));
        let raw = raw
            .into_iter()
            .filter_map(|((key, day), lines)| {
                Some(RawLines {
                    key: keys.get(key as usize)?.clone(),
                    day: LocalDay(day),
                    lines,
                })
            })
            .collect();
        (groups, raw, path_categories)
    }
}

const TOO_MANY: &str = "more distinct keys, sites or groups than one summary can hold";

/// Each item's place in sorted order, by its index.
fn ranks<T: Ord>(items: &[T]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| items[a as usize].cmp(&items[b as usize]));
    let mut rank = vec![0; items.len()];
    for (place, id) in order.into_iter().enumerate() {
        rank[id as usize] = place as u32;
    }
    rank
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
