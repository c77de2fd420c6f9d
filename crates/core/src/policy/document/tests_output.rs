//! Tests of the policy's text forms built on the rendered document: plain text, Markdown, the
//! clause diff, the declaration and the content hash.

use super::tests::{COUNCIL, adopted, model, render, text_of};
use super::*;
use crate::policy::PolicyProfile;

#[test]
fn plain_text_has_the_shape_of_a_council_policy_file() {
    let text = to_plain_text(&model());
    assert!(text.starts_with("Little Wickham Parish Council\n\nInformation Technology Policy\n\nPurpose of this policy\n\nThis policy sets out"));
    for line in [
        "\nComputer use\n\n1.1 Hardware\n\n1.1.1 Council computer equipment",
        "\n2.1.6 Report the loss of, or damage to, any portable equipment",
        "make sure that:\n\n- it is protected by a PIN of at least 6 digits, or a stronger password;\n- it is set to lock after 3 failed attempts;\n",
        "\nHealth and safety\n\n3.1.1 ",
        "\nDeclaration\n\n11.1 Everyone covered",
        "\nAdoption and review\n\n12.1 This policy was adopted",
    ] {
        assert!(text.contains(line), "missing {line:?}");
    }
    assert!(text.ends_with(".\n\n"));
    // Every numbered clause starts a line with its number.
    for (number, _) in model().clauses().filter(|(n, _)| !n.starts_with("intro-")) {
        assert!(text.contains(&format!("\n{number} ")), "{number}");
    }
}

#[test]
fn markdown_has_the_headings_and_bold_clause_numbers() {
    let md = to_markdown(&model());
    assert!(
        md.starts_with("# Little Wickham Parish Council\n\n**Information Technology Policy**\n\n")
    );
    for heading in [
        "## Purpose of this policy",
        "## Monitoring of IT use",
        "## Scope of this policy",
        "## Computer use",
        "### 1.1 Hardware",
        "### 2.2 Use of own devices",
        "## Passwords and authentication",
        "## Misuse of IT",
        "## Declaration",
        "## Adoption and review",
    ] {
        assert!(md.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(md.contains("**2.1.6** Report the loss"));
    assert!(md.contains(
        "- Adopted on: 12 May 2025\n- Minute reference: COU/229/25-26\n- Review due: 12 May 2026\n"
    ));
    let odd = render_policy(
        &PolicyProfile::model_defaults(),
        "St *Mary*_Parish",
        &adopted(),
    );
    assert!(to_markdown(&odd).starts_with("# St \\*Mary\\*\\_Parish\n"));
}

#[test]
fn a_diff_of_two_renders_shows_only_the_changed_value() {
    let before = model();
    let mut profile = PolicyProfile::model_defaults();
    profile.internet_log_retention_months = 12;
    let changes = diff_documents(&before, &render(&profile));
    assert_eq!(changes.len(), 1, "{changes:?}");
    let ClauseChange::Changed { number, words, .. } = &changes[0] else {
        unreachable!("expected a change, got {changes:?}")
    };
    assert_eq!(number, "5.1.11");
    let edits: Vec<&WordChange> = words
        .iter()
        .filter(|w| !matches!(w, WordChange::Same(_)))
        .collect();
    assert_eq!(
        edits,
        vec![
            &WordChange::Removed("6".to_owned()),
            &WordChange::Added("12".to_owned())
        ]
    );
    assert_eq!(diff_documents(&before, &model()), vec![]);
}

#[test]
fn clauses_added_or_removed_are_listed_in_number_order() {
    let old = model();
    let mut new = old.clone();
    let removed = new.sections[4].subsections[1].clauses.pop();
    new.sections[3].subsections[0].clauses.push(Clause {
        number: "1.1.11".to_owned(),
        paragraphs: vec!["A new rule.".to_owned()],
        bullets: vec![],
    });
    let changes = diff_documents(&old, &new);
    let Some(removed) = removed else {
        unreachable!("2.2 has clauses")
    };
    assert_eq!(
        changes,
        vec![
            ClauseChange::Added {
                number: "1.1.11".to_owned(),
                text: "A new rule.".to_owned()
            },
            ClauseChange::Removed {
                number: removed.number.clone(),
                text: removed.full_text()
            },
        ]
    );
}

#[test]
fn the_declaration_names_the_council_and_the_version() {
    let doc = model();
    let text = declaration_text(&doc);
    assert_eq!(
        text,
        "I confirm I have read and understood the Little Wickham Parish Council IT Policy (version adopted on 12 May 2025) and agree to abide by it."
    );
    assert_eq!(declaration_text(&model()), text);

    let draft = render_policy(
        &PolicyProfile::model_defaults(),
        COUNCIL,
        &AdoptionBlock::default(),
    );
    let mut changed = PolicyProfile::model_defaults();
    changed.device_pin_min_digits = 8;
    let other_draft = render_policy(&changed, COUNCIL, &AdoptionBlock::default());
    let draft_text = declaration_text(&draft);
    assert!(draft_text.contains(&format!("(draft version {})", &draft.content_hash()[..12])));
    assert_ne!(draft_text, declaration_text(&other_draft));
    assert!(text_of(&doc, "11.1").contains("the Little Wickham Parish Council IT Policy"));
}

#[test]
fn the_content_hash_is_stable_and_follows_the_words() {
    let doc = model();
    assert_eq!(doc.content_hash().len(), 64);
    assert_eq!(doc.content_hash(), model().content_hash());
    let mut profile = PolicyProfile::model_defaults();
    profile.device_idle_lock_minutes = 10;
    assert_ne!(render(&profile).content_hash(), doc.content_hash());
    let renamed = render_policy(
        &PolicyProfile::model_defaults(),
        "Other Town Council",
        &adopted(),
    );
    assert_ne!(renamed.content_hash(), doc.content_hash());
}

#[test]
fn a_council_name_with_stray_spacing_is_tidied() {
    let doc = render_policy(
        &PolicyProfile::model_defaults(),
        "  Little  Wickham\nParish Council ",
        &adopted(),
    );
    assert_eq!(doc.council_name, COUNCIL);
}

#[test]
fn every_model_topic_is_found_at_its_clause() {
    let doc = model();
    for topic in model_topics() {
        let text = text_of(&doc, topic.clause).to_lowercase();
        assert!(
            topic.keywords.iter().any(|k| text.contains(k)),
            "{} ({}) not found in: {text}",
            topic.clause,
            topic.topic
        );
    }
}

#[test]
fn a_document_survives_json() {
    let doc = model();
    let json = serde_json::to_string(&doc).unwrap_or_default();
    let back: Result<Document, _> = serde_json::from_str(&json);
    assert_eq!(back.ok(), Some(doc));
}
