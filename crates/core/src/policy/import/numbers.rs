//! Numbers as councils write them — digits or words ("three", "twenty-four", "a dozen") — and the
//! amounts built on them: periods in months, idle times in minutes, sums of money in pence.
//!
//! Works on lowercased text only; it knows nothing about which policy field a number belongs to.

/// One word of lowercased text with its byte range. Letters and digits only: punctuation,
/// hyphens and currency signs separate words, so "6-digit" is "6" then "digit".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
}

pub(crate) fn tokens(lower: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in lower.char_indices() {
        let is_word = c.is_ascii_alphanumeric();
        match (is_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Token {
                    text: &lower[s..i],
                    start: s,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: &lower[s..],
            start: s,
        });
    }
    out
}

fn unit_word(word: &str) -> Option<u32> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    UNITS
        .iter()
        .position(|u| *u == word)
        .and_then(|p| u32::try_from(p).ok())
}

fn tens_word(word: &str) -> Option<u32> {
    match word {
        "twenty" => Some(20),
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        "sixty" => Some(60),
        "seventy" => Some(70),
        "eighty" => Some(80),
        "ninety" => Some(90),
        _ => None,
    }
}

/// A number found in a run of tokens: its value and the tokens it spans (`first..=last`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NumberAt {
    pub value: u32,
    pub first: usize,
    pub last: usize,
}

/// Reads the number starting at token `i`, if any: "6", "six", "twenty four" (the hyphen of
/// "twenty-four" already split it), "one hundred", "a dozen".
pub(crate) fn number_at(tokens: &[Token<'_>], i: usize) -> Option<NumberAt> {
    let word = tokens.get(i)?.text;
    let next = |k: usize| tokens.get(i + k).map(|t| t.text);
    if word.len() <= 6 && word.bytes().all(|b| b.is_ascii_digit()) {
        let value = word.parse().ok()?;
        return Some(NumberAt {
            value,
            first: i,
            last: i,
        });
    }
    if word == "dozen" {
        return Some(NumberAt {
            value: 12,
            first: i,
            last: i,
        });
    }
    if word == "a" && next(1) == Some("dozen") {
        return Some(NumberAt {
            value: 12,
            first: i,
            last: i + 1,
        });
    }
    let (mut value, mut last) = if let Some(tens) = tens_word(word) {
        match next(1).and_then(unit_word) {
            Some(unit) if (1..10).contains(&unit) => (tens + unit, i + 1),
            _ => (tens, i),
        }
    } else {
        (unit_word(word)?, i)
    };
    if tokens.get(last + 1).map(|t| t.text) == Some("hundred") {
        value *= 100;
        last += 1;
        // "one hundred and fifty", "one hundred fifty"
        let mut k = last + 1;
        if tokens.get(k).map(|t| t.text) == Some("and") {
            k += 1;
        }
        if let Some(rest) = number_at(tokens, k).filter(|n| n.value < 100) {
            value += rest.value;
            last = rest.last;
        }
    }
    Some(NumberAt {
        value,
        first: i,
        last,
    })
}

/// Every number in the tokens, in order, without overlaps.
pub(crate) fn numbers(tokens: &[Token<'_>]) -> Vec<NumberAt> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match number_at(tokens, i) {
            Some(n) => {
                i = n.last + 1;
                out.push(n);
            }
            None => i += 1,
        }
    }
    out
}

/// The first number that is followed, within `max_gap` other words (none of them a number), by
/// one of `units`: "three of failed login attempts" gives 3 for unit "attempts" with a gap of 3.
pub(crate) fn number_before(lower: &str, units: &[&str], max_gap: usize) -> Option<u32> {
    let toks = tokens(lower);
    let nums = numbers(&toks);
    for (n_index, n) in nums.iter().enumerate() {
        let next_number = nums.get(n_index + 1).map_or(toks.len(), |m| m.first);
        let end = (n.last + 1 + max_gap + 1).min(next_number).min(toks.len());
        if toks[n.last + 1..end]
            .iter()
            .any(|t| units.contains(&t.text))
        {
            return Some(n.value);
        }
    }
    None
}

/// A period written in the text, in months: "six months", "12-month", "two years", "annually",
/// "every year", "biennially". `None` when no period is written, or only an ambiguous one
/// ("bi-annually" means either twice a year or every two years).
pub(crate) fn months_in(lower: &str) -> Option<u32> {
    let toks = tokens(lower);
    for (i, t) in toks.iter().enumerate() {
        let word = t.text;
        let prev = |k: usize| i.checked_sub(k).and_then(|j| toks.get(j)).map(|t| t.text);
        let next = toks.get(i + 1).map(|t| t.text);
        let count_before = || -> Option<u32> {
            let j = i.checked_sub(1)?;
            // Walk back to the start of the number ("twenty four months").
            (j.saturating_sub(3)..=j)
                .filter_map(|s| number_at(&toks, s))
                .find(|n| n.last == j)
                .map(|n| n.value)
        };
        match word {
            "month" | "months" | "monthly" => {
                if prev(1) == Some("six") && word == "monthly" {
                    return Some(6);
                }
                if let Some(n) = count_before() {
                    return Some(n);
                }
                if word != "monthly" && matches!(prev(1), Some("a" | "one" | "each" | "every")) {
                    return Some(1);
                }
            }
            "year" | "years" | "yearly" => {
                if word == "yearly" && prev(1) == Some("half") {
                    return Some(6);
                }
                if let Some(n) = count_before() {
                    return Some(n * 12);
                }
                if matches!(prev(1), Some("a" | "each" | "every" | "per"))
                    || (prev(1) == Some("other") && prev(2) == Some("every"))
                {
                    return Some(if prev(1) == Some("other") { 24 } else { 12 });
                }
                if word == "yearly" && prev(1) != Some("bi") {
                    return Some(12);
                }
            }
            "annually" | "annual" | "annum" => {
                if prev(1) == Some("bi") || prev(1) == Some("semi") {
                    continue;
                }
                return Some(12);
            }
            "biennially" | "biennial" => return Some(24),
            "triennially" | "triennial" => return Some(36),
            "quarterly" => return Some(3),
            "twice" if next == Some("a") && toks.get(i + 2).map(|t| t.text) == Some("year") => {
                return Some(6);
            }
            _ => {}
        }
    }
    None
}

