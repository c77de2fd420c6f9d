//! Reading one cell: dates as British spreadsheets write them, statuses in Custodian's and
//! Snipe-IT's words, warranty lengths, costs and people. Each failure is a sentence saying
//! what was wrong with the value and what to write instead.

use crate::asset::{AssetError, Category, parse_cost};
use crate::person::{Person, PersonStatus};
use crate::text::{DateProblem, parse_uk_date};
use jiff::civil::Date;

const DATE_HELP: &str = "use YYYY-MM-DD or DD/MM/YYYY, for example 2025-04-01 or 01/04/2025";

/// "2025-04-01", "2025-04-01 00:00:00" (Snipe-IT), "01/04/2025" or "1/4/2025" (1 April: UK
/// order); see [`parse_uk_date`] for every form accepted.
pub(super) fn date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    parse_uk_date(text).map_err(|problem| match problem {
        DateProblem::Unreadable | DateProblem::ShortYear => {
            format!("\"{text}\" is not a date Custodian can read: {DATE_HELP}.")
        }
        DateProblem::NotReal => {
            format!("\"{text}\" is not a real date: check the day and month ({DATE_HELP}).")
        }
    })
}

/// An optional date: blank is "not recorded".
pub(super) fn optional_date(text: &str) -> Result<Option<Date>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        date(text).map(Some)
    }
}

/// A cost in pounds: "£1,299.99", "1299.99", or with "GBP" before or after.
pub(super) fn cost(text: &str) -> Result<Option<u64>, AssetError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let upper = trimmed.to_ascii_uppercase();
    let amount = if let Some(rest) = upper.strip_prefix("GBP") {
        &trimmed[trimmed.len() - rest.len()..]
    } else if upper.ends_with("GBP") {
        &trimmed[..trimmed.len() - 3]
    } else {
        trimmed
    };
    parse_cost(amount)
        .map(Some)
        .map_err(|_| AssetError::InvalidCost(trimmed.to_owned()))
}

/// A category in everyday words; Snipe-IT's plurals ("Mobile Phones", "Laptops") are read too.
pub(super) fn category(text: &str) -> Result<Category, AssetError> {
    if text.trim().is_empty() {
        return Err(AssetError::UnknownCategory(String::new()));
    }
    Category::parse(text).or_else(|error| {
        let trimmed = text.trim();
        trimmed
            .strip_suffix(['s', 'S'])
            .and_then(|singular| Category::parse(singular).ok())
            .ok_or(error)
    })
}

/// What the status column says, before the holder is considered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StatusWord {
    /// Nothing said: issued when a holder is given, else in store.
    Blank,
    InStore,
    Issued,
    Lost,
    Stolen,
    Damaged,
    Disposed,
}

/// Custodian's statuses and Snipe-IT's default labels. Snipe-IT's custom report adds the kind
/// of label in brackets ("Ready to Deploy (deployed)"): the kind decides when the label is the
/// council's own.
pub(super) fn status(text: &str) -> Result<StatusWord, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(StatusWord::Blank);
    }
    let (label, kind) = match trimmed.rsplit_once('(') {
        Some((label, kind)) if kind.ends_with(')') => (label, Some(kind.trim_end_matches(')'))),
        _ => (trimmed, None),
    };
    if let Some(word) = status_word(label) {
        // "Ready to Deploy (deployed)": checked out, whatever the label.
        if kind.and_then(status_word) == Some(StatusWord::Issued) {
            return Ok(StatusWord::Issued);
        }
        return Ok(word);
    }
    if let Some(word) = kind.and_then(status_word) {
        return Ok(word);
    }
    Err(format!(
        "\"{trimmed}\" is not a status Custodian knows. Use one of: in store, issued, lost, \
         stolen, damaged (Snipe-IT's Ready to Deploy, Pending, Archived, Deployed, Lost/Stolen \
         and Broken are read too)."
    ))
}

fn status_word(text: &str) -> Option<StatusWord> {
    let words: String = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    Some(match words.as_str() {
        "in store" | "instore" | "ready to deploy" | "deployable" | "pending" | "archived"
        | "available" | "in stock" | "spare" | "unassigned" | "returned" => StatusWord::InStore,
        "issued" | "deployed" | "checked out" | "assigned" | "in use" | "on loan" => {
            StatusWord::Issued
        }
        // Snipe-IT's default "Lost/Stolen" cannot say which: lost is the claim that says less.
        "lost" | "missing" | "lost stolen" => StatusWord::Lost,
        "stolen" => StatusWord::Stolen,
        "damaged"
        | "broken"
        | "broken not fixable"
        | "faulty"
        | "out for repair"
        | "out for diagnostics"
        | "awaiting repair" => StatusWord::Damaged,
        "disposed" | "disposed of" | "retired" | "scrapped" | "recycled" | "written off" => {
            StatusWord::Disposed
        }
        _ => return None,
    })
}

/// Months of warranty: "36", "36 months" (Snipe-IT) or "3 years".
pub(super) fn warranty_months(text: &str) -> Result<Option<i32>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let lower = trimmed.to_lowercase();
    let (number, unit) = match lower.split_once(' ') {
        Some((number, unit)) => (number, unit.trim()),
        None => (lower.as_str(), "months"),
    };
    let per_unit = match unit {
        "month" | "months" => 1,
        "year" | "years" => 12,
        _ => 0,
    };
    match number.parse::<i32>() {
        Ok(n) if per_unit > 0 && (0..=1200 / per_unit).contains(&n) => Ok(Some(n * per_unit)),
        _ => Err(format!(
            "\"{trimmed}\" is not a length of warranty Custodian can read. Give the number of \
             months, for example 36, or the date it ends in a warranty end column."
        )),
    }
}

