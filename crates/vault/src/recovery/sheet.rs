//! The printed recovery sheet: a share written as numbered lines of Crockford base32 with a
//! check code per line, so what a Chair types back in from paper is either right or said to be
//! wrong, with the line and group to look at. Text in, text out; nothing here prints a share.

use super::{PAYLOAD_BYTES, RecoveryError, SHEETS, Share, copy_into};
use std::fmt::Write as _;
use zeroize::{Zeroize, Zeroizing};

const GROUP_LEN: usize = 4;
const GROUPS_PER_LINE: usize = 4;
const SYMBOLS_PER_LINE: usize = GROUP_LEN * GROUPS_PER_LINE;
pub(super) const SHARE_LINES: usize = PAYLOAD_BYTES * 8 / 5 / SYMBOLS_PER_LINE;
// The payload fills the lines exactly, so no padding bits need checking.
const _: () = assert!(PAYLOAD_BYTES * 8 == SHARE_LINES * SYMBOLS_PER_LINE * 5);
/// Crockford's base32: no I, L, O or U, so what is read off paper is hard to get wrong.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub(super) const BEGIN: &str = "-----BEGIN CUSTODIAN RECOVERY SHARE-----";
pub(super) const END: &str = "-----END CUSTODIAN RECOVERY SHARE-----";

/// Where on a line of a share a mistake seems to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A group of four characters, counted from 1 on the left.
    Group(usize),
    /// The two-character check code at the end of the line.
    CheckCode,
    /// Somewhere on the line; it could not be narrowed down.
    Line,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Group(n) => write!(f, "group {n} of {GROUPS_PER_LINE}"),
            Place::CheckCode => f.write_str("the check code (the last two characters)"),
            Place::Line => f.write_str("somewhere on that line"),
        }
    }
}

/// The printable page for one holder: what it is, how to keep it, how to use it, and the share
/// as numbered lines of four groups of four characters, each line with a check code so a
/// mistyped character is caught and placed. Lines are under 72 characters.
pub fn share_file(
    share: &Share,
    council_name: &str,
    holder: &str,
    issued_on: &str,
) -> Zeroizing<String> {
    // Sized up front so the text is never moved mid-write, leaving an unwiped copy behind.
    let mut page = Zeroizing::new(String::with_capacity(
        4096 + council_name.len() + holder.len() + issued_on.len(),
    ));
    let sheet = share.index;
    let kit = &share.kit_id;
    let _ = write!(
        page,
        "\
CUSTODIAN VAULT RECOVERY SHEET {sheet} OF {SHEETS}
Private: keep this sheet sealed in its envelope.

Council:  {council_name}
Holder:   {holder}
Kit:      {kit}
Issued:   {issued_on}

WHAT THIS IS
This sheet is one of three parts of the council's recovery key. Three
people each hold one sheet of this kit. Any two sheets together can
open the council's encrypted vault export (its shared passwords), even
if the Custodian server and its database are lost. One sheet on its
own opens nothing and gives nothing away.

HOW TO KEEP IT
- Keep it in a sealed envelope somewhere safe, apart from the other
  two sheets.
- Do not photograph, scan, copy or email it.
- If it is lost, or someone else may have seen it, tell the Clerk
  straight away: a new kit will be issued.
- When a new kit is issued, keep this sheet until the Clerk says a new
  export has been made; then destroy it (shred or burn it).

HOW TO USE IT
Two holders bring their sheets to a computer that has the custodian
program and a copy of the encrypted export. Type or copy each sheet's
share (the lines from BEGIN to END below) into a text file, one file
per sheet (a sheet's own file, if it was kept, will do as it is), and
run:

  custodian vault recover --share FIRST-SHEET.txt \\
      --share SECOND-SHEET.txt --in EXPORT-FILE

Capitals or small letters and extra spaces do not matter. If a line is
mistyped, the program says which line and group to check again.

Each line below: its number, four groups of four characters, then a
two-character check code.

{BEGIN}
"
    );
    let payload = share.payload();
    let symbols = bytes_to_symbols(payload.as_slice());
    for (line_index, line) in symbols.chunks(SYMBOLS_PER_LINE).enumerate() {
        let number = line_index + 1;
        let _ = write!(page, "{number} ");
        for group in line.chunks(GROUP_LEN) {
            page.push(' ');
            group.iter().for_each(|&s| page.push(symbol_char(s)));
        }
        let check = line_check(number, line);
        let _ = writeln!(page, "  {}{}", symbol_char(check[0]), symbol_char(check[1]));
    }
    let _ = writeln!(page, "{END}");
    page
}

/// Reads a share from a sheet written by [`share_file`], or from just its lines typed in by
/// hand. Capitals, spaces, Windows line ends and the prose around the block are all forgiven;
/// `I` and `L` are read as 1 and `O` as 0.
pub fn parse_share_file(text: &str) -> Result<Share, RecoveryError> {
    let lines = share_lines(text)?;
    if lines.len() != SHARE_LINES {
        return Err(RecoveryError::WrongLineCount { found: lines.len() });
    }
    let mut symbols = Zeroizing::new(Vec::with_capacity(SHARE_LINES * SYMBOLS_PER_LINE));
    for (line_index, line) in lines.iter().enumerate() {
        read_line(line_index + 1, line, &mut symbols)?;
    }
    let mut payload = Zeroizing::new([0u8; PAYLOAD_BYTES]);
    copy_into(payload.as_mut_slice(), &symbols_to_bytes(&symbols));
    Share::from_payload(&payload)
}

/// The lines of the share block: those between the BEGIN and END lines when there are such,
/// otherwise every line that is not blank and not a `#` note.
fn share_lines(text: &str) -> Result<Vec<&str>, RecoveryError> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let is_marker = |line: &str, marker: &str| marker_words(line) == marker_words(marker);
    let begin = lines.iter().position(|line| is_marker(line, BEGIN));
    let block: Vec<&str> = match begin {
        Some(begin) => {
            let after = lines.get(begin + 1..).unwrap_or_default();
            let end = after
                .iter()
                .position(|line| is_marker(line, END))
                .ok_or(RecoveryError::ShareUnfinished)?;
            after.get(..end).unwrap_or_default().to_vec()
        }
        None => lines
            .into_iter()
            .filter(|line| !line.starts_with('#') && !is_marker(line, END))
            .collect(),
    };
    let block: Vec<&str> = block.into_iter().filter(|line| !line.is_empty()).collect();
    if block.is_empty() {
        return Err(RecoveryError::NoShare);
    }
    Ok(block)
}

