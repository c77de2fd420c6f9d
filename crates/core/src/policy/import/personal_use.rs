//! Personal use of council equipment and of council email: none, outside working hours, or
//! reasonable.
//!
//! The first clause that speaks about it decides. Within that clause the most specific
//! permission wins — a time limit ("lunch breaks", "outside working hours") over a general
//! permission ("reasonable personal use is permitted") over "council purposes only" — because
//! model-derived policies often open with "for council purposes only" and then permit and
//! limit personal use in the next sentences. Lint reports such clauses as contradictions.

use super::fields::Found;
use super::text::{Block, Document, Sentence, has_any};
use crate::policy::profile::PersonalUse;

/// What one sentence says about personal use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cues {
    pub only: bool,
    pub reasonable: bool,
    pub outside: bool,
}

impl Cues {
    fn any(self) -> bool {
        self.only || self.reasonable || self.outside
    }

    fn verdict(self) -> Option<PersonalUse> {
        if self.outside {
            Some(PersonalUse::OutsideWorkingHours)
        } else if self.reasonable {
            Some(PersonalUse::Reasonable)
        } else if self.only {
            Some(PersonalUse::None)
        } else {
            None
        }
    }
}

const MENTIONS: [&str; 23] = [
    "personal use",
    "personal purposes",
    "personal communication",
    "personal reasons",
    "personal matters",
    "personal business",
    "private use",
    "private purposes",
    "personal activities",
    "personal browsing",
    "personal email",
    "personal e-mail",
    "personal messages",
    "personal tasks",
    "personal calls",
    "personal shopping",
    "non-council purposes",
    "non-work purposes",
    "non-council business",
    "personal correspondence",
    "private correspondence",
    "private email",
    "private e-mail",
];

const TIME_LIMITS: [&str; 16] = [
    "lunch",
    "outside working hours",
    "outside of working hours",
    "outside normal working hours",
    "outside office hours",
    "outside work hours",
    "outside of work",
    "before or after working hours",
    "before or after work",
    "after working hours",
    "own time",
    "breaks",
    "break times",
    "after hours",
    "out of hours",
    "encroach upon working time",
];

/// "…for council purposes only", "…for council use only".
const ONLY_TAILS: [&str; 16] = [
    "purposes only",
    "purpose only",
    "business only",
    "council use only",
    "council's use only",
    "official use only",
    "work use only",
    "business use only",
    "internal use only",
    "no personal use",
    "work-related purposes only",
    "not council business",
    "not parish business",
    "other than council business",
    "other than parish business",
    "other than council purposes",
];

/// "…only be used for council business": a limiting phrase followed by the purpose.
const ONLY_LEADS: [&str; 9] = [
    "only for",
    "only be used for",
    "used only for",
    "only to be used for",
    "solely for",
    "exclusively for",
    "strictly for",
    "only in connection with",
    "solely in connection with",
];

const PURPOSES: [&str; 7] = [
    "council", "work", "official", "business", "job", "duties", "role",
];

fn only_cue(lower: &str) -> bool {
    has_any(lower, &ONLY_TAILS)
        || ONLY_LEADS.iter().any(|lead| {
            lower
                .find(lead)
                .is_some_and(|at| has_any(&lower[at + lead.len()..], &PURPOSES))
        })
}

const REFUSED: [&str; 13] = [
    "not permitted",
    "not allowed",
    "prohibited",
    "forbidden",
    "not be used for",
    "not to be used for",
    "not acceptable",
    "not authorised",
    "must not use",
    "should not use",
    "may not use",
    "never use",
    "no personal use",
];

const ALLOWED: [&str; 8] = [
    "permitted",
    "allowed",
    "acceptable",
    "may be used",
    "can be used",
    "may use",
    "is tolerated",
    "is fine",
];

const MEASURED: [&str; 6] = [
    "reasonable personal",
    "limited personal",
    "occasional personal",
    "incidental personal",
    "modest personal",
    "reasonable private",
];

