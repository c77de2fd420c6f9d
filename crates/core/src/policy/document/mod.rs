//! The council's whole IT policy as a structured document, rendered from its policy profile.
//!
//! Sections, clauses and numbering follow the national model's shape, in Custodian's own words;
//! every value the council chose comes from the [`PolicyProfile`] and sits at the clause that
//! [`ProfileField::clauses`](super::ProfileField::clauses) names. The plain-text form is the
//! shape of a council's `.txt` policy so it can be fed back to the importer, and it is what the
//! content hash and the signed declaration are tied to. No IO here: writing Word files lives in
//! the `custodian-docx` crate.

mod diff;
mod markdown;
mod model_text;
mod model_text_conduct;
mod topics;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_output;

pub use diff::{ClauseChange, WordChange, diff_documents, diff_words};
pub use markdown::{to_markdown, to_plain_text};
pub use topics::{ModelTopic, model_topics};

use super::PolicyProfile;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The heading under the council's name.
pub const POLICY_TITLE: &str = "Information Technology Policy";

/// A rendered policy: the council's name, its sections in order, and the adoption record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub council_name: String,
    pub sections: Vec<Section>,
    pub adoption: AdoptionBlock,
}

/// A top-level section. The introduction sections have no number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// "1", or `None` for the unnumbered introduction sections.
    pub number: Option<String>,
    pub heading: String,
    pub subsections: Vec<Subsection>,
}

/// A group of clauses within a section ("2.1 Portable equipment"). Sections whose clauses are
/// numbered "3.1.1" without a sub-heading have one subsection with a number and no heading;
/// sections numbered "11.1" directly have one subsection with neither.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subsection {
    pub number: Option<String>,
    pub heading: Option<String>,
    pub clauses: Vec<Clause>,
}

/// One numbered statement of the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// "2.1.6", or "intro-1" for the paragraphs of the unnumbered introduction.
    pub number: String,
    pub paragraphs: Vec<String>,
    /// Items after an introducing sentence (the last paragraph) that ends with ':'.
    pub bullets: Vec<String>,
}

/// When and under which decision the council adopted this version, and when it is next due for
/// review.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionBlock {
    pub adopted_on: Option<Date>,
    pub minute_reference: Option<String>,
    pub review_due: Option<Date>,
    pub review_interval_months: u16,
}

impl Clause {
    /// Whether this clause carries a policy number ("2.1.6") rather than an introduction label.
    pub fn is_numbered(&self) -> bool {
        !self.number.starts_with("intro-")
    }

    /// The clause's words: paragraphs one per line, then bullets as "- item".
    pub fn full_text(&self) -> String {
        let mut lines: Vec<String> = self.paragraphs.clone();
        lines.extend(self.bullets.iter().map(|b| format!("- {b}")));
        lines.join("\n")
    }
}

impl Document {
    /// Every clause in document order, with its number and its full text including bullets.
    pub fn clauses(&self) -> impl Iterator<Item = (&str, String)> {
        self.all_clauses()
            .map(|clause| (clause.number.as_str(), clause.full_text()))
    }

    /// The clause with this number, if the document has it.
    pub fn clause(&self, number: &str) -> Option<&Clause> {
        self.all_clauses().find(|clause| clause.number == number)
    }

    /// SHA-256 (hex) of [`to_plain_text`]: identifies exactly the words a person signs up to.
    pub fn content_hash(&self) -> String {
        hex::encode(Sha256::digest(to_plain_text(self).as_bytes()))
    }

    fn all_clauses(&self) -> impl Iterator<Item = &Clause> {
        self.sections
            .iter()
            .flat_map(|section| section.subsections.iter())
            .flat_map(|subsection| subsection.clauses.iter())
    }
}

/// Renders the council's policy from its profile.
///
/// The review interval in the returned adoption block is the profile's, whatever `adoption` says,
/// because the profile is the one place the council's choices live. A missing review date is
/// worked out from the adoption date and that interval.
pub fn render_policy(
    profile: &PolicyProfile,
    council_name: &str,
    adoption: &AdoptionBlock,
) -> Document {
    let council_name = tidy(council_name);
    let minute_reference = adoption
        .minute_reference
        .as_deref()
        .map(tidy)
        .filter(|m| !m.is_empty());
    let review_due = adoption.review_due.or_else(|| {
        adoption
            .adopted_on
            .and_then(|d| add_months(d, profile.review_interval_months))
    });
    let adoption = AdoptionBlock {
        adopted_on: adoption.adopted_on,
        minute_reference,
        review_due,
        review_interval_months: profile.review_interval_months,
    };
    let sections = model_text::sections(profile, &council_name, &adoption);
    Document {
        title: POLICY_TITLE.to_owned(),
        council_name,
        sections,
        adoption,
    }
}

/// The exact words a person signs. Tied to the adopted version by its date; a draft that has not
/// been adopted is named by the start of its content hash instead, so two drafts never read the
/// same.
pub fn declaration_text(doc: &Document) -> String {
    let version = match doc.adoption.adopted_on {
        Some(date) => format!("version adopted on {}", format_date(date)),
        None => {
            let hash = doc.content_hash();
            format!("draft version {}", hash.get(..12).unwrap_or(&hash))
        }
    };
    format!(
        "I confirm I have read and understood the {} IT Policy ({version}) and agree to abide by it.",
        doc.council_name
    )
}

/// "12 May 2025": how a council writes a date in its minutes.
pub fn format_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("");
    format!("{} {} {}", date.day(), month, date.year())
}

fn add_months(date: Date, months: u16) -> Option<Date> {
    let span = jiff::Span::new().try_months(i64::from(months)).ok()?;
    date.checked_add(span).ok()
}

// A name pasted from a letterhead may carry line breaks or doubled spaces; one line reads and
// hashes the same everywhere.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