/// A marker line reduced to its words in capitals, so dashes, spacing and case do not matter.
fn marker_words(line: &str) -> String {
    line.replace('-', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// Reads line `number` of the share (its own number optional), checks it against its check
/// code and appends its 16 symbols.
fn read_line(number: usize, line: &str, symbols: &mut Vec<u8>) -> Result<(), RecoveryError> {
    let mut tokens = line.split_whitespace().peekable();
    // A lone digit first is the line's number: no group is one character long.
    let typed_number = tokens
        .peek()
        .map(|first| first.trim_end_matches([':', '.', ')']))
        .filter(|first| first.len() == 1)
        .and_then(|first| first.parse::<usize>().ok());
    if typed_number.is_some() {
        tokens.next();
    }
    let mut chars: Zeroizing<Vec<char>> = Zeroizing::new(
        tokens
            .flat_map(str::chars)
            .filter(|c| !matches!(c, '-' | '.' | ':'))
            .collect(),
    );
    // The number typed against the first group, with no space.
    if typed_number.is_none()
        && chars.len() == SYMBOLS_PER_LINE + 3
        && chars.first().is_some_and(char::is_ascii_digit)
    {
        let first = chars.remove(0);
        if first.to_digit(10) != Some(number as u32) {
            return Err(RecoveryError::LineOutOfOrder {
                line: number,
                numbered: first.to_digit(10).unwrap_or(0) as usize,
            });
        }
    }
    if let Some(numbered) = typed_number.filter(|&typed| typed != number) {
        return Err(RecoveryError::LineOutOfOrder {
            line: number,
            numbered,
        });
    }
    match chars.len().cmp(&(SYMBOLS_PER_LINE + 2)) {
        std::cmp::Ordering::Less => return Err(RecoveryError::LineTooShort { line: number }),
        std::cmp::Ordering::Greater => return Err(RecoveryError::LineTooLong { line: number }),
        std::cmp::Ordering::Equal => {}
    }
    let mut line_symbols = Zeroizing::new([0u8; SYMBOLS_PER_LINE + 2]);
    for (position, (slot, &c)) in line_symbols.iter_mut().zip(chars.iter()).enumerate() {
        *slot = symbol_value(c).ok_or(RecoveryError::BadCharacter {
            line: number,
            place: place_of(position),
        })?;
    }
    let (data, typed_check) = line_symbols.split_at(SYMBOLS_PER_LINE);
    let expected = line_check(number, data);
    let syndrome = [
        expected[0] ^ typed_check.first().copied().unwrap_or(0),
        expected[1] ^ typed_check.get(1).copied().unwrap_or(0),
    ];
    if syndrome != [0, 0] {
        return Err(RecoveryError::LineMistyped {
            line: number,
            place: locate_mistake(syndrome),
        });
    }
    symbols.extend_from_slice(data);
    Ok(())
}

/// Which group a character position (0-based, data then check code) falls in.
fn place_of(position: usize) -> Place {
    if position < SYMBOLS_PER_LINE {
        Place::Group(position / GROUP_LEN + 1)
    } else {
        Place::CheckCode
    }
}

/// The line's two check symbols over GF(32): the plain sum and the sum weighted by powers of
/// the field's generator, of the line number followed by the 16 symbols. Together they make a
/// code of distance 3, so any one or two wrong characters on a line (a slip, or two characters
/// swapped) are always caught, and a single slip can be placed.
fn line_check(number: usize, data: &[u8]) -> [u8; 2] {
    let number = (number % 32) as u8;
    let (mut sum, mut weighted, mut power) = (number, number, 1u8);
    for &symbol in data {
        power = gf32_mul(power, 2);
        sum ^= symbol;
        weighted ^= gf32_mul(power, symbol);
    }
    [sum, weighted]
}

/// For one wrong symbol `e` at position `j` (1-based in the data), the syndrome is `(e, a^j e)`,
/// so `j` is the discrete log of the ratio. Two or more slips may point at the wrong group,
/// hence "look first at".
fn locate_mistake([in_sum, in_weighted]: [u8; 2]) -> Place {
    match (in_sum, in_weighted) {
        (0, _) | (_, 0) => Place::CheckCode,
        _ => {
            let position = (gf32_log(in_weighted) + 31 - gf32_log(in_sum)) % 31;
            if (1..=SYMBOLS_PER_LINE).contains(&position) {
                place_of(position - 1)
            } else {
                Place::Line
            }
        }
    }
}

/// Multiplication in GF(32) with the polynomial x^5 + x^2 + 1, without branches on the values.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    for _ in 0..5 {
        product ^= a & 0u8.wrapping_sub(b & 1);
        b >>= 1;
        let carry = 0u8.wrapping_sub((a >> 4) & 1);
        a = ((a << 1) & 0x1f) ^ (carry & 0x05);
    }
    product
}

