//! Reading who a sentence says approves: the approval words ("approval", "permission",
//! "checking first with"), the person or body they name, and the forms a council writes them
//! in. Knows nothing about what is being approved.

use crate::policy::import::text::has_any;
use crate::policy::profile::Approver;

/// A piece of a sentence: a word (apostrophes and hyphens kept, so "council's" and
/// "vice-chair" are one word) or a break that ends a phrase (a comma, bracket or full stop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Piece<'a> {
    Word(&'a str),
    Break,
}

fn pieces(lower: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in lower.char_indices() {
        let in_word = c.is_alphanumeric() || c == '\'' || c == '-' || c == '/';
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push_word(&mut out, &lower[s..i]);
                start = None;
            }
            _ => {}
        }
        if matches!(c, ',' | ';' | ':' | '.' | '(' | ')' | '!' | '?') {
            out.push(Piece::Break);
        }
    }
    if let Some(s) = start {
        push_word(&mut out, &lower[s..]);
    }
    out
}

fn push_word<'a>(out: &mut Vec<Piece<'a>>, word: &'a str) {
    let word = word.trim_matches(['\'', '-', '/']);
    if !word.is_empty() {
        out.push(Piece::Word(word));
    }
}

/// Who a word names, if anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Approver(Approver),
    /// Someone a profile cannot hold as an approver: the Chair, a committee, "those present".
    Other,
}

/// The person or body a word names, and whether it is possessive ("the Clerk's").
fn who(word: &str) -> Option<(Who, bool)> {
    const OTHERS: [&str; 28] = [
        "chair",
        "chairman",
        "chairwoman",
        "chairperson",
        "vice-chair",
        "vice-chairman",
        "mayor",
        "committee",
        "provider",
        "manager",
        "councillor",
        "councillors",
        "member",
        "members",
        "everyone",
        "everybody",
        "those",
        "owner",
        "person",
        "individual",
        "employer",
        "supervisor",
        "head",
        "auditor",
        "dpo",
        "controller",
        "colleague",
        // Other than the Proper Officer and the Responsible Financial Officer, read before.
        "officer",
    ];
    let (base, possessive) = match word.strip_suffix("'s") {
        Some(base) => (base, true),
        None => (word, false),
    };
    let named = match base {
        "clerk" | "rfo" => Who::Approver(Approver::Clerk),
        "council" => Who::Approver(Approver::Council),
        other if OTHERS.contains(&other) => Who::Other,
        _ => return None,
    };
    Some((named, possessive))
}

/// Words that may come between a connector ("of", "with") and the approver: articles and the
/// parts of a name ("Groby Parish", "full", "Town").
const MAX_NAME_WORDS: usize = 4;

/// The approver named from `start` on: the first person or body before the phrase ends, read
/// past a possessive ("the council's IT provider" names the IT provider). "the Clerk or the
/// Council" names no single approver.
fn named_from(pieces: &[Piece<'_>], start: usize) -> Option<Who> {
    let mut skipped = 0;
    let mut i = start;
    while let Some(Piece::Word(word)) = pieces.get(i) {
        // "the prior approval of the Proper Officer", "the Responsible Financial Officer".
        if *word == "officer" && i > start {
            let before = pieces.get(i - 1);
            if matches!(before, Some(Piece::Word("proper" | "financial"))) {
                return Some(Who::Approver(Approver::Clerk));
            }
        }
        match who(word) {
            Some((_, true)) => {}
            Some((named, false)) => {
                let joined = matches!(
                    pieces.get(i + 1),
                    Some(Piece::Word("or" | "and" | "and/or"))
                );
                let second = joined
                    .then(|| (i + 2..i + 5).find_map(|j| word_at(pieces, j).and_then(who)))
                    .flatten();
                return match second {
                    Some((other, _)) if other != named => None,
                    _ => Some(named),
                };
            }
            None => {
                skipped += 1;
                if skipped > MAX_NAME_WORDS {
                    return None;
                }
            }
        }
        i += 1;
    }
    None
}

fn word_at<'a>(pieces: &[Piece<'a>], i: usize) -> Option<&'a str> {
    match pieces.get(i) {
        Some(Piece::Word(w)) => Some(w),
        _ => None,
    }
}

