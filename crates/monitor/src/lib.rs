//! Internet-use monitoring (policy 5.1): reading proxy and DNS logs and summarising them into the
//! daily log the policy promises, "the names of all websites accessed, along with the date and
//! time of access, by individual" (5.1.11).
//!
//! Nothing here touches a database. The store attributes each summary key to a person and keeps
//! the groups and raw lines; the command line's `monitor summarize` uses this crate alone.
//!
//! Reading is byte-level and allocation-free per line: [`reader`] splits chunks into lines,
//! `parse` reads each line in its [`Format`], `site` names the site, [`clock`] places the time
//! on the council's calendar (Europe/London), and [`summary`] counts the groups. [`detect`]
//! names the likely format of a file read with the wrong one. [`category`] reads the category
//! lists sites are flagged by.

pub mod category;
mod cells;
pub mod clock;
pub mod detect;
pub mod format;
mod intern;
mod packed;
mod parse;
pub mod reader;
pub mod record;
mod site;
pub mod summary;
mod tally;

pub use detect::{Detection, detect};
pub use format::{Column, CsvMapping, Format, FormatError, FormatKind, MappingError, TimeFormat};
pub use reader::{MAX_LINE_BYTES, MalformedLine};
pub use record::{Figures, Group, Hit, LocalDay, SubjectKey, Totals};
pub use summary::{
    PathCategories, RawLines, Summarizer, Summary, SummaryError, SummaryOptions, summarize_slice,
};
