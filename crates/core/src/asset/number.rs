//! Asset numbers in the council's own format (clause 1.1.5: "all computer and mobile equipment
//! will carry a number"), and the next number to suggest. Pure text rules; uniqueness across the
//! register is finally enforced by the store on [`AssetNumber::normalised`].

use super::AssetError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A council's number for one item, kept as the Clerk typed it (trimmed). Two numbers that
/// differ only in capital letters are the same number: equality and hashing use
/// [`AssetNumber::normalised`], because a label reading "abc-0042" and one reading "ABC-0042"
/// would confuse anyone checking the register.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AssetNumber(String);

impl AssetNumber {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AssetError::EmptyNumber);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(AssetError::NumberTooLong);
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.' | '_')))
        {
            return Err(AssetError::NumberBadCharacter(bad));
        }
        if !text.chars().any(|c| c.is_ascii_digit()) {
            return Err(AssetError::NumberWithoutDigit);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key two numbers are compared by: upper case. The store's unique index is on this.
    pub fn normalised(&self) -> String {
        self.0.to_ascii_uppercase()
    }

    /// Refuses this number if the register already holds it in any capitalisation, suggesting
    /// the next free number instead.
    pub fn ensure_unique<'a>(
        &self,
        existing: impl IntoIterator<Item = &'a AssetNumber> + Clone,
    ) -> Result<(), AssetError> {
        if existing.clone().into_iter().any(|n| n == self) {
            return Err(AssetError::DuplicateNumber {
                number: self.0.clone(),
                suggestion: suggest_next(existing.into_iter()).0,
            });
        }
        Ok(())
    }

    /// Splits the number around its last run of digits: "ABC-0042/B" is ("ABC-", "0042", "/B").
    /// A valid number always has a digit, so there is always a run.
    fn parts(&self) -> Option<(&str, &str, &str)> {
        let bytes = self.0.as_bytes();
        let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
        let start = bytes[..end]
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |i| i + 1);
        Some((&self.0[..start], &self.0[start..end], &self.0[end..]))
    }
}

impl PartialEq for AssetNumber {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for AssetNumber {}

impl Hash for AssetNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.normalised().hash(state);
    }
}

