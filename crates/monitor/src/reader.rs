//! Splitting a log into lines as it arrives in chunks of any size, and keeping track of the
//! lines that could not be read.
//!
//! A line cut by a chunk boundary is kept until the rest arrives, so reading a growing file
//! (`--follow`) never loses or splits a line; only [`LineSplitter::finish`] treats what is left
//! as a last line without its newline. Lines are numbered from 1 as a text editor shows them;
//! `\r\n` endings are accepted. A line longer than [`MAX_LINE_BYTES`] is reported as too long
//! rather than buffered without limit (a binary file has no newlines).

use serde::Serialize;

/// The longest line read (64 KiB). Real log lines are a few hundred bytes; Squid's with request
/// headers logged can reach a few kilobytes.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// How many malformed lines are kept with their numbers and reasons; all are counted.
pub const KEPT_MALFORMED_LINES: usize = 100;

/// One line as the splitter hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes, without its `\n` or `\r\n`.
    Text(&'a [u8]),
    /// A line longer than [`MAX_LINE_BYTES`]; its bytes are not kept.
    TooLong,
}

/// Cuts chunks into lines, carrying an incomplete last line over to the next chunk.
#[derive(Debug, Default)]
pub struct LineSplitter {
    carry: Vec<u8>,
    carry_too_long: bool,
    lines: u64,
}

impl LineSplitter {
    pub fn new() -> LineSplitter {
        LineSplitter::default()
    }

    /// Hands every complete line in `chunk` (with what was carried over) to `each`, with its
    /// line number. An incomplete last line is kept for the next call.
    pub fn feed(&mut self, chunk: &[u8], mut each: impl FnMut(u64, Line<'_>)) {
        let mut rest = chunk;
        if !self.carry.is_empty() || self.carry_too_long {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.carry_over(rest);
                return;
            };
            self.carry_over(&rest[..end]);
            rest = &rest[end + 1..];
            self.lines += 1;
            let line = if self.carry_too_long {
                Line::TooLong
            } else {
                line_of(&self.carry)
            };
            each(self.lines, line);
            self.carry.clear();
            self.carry_too_long = false;
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', rest) {
            self.lines += 1;
            each(self.lines, line_of(&rest[start..end]));
            start = end + 1;
        }
        self.carry_over(&rest[start..]);
    }

    /// Hands over the last line if the input ended without a newline. Call once the input has
    /// really ended (not while following a file that is still growing).
    pub fn finish(&mut self, mut each: impl FnMut(u64, Line<'_>)) {
        if self.carry.is_empty() && !self.carry_too_long {
            return;
        }
        self.lines += 1;
        let line = if self.carry_too_long {
            Line::TooLong
        } else {
            line_of(&self.carry)
        };
        each(self.lines, line);
        self.carry.clear();
        self.carry_too_long = false;
    }

    /// Complete lines handed over so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Bytes of an incomplete line waiting for the rest.
    pub fn pending_bytes(&self) -> usize {
        self.carry.len()
    }

    fn carry_over(&mut self, bytes: &[u8]) {
        if self.carry_too_long {
            return;
        }
        // One byte more than the limit for a `\r` that is not part of the line.
        if self.carry.len() + bytes.len() > MAX_LINE_BYTES + 1 {
            self.carry_too_long = true;
            self.carry = Vec::new();
        } else {
            self.carry.extend_from_slice(bytes);
        }
    }
}

fn line_of(bytes: &[u8]) -> Line<'_> {
    let text = without_cr(bytes);
    if text.len() > MAX_LINE_BYTES {
        Line::TooLong
    } else {
        Line::Text(text)
    }
}

fn without_cr(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// A line that could not be read, by number, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MalformedLine {
    pub line: u64,
    pub reason: String,
}

/// Counts malformed lines and keeps the first [`KEPT_MALFORMED_LINES`].
#[derive(Debug, Default, Clone)]
pub struct MalformedLines {
    count: u64,
    first: Vec<MalformedLine>,
}

