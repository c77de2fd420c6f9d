//! CSV exports from DNS filtering services, read with a column mapping (see
//! [`CsvMapping`]). Commas separate cells; a cell may be quoted (`"a, b"`). Columns named by
//! heading are found in the first row, ignoring capitals and surrounding spaces; a heading the
//! file does not have stops the file with a message listing the headings it does have.
//!
//! Times are RFC 3339 (`2026-12-07T09:00:01Z`; a time without an offset is UTC, as the
//! services export) or Unix seconds; without `time_format` each value is told apart by its
//! look. The site cell may be a name (`www.example.com.`) or a URL.

use super::stamp::parse_rfc3339;
use super::{Parsed, parse_bytes, parse_unix_seconds, user_of};
use crate::format::{Column, CsvMapping, TimeFormat};
use crate::record::Hit;
use crate::site::target_of_request;
use crate::summary::SummaryError;

#[derive(Debug, Clone)]
pub(crate) struct CsvReader {
    mapping: CsvMapping,
    /// Zero-based positions, known once the header is read (or at once without one).
    columns: Option<Positions>,
}

#[derive(Debug, Clone, Copy)]
struct Positions {
    time: usize,
    client: usize,
    site: usize,
    user: Option<usize>,
    bytes: Option<usize>,
}

impl CsvReader {
    pub(crate) fn new(mapping: CsvMapping) -> CsvReader {
        let columns = if mapping.header {
            None
        } else {
            let number = |column: &Column| match column {
                Column::Number(n) => n.saturating_sub(1),
                // Refused when the mapping was read: names need a header row.
                Column::Name(_) => usize::MAX,
            };
            Some(Positions {
                time: number(&mapping.time),
                client: number(&mapping.client),
                site: number(&mapping.site),
                user: mapping.user.as_ref().map(number),
                bytes: mapping.bytes.as_ref().map(number),
            })
        };
        CsvReader { mapping, columns }
    }

    pub(crate) fn parse<'a>(
        &mut self,
        line: &'a str,
        scratch: &'a mut String,
    ) -> Result<Parsed<'a>, SummaryError> {
        let Some(columns) = self.columns else {
            self.columns = Some(self.read_header(line)?);
            return Ok(Parsed::NotAHit);
        };
        let mut wanted: [Option<&'a str>; 5] = [None; 5];
        for (index, cell) in Cells::new(line).enumerate() {
            let Ok(cell) = cell else {
                return Ok(Parsed::Malformed(
                    "a quoted cell holds a quote mark or is not closed",
                ));
            };
            let slots = [
                Some(columns.time),
                Some(columns.client),
                Some(columns.site),
                columns.user,
                columns.bytes,
            ];
            for (slot, position) in wanted.iter_mut().zip(slots) {
                if position == Some(index) {
                    *slot = Some(cell);
                }
            }
        }
        let [Some(time), Some(client), Some(site), user, bytes] = wanted else {
            return Ok(Parsed::Malformed(
                "the row has fewer cells than the column mapping needs",
            ));
        };
        if columns.user.is_some() && user.is_none() || columns.bytes.is_some() && bytes.is_none() {
            return Ok(Parsed::Malformed(
                "the row has fewer cells than the column mapping needs",
            ));
        }
        let Some(at) = self.time(time) else {
            return Ok(Parsed::Malformed(
                "the time is not RFC 3339 (like 2026-12-07T09:00:01Z) or Unix seconds",
            ));
        };
        if client.is_empty() {
            return Ok(Parsed::Malformed("the client cell is empty"));
        }
        let bytes = match bytes {
            None | Some("") => 0,
            Some(text) => match parse_bytes(text) {
                Some(bytes) => bytes,
                None => return Ok(Parsed::Malformed("the bytes cell is not a number")),
            },
        };
        let Ok(target) = target_of_request(site, scratch) else {
            return Ok(Parsed::Malformed("the site cell names no site"));
        };
        Ok(Parsed::Hit(Hit {
            at,
            user: user.and_then(user_of),
            client,
            site: target.site,
            path: target.path,
            bytes,
        }))
    }

    fn time(&self, text: &str) -> Option<i64> {
        let unix = match self.mapping.time_format {
            Some(TimeFormat::UnixSeconds) => true,
            Some(TimeFormat::Rfc3339) => false,
            None => text.bytes().all(|b| b.is_ascii_digit() || b == b'.'),
        };
        if unix {
            parse_unix_seconds(text.as_bytes())
        } else {
            parse_rfc3339(text.as_bytes()).map(|(local, offset)| local - offset.unwrap_or(0))
        }
    }

    fn read_header(&self, line: &str) -> Result<Positions, SummaryError> {
        let headings: Vec<&str> = Cells::new(line).map(|c| c.unwrap_or("")).collect();
        let find = |column: &Column| -> Result<usize, SummaryError> {
            match column {
                Column::Number(number) if *number <= headings.len() => Ok(number - 1),
                Column::Number(number) => Err(SummaryError::ColumnBeyondRow {
                    number: *number,
                    columns: headings.len(),
                }),
                Column::Name(name) => headings
                    .iter()
                    .position(|heading| heading.trim().eq_ignore_ascii_case(name.trim()))
                    .ok_or_else(|| SummaryError::UnknownColumn {
                        column: name.clone(),
                        headings: headings.join(", "),
                    }),
            }
        };
        let mapping = &self.mapping;
        Ok(Positions {
            time: find(&mapping.time)?,
            client: find(&mapping.client)?,
            site: find(&mapping.site)?,
            user: mapping.user.as_ref().map(find).transpose()?,
            bytes: mapping.bytes.as_ref().map(find).transpose()?,
        })
    }
}

