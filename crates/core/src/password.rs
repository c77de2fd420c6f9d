//! Rules for new passwords, following NCSC guidance: long rather than complex, not a known
//! common password, not guessable from the person's own details. No composition rules.

use zxcvbn::{Score, zxcvbn};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// Passwords seen most often in breaches that zxcvbn may not rank as fully common when padded to
/// the minimum length; checked case-insensitively as whole passwords.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "password1234",
    "password123!",
    "qwertyuiop12",
    "iloveyou1234",
    "letmein12345",
    "welcome12345",
    "administrator",
    "changeme1234",
    "parishcouncil",
    "towncouncil1",
    "passw0rd1234",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "abcdefghijkl",
    "aaaaaaaaaaaa",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordProblem {
    #[error("Enter a password")]
    Empty,
    #[error(
        "Your password must be at least {MIN_CHARS} characters long; three random words are easy to remember and long enough"
    )]
    TooShort,
    #[error("Your password must be {MAX_CHARS} characters or fewer")]
    TooLong,
    #[error(
        "This is one of the passwords most often guessed by attackers. Choose another, such as three random words"
    )]
    Common,
    #[error("Your password must not contain your name or email address")]
    ContainsPersonalDetails,
    #[error("This password would be easy to guess. {0}")]
    Weak(String),
}

/// Checks a proposed password. `personal` holds the person's name, email and council name,
/// which must not be the basis of their password.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length == 0 {
        return Err(PasswordProblem::Empty);
    }
    if length < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    let personal_words: Vec<String> = personal
        .iter()
        .flat_map(|p| {
            p.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 4)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    // A password that is mostly the person's own details is refused outright; one that merely
    // includes a word of them is left to zxcvbn, which knows those words as user inputs.
    let remainder = personal_words
        .iter()
        .fold(lower.clone(), |rest, word| rest.replace(word.as_str(), ""));
    if remainder.chars().count() < MIN_CHARS / 2 {
        return Err(PasswordProblem::ContainsPersonalDetails);
    }
    let inputs: Vec<&str> = personal_words.iter().map(String::as_str).collect();
    let estimate = zxcvbn(password, &inputs);
    if estimate.score() < Score::Three {
        let advice = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "Add another word or two.".to_owned());
        return Err(PasswordProblem::Weak(advice));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_random_words_are_accepted() {
        assert_eq!(check_new_password("otter-lantern-quarry", &[]), Ok(()));
    }

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert_eq!(check_new_password("", &[]), Err(PasswordProblem::Empty));
        assert_eq!(
            check_new_password("abc", &[]),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("Password1234", &[]),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new_password("margaretthatcher1", &["Margaret Thatcher"]),
            Err(PasswordProblem::ContainsPersonalDetails)
        );
        assert!(matches!(
            check_new_password("aaaaaaaaaaaaaaaaaa", &[]),
            Err(PasswordProblem::Weak(_))
        ));
    }
}