/// A length of time in minutes: "30 minutes", "five mins", "an hour", "2 hours".
pub(crate) fn minutes_in(lower: &str) -> Option<u32> {
    if let Some(n) = number_before(lower, &["minute", "minutes", "min", "mins"], 1) {
        return Some(n);
    }
    if let Some(n) = number_before(lower, &["hour", "hours", "hr", "hrs"], 1) {
        return n.checked_mul(60);
    }
    let toks = tokens(lower);
    toks.windows(2)
        .any(|w| w[0].text == "an" && w[1].text == "hour")
        .then_some(60)
}

/// Sums of money in pence, in order: "£100", "£ 100.00", "£1,000", "100 pounds",
/// "one hundred pounds".
pub(crate) fn money_in(lower: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for (i, c) in lower.char_indices() {
        if c != '£' {
            continue;
        }
        let rest = lower[i + c.len_utf8()..].trim_start();
        if let Some(pence) = pounds_and_pence(rest) {
            found.push(pence);
        }
    }
    let toks = tokens(lower);
    for n in numbers(&toks) {
        if matches!(
            toks.get(n.last + 1).map(|t| t.text),
            Some("pounds" | "pound" | "gbp")
        ) && let Some(pence) = n.value.checked_mul(100)
        {
            found.push(pence);
        }
    }
    found
}

/// "100.00 of the loss" → 10000; "1,250.5" → 125050. Reads digits, thousands commas and an
/// optional one- or two-digit fraction from the start of `text`.
fn pounds_and_pence(text: &str) -> Option<u32> {
    let mut pounds: u32 = 0;
    let mut digits = 0;
    let mut fraction_start = None;
    for (i, c) in text.char_indices() {
        if let Some(d) = c.to_digit(10) {
            pounds = pounds.checked_mul(10)?.checked_add(d)?;
            digits += 1;
        } else if c == ',' && digits > 0 {
            // A thousands separator only when three digits follow.
            let ahead: String = text[i + 1..].chars().take(3).collect();
            if ahead.len() != 3 || !ahead.bytes().all(|b| b.is_ascii_digit()) {
                break;
            }
        } else if c == '.' && digits > 0 {
            fraction_start = Some(i + 1);
            break;
        } else {
            break;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut pence = 0;
    if let Some(start) = fraction_start {
        let frac: String = text[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        pence = match frac.len() {
            1 => frac.parse::<u32>().ok()? * 10,
            2 => frac.parse::<u32>().ok()?,
            _ => 0,
        };
    }
    pounds.checked_mul(100)?.checked_add(pence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_written_as_words_are_read_like_digits() {
        let toks =
            tokens("after three of failed attempts, twenty-four hours or one hundred and five");
        let values: Vec<u32> = numbers(&toks).iter().map(|n| n.value).collect();
        assert_eq!(values, vec![3, 24, 105]);
    }

    #[test]
    fn a_number_counts_only_when_its_unit_follows_closely() {
        assert_eq!(
            number_before(
                "lock the device after three of failed login attempts",
                &["attempts"],
                4
            ),
            Some(3)
        );
        assert_eq!(
            number_before(
                "erase all content after several unsuccessful attempts",
                &["attempts"],
                4
            ),
            None
        );
        assert_eq!(
            number_before("use a 6-digit pin", &["digit", "digits"], 1),
            Some(6)
        );
    }

    #[test]
    fn periods_are_read_in_months() {
        assert_eq!(months_in("retained for a period of six months"), Some(6));
        assert_eq!(months_in("kept for 12-month periods"), Some(12));
        assert_eq!(months_in("reviewed every two years"), Some(24));
        assert_eq!(months_in("review date: annually"), Some(12));
        assert_eq!(months_in("reviewed every year"), Some(12));
        assert_eq!(months_in("reviewed every other year"), Some(24));
        assert_eq!(months_in("reviewed biennially"), Some(24));
        assert_eq!(months_in("reviewed bi-annually"), None);
        assert_eq!(months_in("retained for eighteen months"), Some(18));
        assert_eq!(
            months_in("only long enough for any breach to come to light"),
            None
        );
    }

    #[test]
    fn idle_times_are_read_in_minutes() {
        assert_eq!(minutes_in("inactivity of more than 30 minutes"), Some(30));
        assert_eq!(minutes_in("after five mins idle"), Some(5));
        assert_eq!(minutes_in("lock after an hour"), Some(60));
        assert_eq!(minutes_in("the minutes of the meeting"), None);
    }

    #[test]
    fn money_is_read_in_pence_however_it_is_typed() {
        assert_eq!(money_in("the first £ 100.00 of the loss"), vec![10_000]);
        assert_eq!(money_in("the first £200 of the loss"), vec![20_000]);
        assert_eq!(money_in("up to £1,250.5"), vec![125_050]);
        assert_eq!(money_in("one hundred pounds"), vec![10_000]);
        assert_eq!(money_in("the replacement value"), Vec::<u32>::new());
    }
}
