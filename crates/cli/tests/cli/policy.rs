//! `custodian policy import`: the JSON contract on a real council policy, and refusals that
//! say what is wrong without printing a half-filled profile.

use super::{custodian, text};
use std::path::Path;

fn fixture(name: &str) -> String {
    format!(
        "{}/../core/tests/fixtures/policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn a_policy_is_read_into_the_json_contract_with_its_sources() {
    let dir = tempfile::tempdir().unwrap();
    let output = custodian(
        dir.path(),
        &["policy", "import", &fixture("groby.txt"), "--json"],
    );
    assert!(output.status.success(), "{}", text(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "council_name",
        "adopted_on",
        "minute_reference",
        "review_interval_months",
        "equipment_personal_use",
        "email_personal_use",
        "negligence_liability",
        "device_pin_min_digits",
        "device_lockout_attempts",
        "device_idle_lock_minutes",
        "internet_log_retention_months",
        "emergency_credentials_holder",
        "password_manager_required",
        "declaration_required",
        "password_style",
        "mfa",
        "dse_assessment",
        "sources",
        "unrecognised",
        "lint",
    ] {
        assert!(keys.contains(&key), "{key} missing");
    }
    assert_eq!(keys.len(), 20, "exactly the contract's keys: {keys:?}");
    assert_eq!(json["council_name"], "Groby Parish Council");
    assert_eq!(json["minute_reference"], "COU/229/25-26");
    assert_eq!(json["device_lockout_attempts"], 3);
    assert_eq!(json["device_idle_lock_minutes"], 5);
    assert_eq!(
        json["sources"]["device_idle_lock_minutes"]["clause"],
        "2.2.7"
    );
    // Every value the document settles says where it came from.
    for key in keys
        .iter()
        .filter(|k| !matches!(**k, "sources" | "unrecognised" | "lint"))
    {
        if !json[key].is_null() {
            assert!(json["sources"].get(*key).is_some(), "{key} has no source");
        }
    }
    // Nothing is written: the data folder holds no database.
    assert!(!dir.path().join("custodian.db").exists());
}

#[test]
fn a_file_that_is_missing_or_not_a_policy_is_refused_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-policy.docx");
    let garbage = dir.path().join("scan.txt");
    std::fs::write(
        &garbage,
        (0..4000u32)
            .map(|i| (i * 7919 % 256) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let minutes = dir.path().join("minutes.txt");
    std::fs::write(
        &minutes,
        "Minutes of the parish meeting. Present: five councillors.",
    )
    .unwrap();
    let fake_word = dir.path().join("policy.docx");
    std::fs::write(&fake_word, b"PK\x03\x04 this is not a zip").unwrap();
    for (path, expected) in [
        (missing.as_path(), "there is no such file"),
        (garbage.as_path(), "unreadable characters"),
        (minutes.as_path(), "too few to be an IT policy"),
        (fake_word.as_path(), "not a Word document"),
        (Path::new(dir.path()), "is a folder"),
    ] {
        let output = custodian(
            dir.path(),
            &["policy", "import", path.to_str().unwrap(), "--json"],
        );
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            output.stdout.is_empty(),
            "nothing printed as success for {path:?}"
        );
        assert!(
            text(&output).contains(expected),
            "{path:?}: {}",
            text(&output)
        );
    }
}
