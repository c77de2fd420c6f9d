//! Writes a rendered policy as a Word document with real heading styles, so Word's navigation
//! pane, LibreOffice and screen readers see its structure.
//!
//! Section headings use Heading 1 and sub-headings Heading 2; clause numbers are bold at the
//! start of their paragraph; bullets are indented paragraphs beginning "•" and a tab rather than
//! Word numbering, so the text survives copying and reads back as "- item". The adoption record
//! is a small table under the title, where a council's document-control box usually sits.

use crate::DocxError;
use custodian_core::policy::document::{AdoptionBlock, Clause, Document, format_date};
use docx_rs::{
    Docx, Footer, LineSpacing, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, Style,
    StyleType, Table, TableCell, TableRow, WidthType,
};
use std::io::Cursor;

// Sizes are in half-points, as Word stores them.
const BODY_SIZE: usize = 22;
const TITLE_SIZE: usize = 40;
const SUBTITLE_SIZE: usize = 30;
const HEADING1_SIZE: usize = 30;
const HEADING2_SIZE: usize = 25;
// Distances are in twentieths of a point.
const BULLET_INDENT: i32 = 720;
const BULLET_HANGING: i32 = 360;
const SPACE_AFTER: u32 = 120;
const HEADING_SPACE_BEFORE: u32 = 240;
const FONT: &str = "Arial";

/// The policy as the bytes of a .docx file.
pub fn write_docx(doc: &Document) -> Result<Vec<u8>, DocxError> {
    let mut docx = Docx::new()
        .default_size(BODY_SIZE)
        .default_fonts(
            RunFonts::new()
                .ascii(FONT)
                .hi_ansi(FONT)
                .cs(FONT)
                .east_asia(FONT),
        )
        .default_line_spacing(LineSpacing::new().after(SPACE_AFTER))
        .add_style(Style::new("Normal", StyleType::Paragraph).name("Normal"))
        .add_style(heading_style("Title", "Title", TITLE_SIZE, None))
        .add_style(heading_style("Subtitle", "Subtitle", SUBTITLE_SIZE, None))
        .add_style(heading_style(
            "Heading1",
            "heading 1",
            HEADING1_SIZE,
            Some(0),
        ))
        .add_style(heading_style(
            "Heading2",
            "heading 2",
            HEADING2_SIZE,
            Some(1),
        ))
        .footer(footer(doc));

    docx = docx
        .add_paragraph(styled("Title", &doc.council_name))
        .add_paragraph(styled("Subtitle", &doc.title))
        .add_table(adoption_table(&doc.adoption))
        .add_paragraph(Paragraph::new());

    for section in &doc.sections {
        docx = docx.add_paragraph(styled("Heading1", &section.heading));
        for subsection in &section.subsections {
            if let Some(heading) = &subsection.heading {
                let text = match &subsection.number {
                    Some(number) => format!("{number} {heading}"),
                    None => heading.clone(),
                };
                docx = docx.add_paragraph(styled("Heading2", &text));
            }
            for clause in &subsection.clauses {
                for paragraph in clause_paragraphs(clause) {
                    docx = docx.add_paragraph(paragraph);
                }
            }
        }
    }

    let mut bytes = Cursor::new(Vec::new());
    docx.pack(&mut bytes)
        .map_err(|e| DocxError::Write(e.to_string()))?;
    Ok(bytes.into_inner())
}

fn heading_style(id: &str, name: &str, size: usize, outline: Option<usize>) -> Style {
    let style = Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .size(size)
        .bold();
    match outline {
        // Space above a heading separates it from the clause before; Word's default is none.
        Some(level) => style.outline_lvl(level).line_spacing(
            LineSpacing::new()
                .before(HEADING_SPACE_BEFORE)
                .after(SPACE_AFTER),
        ),
        None => style,
    }
}

fn styled(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .keep_next(true)
        .add_run(Run::new().add_text(clean(text)))
}

/// A clause as Word paragraphs: the number in bold before the first paragraph, then any further
/// paragraphs, then bullets.
fn clause_paragraphs(clause: &Clause) -> Vec<Paragraph> {
    let mut out = Vec::with_capacity(clause.paragraphs.len() + clause.bullets.len());
    let has_bullets = !clause.bullets.is_empty();
    let last = clause.paragraphs.len().saturating_sub(1);
    for (i, text) in clause.paragraphs.iter().enumerate() {
        let mut paragraph = Paragraph::new();
        if i == 0 && clause.is_numbered() {
            paragraph = paragraph.add_run(Run::new().add_text(clean(&clause.number)).bold());
            paragraph = paragraph.add_run(Run::new().add_text(" "));
        }
        paragraph = paragraph.add_run(Run::new().add_text(clean(text)));
        // Keep an introducing sentence on the same page as its first bullet.
        if has_bullets && i == last {
            paragraph = paragraph.keep_next(true);
        }
        out.push(paragraph);
    }
    for bullet in &clause.bullets {
        out.push(
            Paragraph::new()
                .indent(
                    Some(BULLET_INDENT),
                    Some(SpecialIndentType::Hanging(BULLET_HANGING)),
                    None,
                    None,
                )
                .add_run(Run::new().add_text("•").add_tab().add_text(clean(bullet))),
        );
    }
    out
}

fn adoption_table(adoption: &AdoptionBlock) -> Table {
    let rows = [
        (
            "Adopted on",
            adoption
                .adopted_on
                .map_or_else(|| "Not yet adopted".to_owned(), format_date),
        ),
        (
            "Minute reference",
            adoption
                .minute_reference
                .clone()
                .unwrap_or_else(|| "None recorded".to_owned()),
        ),
        (
            "Review due",
            adoption
                .review_due
                .map_or_else(|| "Not set".to_owned(), format_date),
        ),
    ];
    let label_width = 2600;
    let value_width = 6400;
    Table::new(
        rows.into_iter()
            .map(|(label, value)| {
                TableRow::new(vec![
                    TableCell::new()
                        .width(label_width, WidthType::Dxa)
                        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(label).bold())),
                    TableCell::new()
                        .width(value_width, WidthType::Dxa)
                        .add_paragraph(
                            Paragraph::new().add_run(Run::new().add_text(clean(&value))),
                        ),
                ])
            })
            .collect(),
    )
    .set_grid(vec![label_width, value_width])
}

fn footer(doc: &Document) -> Footer {
    Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(
                Run::new()
                    .add_text(clean(&format!(
                        "{} — {} — page ",
                        doc.council_name, doc.title
                    )))
                    .size(18),
            )
            .add_page_num(PageNum::new()),
    )
}

// XML 1.0 cannot carry most control characters; a council name pasted from elsewhere might hold
// one, and Word refuses the whole file if it does.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}