/// The cues in one sentence (lowercased).
pub(crate) fn cues(lower: &str) -> Cues {
    let mention = MENTIONS.iter().filter_map(|m| lower.find(m)).min();
    let mentions = mention.is_some();
    let refused = mention.is_some_and(|m| refuses(lower, m));
    let in_hours = lower.contains("during working hours") || lower.contains("in working hours");
    let at_any_time = has_any(lower, &["even outside", "at any time", "at all times"]);
    let outside =
        mentions && !at_any_time && (has_any(lower, &TIME_LIMITS) || (in_hours && refused));
    let only = only_cue(lower) || (mentions && refused && !outside);
    let reasonable =
        mentions && !refused && (has_any(lower, &MEASURED) || has_any(lower, &ALLOWED));
    Cues {
        only,
        reasonable,
        outside,
    }
}

/// Whether the sentence refuses personal use (mentioned at byte `mention`): a refusal
/// ("not permitted") nearer the mention than any permission, so that "Personal use is
/// permitted, but installing software is not permitted" permits it.
fn refuses(lower: &str, mention: usize) -> bool {
    let refusals: Vec<(usize, usize)> = REFUSED
        .iter()
        .flat_map(|r| lower.match_indices(r).map(|(i, _)| (i, i + r.len())))
        .collect();
    let permissions: Vec<usize> = ALLOWED
        .iter()
        .flat_map(|a| lower.match_indices(a).map(|(i, _)| i))
        // "permitted" inside "not permitted" is no permission.
        .filter(|i| !refusals.iter().any(|(s, e)| (*s..*e).contains(i)))
        .collect();
    let distance = |i: usize| i.abs_diff(mention);
    let nearest_refusal = refusals.iter().map(|(s, _)| distance(*s)).min();
    let nearest_permission = permissions.iter().map(|i| distance(*i)).min();
    match (nearest_refusal, nearest_permission) {
        (Some(r), Some(p)) => r < p,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Headings of sections about something other than equipment or email.
const OTHER_SECTIONS: [&str; 6] = [
    "internet",
    "social",
    "remote",
    "monitoring",
    "password",
    "media",
];

fn about_equipment(block: &Block, lower: &str) -> bool {
    const HEADINGS: [&str; 9] = [
        "computer",
        "hardware",
        "equipment",
        "device",
        "it use",
        "use of it",
        "acceptable use",
        "personal use",
        "ict",
    ];
    const WORDS: [&str; 11] = [
        "equipment",
        "computer",
        "laptop",
        "device",
        "it systems",
        "it facilities",
        "ict",
        "hardware",
        "tablet",
        "council systems",
        "it resources",
    ];
    // A heading about another topic rules a sentence out, unless it names equipment too
    // ("Computers, phones and the internet").
    let equipment_heading = block.under_heading(&HEADINGS);
    let other_heading =
        block.under_heading(&OTHER_SECTIONS) || block.under_heading(&["email", "e-mail"]);
    if other_heading && !equipment_heading {
        return false;
    }
    equipment_heading || has_any(lower, &WORDS)
}

fn about_email(block: &Block, lower: &str) -> bool {
    block.under_heading(&["email", "e-mail", "electronic mail"])
        || (has_any(lower, &["email", "e-mail"]) && !block.under_heading(&["social", "media"]))
}

/// The sentences of the first block that says something in scope about personal use, with
/// their cues. Once a block is in scope its other sentences count too ("…are asked to restrict
/// any personal use to lunch breaks" names no equipment), unless they are about another topic.
fn first_clause<'d>(
    doc: &'d Document,
    in_scope: fn(&Block, &str) -> bool,
    other_topic: &[&str],
) -> Vec<(&'d Sentence, Cues)> {
    for (index, block) in doc.blocks.iter().enumerate() {
        let sentences: Vec<(&Sentence, Cues)> = doc
            .sentences
            .iter()
            .filter(|s| s.block == index && !s.guidance)
            .map(|s| (s, cues(&s.lower)))
            .filter(|(_, c)| c.any())
            .collect();
        if !sentences.iter().any(|(s, _)| in_scope(block, &s.lower)) {
            continue;
        }
        return sentences
            .into_iter()
            .filter(|(s, _)| in_scope(block, &s.lower) || !has_any(&s.lower, other_topic))
            .collect();
    }
    Vec::new()
}

fn decide(found: &[(&Sentence, Cues)]) -> Option<Found<PersonalUse>> {
    let pick = |want: fn(Cues) -> bool| found.iter().find(|(_, c)| want(*c));
    let (sentence, cues) = pick(|c| c.outside)
        .or_else(|| pick(|c| c.reasonable))
        .or_else(|| pick(|c| c.only))?;
    Some(Found::at(sentence, cues.verdict()?))
}

pub(crate) fn equipment(doc: &Document) -> Option<Found<PersonalUse>> {
    decide(&first_clause(
        doc,
        about_equipment,
        &["email", "e-mail", "social", "internet", "website"],
    ))
}

pub(crate) fn email(doc: &Document) -> Option<Found<PersonalUse>> {
    decide(&first_clause(
        doc,
        about_email,
        &["computer", "equipment", "laptop", "social", "internet"],
    ))
}

/// Blocks that both limit use to council purposes and permit personal use, with the two
/// sentences: (block, the "only" sentence, the permitting sentence).
pub(crate) fn contradictions(doc: &Document) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    for (index, _) in doc.blocks.iter().enumerate() {
        let sentences: Vec<(&Sentence, Cues)> = doc
            .sentences
            .iter()
            .filter(|s| s.block == index && !s.guidance)
            .map(|s| (s, cues(&s.lower)))
            .collect();
        let only = sentences
            .iter()
            .find(|(_, c)| c.only && !c.reasonable && !c.outside);
        let permits = sentences
            .iter()
            .find(|(s, c)| (c.reasonable || c.outside) && !has_any(&s.lower, &REFUSED));
        if let (Some((o, _)), Some((p, _))) = (only, permits) {
            out.push((index, o.text.clone(), p.text.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equipment_use(text: &str) -> Option<PersonalUse> {
        equipment(&Document::parse(text)).map(|f| f.value)
    }

    #[test]
    fn council_purposes_only_without_permission_means_no_personal_use() {
        assert_eq!(
            equipment_use(
                "1.1.1 Council computer equipment is provided for Council purposes only."
            ),
            Some(PersonalUse::None)
        );
    }

    #[test]
    fn reasonable_personal_use_is_reasonable() {
        assert_eq!(
            equipment_use(
                "1.1.1 Council computer equipment is provided for council purposes, however reasonable personal use is permitted."
            ),
            Some(PersonalUse::Reasonable)
        );
    }

    #[test]
    fn a_time_limit_on_personal_use_is_outside_working_hours() {
        assert_eq!(
            equipment_use("Council laptops may be used for personal purposes during lunch breaks."),
            Some(PersonalUse::OutsideWorkingHours)
        );
        assert_eq!(
            equipment_use(
                "Personal use of council computers is not permitted during working hours."
            ),
            Some(PersonalUse::OutsideWorkingHours)
        );
    }

    #[test]
    fn a_refusal_of_something_else_does_not_refuse_personal_use() {
        assert_eq!(
            equipment_use(
                "Personal use of council laptops is permitted, but installing software is not permitted."
            ),
            Some(PersonalUse::Reasonable)
        );
        assert_eq!(
            equipment_use("Councillors must not use council tablets for personal purposes."),
            Some(PersonalUse::None)
        );
    }

    #[test]
    fn template_guidance_about_personal_use_is_not_read_as_a_rule() {
        let text = "Councils will also need to determine and clearly state whether limited personal use of IT equipment is permitted (for example during lunch breaks).\n\n1.1.1 Council computer equipment is provided for Council purposes only.";
        assert_eq!(equipment_use(text), Some(PersonalUse::None));
    }

    #[test]
    fn email_personal_use_comes_from_the_email_section() {
        let text = "1.1.1 Council computer equipment is provided for council purposes, however reasonable personal use is permitted.\n\nEmail\n\n7.1.5 Email messages sent on the Council's account are for Council use only. Personal use is not permitted.";
        let d = Document::parse(text);
        assert_eq!(
            email(&d).map(|f| (f.value, f.source.clause)),
            Some((PersonalUse::None, "7.1.5".to_owned()))
        );
        assert_eq!(
            equipment(&d).map(|f| f.value),
            Some(PersonalUse::Reasonable)
        );
    }
}
