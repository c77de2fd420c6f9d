//! Display screen equipment: whether the council promises regular workstation assessments
//! (and how many months apart) or only offers eye tests.

use super::fields::{Found, rules};
use super::numbers::months_in;
use super::text::{Document, Sentence, has_any};
use crate::policy::profile::DseAssessment;

const ASSESSMENT: [&str; 6] = [
    "workstation assessment",
    "dse assessment",
    "display screen assessment",
    "display screen equipment assessment",
    "workstation risk assessment",
    "assessment of their workstation",
];

/// Where the sentence starts speaking of a workstation assessment, if it does.
fn assessment_at(lower: &str) -> Option<usize> {
    let named = ASSESSMENT.iter().filter_map(|a| lower.find(a)).min();
    named.or_else(|| {
        lower
            .contains("workstation")
            .then(|| lower.find("assess"))
            .flatten()
    })
}

/// The months between regular workstation assessments: the period written after the
/// assessment is named ("a workstation assessment … every 18 months", "repeated annually").
/// A period written before it may belong to something else ("eye tests every two years; a
/// workstation assessment on request"), so it counts only when the sentence has no eye tests.
fn assessment_period(s: &Sentence) -> Option<u32> {
    let at = assessment_at(&s.lower)?;
    months_in(&s.lower[at..]).or_else(|| {
        (!s.lower.contains("eye"))
            .then(|| months_in(&s.lower))
            .flatten()
    })
}

/// What the council promises about display screen equipment, and the months between
/// workstation assessments when it promises them regularly.
///
/// A regular workstation assessment, at any stated period, wins over eye tests alone (the
/// promise includes them); eye tests offered with no regular assessment are `EyeTestsOffered`
/// and state no interval.
pub(crate) fn dse(doc: &Document) -> (Option<Found<DseAssessment>>, Option<Found<u16>>) {
    const EYES: [&str; 5] = [
        "eye test",
        "eyesight test",
        "eye examination",
        "eye and eyesight",
        "eye care",
    ];
    const OFFERED: [&str; 8] = [
        "offer",
        "provide",
        "available",
        "pay",
        "entitled",
        "arrange",
        "free",
        "reimburse",
    ];
    let regular = rules(doc).find_map(|s| Some((s, assessment_period(s)?)));
    if let Some((s, months)) = regular {
        let interval = u16::try_from(months).ok().map(|m| Found::at(s, m));
        return (Some(Found::at(s, DseAssessment::Annual)), interval);
    }
    let eyes = rules(doc)
        .find(|s| has_any(&s.lower, &EYES) && has_any(&s.lower, &OFFERED))
        .map(|s| Found::at(s, DseAssessment::EyeTestsOffered));
    (eyes, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<DseAssessment>, Option<u16>) {
        let (assessment, interval) = dse(&Document::parse(text));
        (assessment.map(|f| f.value), interval.map(|f| f.value))
    }

    #[test]
    fn an_annual_assessment_wins_over_eye_tests() {
        assert_eq!(
            read(
                "Eye tests are offered to display screen users. Each workstation assessment is repeated annually."
            ),
            (Some(DseAssessment::Annual), Some(12))
        );
    }

    #[test]
    fn a_regular_assessment_at_another_period_keeps_its_months() {
        assert_eq!(
            read(
                "3.1.2 The council carries out a workstation assessment for each member of staff who uses display screen equipment every 18 months, and offers them eye tests by a competent person."
            ),
            (Some(DseAssessment::Annual), Some(18))
        );
    }

    #[test]
    fn eye_tests_with_a_period_are_not_a_regular_assessment() {
        assert_eq!(
            read(
                "Eye tests are offered every two years; a workstation assessment is carried out when someone asks for one."
            ),
            (Some(DseAssessment::EyeTestsOffered), None)
        );
    }
}