/// The cells of a CSV row, trimmed of surrounding spaces and unquoted. A quoted cell with a
/// doubled quote inside (`"say ""hi"""`) is an error rather than an unescaped copy: no
/// service writes quotes in the cells read here, and it keeps reading free of allocation.
struct Cells<'a> {
    line: &'a str,
    at: usize,
    done: bool,
}

impl<'a> Cells<'a> {
    fn new(line: &'a str) -> Cells<'a> {
        Cells {
            line,
            at: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Cells<'a> {
    type Item = Result<&'a str, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.line.get(self.at..)?;
        let trimmed = rest.trim_start_matches(' ');
        let skipped = rest.len() - trimmed.len();
        let (cell, consumed) = if let Some(inside) = trimmed.strip_prefix('"') {
            let Some(close) = inside.find('"') else {
                self.done = true;
                return Some(Err(()));
            };
            let after = inside.get(close + 1..).unwrap_or("");
            if after.starts_with('"') {
                self.done = true;
                return Some(Err(()));
            }
            let tail = after.trim_start_matches(' ');
            if !(tail.is_empty() || tail.starts_with(',')) {
                self.done = true;
                return Some(Err(()));
            }
            let used = 1 + close + 1 + (after.len() - tail.len());
            (inside.get(..close).unwrap_or(""), used)
        } else {
            let end = trimmed.find(',').unwrap_or(trimmed.len());
            (trimmed.get(..end).unwrap_or("").trim_end_matches(' '), end)
        };
        self.at += skipped + consumed;
        if self.line.as_bytes().get(self.at) == Some(&b',') {
            self.at += 1;
        } else {
            self.done = true;
        }
        Some(Ok(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::owned::Verdict;

    fn read(mapping: &str, lines: &[&str]) -> Result<Vec<Verdict>, SummaryError> {
        let mut reader = CsvReader::new(mapping.parse().unwrap());
        lines
            .iter()
            .map(|line| reader.parse(line, &mut String::new()).map(Verdict::of))
            .collect()
    }

    fn utc(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn cells_are_split_on_commas_and_unquoted() {
        let cells: Vec<_> = Cells::new(r#"a, "b, c" ,,"d","#).collect();
        assert_eq!(cells, vec![Ok("a"), Ok("b, c"), Ok(""), Ok("d"), Ok("")]);
        let cells: Vec<_> = Cells::new(r#"a,"say ""hi""",b"#).collect();
        assert_eq!(cells, vec![Ok("a"), Err(())]);
        assert_eq!(Cells::new("").collect::<Vec<_>>(), vec![Ok("")]);
    }

    #[test]
    fn columns_named_by_their_heading_are_found_in_the_first_row() {
        let seen = read(
            "time=Timestamp,client=Client IP,site=Domain",
            &[
                "Timestamp,Domain,Query Type,Client IP,Status",
                "2026-12-07T09:00:01.123Z,www.BBC.co.uk.,A,192.168.1.5,allowed",
                "1796634001,example.org,AAAA,192.168.1.6,blocked",
            ],
        )
        .unwrap();
        assert_eq!(seen[0], Verdict::NotAHit);
        let hit = seen[1].clone().hit();
        assert_eq!(hit.at, utc("2026-12-07T09:00:01Z"));
        assert_eq!(hit.site, "www.bbc.co.uk");
        assert_eq!(hit.client, "192.168.1.5");
        assert_eq!(hit.user, None);
        assert_eq!(seen[2].clone().hit().at, 1_796_634_001);
    }

    #[test]
    fn columns_by_number_work_without_a_header() {
        let seen = read(
            "time=1,client=3,site=2,user=4,bytes=5,header=no,time_format=unix",
            &[
                "1796634001,https://www.gov.uk/browse,192.168.1.5,alice,1200",
                "1796634002,www.gov.uk,192.168.1.5,-,",
                "1796634003,www.gov.uk,192.168.1.5",
                "2026-12-07T09:00:01Z,www.gov.uk,192.168.1.5,alice,1",
            ],
        )
        .unwrap();
        let hit = seen[0].clone().hit();
        assert_eq!(hit.site, "www.gov.uk");
        assert_eq!(hit.user.as_deref(), Some("alice"));
        assert_eq!(hit.bytes, 1200);
        let second = seen[1].clone().hit();
        assert_eq!((second.user, second.bytes), (None, 0));
        assert!(seen[2].clone().reason().contains("fewer cells"));
        assert!(seen[3].clone().reason().contains("Unix seconds"));
    }

    #[test]
    fn an_unknown_heading_is_a_clear_error_naming_the_headings_there_are() {
        let error = read(
            "time=Timestamp,client=Client IP,site=Domian",
            &["Timestamp,Domain,Client IP"],
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("\"Domian\""), "{message}");
        assert!(
            message.contains("Timestamp, Domain, Client IP"),
            "{message}"
        );
        let error = read("time=1,client=2,site=9", &["a,b,c"]).unwrap_err();
        assert!(error.to_string().contains("column 9"), "{error}");
    }
}
