//! The topics the model IT policy covers, as keywords, and the clauses of a document that
//! match none of them and gave no value to an extractor: the "unrecognised" list a Clerk
//! should read by hand.

use super::text::{BlockKind, Document};

/// Model topics and the words that mark them: distinctive words ("copyright", "webcam",
/// "dongle") or the model's own phrasing where the subject alone is too common ("back-up
/// procedures", not "backup"). A model-derived policy is then mostly recognised, while a policy
/// written from scratch — whose own rules Custodian has not read — is mostly listed.
const TOPICS: [(&str, &[&str]); 17] = [
    (
        "introduction, purpose and scope",
        &[
            "it setup",
            "one-size-fits-all",
            "external it providers",
            "purpose of an it policy",
            "well-defined policy",
            "this policy applies",
            "right to monitor",
            "appropriate use of equipment",
            "acceptable and unacceptable use",
            "policy breaches",
            "risks associated with it use",
            "digital assets",
        ],
    ),
    ("personal use", &["personal use", "personal communications"]),
    (
        "care and control of equipment",
        &[
            "lock their computers",
            "locking computers",
            "good care",
            "kept clean",
            "food and drink",
            "carry a number",
            "database of equipment",
            "asset register",
            "equipment register",
            "dismantle",
            "purchase",
            "install",
            "faults or necessary repairs",
        ],
    ),
    (
        "removable media",
        &[
            "usb",
            "removable media",
            "personal disks",
            "data storage devices",
        ],
    ),
    (
        "portable equipment",
        &[
            "portable equipment",
            "portable computers",
            "portable devices",
            "back-up procedures",
            "backup procedures",
            "protected with encryption",
            "pin code",
            "lost or stolen",
            "lost or damaged",
            "act of negligence",
        ],
    ),
    (
        "authentication",
        &[
            "multi-factor",
            "mfa",
            "strong, secure passwords",
            "random words",
            "strengthen account security",
            "initial user account passwords",
            "default passwords",
            "passwords are personal",
            "password manager",
            "plain text",
            "change password",
            "password guidance",
            "administrative credentials",
            "system credentials",
            "shared credentials",
            "secure passwords",
            "password policies",
            "unauthorized passwords",
            "sealed envelope",
        ],
    ),
    (
        "recording and webcams",
        &[
            "photographs",
            "recorded without",
            "recording device",
            "webcam",
        ],
    ),
    (
        "own devices",
        &[
            "own devices",
            "own equipment",
            "own smartphones",
            "personal devices",
            "inappropriate websites",
            "legal proceedings",
            "clear separation",
            "work profile",
            "third-party storage",
            "cached copies",
            "disposal of any device",
            "personally liable",
            "own it equipment",
            "landlines",
            "encrypted channel",
            "unsecured wireless",
            "device wipe",
            "remote wipe",
            "facial recognition",
        ],
    ),
    (
        "health and safety",
        &["workstation", "eye test", "display screen", "vdu"],
    ),
    (
        "monitoring",
        &[
            "logs of computer usage",
            "investigatory powers",
            "impact assessment",
            "subject access request",
            "information obtained through monitoring",
            "information gathered through monitoring",
            "such monitoring",
            "record all internet usage",
            "inspect all files",
            "improper",
            "unauthorised programmes",
        ],
    ),
    (
        "remote working",
        &[
            "away from their normal place",
            "privacy filter",
            "dongle",
            "paid for wi-fi",
            "internet café",
            "boot of the car",
        ],
    ),
    (
        "email",
        &[
            "email facilities",
            "email chains",
            "legal risks run when using email",
            "own council email address",
            "council email account",
            "email messages sent on the council",
        ],
    ),
    (
        "internet",
        &[
            "copyright",
            "trademark",
            "domain names",
            "external sites",
            "sensitive personal data",
            "less accurate than it appears",
        ],
    ),
    (
        "social media",
        &[
            "social media",
            "social networking",
            "blog",
            "linkedin",
            "postings",
            "contact details and information",
            "nolan principles",
            "media relating to the council",
        ],
    ),
    ("misuse", &["misuse of it systems", "standards of conduct"]),
    (
        "declaration and adoption",
        &[
            "declaration",
            "i confirm",
            "i have read",
            "signed",
            "signature",
            "adopted",
            "adoption",
            "policy will be reviewed",
            "review date",
            "next review",
            "minute reference",
            "policy title",
        ],
    ),
    (
        "publisher's notice",
        &[
            "legal advice",
            "commissioned by",
            "national association of local councils",
            "worknest",
            "every effort has been made",
        ],
    ),
];

/// Titles of model sections that introduce a policy rather than rule on anything.
const INTRODUCTORY_TITLES: [&str; 4] = ["introduction", "purpose", "scope", "background"];

/// The model topic a piece of text (lowercased) is about, if any.
pub(crate) fn topic_of(lower: &str) -> Option<&'static str> {
    TOPICS
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(name, _)| *name)
}

/// Unnumbered text counts as a paragraph worth reading when it is at least a sentence long;
/// addresses, telephone lines and labels do not.
fn substantive(text: &str) -> bool {
    let words = text.split_whitespace().count();
    words >= 8 && (text.trim_end().ends_with(['.', ':', ';', '!', '?']) || words >= 15)
}

/// The text of each numbered clause or substantive paragraph that no extractor used and that
/// matches no model topic, with its clause number.
pub(crate) fn unrecognised(doc: &Document, used_blocks: &[usize]) -> Vec<String> {
    doc.blocks
        .iter()
        .enumerate()
        .filter(|(index, block)| {
            let kind_counts = match block.kind {
                BlockKind::Heading => false,
                BlockKind::Clause => !block.paragraphs.is_empty(),
                BlockKind::Paragraph => substantive(&block.body()),
            };
            // An introduction says what the policy is for; it rules on nothing.
            let heading = block
                .title
                .as_ref()
                .or(block.subsection.as_ref())
                .or(block.section.as_ref());
            let introductory = heading.is_some_and(|t| {
                let t = t.to_lowercase();
                INTRODUCTORY_TITLES.iter().any(|w| t.contains(w))
            });
            kind_counts
                && !introductory
                && !used_blocks.contains(index)
                && topic_of(&super::text::lower_form(&block.full_text())).is_none()
        })
        .map(|(_, block)| block.full_text())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_wording_is_recognised_by_topic() {
        assert_eq!(
            topic_of("the council does not permit webcams"),
            Some("recording and webcams")
        );
        assert_eq!(
            topic_of("dongles should be used for essential council purposes only"),
            Some("remote working")
        );
        assert_eq!(topic_of("the parish office is open on tuesdays"), None);
    }

    #[test]
    fn clauses_outside_the_model_are_listed_as_unrecognised() {
        let doc = Document::parse(
            "1.1 The council publishes its agendas on the noticeboard in the village hall.\n\n1.2 The council does not permit webcams in the office.",
        );
        assert_eq!(
            unrecognised(&doc, &[]),
            vec!["1.1 The council publishes its agendas on the noticeboard in the village hall."]
        );
    }
}
