//! The identifiers kept so a lost phone and its SIM can be blocked (councils' policies ask for
//! "the IMEI number and the SIM number", which the provider needs to deactivate a phone): IMEI,
//! SIM number (ICCID) and the maker's serial number. Check digits are verified here so a mistyped
//! number is caught when it is entered, not on the day the network is asked to block it.

use super::AssetError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone's or cellular tablet's 15-digit IMEI, stored as bare digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Imei(String);

impl Imei {
    /// Accepts the grouping people copy from boxes and settings screens ("35-209900-176148-1",
    /// "35 209900 176148 1") and checks the last digit with the Luhn formula, as the GSMA
    /// defines it for IMEIs.
    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let input = text.trim();
        let digits = strip_separators(input);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AssetError::ImeiNotDigits(input.to_owned()));
        }
        if digits.len() != 15 {
            return Err(AssetError::ImeiLength(input.to_owned()));
        }
        let (payload, check) = split_check_digit(&digits);
        let expected = luhn_check_digit(payload);
        if check != expected {
            return Err(AssetError::ImeiCheckDigit {
                input: input.to_owned(),
                expected,
            });
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A SIM card's number (ICCID), stored as bare digits.
///
/// ITU-T E.118 defines the ICCID as "89" (telecoms), a country code, an issuer and an account
/// number: up to 19 digits followed by one Luhn check digit. In practice operators print
/// 18 to 22 digits: 19 (18 + check) and 20 (19 + check) are the common forms and carry the
/// check digit, so those are verified; 18 digits is usually the number printed without its check
/// digit, and 21 or 22 digits are operator extensions with no check digit defined, so those are
/// accepted on length and prefix alone. A trailing "F" (the filler some readers show when the
/// card stores an odd number of digits) is dropped.
///
/// The known cost of this choice: a few operators fill all 20 digits with the account number and
/// no check digit (E.118 allows the check digit to be overwritten); such a card would be refused
/// and its number must go in the notes. That is rarer than a mistyped number, which this catches.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SimNumber(String);

impl SimNumber {
    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let input = text.trim();
        let mut digits = strip_separators(input);
        if digits.ends_with(['F', 'f']) {
            digits.pop();
        }
        let well_formed = digits.chars().all(|c| c.is_ascii_digit())
            && (18..=22).contains(&digits.len())
            && digits.starts_with("89");
        if !well_formed {
            return Err(AssetError::SimFormat(input.to_owned()));
        }
        if matches!(digits.len(), 19 | 20) {
            let (payload, check) = split_check_digit(&digits);
            let expected = luhn_check_digit(payload);
            if check != expected {
                return Err(AssetError::SimCheckDigit {
                    input: input.to_owned(),
                    expected,
                });
            }
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The maker's serial number: free text, because every maker has its own format.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SerialNumber(String);

impl SerialNumber {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AssetError::EmptySerial);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(AssetError::SerialTooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(AssetError::SerialControlCharacters);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_conversions {
    ($($name:ident),*) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = AssetError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    )*};
}

string_conversions!(Imei, SimNumber, SerialNumber);

/// Blank input means "not recorded": a form field left empty is not an error.
pub fn parse_optional<T>(
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, AssetError>,
) -> Result<Option<T>, AssetError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

fn strip_separators(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

/// Only called on all-digit ASCII text of at least two characters.
fn split_check_digit(digits: &str) -> (&str, u8) {
    let (payload, check) = digits.split_at(digits.len() - 1);
    (
        payload,
        check.bytes().next().map_or(0, |b| b.saturating_sub(b'0')),
    )
}

/// The Luhn check digit for `payload` (ASCII digits): double every second digit counting from
/// the right, starting with the rightmost, add the digits of the results, and choose the digit
/// that brings the total to a multiple of ten.
pub fn luhn_check_digit(payload: &str) -> u8 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.saturating_sub(b'0'));
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so this always fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_imei_is_accepted_with_dashes_or_spaces() {
        for text in [
            "352099001761481",
            "35-209900-176148-1",
            " 35 209900 176148 1 ",
        ] {
            assert_eq!(Imei::parse(text).unwrap().as_str(), "352099001761481");
        }
    }

    #[test]
    fn an_imei_with_the_wrong_last_digit_names_the_right_one() {
        let err = Imei::parse("35-209900-176148-2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "The IMEI 35-209900-176148-2 is not valid: its last digit should be 1. \
             Check it on the phone (dial *#06#) or the box."
        );
    }

    #[test]
    fn an_imei_of_the_wrong_length_is_refused() {
        assert_eq!(
            Imei::parse("35209900176148"),
            Err(AssetError::ImeiLength("35209900176148".into()))
        );
        assert!(matches!(
            Imei::parse("3520990017614810"),
            Err(AssetError::ImeiLength(_))
        ));
    }

    #[test]
    fn an_imei_with_letters_is_refused() {
        assert!(matches!(
            Imei::parse("35209900176148O"),
            Err(AssetError::ImeiNotDigits(_))
        ));
    }

    #[test]
    fn a_twenty_digit_sim_number_with_a_good_check_digit_is_accepted() {
        let payload = "8944100030300708521";
        let full = format!("{payload}{}", luhn_check_digit(payload));
        assert_eq!(SimNumber::parse(&full).unwrap().as_str(), full);
        let spaced = format!("{} {}F", &full[..10], &full[10..]);
        assert_eq!(SimNumber::parse(&spaced).unwrap().as_str(), full);
    }

    #[test]
    fn a_nineteen_digit_sim_number_is_luhn_checked() {
        // The worked example from ITU-T E.118 practice: 896588081210001114 + check digit.
        let payload = "896588081210001114";
        let good = format!("{payload}{}", luhn_check_digit(payload));
        assert!(SimNumber::parse(&good).is_ok());
        let bad_digit = (luhn_check_digit(payload) + 1) % 10;
        let err = SimNumber::parse(&format!("{payload}{bad_digit}")).unwrap_err();
        assert_eq!(
            err,
            AssetError::SimCheckDigit {
                input: format!("{payload}{bad_digit}"),
                expected: luhn_check_digit(payload)
            }
        );
        assert!(err.to_string().contains("its last digit should be"));
    }

    #[test]
    fn sim_numbers_of_18_21_and_22_digits_are_accepted_without_a_check_digit() {
        for len in [18, 21, 22] {
            let text = format!("89{}", "1".repeat(len - 2));
            assert!(SimNumber::parse(&text).is_ok(), "{len} digits");
        }
    }

    #[test]
    fn a_sim_number_not_starting_89_or_of_the_wrong_length_is_refused() {
        for text in [
            "1234567890123456789",
            "8944",
            &format!("89{}", "0".repeat(21)),
        ] {
            assert_eq!(
                SimNumber::parse(text),
                Err(AssetError::SimFormat(text.to_owned()))
            );
        }
    }

    #[test]
    fn a_serial_number_is_trimmed_and_limited_to_64_characters() {
        assert_eq!(
            SerialNumber::parse("  5CG1234XYZ ").unwrap().as_str(),
            "5CG1234XYZ"
        );
        assert_eq!(SerialNumber::parse(" "), Err(AssetError::EmptySerial));
        assert_eq!(
            SerialNumber::parse(&"X".repeat(65)),
            Err(AssetError::SerialTooLong)
        );
        assert_eq!(
            SerialNumber::parse("AB\nC"),
            Err(AssetError::SerialControlCharacters)
        );
    }

    #[test]
    fn a_blank_optional_identifier_is_not_recorded_rather_than_refused() {
        assert_eq!(parse_optional("  ", Imei::parse), Ok(None));
        assert!(
            parse_optional("35-209900-176148-1", Imei::parse)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn the_luhn_check_digit_matches_known_examples() {
        assert_eq!(luhn_check_digit("35209900176148"), 1);
        assert_eq!(luhn_check_digit("7992739871"), 3);
        assert_eq!(luhn_check_digit("49015420323751"), 8);
    }
}