/// Nouns and participles of approval that name the approver after "of", "from", "by" or
/// "with": "the prior approval of", "authorised by", "checking first with".
const CUES: [&str; 22] = [
    "approval",
    "approvals",
    "approved",
    "permission",
    "permitted",
    "consent",
    "consented",
    "authorisation",
    "authorization",
    "authorised",
    "authorized",
    "authority",
    "agreement",
    "agreed",
    "sanction",
    "sanctioned",
    "sign-off",
    "signed",
    "cleared",
    "checking",
    "check",
    "checked",
];

/// Words that may stand between a cue and its connector: "approval in writing from",
/// "signed off by", "checking first with".
const CUE_FILLERS: [&str; 7] = [
    "first",
    "in",
    "writing",
    "beforehand",
    "off",
    "given",
    "formally",
];

/// Approval nouns a possessive can own: "the Clerk's prior written permission".
const OWNED_CUES: [&str; 9] = [
    "approval",
    "permission",
    "consent",
    "authorisation",
    "authorization",
    "agreement",
    "sanction",
    "sign-off",
    "say-so",
];

/// Verbs by which a named approver approves: "the Clerk must approve".
const APPROVING_VERBS: [&str; 14] = [
    "approve",
    "approves",
    "approved",
    "authorise",
    "authorises",
    "authorised",
    "authorize",
    "authorizes",
    "authorized",
    "agree",
    "agrees",
    "agreed",
    "sanction",
    "sanctions",
];

/// Verbs by which a person is asked before acting: "inform the Clerk … and gain agreement".
const ASKING_VERBS: [&str; 8] = [
    "inform",
    "tell",
    "ask",
    "notify",
    "contact",
    "consult",
    "asking",
    "informing",
];

