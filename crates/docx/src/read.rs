//! Reads the plain text of a Word document for the policy importer: one paragraph per line, table
//! cells separated by tabs, list items (Word lists and "•" paragraphs) as "- item".
//!
//! Uploaded files are untrusted, so this walks the XML itself with a streaming reader and plain
//! stacks (no recursion, no document model to build), caps how much it will decompress, and turns
//! every failure into a [`DocxError`] rather than a panic.

use crate::DocxError;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::{Cursor, Read};
use zip::ZipArchive;
use zip::result::ZipError;

/// The largest XML part this will decompress. A long policy's document.xml is well under 1 MB;
/// the cap stops a "zip bomb" from exhausting memory.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

/// Old Word (.doc) files and password-protected .docx files are both OLE compound files.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const DEFAULT_MAIN_PART: &str = "word/document.xml";

/// The text of a .docx file, for the importer.
pub fn read_docx_text(bytes: &[u8]) -> Result<String, DocxError> {
    read_with_limit(bytes, MAX_PART_BYTES)
}

fn read_with_limit(bytes: &[u8], limit: u64) -> Result<String, DocxError> {
    if bytes.is_empty() {
        return Err(DocxError::Empty);
    }
    if bytes.starts_with(&OLE_MAGIC) {
        return Err(DocxError::OldWordOrProtected);
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotDocx)?;
    let main = main_part_name(&mut archive, limit);
    let xml = match read_part(&mut archive, &main, limit) {
        Ok(xml) => xml,
        Err(DocxError::NoDocumentPart) if archive.by_name("content.xml").is_ok() => {
            return Err(DocxError::OpenDocument);
        }
        Err(e) => return Err(e),
    };
    extract_text(&xml)
}

/// The main document part named by the package relationships, or the usual name when they do
/// not say (as in files from some generators).
fn main_part_name(archive: &mut ZipArchive<Cursor<&[u8]>>, limit: u64) -> String {
    let Ok(rels) = read_part(archive, "_rels/.rels", limit) else {
        return DEFAULT_MAIN_PART.to_owned();
    };
    let mut reader = Reader::from_reader(rels.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"Relationship" => {
                let kind = attribute(&e, b"Type");
                if kind
                    .as_deref()
                    .is_some_and(|k| k.ends_with("/officeDocument"))
                    && let Some(target) = attribute(&e, b"Target")
                {
                    return target.trim_start_matches('/').to_owned();
                }
            }
            Ok(Event::Eof) | Err(_) => return DEFAULT_MAIN_PART.to_owned(),
            Ok(_) => {}
        }
        buf.clear();
    }
}

fn read_part(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, DocxError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(ZipError::FileNotFound) => return Err(DocxError::NoDocumentPart),
        Err(ZipError::UnsupportedArchive(why)) if why == ZipError::PASSWORD_REQUIRED => {
            return Err(DocxError::PasswordProtected);
        }
        Err(e) => {
            return Err(DocxError::Damaged {
                detail: e.to_string(),
            });
        }
    };
    let mut xml = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut xml)
        .map_err(|e| DocxError::Damaged {
            detail: e.to_string(),
        })?;
    if xml.len() as u64 > limit {
        return Err(DocxError::TooLarge {
            limit_mb: limit.div_ceil(1024 * 1024),
        });
    }
    Ok(xml)
}

fn attribute(element: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| String::from_utf8(a.value.into_owned()).ok())
}

/// One open paragraph.
#[derive(Default)]
struct Para {
    text: String,
    list_item: bool,
}

/// One open table: the cells of the row being read, and the paragraphs of the cell being read.
#[derive(Default)]
struct TableState {
    row: Vec<String>,
    cell: Vec<String>,
}

#[derive(Default)]
struct Walker {
    lines: Vec<String>,
    paras: Vec<Para>,
    tables: Vec<TableState>,
    in_text: bool,
    in_paragraph_props: usize,
    /// Depth inside a subtree whose text is not part of the document (field codes, the fallback
    /// copy of a text box).
    skipping: usize,
}

/// Word's own elements: the "w" prefix, or none where a generator declared Word's namespace as
/// the default.
fn word_name<'a>(element: &'a BytesStart<'_>) -> Option<&'a [u8]> {
    let name = element.name().into_inner();
    match name.iter().position(|b| *b == b':') {
        None => Some(name),
        Some(i) if &name[..i] == b"w" => Some(&name[i + 1..]),
        Some(_) => None,
    }
}