/// The purchase date plus the warranty's months.
pub(super) fn warranty_end(bought: Date, months: i32) -> Option<Date> {
    bought.checked_add(jiff::Span::new().months(months)).ok()
}

/// Finds one of the council's people by email address or by name (ignoring capitals and
/// spacing).
pub(super) fn person<'a>(people: &'a [Person], text: &str) -> Result<&'a Person, String> {
    let wanted = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if wanted.contains('@') {
        return people
            .iter()
            .find(|p| p.email.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "No one with the email address {} is in the council's list of people. Add \
                     them on the People page first, or check the address.",
                    text.trim()
                )
            });
    }
    let mut named = people
        .iter()
        .filter(|p| p.name.as_str().to_lowercase() == wanted);
    match (named.next(), named.next()) {
        (Some(person), None) => Ok(person),
        (Some(_), Some(_)) => Err(format!(
            "More than one person is called {}. Give the email address of the one you mean \
             instead.",
            text.trim()
        )),
        (None, _) => Err(format!(
            "No one called \"{}\" is in the council's list of people. Add them on the People \
             page first, or check the spelling (an email address works too).",
            text.trim()
        )),
    }
}

/// The holder must still be with the council to be given equipment.
pub(super) fn may_hold(person: &Person) -> Result<(), String> {
    if person.status == PersonStatus::Left {
        return Err(format!(
            "{} has left the council, so equipment cannot be issued to them. Record the item as \
             in store, or give the person who has it now.",
            person.name
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asset::test_support::person as a_person;
    use crate::ids::CouncilId;
    use crate::person::Email;

    #[test]
    fn dates_are_read_in_iso_and_british_order() {
        let april = jiff::civil::date(2025, 4, 1);
        for text in [
            "2025-04-01",
            "01/04/2025",
            "1/4/2025",
            " 2025-04-01 00:00:00 ",
        ] {
            assert_eq!(date(text), Ok(april), "{text}");
        }
    }

    #[test]
    fn a_date_that_cannot_be_read_says_which_forms_to_use() {
        for text in ["April 2025", "04-01-25", "1/4/25", "2025-4"] {
            let message = date(text).unwrap_err();
            assert!(
                message.contains("use YYYY-MM-DD or DD/MM/YYYY"),
                "{text}: {message}"
            );
        }
        assert!(date("31/02/2025").unwrap_err().contains("not a real date"));
    }

    #[test]
    fn costs_may_carry_pounds_signs_or_gbp() {
        assert_eq!(cost("£1,299.99"), Ok(Some(129_999)));
        assert_eq!(cost("GBP 45"), Ok(Some(4_500)));
        assert_eq!(cost("45.50 gbp"), Ok(Some(4_550)));
        assert_eq!(cost(" "), Ok(None));
        assert_eq!(cost("$5"), Err(AssetError::InvalidCost("$5".into())));
    }

    #[test]
    fn snipe_it_plural_categories_are_read() {
        assert_eq!(category("Mobile Phones"), Ok(Category::Phone));
        assert_eq!(category("Laptops"), Ok(Category::Laptop));
        assert!(category("Monitors").is_err());
    }

    #[test]
    fn statuses_are_read_in_custodians_and_snipe_its_words() {
        use StatusWord::*;
        for (text, expected) in [
            ("in store", InStore),
            ("in_store", InStore),
            ("Ready to Deploy", InStore),
            ("Archived", InStore),
            ("Pending", InStore),
            ("Deployed", Issued),
            ("Ready to Deploy (deployed)", Issued),
            ("Lost/Stolen", Lost),
            ("Stolen", Stolen),
            ("Broken - Not Fixable", Damaged),
            ("Out for Repair", Damaged),
            ("My own label (deployable)", InStore),
            ("Retired", Disposed),
            ("", Blank),
        ] {
            assert_eq!(status(text), Ok(expected), "{text}");
        }
        assert!(
            status("On the moon")
                .unwrap_err()
                .contains("in store, issued, lost")
        );
    }

    #[test]
    fn warranty_lengths_are_months_or_years() {
        assert_eq!(warranty_months("36"), Ok(Some(36)));
        assert_eq!(warranty_months("36 months"), Ok(Some(36)));
        assert_eq!(warranty_months("3 years"), Ok(Some(36)));
        assert_eq!(warranty_months(""), Ok(None));
        assert!(warranty_months("lifetime").is_err());
        assert_eq!(
            warranty_end(jiff::civil::date(2025, 1, 31), 1),
            Some(jiff::civil::date(2025, 2, 28))
        );
    }

    #[test]
    fn people_are_found_by_email_or_by_a_name_only_they_have() {
        let council = CouncilId::generate();
        let mut jane = a_person(council, "Jane Smith");
        jane.email = Email::parse("jane@ashby.example").unwrap();
        let mut john = a_person(council, "John Brown");
        john.email = Email::parse("john@ashby.example").unwrap();
        let mut other_john = a_person(council, "john  brown");
        other_john.email = Email::parse("john2@ashby.example").unwrap();
        let people = [jane.clone(), john, other_john];
        assert_eq!(person(&people, " JANE smith ").unwrap().id, jane.id);
        assert_eq!(person(&people, "Jane@Ashby.example").unwrap().id, jane.id);
        assert!(
            person(&people, "John Brown")
                .unwrap_err()
                .contains("More than one")
        );
        assert!(
            person(&people, "Jo Bloggs")
                .unwrap_err()
                .contains("No one called")
        );
        assert!(
            person(&people, "jo@x.example")
                .unwrap_err()
                .contains("No one with")
        );
    }
}