/// "without the prior approval of the Council", "checking first with the Clerk".
fn after_cues(p: &[Piece<'_>]) -> Vec<Who> {
    let mut out = Vec::new();
    for (i, piece) in p.iter().enumerate() {
        let Piece::Word(cue) = piece else { continue };
        if !CUES.contains(cue) {
            continue;
        }
        let mut j = i + 1;
        let mut fillers = Vec::new();
        while let Some(w) = word_at(p, j).filter(|w| CUE_FILLERS.contains(w)) {
            fillers.push(w);
            j += 1;
            if fillers.len() > 3 {
                break;
            }
        }
        // "Signed" approves only as "signed off"; checking with someone is approval only when
        // it comes first ("check with the Clerk first"; "check with the Clerk if unsure" is
        // advice).
        if *cue == "signed" && !fillers.contains(&"off") {
            continue;
        }
        if !matches!(word_at(p, j), Some("of" | "from" | "by" | "with")) {
            continue;
        }
        let checks = matches!(*cue, "checking" | "check" | "checked");
        let first_later = || {
            (j + 1..j + 6)
                .map_while(|k| word_at(p, k))
                .any(|w| matches!(w, "first" | "beforehand"))
        };
        if checks && !fillers.contains(&"first") && !first_later() {
            continue;
        }
        if let Some(named) = named_from(p, j + 1) {
            out.push(named);
        }
    }
    out
}

/// "the Clerk's prior written permission", "the Council's approval".
fn possessives(p: &[Piece<'_>]) -> Vec<Who> {
    let mut out = Vec::new();
    for (i, piece) in p.iter().enumerate() {
        let Piece::Word(word) = piece else { continue };
        let Some((named, true)) = who(word) else {
            continue;
        };
        let owned = (i + 1..i + 4)
            .map_while(|j| word_at(p, j))
            .find(|w| !matches!(*w, "prior" | "written" | "express" | "explicit" | "formal"));
        if owned.is_some_and(|w| OWNED_CUES.contains(&w)) {
            out.push(named);
        }
    }
    out
}

/// "the Clerk must approve", "the Council has agreed".
fn approving_subjects(p: &[Piece<'_>]) -> Vec<Who> {
    const BETWEEN: [&str; 10] = [
        "must", "has", "have", "will", "shall", "should", "first", "can", "may", "to",
    ];
    let mut out = Vec::new();
    for (i, piece) in p.iter().enumerate() {
        let Piece::Word(word) = piece else { continue };
        let Some((named, false)) = who(word) else {
            continue;
        };
        let verb = (i + 1..i + 4)
            .map_while(|j| word_at(p, j))
            .find(|w| !BETWEEN.contains(w));
        if verb.is_some_and(|v| APPROVING_VERBS.contains(&v)) {
            out.push(named);
        }
    }
    out
}

/// "inform the Clerk that they are writing this and gain agreement": an approval asked for
/// without saying whose, in a sentence that names who must be asked.
fn asked(p: &[Piece<'_>]) -> Vec<Who> {
    let unattributed = p.iter().any(|piece| {
        matches!(piece, Piece::Word(w) if CUES.contains(w) && !matches!(*w, "checking" | "check" | "checked" | "signed"))
    });
    if !unattributed {
        return Vec::new();
    }
    p.iter()
        .enumerate()
        .filter(|(_, piece)| matches!(piece, Piece::Word(w) if ASKING_VERBS.contains(w)))
        .filter_map(|(i, _)| {
            let the = matches!(word_at(p, i + 1), Some("the" | "their"));
            let at = if the { i + 2 } else { i + 1 };
            word_at(p, at)
                .and_then(who)
                .filter(|(_, possessive)| !possessive)
                .map(|(named, _)| named)
        })
        .collect()
}

/// Whether a sentence says no approval is needed: nothing to settle.
fn approval_not_needed(lower: &str) -> bool {
    has_any(
        lower,
        &[
            "no approval",
            "no permission",
            "without needing",
            "need not",
            "does not need",
            "do not need",
            "not required",
            "no need to",
        ],
    )
}

/// The approver a sentence names for what it asks approval of, if exactly one: the Clerk or
/// the Council. `None` when it names none, someone else, or both.
pub(super) fn approver_in(lower: &str) -> Option<Approver> {
    if approval_not_needed(lower) {
        return None;
    }
    let p = pieces(lower);
    let mut named = after_cues(&p);
    named.extend(possessives(&p));
    named.extend(approving_subjects(&p));
    if named.is_empty() {
        named = asked(&p);
    }
    let first = *named.first()?;
    if named.iter().any(|n| *n != first) {
        return None;
    }
    match first {
        Who::Approver(approver) => Some(approver),
        Who::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approver_is_read_from_the_usual_wordings() {
        for (sentence, expected) in [
            (
                "without the prior approval of the Council",
                Some(Approver::Council),
            ),
            (
                "without the prior written permission of the Clerk.",
                Some(Approver::Clerk),
            ),
            (
                "without checking first with the Clerk",
                Some(Approver::Clerk),
            ),
            (
                "unless authorised by Groby Parish Council",
                Some(Approver::Council),
            ),
            ("with the Clerk's written approval", Some(Approver::Clerk)),
            ("only if the Council has agreed", Some(Approver::Council)),
            (
                "with the approval of the Clerk to the Council",
                Some(Approver::Clerk),
            ),
            (
                "approved in writing by the Proper Officer",
                Some(Approver::Clerk),
            ),
            (
                "they must inform the Clerk that they are writing this and gain agreement before going 'live'",
                Some(Approver::Clerk),
            ),
        ] {
            assert_eq!(
                approver_in(&sentence.to_lowercase()),
                expected,
                "{sentence}"
            );
        }
    }

    #[test]
    fn approval_without_a_single_clerk_or_council_settles_nothing() {
        for sentence in [
            "Unless previously authorised.",
            "unless this has been authorised",
            "without explicit permission",
            "without the permission of those present",
            "with the approval of the Chair",
            "with the approval of the council's IT provider",
            "with the approval of the Clerk or the Council",
            "at the discretion of the council, but consent for standard systems will be permitted",
            "advice should be sought from the Clerk",
            "check with the Clerk if unsure",
            "the approval of the Clerk is not required",
        ] {
            assert_eq!(approver_in(&sentence.to_lowercase()), None, "{sentence}");
        }
    }
}