impl MalformedLines {
    pub fn record(&mut self, line: u64, reason: &str) {
        self.count += 1;
        if self.first.len() < KEPT_MALFORMED_LINES {
            self.first.push(MalformedLine {
                line,
                reason: reason.to_owned(),
            });
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn first(&self) -> &[MalformedLine] {
        &self.first
    }

    pub fn into_first(self) -> Vec<MalformedLine> {
        self.first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]], finish: bool) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut splitter = LineSplitter::new();
        let mut seen = Vec::new();
        let mut keep = |number: u64, line: Line<'_>| {
            seen.push((
                number,
                match line {
                    Line::Text(text) => Some(text.to_vec()),
                    Line::TooLong => None,
                },
            ));
        };
        for chunk in chunks {
            splitter.feed(chunk, &mut keep);
        }
        if finish {
            splitter.finish(&mut keep);
        }
        seen
    }

    #[test]
    fn lines_are_numbered_and_lose_their_endings() {
        let seen = split(&[b"one\ntwo\r\n\nthree\n"], true);
        assert_eq!(
            seen,
            vec![
                (1, Some(b"one".to_vec())),
                (2, Some(b"two".to_vec())),
                (3, Some(b"".to_vec())),
                (4, Some(b"three".to_vec())),
            ]
        );
    }

    #[test]
    fn a_partial_last_line_waits_for_the_rest() {
        let mut splitter = LineSplitter::new();
        let mut seen = Vec::new();
        splitter.feed(b"first\nsecond ha", |n, l| {
            seen.push((n, l.to_owned_text()))
        });
        assert_eq!(seen, vec![(1, b"first".to_vec())]);
        assert_eq!(splitter.pending_bytes(), 9);
        splitter.feed(b"lf\r", |n, l| seen.push((n, l.to_owned_text())));
        assert_eq!(seen.len(), 1, "still no newline");
        splitter.feed(b"\nthird", |n, l| seen.push((n, l.to_owned_text())));
        assert_eq!(seen[1], (2, b"second half".to_vec()));
        splitter.finish(|n, l| seen.push((n, l.to_owned_text())));
        assert_eq!(seen[2], (3, b"third".to_vec()));
        assert_eq!(splitter.lines(), 3);
    }

    #[test]
    fn any_cut_gives_the_same_lines() {
        let text: &[u8] = b"alpha\r\nbeta\n\ngamma delta\nlast";
        let whole = split(&[text], true);
        for cut in 0..=text.len() {
            for second in cut..=text.len() {
                let parts = [&text[..cut], &text[cut..second], &text[second..]];
                assert_eq!(split(&parts, true), whole, "cut at {cut} and {second}");
            }
        }
    }

    #[test]
    fn a_line_without_end_is_too_long_not_kept_in_memory() {
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        let seen = split(&[&long[..100], &long[100..], b"\nshort\n"], true);
        assert_eq!(seen, vec![(1, None), (2, Some(b"short".to_vec()))]);
        let mut whole = long.clone();
        whole.extend_from_slice(b"\nnext\n");
        assert_eq!(
            split(&[&whole], true),
            vec![(1, None), (2, Some(b"next".to_vec()))]
        );
        assert_eq!(split(&[&long], true), vec![(1, None)]);
    }

    #[test]
    fn only_the_first_hundred_malformed_lines_are_kept_but_all_are_counted() {
        let mut malformed = MalformedLines::default();
        for line in 1..=250 {
            malformed.record(line, "not a line");
        }
        assert_eq!(malformed.count(), 250);
        assert_eq!(malformed.first().len(), KEPT_MALFORMED_LINES);
        assert_eq!(malformed.first()[99].line, 100);
    }

    impl Line<'_> {
        fn to_owned_text(self) -> Vec<u8> {
            match self {
                Line::Text(text) => text.to_vec(),
                Line::TooLong => b"<too long>".to_vec(),
            }
        }
    }
}