/// The power of the generator 2 that gives `value` (non-zero), by search: 31 steps at most.
fn gf32_log(value: u8) -> usize {
    let mut power = 1u8;
    for exponent in 0..31 {
        if power == value {
            return exponent;
        }
        power = gf32_mul(power, 2);
    }
    0
}

fn symbol_char(symbol: u8) -> char {
    char::from(ALPHABET[usize::from(symbol & 0x1f)])
}

fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .map(|p| p as u8)
}

/// Bytes as 5-bit symbols, most significant bit first.
fn bytes_to_symbols(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut symbols = Zeroizing::new(Vec::with_capacity(bytes.len() * 8 / 5 + 1));
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            symbols.push(((buffer >> bits) & 0x1f) as u8);
        }
    }
    if bits > 0 {
        symbols.push(((buffer << (5 - bits)) & 0x1f) as u8);
    }
    buffer.zeroize();
    symbols
}

/// 5-bit symbols back to bytes; trailing bits short of a byte are dropped.
fn symbols_to_bytes(symbols: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(symbols.len() * 5 / 8 + 1));
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &symbol in symbols {
        buffer = (buffer << 5) | u32::from(symbol & 0x1f);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    buffer.zeroize();
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_code_catches_every_single_slip_and_every_swap_of_neighbours() {
        let data: Vec<u8> = (0..SYMBOLS_PER_LINE as u8)
            .map(|i| (i * 7 + 3) % 32)
            .collect();
        let check = line_check(2, &data);
        for position in 0..SYMBOLS_PER_LINE {
            for slip in 1..32u8 {
                let mut typed = data.clone();
                typed[position] ^= slip;
                let expected = line_check(2, &typed);
                let syndrome = [expected[0] ^ check[0], expected[1] ^ check[1]];
                assert_ne!(syndrome, [0, 0]);
                assert_eq!(locate_mistake(syndrome), place_of(position));
            }
            if position + 1 < SYMBOLS_PER_LINE && data[position] != data[position + 1] {
                let mut swapped = data.clone();
                swapped.swap(position, position + 1);
                assert_ne!(line_check(2, &swapped), check);
            }
        }
        // The same symbols on another line do not pass.
        assert_ne!(line_check(3, &data), check);
    }

    #[test]
    fn symbols_round_trip_to_bytes() {
        let bytes: Vec<u8> = (0..PAYLOAD_BYTES as u8)
            .map(|b| b.wrapping_mul(37))
            .collect();
        let symbols = bytes_to_symbols(&bytes);
        assert_eq!(symbols.len(), SHARE_LINES * SYMBOLS_PER_LINE);
        assert_eq!(symbols_to_bytes(&symbols).as_slice(), bytes.as_slice());
    }
}
