//! Tests of compliance evaluation, including the three real councils' policies as imported
//! from their fixtures.

use super::*;
use crate::PersonId;
use crate::policy::import::import_policy;
use crate::policy::{AdoptionBlock, PolicyProfile, render_policy};
use jiff::Timestamp;
use jiff::civil::date;

const BALSHAM: &str = include_str!("../../tests/fixtures/policies/balsham.txt");
const ASPATRIA: &str = include_str!("../../tests/fixtures/policies/aspatria.txt");
const GROBY: &str = include_str!("../../tests/fixtures/policies/groby.txt");

fn profile_of(text: &str) -> PolicyProfile {
    import_policy(text)
        .unwrap()
        .apply_to(&PolicyProfile::model_defaults())
}

fn now() -> Timestamp {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

fn months_ago(months: i64) -> Timestamp {
    use jiff::ToSpan;
    now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(months.months())
        .unwrap()
        .timestamp()
}

fn person() -> PersonId {
    PersonId::from_uuid(uuid::Uuid::nil())
}

fn osquery<T>(value: T) -> Fact<T> {
    Fact::known(value, FactSource::Osquery, months_ago(1))
}

fn said<T>(value: T, at: Timestamp) -> Fact<T> {
    Fact::known(value, FactSource::SelfAttested { by: person() }, at)
}

/// A personal Android phone with a 6-digit PIN, lock after 3 tries, and a 30-minute idle lock;
/// everything else in order.
fn phone() -> DeviceFacts {
    let mut d = DeviceFacts::unknown(DeviceKind::Phone, Platform::Android, Ownership::Personal);
    d.os_version = osquery(OsVersion::parse("14").unwrap());
    d.disk_encryption = osquery(true);
    d.screen_lock = said(ScreenLock::BiometricWithPin, months_ago(2));
    d.pin_length = said(PinLength::new(6).unwrap(), months_ago(2));
    d.lockout = said(AttemptLimit::after(3).unwrap(), months_ago(2));
    d.idle_lock = said(IdleLock::after_minutes(30).unwrap(), months_ago(2));
    d.auto_wipe = said(AttemptLimit::Never, months_ago(2));
    d.remote_wipe = said(true, months_ago(2));
    d.work_profile = said(WorkProfile::InUse, months_ago(2));
    d.last_os_update = osquery(date(2025, 5, 10));
    d.os_supported = osquery(true);
    d
}

fn windows_laptop() -> DeviceFacts {
    let mut d = DeviceFacts::unknown(DeviceKind::Laptop, Platform::Windows, Ownership::Council);
    d.disk_encryption = osquery(true);
    d.screen_lock = osquery(ScreenLock::Password);
    d.idle_lock = osquery(IdleLock::after_minutes(5).unwrap());
    d.last_os_update = osquery(date(2025, 5, 20));
    d.os_supported = osquery(true);
    d.anti_malware = osquery(true);
    d
}

fn status(evaluation: &Evaluation, requirement: Requirement) -> Option<Status> {
    evaluation.finding(requirement).map(Finding::status)
}

fn model() -> PolicyProfile {
    PolicyProfile::model_defaults()
}

#[test]
fn the_same_phone_is_compliant_under_aspatrias_thirty_minute_rule_and_not_under_grobys_five_minute_rule()
 {
    let aspatria = profile_of(ASPATRIA);
    let groby = profile_of(GROBY);
    assert_eq!(aspatria.device_idle_lock_minutes, 30);
    assert_eq!(groby.device_idle_lock_minutes, 5);

    let under_aspatria = evaluate(&aspatria, &phone(), now());
    assert_eq!(
        status(&under_aspatria, Requirement::IdleLock),
        Some(Status::Compliant)
    );
    assert_eq!(under_aspatria.overall(), Status::Compliant);

    let under_groby = evaluate(&groby, &phone(), now());
    let idle = under_groby.finding(Requirement::IdleLock).unwrap();
    assert_eq!(idle.status(), Status::ActionNeeded);
    assert_eq!(idle.clause(), "2.2.6");
    assert_eq!(
        idle.message(),
        "Your phone locks after 30 minutes; the council's policy says 5 minutes or less \
         (clause 2.2.6). How to change it on Android: Settings → Display → Screen timeout."
    );
    assert_eq!(under_groby.overall(), Status::ActionNeeded);
    assert_eq!(under_groby.action_needed_count(), 1);
}

#[test]
fn balshams_unstated_idle_lock_takes_the_model_five_minutes() {
    let balsham = profile_of(BALSHAM);
    assert_eq!(
        balsham.device_idle_lock_minutes,
        model().device_idle_lock_minutes
    );
    let evaluation = evaluate(&balsham, &phone(), now());
    assert_eq!(
        status(&evaluation, Requirement::IdleLock),
        Some(Status::ActionNeeded)
    );
}

#[test]
fn a_device_about_which_nothing_is_known_is_unknown_on_every_finding_and_never_compliant() {
    let kinds = [
        DeviceKind::Phone,
        DeviceKind::Tablet,
        DeviceKind::Laptop,
        DeviceKind::Desktop,
        DeviceKind::Other,
    ];
    for kind in kinds {
        for platform in Platform::ALL {
            for ownership in [Ownership::Council, Ownership::Personal] {
                let device = DeviceFacts::unknown(kind, platform, ownership);
                let evaluation = evaluate(&model(), &device, now());
                assert_eq!(evaluation.overall(), Status::Unknown);
                assert_eq!(evaluation.compliant_count(), 0);
                assert_eq!(evaluation.action_needed_count(), 0);
                assert!(evaluation.unknown_count() >= 5);
                for finding in evaluation.findings() {
                    assert_eq!(finding.status(), Status::Unknown);
                    assert_eq!(finding.unknown_reason(), Some(UnknownReason::NotRecorded));
                    assert!(finding.message().starts_with("We do not know"));
                }
            }
        }
    }
}

#[test]
fn a_self_attested_fact_thirteen_months_old_is_unknown_and_asks_to_be_confirmed_again() {
    let mut device = phone();
    let old = "2024-05-01T09:00:00Z".parse().unwrap();
    device.disk_encryption = said(true, old);
    let finding = *evaluate(&model(), &device, now())
        .finding(Requirement::DiskEncryption)
        .unwrap();
    assert_eq!(finding.status(), Status::Unknown);
    assert_eq!(
        finding.unknown_reason(),
        Some(UnknownReason::Stale { confirmed_at: old })
    );
    let message = finding.message();
    assert!(
        message.starts_with(
            "Whether your phone is encrypted: last confirmed on 1 May 2024; please confirm again."
        ),
        "{message}"
    );
    assert!(message.contains("(clause 2.1.4)"), "{message}");
}

#[test]
fn an_osquery_fact_of_the_same_age_does_not_expire() {
    let mut device = phone();
    device.disk_encryption = Fact::known(true, FactSource::Osquery, months_ago(13));
    let evaluation = evaluate(&model(), &device, now());
    assert_eq!(
        status(&evaluation, Requirement::DiskEncryption),
        Some(Status::Compliant)
    );
}

#[test]
fn a_self_attested_fact_exactly_twelve_months_old_still_counts() {
    let mut device = phone();
    device.disk_encryption = said(true, months_ago(SELF_ATTESTATION_VALID_FOR_MONTHS));
    let evaluation = evaluate(&model(), &device, now());
    assert_eq!(
        status(&evaluation, Requirement::DiskEncryption),
        Some(Status::Compliant)
    );
}

#[test]
fn a_four_digit_pin_against_a_six_digit_policy_needs_action_and_cites_the_clause() {
    let mut device = phone();
    device.pin_length = said(PinLength::new(4).unwrap(), months_ago(1));
    let finding = *evaluate(&model(), &device, now())
        .finding(Requirement::PinLength)
        .unwrap();
    assert_eq!(finding.status(), Status::ActionNeeded);
    assert_eq!(finding.clause(), "2.2.6");
    assert!(
        finding.message().starts_with(
            "Your phone's PIN has 4 digits; the council's policy says a PIN of at least 6 digits, \
             or a stronger password (clause 2.2.6). How to change it on Android:"
        ),
        "{}",
        finding.message()
    );

    device.ownership = Ownership::Council;
    let council = evaluate(&model(), &device, now());
    assert_eq!(
        council.finding(Requirement::PinLength).unwrap().clause(),
        "2.1.4"
    );
}

#[test]
fn a_password_meets_the_pin_rule_and_a_swipe_or_pattern_does_not() {
    let mut device = phone();
    device.pin_length = Fact::Unknown;
    device.screen_lock = osquery(ScreenLock::Password);
    let evaluation = evaluate(&model(), &device, now());
    assert_eq!(
        status(&evaluation, Requirement::PinLength),
        Some(Status::Compliant)
    );

    for weak in [ScreenLock::None, ScreenLock::Swipe, ScreenLock::Pattern] {
        device.screen_lock = osquery(weak);
        let evaluation = evaluate(&model(), &device, now());
        assert_eq!(
            status(&evaluation, Requirement::ScreenLock),
            Some(Status::ActionNeeded)
        );
        assert_eq!(
            status(&evaluation, Requirement::PinLength),
            Some(Status::ActionNeeded)
        );
    }
}

#[test]
fn erasing_after_no_more_than_the_allowed_attempts_meets_the_lockout_rule() {
    let mut device = phone();
    device.lockout = said(AttemptLimit::after(10).unwrap(), months_ago(1));
    let evaluation = evaluate(&model(), &device, now());
    assert_eq!(
        status(&evaluation, Requirement::LockoutAttempts),
        Some(Status::ActionNeeded)
    );

    device.auto_wipe = said(AttemptLimit::after(3).unwrap(), months_ago(1));
    let evaluation = evaluate(&model(), &device, now());
    let finding = evaluation.finding(Requirement::LockoutAttempts).unwrap();
    assert_eq!(finding.status(), Status::Compliant);
    assert!(
        finding
            .message()
            .starts_with("Your phone erases itself after 3 wrong tries")
    );

    device.lockout = Fact::Unknown;
    device.auto_wipe = said(AttemptLimit::Never, months_ago(1));
    let evaluation = evaluate(&model(), &device, now());
    let finding = evaluation.finding(Requirement::LockoutAttempts).unwrap();
    assert_eq!(finding.status(), Status::Unknown);
    assert!(
        finding.message().starts_with(
            "We do not know after how many wrong tries your phone locks. The council's policy \
             says it must lock after 3 wrong tries or fewer (clause 2.2.6)."
        ),
        "{}",
        finding.message()
    );
}

#[test]
fn rules_that_do_not_apply_to_a_platform_are_left_out() {
    let mut ipad = phone();
    ipad.kind = DeviceKind::Tablet;
    ipad.platform = Platform::Ios;
    let evaluation = evaluate(&model(), &ipad, now());
    assert_eq!(evaluation.finding(Requirement::AntiMalware), None);
    assert_eq!(evaluation.finding(Requirement::WorkProfile), None);
    assert!(evaluation.finding(Requirement::RemoteWipe).is_some());

    let laptop = evaluate(&model(), &windows_laptop(), now());
    assert!(laptop.finding(Requirement::AntiMalware).is_some());
    assert_eq!(laptop.finding(Requirement::RemoteWipe), None);
    assert_eq!(laptop.finding(Requirement::WorkProfile), None);
    // 2.1.4 asks PINs and lock-out of council phones and tablets, not council laptops.
    assert_eq!(laptop.finding(Requirement::PinLength), None);
    assert_eq!(laptop.finding(Requirement::LockoutAttempts), None);
    assert_eq!(laptop.overall(), Status::Compliant);

    let mut own_laptop = windows_laptop();
    own_laptop.ownership = Ownership::Personal;
    let evaluation = evaluate(&model(), &own_laptop, now());
    assert!(evaluation.finding(Requirement::LockoutAttempts).is_some());

    let mut council_android = phone();
    council_android.ownership = Ownership::Council;
    let evaluation = evaluate(&model(), &council_android, now());
    assert_eq!(evaluation.finding(Requirement::WorkProfile), None);

    let mut linux = windows_laptop();
    linux.platform = Platform::Linux;
    let evaluation = evaluate(&model(), &linux, now());
    assert_eq!(evaluation.finding(Requirement::AntiMalware), None);
}

#[test]
fn a_work_profile_needs_action_only_when_offered_and_unused() {
    let mut device = phone();
    let cases = [
        (WorkProfile::InUse, Status::Compliant),
        (WorkProfile::NotAvailable, Status::Compliant),
        (WorkProfile::AvailableButUnused, Status::ActionNeeded),
    ];
    for (work, expected) in cases {
        device.work_profile = said(work, months_ago(1));
        let evaluation = evaluate(&model(), &device, now());
        let finding = evaluation.finding(Requirement::WorkProfile).unwrap();
        assert_eq!(finding.status(), expected, "{work:?}");
        assert_eq!(finding.clause(), "2.2.5");
    }
}

#[test]
fn an_update_older_than_sixty_days_needs_action() {
    let mut laptop = windows_laptop();
    laptop.last_os_update = osquery(date(2025, 4, 2));
    let evaluation = evaluate(&model(), &laptop, now());
    assert_eq!(
        status(&evaluation, Requirement::OsUpdated),
        Some(Status::Compliant)
    );

    laptop.last_os_update = osquery(date(2025, 4, 1));
    let evaluation = evaluate(&model(), &laptop, now());
    let finding = evaluation.finding(Requirement::OsUpdated).unwrap();
    assert_eq!(finding.status(), Status::ActionNeeded);
    assert!(
        finding
            .message()
            .starts_with("Your laptop was last updated on 1 April 2025;"),
        "{}",
        finding.message()
    );
}

#[test]
fn action_needed_outranks_unknown_which_outranks_compliant() {
    let compliant = evaluate(&model(), &windows_laptop(), now());
    assert_eq!(compliant.overall(), Status::Compliant);
    assert_eq!(
        compliant.unknown_count() + compliant.action_needed_count(),
        0
    );

    let mut some_unknown = windows_laptop();
    some_unknown.anti_malware = Fact::Unknown;
    let evaluation = evaluate(&model(), &some_unknown, now());
    assert_eq!(evaluation.overall(), Status::Unknown);
    assert_eq!(evaluation.unknown_count(), 1);

    let mut both = some_unknown;
    both.disk_encryption = osquery(false);
    let evaluation = evaluate(&model(), &both, now());
    assert_eq!(evaluation.overall(), Status::ActionNeeded);
    assert_eq!(
        evaluation.compliant_count()
            + evaluation.unknown_count()
            + evaluation.action_needed_count(),
        evaluation.findings().count()
    );
}

#[test]
fn compliant_findings_carry_no_how_to_and_others_do() {
    let evaluation = evaluate(&profile_of(GROBY), &phone(), now());
    for finding in evaluation.findings() {
        let has_hint = finding.message().contains("How to");
        assert_eq!(
            has_hint,
            finding.status() != Status::Compliant,
            "{}",
            finding.message()
        );
    }
}

#[test]
fn every_finding_cites_a_clause_of_the_model_document_that_states_the_rule() {
    let document = render_policy(&model(), "Test Parish Council", &AdoptionBlock::default());
    let words = |requirement| match requirement {
        Requirement::DiskEncryption => "encryption",
        Requirement::ScreenLock | Requirement::PinLength => "PIN of at least",
        Requirement::LockoutAttempts => "failed attempts",
        Requirement::IdleLock => "inactivity",
        Requirement::OsSupported => "supported, up-to-date operating system",
        Requirement::OsUpdated => "kept up to date",
        Requirement::RemoteWipe => "remote wipe",
        Requirement::WorkProfile => "work profile",
        Requirement::AntiMalware => "viruses",
    };
    let mut android = phone();
    android.ownership = Ownership::Personal;
    let mut council_phone = phone();
    council_phone.ownership = Ownership::Council;
    let mut seen = std::collections::BTreeSet::new();
    for device in [
        android,
        council_phone,
        windows_laptop(),
        DeviceFacts::unknown(DeviceKind::Laptop, Platform::MacOs, Ownership::Personal),
    ] {
        for finding in evaluate(&model(), &device, now()).findings() {
            seen.insert(finding.requirement());
            let clause = document
                .clause(finding.clause())
                .unwrap_or_else(|| panic!("no clause {}", finding.clause()));
            let text = [clause.paragraphs.join(" "), clause.bullets.join(" ")].join(" ");
            assert!(
                text.contains(words(finding.requirement())),
                "{:?} cites {} which says: {text}",
                finding.requirement(),
                finding.clause()
            );
            assert!(
                finding
                    .message()
                    .contains(&format!("(clause {})", finding.clause()))
            );
        }
    }
    assert_eq!(
        seen.len(),
        Requirement::COUNT,
        "every requirement was checked"
    );
}