fn extract_text(xml: &[u8]) -> Result<String, DocxError> {
    let mut reader = Reader::from_reader(xml);
    let mut walker = Walker::default();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| DocxError::Damaged {
                detail: e.to_string(),
            })?;
        match event {
            Event::Eof => break,
            Event::Start(e) => walker.start(&e, false),
            Event::Empty(e) => walker.start(&e, true),
            Event::End(e) => walker.end(e.name().into_inner()),
            Event::Text(t) if walker.collecting() => {
                let text = t.xml10_content().map_err(|e| DocxError::Damaged {
                    detail: e.to_string(),
                })?;
                walker.push_text(&text);
            }
            Event::CData(t) if walker.collecting() => {
                walker.push_text(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) if walker.collecting() => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => r
                        .decode()
                        .ok()
                        .and_then(|name| quick_xml::escape::resolve_predefined_entity(&name))
                        .map(str::to_owned),
                };
                if let Some(text) = resolved {
                    walker.push_text(&text);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    // A truncated document may leave paragraphs open; keep what was read.
    while !walker.paras.is_empty() {
        walker.end_paragraph();
    }
    Ok(walker.finish())
}

impl Walker {
    fn collecting(&self) -> bool {
        self.in_text && self.skipping == 0
    }

    fn push_text(&mut self, text: &str) {
        if let Some(para) = self.paras.last_mut() {
            para.text.push_str(text);
        }
    }

    fn start(&mut self, element: &BytesStart<'_>, empty: bool) {
        if self.skipping > 0 {
            if !empty {
                self.skipping += 1;
            }
            return;
        }
        let full = element.name().into_inner();
        if full == b"mc:Fallback" {
            if !empty {
                self.skipping = 1;
            }
            return;
        }
        let Some(name) = word_name(element) else {
            return;
        };
        match name {
            b"instrText" | b"delInstrText" if !empty => self.skipping = 1,
            b"p" => {
                self.paras.push(Para::default());
                if empty {
                    self.end_paragraph();
                }
            }
            b"pPr" if !empty => self.in_paragraph_props += 1,
            b"numPr" if self.in_paragraph_props > 0 => self.mark_list_item(),
            b"pStyle"
                if self.in_paragraph_props > 0
                    && attribute(element, b"val").is_some_and(|s| s.starts_with("ListBullet")) =>
            {
                self.mark_list_item();
            }
            b"t" => self.in_text = !empty,
            b"tab" if self.in_paragraph_props == 0 => self.push_text("\t"),
            b"br" if self.in_paragraph_props == 0 => {
                let kind = attribute(element, b"type");
                if kind.is_none() || kind.as_deref() == Some("textWrapping") {
                    self.push_text("\n");
                }
            }
            b"cr" => self.push_text("\n"),
            b"noBreakHyphen" => self.push_text("-"),
            // Bullets typed from the Symbol font arrive as w:sym, not text.
            b"sym"
                if attribute(element, b"char").is_some_and(|c| c.eq_ignore_ascii_case("F0B7")) =>
            {
                self.push_text("•");
            }
            b"tbl" if !empty => self.tables.push(TableState::default()),
            b"tr" if !empty => {
                if let Some(table) = self.tables.last_mut() {
                    table.row.clear();
                }
            }
            b"tc" if !empty => {
                if let Some(table) = self.tables.last_mut() {
                    table.cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, full: &[u8]) {
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        let name = match full.iter().position(|b| *b == b':') {
            None => full,
            Some(i) if &full[..i] == b"w" => &full[i + 1..],
            Some(_) => return,
        };
        match name {
            b"p" => self.end_paragraph(),
            b"pPr" => self.in_paragraph_props = self.in_paragraph_props.saturating_sub(1),
            b"t" => self.in_text = false,
            b"tc" => {
                if let Some(table) = self.tables.last_mut() {
                    let cell = std::mem::take(&mut table.cell).join(" ");
                    table.row.push(cell);
                }
            }
            b"tr" => {
                // A finished row belongs to whatever holds the table: the document, or the cell
                // of an outer table.
                if let Some(mut table) = self.tables.pop() {
                    let row = std::mem::take(&mut table.row).join("\t");
                    self.emit(row);
                    self.tables.push(table);
                }
            }
            b"tbl" => {
                self.tables.pop();
            }
            _ => {}
        }
    }

    fn mark_list_item(&mut self) {
        if let Some(para) = self.paras.last_mut() {
            para.list_item = true;
        }
    }

    fn end_paragraph(&mut self) {
        let Some(para) = self.paras.pop() else {
            return;
        };
        self.in_text = false;
        let text = para.text.trim_end();
        let line = match strip_bullet(text) {
            Some(rest) => format!("- {rest}"),
            None if para.list_item && !text.trim().is_empty() => format!("- {}", text.trim()),
            None => text.to_owned(),
        };
        self.emit(line);
    }

    /// Sends a finished line to the cell being read, or to the document.
    fn emit(&mut self, line: String) {
        match self.tables.last_mut() {
            Some(table) => {
                if !line.trim().is_empty() {
                    table.cell.push(line.trim().to_owned());
                }
            }
            None => self.lines.push(line),
        }
    }

    /// The lines joined, without leading, trailing or repeated blank lines.
    fn finish(self) -> String {
        let mut out = String::new();
        let mut blank_pending = false;
        for line in self.lines.iter().flat_map(|l| l.split('\n')) {
            let line = line.trim_end();
            if line.trim().is_empty() {
                blank_pending = !out.is_empty();
                continue;
            }
            if blank_pending {
                out.push('\n');
                blank_pending = false;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// The rest of a paragraph that starts with a typed bullet character.
fn strip_bullet(text: &str) -> Option<&str> {
    let trimmed = text.trim_start();
    let rest = trimmed.strip_prefix(['•', '▪', '◦', '·', '\u{F0B7}'])?;
    let rest = rest.trim_start();
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> String {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        );
        extract_text(xml.as_bytes()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn paragraphs_become_lines_and_runs_join() {
        assert_eq!(
            text(
                "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>2.1.6</w:t></w:r><w:r><w:t xml:space=\"preserve\"> Report &amp; tell</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Next</w:t></w:r></w:p>"
            ),
            "2.1.6 Report & tell\n\nNext\n"
        );
    }

    #[test]
    fn list_items_and_typed_bullets_are_marked_with_a_dash() {
        assert_eq!(
            text(
                "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr><w:r><w:t>first</w:t></w:r></w:p><w:p><w:r><w:t>•</w:t><w:tab/><w:t>second</w:t></w:r></w:p><w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr><w:r><w:t>plain</w:t></w:r></w:p>"
            ),
            "- first\n- second\nplain\n"
        );
    }

    #[test]
    fn table_cells_are_separated_by_tabs() {
        assert_eq!(
            text(
                "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Adopted on</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12 May 2025</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>b</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p><w:r><w:t>after</w:t></w:r></w:p>"
            ),
            "Adopted on\t12 May 2025\na b\nafter\n"
        );
    }

    #[test]
    fn field_codes_deleted_text_and_fallback_copies_are_left_out() {
        assert_eq!(
            text(
                "<w:p><w:r><w:instrText>PAGE \\* MERGEFORMAT</w:instrText></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:r><w:t>kept</w:t></w:r><mc:AlternateContent><mc:Choice><w:r><w:t> box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t> box</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
            ),
            "kept box\n"
        );
    }

    #[test]
    fn a_part_over_the_limit_is_refused_before_it_is_read_whole() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let body = "<w:p><w:r><w:t>words</w:t></w:r></w:p>".repeat(100);
        let added = zip
            .start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .and_then(|()| {
                std::io::Write::write_all(&mut zip, body.as_bytes()).map_err(ZipError::Io)
            });
        assert!(added.is_ok());
        let bytes = zip.finish().map(Cursor::into_inner).unwrap_or_default();
        assert_eq!(
            read_with_limit(&bytes, 1024),
            Err(DocxError::TooLarge { limit_mb: 1 })
        );
        assert!(read_with_limit(&bytes, 1024 * 1024).is_ok_and(|t| t.starts_with("words\n")));
    }

    #[test]
    fn broken_xml_is_reported_as_damage_not_a_panic() {
        let result = extract_text(b"<w:document><w:body><w:p></w:body>");
        assert!(
            matches!(result, Err(DocxError::Damaged { .. })),
            "{result:?}"
        );
    }
}
