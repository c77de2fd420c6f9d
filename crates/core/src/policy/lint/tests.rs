//! Lint tests: one or more per kind of finding, on small policies written for the purpose.

use super::*;

const OPENING: &str = "Little Snoring Parish Council\n\nInformation Technology Policy\n\nThis policy applies to all councillors, staff and other authorised users of council computers, email and the internet.\n\n";

fn lint(body: &str) -> Vec<LintFinding> {
    match lint_policy(&format!("{OPENING}{body}")) {
        Ok(findings) => findings,
        Err(e) => unreachable!("should lint: {e}"),
    }
}

fn has(findings: &[LintFinding], clause: &str, words: &str) -> bool {
    findings
        .iter()
        .any(|f| f.clause == clause && f.message.contains(words))
}

#[test]
fn a_clause_that_both_limits_and_permits_personal_use_is_a_contradiction() {
    let findings = lint(
        "1.1.1 Council computer equipment is provided for council purposes only. However reasonable personal use is permitted.",
    );
    assert!(
        has(&findings, "1.1.1", "contradicts itself"),
        "{findings:#?}"
    );
    let findings = lint(
        "1.1.1 Council computer equipment is provided for council purposes only. Personal use is not permitted.",
    );
    assert!(!has(&findings, "1.1.1", "contradicts"), "{findings:#?}");
}

#[test]
fn clauses_that_give_different_numbers_for_one_value_disagree() {
    let findings = lint(
        "2.1.4 Phones must lock after 3 failed attempts.\n\n2.2.6 Own devices must lock after 5 failed attempts.",
    );
    assert!(
        has(
            &findings,
            "2.1.4",
            "Clauses 2.1.4 and 2.2.6 disagree about how many failed attempts lock a device"
        ),
        "{findings:#?}"
    );
}

#[test]
fn a_colon_with_no_list_after_it_is_reported() {
    let findings = lint(
        "2.2.8 The following data must never be accessed or processed on a personal device:\n\n2.2.9 If removable media are used, the data must be deleted afterwards.",
    );
    assert!(
        has(&findings, "2.2.8", "ends with a colon"),
        "{findings:#?}"
    );
    let findings = lint(
        "2.2.6 Users must ensure that they:\n\n- ensure secure WiFi networks are used;\n\n2.2.7 Personal data should not be saved to cloud accounts.",
    );
    assert!(
        !findings.iter().any(|f| f.message.contains("colon")),
        "{findings:#?}"
    );
}

#[test]
fn gaps_and_duplicates_in_clause_numbers_are_reported() {
    let findings = lint(
        "5.1.1 The council monitors use of its systems.\n\n5.1.5 Monitoring follows the regulations.\n\n7.1.5 Email is for council use only.\n\n7.1.5 Personal use of email is not permitted.",
    );
    assert!(
        has(&findings, "5.1.5", "clauses 5.1.2 to 5.1.4 are missing"),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "7.1.5", "two clauses numbered 7.1.5"),
        "{findings:#?}"
    );
    assert!(has(&findings, "7.1.5", "no section 6"), "{findings:#?}");
}

#[test]
fn a_plain_numbered_list_that_starts_again_is_not_a_duplicate() {
    let findings = lint(
        "1. Lock your screen.\n\n2. Report losses.\n\nEmail\n\n1. Use your council address.\n\n2. Do not forward chain letters.",
    );
    assert!(
        !findings.iter().any(|f| f.message.contains("two clauses")),
        "{findings:#?}"
    );
}

#[test]
fn links_to_nowhere_and_template_blanks_are_reported() {
    let findings = lint(
        "4.1.1 For more guidance, see the NCSC's advice: [NCSC Password Guidance](#)\n\n4.1.2 A copy is given to [Council name] and XXXX.",
    );
    assert!(
        has(
            &findings,
            "4.1.1",
            "\"NCSC Password Guidance\" has no web address"
        ),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "4.1.2", "\"[Council name]\" looks like a blank"),
        "{findings:#?}"
    );
    assert!(
        has(&findings, "4.1.2", "\"XXXX\" looks like a blank"),
        "{findings:#?}"
    );
}

#[test]
fn another_councils_name_left_in_the_policy_is_reported() {
    let findings =
        lint("1.1.1 Aspatria Town Council equipment is provided for council purposes only.");
    assert!(
        has(
            &findings,
            "1.1.1",
            "names Aspatria Town Council, but this is Little Snoring Parish Council's policy"
        ),
        "{findings:#?}"
    );
}

#[test]
fn guidance_written_for_councils_is_reported_as_a_leftover() {
    let findings = lint(
        "Councils will also need to determine and clearly state whether limited personal use of IT equipment is permitted.\n\n1.1.1 Council computer equipment is provided for council purposes only.",
    );
    assert!(
        findings
            .iter()
            .any(|f| f.message.contains("advice to councils writing a policy")),
        "{findings:#?}"
    );
    // "each councillor" is not guidance.
    let findings = lint("1.1.1 Each councillor will be given a council email address.");
    assert!(
        !findings
            .iter()
            .any(|f| f.message.contains("advice to councils")),
        "{findings:#?}"
    );
}

#[test]
fn topics_of_the_model_that_the_policy_leaves_out_are_reported() {
    let findings = lint("1.1.1 Council computer equipment is provided for council purposes only.");
    for words in [
        "nothing about passwords",
        "monitors use",
        "no declaration",
        "how often it will be reviewed",
        "sealed copy",
    ] {
        assert!(
            has(&findings, "whole document", words),
            "{words}: {findings:#?}"
        );
    }
    let findings =
        lint("Declaration\n\nI confirm that I have read this policy.\n\nSigned: ________");
    assert!(
        !has(&findings, "whole document", "no declaration"),
        "{findings:#?}"
    );
}

#[test]
fn weak_values_are_reported_only_where_the_policy_settles_them() {
    let findings = lint(
        "2.2.6 Phones must lock after 20 failed attempts.\n\n4.1.3 Staff may use a password manager.",
    );
    assert!(has(&findings, "2.2.6", "no more than 10"), "{findings:#?}");
    assert!(has(&findings, "4.1.3", "password manager"), "{findings:#?}");
    // Silent on PINs and password managers: nothing to call weak.
    let findings = lint("1.1.1 Council computer equipment is provided for council purposes only.");
    assert!(
        !findings
            .iter()
            .any(|f| f.message.contains("Cyber Essentials")),
        "{findings:#?}"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f.message.contains("need not be kept")),
        "{findings:#?}"
    );
}

#[test]
fn vague_numbers_are_reported_where_they_are_written() {
    let findings = lint(
        "2.1.4 Phones must be protected with a pin code and erase all content after several unsuccessful attempts.",
    );
    assert!(has(&findings, "2.1.4", "how many digits"), "{findings:#?}");
    assert!(
        has(&findings, "2.1.4", "\"several\" cannot be checked"),
        "{findings:#?}"
    );
}

#[test]
fn lint_refuses_what_import_refuses() {
    assert_eq!(lint_policy(""), Err(ImportError::Empty));
}

#[test]
fn findings_serialise_as_clause_and_message() {
    let finding = LintFinding::new("2.2.8", "A list is missing.");
    assert_eq!(
        serde_json::to_string(&finding).unwrap_or_default(),
        r#"{"clause":"2.2.8","message":"A list is missing."}"#
    );
}
