//! The policy as text: Markdown for reading and printing, and plain text in the shape of a
//! council's `.txt` policy for the importer and the content hash.
//!
//! Plain text must stay stable: its SHA-256 is the version a person signs, so any change to its
//! layout changes every document's hash. Section headings carry no number (as in the national
//! model); sub-headings and clauses do.

use super::{Clause, Document, format_date};
use std::fmt::Write as _;

/// The document as Markdown: the council's name as the one level-1 heading, sections as level 2,
/// sub-headings as level 3, clause numbers in bold, and the adoption record at the end.
pub fn to_markdown(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# {}\n\n**{}**\n\n",
        escape(&doc.council_name),
        escape(&doc.title)
    );
    for section in &doc.sections {
        let _ = write!(out, "## {}\n\n", escape(&section.heading));
        for subsection in &section.subsections {
            if let Some(heading) = &subsection.heading {
                let number = subsection
                    .number
                    .as_deref()
                    .map(|n| format!("{n} "))
                    .unwrap_or_default();
                let _ = write!(out, "### {number}{}\n\n", escape(heading));
            }
            for clause in &subsection.clauses {
                write_markdown_clause(&mut out, clause);
            }
        }
    }
    let adoption = &doc.adoption;
    let _ = write!(
        out,
        "**Adoption record**\n\n- Adopted on: {}\n- Minute reference: {}\n- Review due: {}\n",
        adoption
            .adopted_on
            .map_or_else(|| "not yet adopted".to_owned(), format_date),
        adoption
            .minute_reference
            .as_deref()
            .map_or_else(|| "none recorded".to_owned(), escape),
        adoption
            .review_due
            .map_or_else(|| "not set".to_owned(), format_date),
    );
    out
}

fn write_markdown_clause(out: &mut String, clause: &Clause) {
    for (i, paragraph) in clause.paragraphs.iter().enumerate() {
        if i == 0 && clause.is_numbered() {
            let _ = write!(out, "**{}** ", clause.number);
        }
        let _ = write!(out, "{}\n\n", escape(paragraph));
    }
    if !clause.bullets.is_empty() {
        for bullet in &clause.bullets {
            let _ = writeln!(out, "- {}", escape(bullet));
        }
        out.push('\n');
    }
}

/// The document as plain text: the council's name and the title, then each heading on its own
/// line, each clause's first paragraph starting with its number ("2.1.6 Report the loss …"),
/// further paragraphs on their own lines, and bullets as "- item". Blank lines separate blocks.
pub fn to_plain_text(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(out, "{}\n\n{}\n\n", doc.council_name, doc.title);
    for section in &doc.sections {
        let _ = write!(out, "{}\n\n", section.heading);
        for subsection in &section.subsections {
            if let Some(heading) = &subsection.heading {
                match &subsection.number {
                    Some(number) => {
                        let _ = write!(out, "{number} {heading}\n\n");
                    }
                    None => {
                        let _ = write!(out, "{heading}\n\n");
                    }
                }
            }
            for clause in &subsection.clauses {
                write_plain_clause(&mut out, clause);
            }
        }
    }
    out
}

fn write_plain_clause(out: &mut String, clause: &Clause) {
    for (i, paragraph) in clause.paragraphs.iter().enumerate() {
        if i == 0 && clause.is_numbered() {
            let _ = write!(out, "{} ", clause.number);
        }
        let _ = write!(out, "{paragraph}\n\n");
    }
    if !clause.bullets.is_empty() {
        for bullet in &clause.bullets {
            let _ = writeln!(out, "- {bullet}");
        }
        out.push('\n');
    }
}

// The council's name and minute reference are typed by people; a stray '*' or '_' must show as
// itself, not turn the rest of a line bold.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
