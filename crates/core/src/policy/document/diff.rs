//! What changed between two versions of the policy, clause by clause, with the changed words
//! marked so a councillor can see at a glance what they are being asked to adopt.
//!
//! Clauses are matched by number. Within a changed clause the words are compared with a longest
//! common subsequence, which is plenty for clause-sized text; a clause too long for that is shown
//! as wholly replaced rather than taking unbounded time.

use super::Document;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One clause that differs between two versions. Unchanged clauses are not listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClauseChange {
    Added {
        number: String,
        text: String,
    },
    Removed {
        number: String,
        text: String,
    },
    Changed {
        number: String,
        old: String,
        new: String,
        words: Vec<WordChange>,
    },
}

impl ClauseChange {
    pub fn number(&self) -> &str {
        match self {
            ClauseChange::Added { number, .. }
            | ClauseChange::Removed { number, .. }
            | ClauseChange::Changed { number, .. } => number,
        }
    }
}

/// A run of words that is the same in both versions, only in the old, or only in the new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum WordChange {
    Same(String),
    Removed(String),
    Added(String),
}

/// Above this many comparisons (words in old × words in new, after the common start and end are
/// set aside) a clause is shown as replaced whole.
const MAX_LCS_CELLS: usize = 4_000_000;

/// The clauses added, removed or changed from `old` to `new`, in clause-number order.
pub fn diff_documents(old: &Document, new: &Document) -> Vec<ClauseChange> {
    let old_clauses: BTreeMap<&str, String> = old.clauses().collect();
    let new_clauses: BTreeMap<&str, String> = new.clauses().collect();
    let mut changes = Vec::new();
    for (number, old_text) in &old_clauses {
        match new_clauses.get(number) {
            None => changes.push(ClauseChange::Removed {
                number: (*number).to_owned(),
                text: old_text.clone(),
            }),
            Some(new_text) if new_text != old_text => changes.push(ClauseChange::Changed {
                number: (*number).to_owned(),
                old: old_text.clone(),
                new: new_text.clone(),
                words: diff_words(old_text, new_text),
            }),
            Some(_) => {}
        }
    }
    for (number, new_text) in &new_clauses {
        if !old_clauses.contains_key(number) {
            changes.push(ClauseChange::Added {
                number: (*number).to_owned(),
                text: new_text.clone(),
            });
        }
    }
    changes.sort_by_cached_key(|change| sort_key(change.number()));
    changes
}

/// "intro-2" before "1.1.1"; "2.1.10" after "2.1.9".
fn sort_key(number: &str) -> (u8, Vec<u32>, String) {
    if let Some(n) = number.strip_prefix("intro-").and_then(|n| n.parse().ok()) {
        return (0, vec![n], String::new());
    }
    let parts: Option<Vec<u32>> = number.split('.').map(|p| p.parse().ok()).collect();
    match parts {
        Some(parts) => (1, parts, String::new()),
        None => (2, Vec::new(), number.to_owned()),
    }
}

/// The words of `old` and `new` as runs of same, removed and added words.
pub fn diff_words(old: &str, new: &str) -> Vec<WordChange> {
    let old: Vec<&str> = old.split_whitespace().collect();
    let new: Vec<&str> = new.split_whitespace().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];

    let mut ops: Vec<(Kind, &str)> = Vec::with_capacity(old.len() + new.len());
    ops.extend(old[..prefix].iter().map(|w| (Kind::Same, *w)));
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_LCS_CELLS {
        ops.extend(old_mid.iter().map(|w| (Kind::Removed, *w)));
        ops.extend(new_mid.iter().map(|w| (Kind::Added, *w)));
    } else {
        lcs_ops(old_mid, new_mid, &mut ops);
    }
    ops.extend(old[old.len() - suffix..].iter().map(|w| (Kind::Same, *w)));
    merge_runs(ops)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Same,
    Removed,
    Added,
}

fn lcs_ops<'a>(old: &[&'a str], new: &[&'a str], ops: &mut Vec<(Kind, &'a str)>) {
    let (n, m) = (old.len(), new.len());
    // lengths[i][j] = LCS length of old[i..] and new[j..], stored row by row.
    let width = m + 1;
    let mut lengths = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i * width + j] = if old[i] == new[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if old[i] == new[j] {
            ops.push((Kind::Same, old[i]));
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            ops.push((Kind::Removed, old[i]));
            i += 1;
        } else {
            ops.push((Kind::Added, new[j]));
            j += 1;
        }
    }
    ops.extend(old[i..].iter().map(|w| (Kind::Removed, *w)));
    ops.extend(new[j..].iter().map(|w| (Kind::Added, *w)));
}

fn merge_runs(ops: Vec<(Kind, &str)>) -> Vec<WordChange> {
    let mut runs: Vec<(Kind, String)> = Vec::new();
    for (kind, word) in ops {
        match runs.last_mut() {
            Some((last, text)) if *last == kind => {
                text.push(' ');
                text.push_str(word);
            }
            _ => runs.push((kind, word.to_owned())),
        }
    }
    runs.into_iter()
        .map(|(kind, text)| match kind {
            Kind::Same => WordChange::Same(text),
            Kind::Removed => WordChange::Removed(text),
            Kind::Added => WordChange::Added(text),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_word_is_shown_between_the_words_around_it() {
        assert_eq!(
            diff_words("kept for 6 months before", "kept for 12 months before"),
            vec![
                WordChange::Same("kept for".to_owned()),
                WordChange::Removed("6".to_owned()),
                WordChange::Added("12".to_owned()),
                WordChange::Same("months before".to_owned()),
            ]
        );
    }

    #[test]
    fn words_added_in_the_middle_are_found() {
        assert_eq!(
            diff_words("a b c d", "a b x c d y"),
            vec![
                WordChange::Same("a b".to_owned()),
                WordChange::Added("x".to_owned()),
                WordChange::Same("c d".to_owned()),
                WordChange::Added("y".to_owned()),
            ]
        );
    }

    #[test]
    fn identical_and_empty_texts_give_no_changes() {
        assert_eq!(
            diff_words("same words", "same words"),
            vec![WordChange::Same("same words".to_owned())]
        );
        assert_eq!(diff_words("", ""), vec![]);
        assert_eq!(
            diff_words("", "new"),
            vec![WordChange::Added("new".to_owned())]
        );
    }

    #[test]
    fn clause_numbers_sort_as_numbers() {
        let mut numbers = vec!["2.1.10", "intro-2", "2.1.9", "12.1", "intro-1", "odd"];
        numbers.sort_by_cached_key(|n| sort_key(n));
        assert_eq!(
            numbers,
            vec!["intro-1", "intro-2", "2.1.9", "2.1.10", "12.1", "odd"]
        );
    }
}