impl fmt::Display for AssetNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AssetNumber {
    type Error = AssetError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AssetNumber> for String {
    fn from(value: AssetNumber) -> Self {
        value.0
    }
}

/// The number suggested for the first item of an empty register.
pub const FIRST_NUMBER: &str = "ASSET-0001";

/// The most used pattern's highest number plus one, keeping its padding: with ABC-0041 and
/// ABC-0042 in the register it suggests ABC-0043. A pattern is what surrounds the last run of
/// digits (compared without regard to capitals), so "2024-015" continues as "2024-016" and a
/// few odd numbers do not pull the suggestion away from the council's usual format. Ties go to
/// the pattern that sorts first, so the suggestion never depends on the order rows arrive in.
pub fn suggest_next<'a>(existing: impl Iterator<Item = &'a AssetNumber>) -> AssetNumber {
    // Per pattern: how many numbers use it, and the highest (value, text) seen.
    let mut patterns: BTreeMap<(String, String), (usize, u128, &'a AssetNumber)> = BTreeMap::new();
    for number in existing {
        let Some((prefix, digits, suffix)) = number.parts() else {
            continue;
        };
        // At most 32 digits, which always fits in a u128; skip rather than fail if not.
        let Ok(value) = digits.parse::<u128>() else {
            continue;
        };
        let key = (prefix.to_ascii_uppercase(), suffix.to_ascii_uppercase());
        let entry = patterns.entry(key).or_insert((0, value, number));
        entry.0 += 1;
        if value > entry.1 || (value == entry.1 && digits.len() > digit_width(entry.2)) {
            entry.1 = value;
            entry.2 = number;
        }
    }
    let best = patterns
        .values()
        .fold(None::<&(usize, u128, &AssetNumber)>, |best, p| match best {
            Some(b) if b.0 >= p.0 => Some(b),
            _ => Some(p),
        });
    best.and_then(|(_, value, number)| {
        let (prefix, digits, suffix) = number.parts()?;
        let next = value.checked_add(1)?;
        let text = format!("{prefix}{next:0width$}{suffix}", width = digits.len());
        AssetNumber::parse(&text).ok()
    })
    .unwrap_or_else(|| AssetNumber(FIRST_NUMBER.to_owned()))
}

fn digit_width(number: &AssetNumber) -> usize {
    number.parts().map_or(0, |(_, digits, _)| digits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(texts: &[&str]) -> Vec<AssetNumber> {
        texts
            .iter()
            .map(|t| AssetNumber::parse(t).unwrap())
            .collect()
    }

    fn next(texts: &[&str]) -> String {
        suggest_next(numbers(texts).iter()).to_string()
    }

    #[test]
    fn the_councils_own_formats_are_accepted_and_trimmed() {
        for text in ["ABC-0042", "LAPTOP/7", "2024-015", "pc_3.b"] {
            assert_eq!(
                AssetNumber::parse(&format!("  {text} ")).unwrap().as_str(),
                text
            );
        }
    }

    #[test]
    fn an_empty_number_is_refused() {
        assert_eq!(AssetNumber::parse("   "), Err(AssetError::EmptyNumber));
    }

    #[test]
    fn a_number_longer_than_32_characters_is_refused() {
        assert_eq!(
            AssetNumber::parse(&format!("A{}", "1".repeat(32))),
            Err(AssetError::NumberTooLong)
        );
        assert!(AssetNumber::parse(&"1".repeat(32)).is_ok());
    }

    #[test]
    fn a_space_or_symbol_inside_a_number_is_named_in_the_message() {
        let err = AssetNumber::parse("ABC 42").unwrap_err();
        assert_eq!(err, AssetError::NumberBadCharacter(' '));
        assert!(err.to_string().contains("letters, digits and - / . _"));
        assert_eq!(
            AssetNumber::parse("ABC#1"),
            Err(AssetError::NumberBadCharacter('#'))
        );
    }

    #[test]
    fn a_number_without_a_digit_is_refused() {
        assert_eq!(
            AssetNumber::parse("LAPTOP"),
            Err(AssetError::NumberWithoutDigit)
        );
    }

    #[test]
    fn numbers_differing_only_in_capitals_are_the_same_number() {
        let a = AssetNumber::parse("abc-0042").unwrap();
        let b = AssetNumber::parse("ABC-0042").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.normalised(), "ABC-0042");
        assert_eq!(a.as_str(), "abc-0042");
    }

    #[test]
    fn a_duplicate_in_other_capitals_is_refused_with_a_suggestion() {
        let existing = numbers(&["ABC-0041", "ABC-0042"]);
        let err = AssetNumber::parse("abc-0042")
            .unwrap()
            .ensure_unique(&existing)
            .unwrap_err();
        assert_eq!(
            err,
            AssetError::DuplicateNumber {
                number: "abc-0042".into(),
                suggestion: "ABC-0043".into()
            }
        );
        assert!(err.to_string().contains("such as ABC-0043"));
        assert!(
            AssetNumber::parse("ABC-0043")
                .unwrap()
                .ensure_unique(&existing)
                .is_ok()
        );
    }

    #[test]
    fn an_empty_register_suggests_asset_0001() {
        assert_eq!(next(&[]), "ASSET-0001");
    }

    #[test]
    fn the_next_number_keeps_the_padding() {
        assert_eq!(next(&["ABC-0042", "ABC-0007"]), "ABC-0043");
        assert_eq!(next(&["ABC-0999"]), "ABC-1000");
        assert_eq!(next(&["ABC-9999"]), "ABC-10000");
    }

    #[test]
    fn formats_with_a_slash_a_year_or_a_suffix_are_continued() {
        assert_eq!(next(&["LAPTOP/7"]), "LAPTOP/8");
        assert_eq!(next(&["2024-015", "2024-009"]), "2024-016");
        assert_eq!(next(&["PC1-A", "PC2-A"]), "PC3-A");
    }

    #[test]
    fn the_most_common_pattern_wins_in_a_mixed_register() {
        assert_eq!(
            next(&["ABC-0001", "ABC-0002", "abc-0003", "LAPTOP/99", "2024-015"]),
            "abc-0004"
        );
        assert_eq!(
            next(&["LAPTOP/1", "LAPTOP/2", "ABC-0900", "laptop/3"]),
            "laptop/4"
        );
    }

    #[test]
    fn a_tie_between_patterns_is_settled_the_same_way_whatever_the_order() {
        assert_eq!(next(&["B-1", "A-5"]), "A-6");
        assert_eq!(next(&["A-5", "B-1"]), "A-6");
    }

    #[test]
    fn the_suggestion_is_never_already_taken() {
        let existing = numbers(&["ABC-43", "ABC-0042", "ABC-043"]);
        let suggestion = suggest_next(existing.iter());
        assert_eq!(suggestion.as_str(), "ABC-044");
        assert!(suggestion.ensure_unique(&existing).is_ok());
    }
}
