//! From the bytes of an uploaded file to rows of text, numbered as a spreadsheet numbers them.
//! Spreadsheets save CSV in several ways (UTF-8 with or without a byte-order mark, Windows-1252
//! from older Excel, UTF-16 "Unicode text", commas or semicolons or tabs), so each is accepted;
//! a workbook saved in Excel's own format is named, with what to do instead.

/// Most rows one import accepts; a council's register is a few hundred items.
pub const MAX_ROWS: usize = 50_000;

/// The file's text, whichever encoding it was saved in.
pub(super) fn file_text(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(
            "This is an Excel workbook (.xlsx), not a CSV file. In Excel choose \
                    File, Save As, and the type \"CSV UTF-8\", then import that file."
                .to_owned(),
        );
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(
            "This is an old Excel workbook (.xls), not a CSV file. In Excel choose \
                    File, Save As, and the type \"CSV UTF-8\", then import that file."
                .to_owned(),
        );
    }
    let text = crate::text::decode_upload(bytes);
    if text.trim().is_empty() {
        return Err(
            "The file is empty. Export the register from your spreadsheet again, \
                    with its header row."
                .to_owned(),
        );
    }
    Ok(text)
}

/// The separator the header row uses: a comma, or the semicolon or tab some spreadsheets use
/// instead. Only the first line is looked at, outside quotes.
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// One row of the file with the number a spreadsheet shows beside it (the header is row 1).
pub(super) struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// The header's cells and the rows under it. Rows whose cells are all blank (spreadsheets
/// often leave some at the end) are skipped. More than [`MAX_ROWS`] rows is refused.
pub(super) fn rows(text: &str) -> Result<(Vec<String>, Vec<Row>), String> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    // A quoted cell may hold line breaks; the spreadsheet still shows it as one row, so the
    // row number is the line the row starts on less the breaks inside earlier cells.
    let mut breaks_in_cells = 0usize;
    let mut lines = Lines {
        text: text.as_bytes(),
        counted_to: 0,
        newlines: 0,
    };
    let mut record = ::csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                return Err(format!(
                    "The file could not be read as CSV near line {line}. Save it again from \
                     your spreadsheet as \"CSV UTF-8\"."
                ));
            }
        }
        let start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let line = lines.line_at(start);
        let number = line.saturating_sub(breaks_in_cells);
        breaks_in_cells += record
            .iter()
            .map(|cell| cell.matches('\n').count())
            .sum::<usize>();
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if header.is_none() {
            header = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(format!(
                "The file has more than {} rows of equipment, more than one import can take. \
                 Split it into smaller files and import them one after another.",
                thousands(MAX_ROWS)
            ));
        }
        rows.push(Row { number, cells });
    }
    let header = header.unwrap_or_default();
    Ok((header, rows))
}

/// Line numbers of the text, counted as the reader moves forward.
struct Lines<'t> {
    text: &'t [u8],
    counted_to: usize,
    newlines: usize,
}

impl Lines<'_> {
    /// The line (from 1) of the first row starting at or after byte `start`. The CSV reader
    /// reports a row as starting at the line end before it (and skips empty lines), so line
    /// ends right at `start` are stepped over.
    fn line_at(&mut self, start: usize) -> usize {
        let start = start.min(self.text.len());
        if start > self.counted_to {
            self.newlines += self.text[self.counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.counted_to = start;
        }
        let leading = self.text[self.counted_to..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let line_ends = self.text[self.counted_to..self.counted_to + leading]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.newlines += line_ends;
        self.counted_to += leading;
        self.newlines + 1
    }
}

/// "50,000".
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text as written to a cell: one apostrophe is put before text a spreadsheet would run as a
/// formula ("=HYPERLINK(…)"), and before text that already starts with apostrophes and then
/// such a character, so [`undefuse`] gives back exactly the original.
pub(super) fn defuse(text: &str) -> String {
    let rest = text.trim_start_matches('\'');
    if rest.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The reverse of [`defuse`].
pub(super) fn undefuse(text: &str) -> &str {
    let rest = text.trim_start_matches('\'');
    if rest.len() < text.len() && rest.starts_with(FORMULA_STARTS) {
        &text[1..]
    } else {
        text
    }
}

/// One CSV cell: quoted when it holds a separator, a quote, a line break or edge spaces.
pub(super) fn cell(text: &str) -> String {
    let needs_quotes = text.contains([',', '"', '\n', '\r', ';', '\t'])
        || text.starts_with(' ')
        || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<usize> {
        rows(text).unwrap().1.iter().map(|r| r.number).collect()
    }

    #[test]
    fn a_byte_order_mark_and_windows_1252_are_read() {
        assert_eq!(file_text(b"\xEF\xBB\xBFnumber").unwrap(), "number");
        assert_eq!(file_text(b"cost\n\xA345").unwrap(), "cost\n£45");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a\tb".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(file_text(&utf16).unwrap(), "a\tb");
    }

    #[test]
    fn a_workbook_or_an_empty_file_is_named() {
        assert!(
            file_text(b"PK\x03\x04rest")
                .unwrap_err()
                .contains("Excel workbook")
        );
        assert!(file_text(b" \r\n").unwrap_err().contains("empty"));
    }

    #[test]
    fn rows_are_numbered_as_the_spreadsheet_shows_them() {
        let text = "number,notes\r\nA-1,\"two\nlines\"\r\n,\r\nA-2,x\r\n\r\nA-3,y\r\n";
        // Row 3 is blank cells and skipped; the empty line 5 is a blank row 5.
        assert_eq!(numbers(text), vec![2, 4, 6]);
    }

    #[test]
    fn semicolons_and_tabs_are_recognised_as_separators() {
        let (header, read) = rows("number;cost\nA-1;\"1,5\"\n").unwrap();
        assert_eq!(header, vec!["number", "cost"]);
        assert_eq!(read[0].cells, vec!["A-1", "1,5"]);
        let (header, _) = rows("number\tcategory\tnotes, with a comma\n").unwrap();
        assert_eq!(header.len(), 3);
    }

    #[test]
    fn more_than_the_row_limit_is_refused() {
        let mut text = String::from("number\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("A-{i}\n"));
        }
        let err = rows(&text).err().unwrap();
        assert!(err.contains("more than 50,000 rows"), "{err}");
    }

    #[test]
    fn defusing_formulas_is_undone_exactly() {
        for text in [
            "=SUM(A1)", "'=x", "''-1", "-", "plain", "'quoted'", "", "@home",
        ] {
            let defused = defuse(text);
            assert!(!defused.starts_with(FORMULA_STARTS), "{text}");
            assert_eq!(undefuse(&defused), text);
        }
        assert_eq!(defuse("=1+1"), "'=1+1");
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cell("Dell"), "Dell");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }
}
