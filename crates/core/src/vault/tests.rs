use super::*;
use crate::ids::{AccessGrantId, CouncilId, EmergencyId, PersonId, VaultItemId};
use crate::person::{Role, RoleSet};
use jiff::{SignedDuration, Timestamp};

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn details() -> ItemDetails {
    ItemDetails {
        name: "  Council website admin ".into(),
        kind: "website_admin".into(),
        address: "https://example-pc.gov.uk/wp-admin".into(),
        username: "clerk".into(),
        tier: "sealed".into(),
        roles: vec![Role::Clerk],
        people: vec![],
        rotation_days: "365".into(),
        renewal_due: "".into(),
    }
}

fn item(council: CouncilId) -> VaultItem {
    let checked = details().check().unwrap();
    let mut item = VaultItem::new(
        VaultItemId::generate(),
        council,
        checked,
        at("2026-01-10T10:00:00Z"),
    );
    item.replace_secret(SecretField::Password, at("2026-01-10T10:00:00Z"));
    item
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

#[test]
fn a_form_with_every_mistake_reports_each_one_by_field() {
    let form = ItemDetails {
        name: " ".into(),
        kind: "printer".into(),
        tier: "secret".into(),
        roles: vec![Role::Auditor],
        rotation_days: "0".into(),
        renewal_due: "31/02/2027".into(),
        ..ItemDetails::default()
    };
    let problems = form.check().unwrap_err();
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "name",
            "kind",
            "tier",
            "roles",
            "rotation_days",
            "renewal_due"
        ]
    );
    assert!(problems[5].1.to_string().contains("not a real day"));
    let nobody = ItemDetails {
        roles: vec![],
        ..details()
    };
    assert_eq!(
        nobody.check().unwrap_err(),
        vec![("roles", VaultError::NobodyAllowed)]
    );
}

#[test]
fn a_good_form_is_trimmed_and_dates_read_the_uk_way() {
    let form = ItemDetails {
        renewal_due: "1/4/2027".into(),
        people: vec![PersonId::generate(); 2],
        ..details()
    };
    let checked = form.check().unwrap();
    assert_eq!(checked.name, "Council website admin");
    assert_eq!(checked.renewal_due.unwrap().to_string(), "2027-04-01");
    assert_eq!(checked.allowed.people.len(), 1, "duplicates removed");
    assert_eq!(checked.tier, Tier::Sealed);
}

#[test]
fn a_new_password_raises_its_version_and_clears_compromise() {
    let mut item = item(CouncilId::generate());
    assert_eq!(item.secrets[&SecretField::Password], 1);
    item.compromised = Some(Confirmed {
        by: PersonId::generate(),
        at: at("2026-02-01T00:00:00Z"),
    });
    item.rotation_forced_at = Some(at("2026-02-01T00:00:00Z"));
    assert_eq!(
        item.replace_secret(SecretField::Notes, at("2026-02-02T00:00:00Z")),
        1
    );
    assert!(item.compromised.is_some(), "notes are not a rotation");
    assert_eq!(
        item.replace_secret(SecretField::Password, at("2026-02-02T00:00:00Z")),
        2
    );
    assert!(item.compromised.is_none());
    assert!(item.rotation_forced_at.is_none());
    assert_eq!(item.last_rotated, Some(at("2026-02-02T00:00:00Z")));
}

#[test]
fn day_to_day_access_is_by_name_or_role_and_never_the_auditor() {
    let council = CouncilId::generate();
    let mut item = item(council);
    let clerk = PersonId::generate();
    let named = PersonId::generate();
    item.allowed.people.push(named);
    let now = at("2026-03-01T00:00:00Z");
    assert_eq!(
        reveal_basis(&item, clerk, RoleSet::of(&[Role::Clerk]), &[], &[], now),
        Some(RevealBasis::Role(Role::Clerk))
    );
    assert_eq!(
        reveal_basis(
            &item,
            named,
            RoleSet::of(&[Role::Councillor]),
            &[],
            &[],
            now
        ),
        Some(RevealBasis::Named)
    );
    let councillor = PersonId::generate();
    assert_eq!(
        reveal_basis(
            &item,
            councillor,
            RoleSet::of(&[Role::Councillor]),
            &[],
            &[],
            now
        ),
        None
    );
    item.allowed.people.push(councillor);
    assert_eq!(
        reveal_basis(
            &item,
            councillor,
            RoleSet::of(&[Role::Auditor]),
            &[],
            &[],
            now
        ),
        None,
        "an auditor named on an item still cannot reveal it"
    );
}

#[test]
fn a_grant_needs_another_allowed_person_and_ends_by_itself() {
    let council = CouncilId::generate();
    let item = item(council);
    let provider = PersonId::generate();
    let clerk = PersonId::generate();
    let chair = PersonId::generate();
    let asked = at("2026-03-01T09:00:00Z");
    let mut grant = AccessGrant::request(
        AccessGrantId::generate(),
        council,
        provider,
        vec![item.id, item.id],
        "Renewing the website certificate",
        DEFAULT_GRANT_HOURS,
        asked,
    )
    .unwrap();
    assert_eq!(grant.items.len(), 1);
    let provider_roles = RoleSet::of(&[Role::ItProvider]);
    assert_eq!(
        reveal_basis(
            &item,
            provider,
            provider_roles,
            &[grant.clone()],
            &[],
            asked
        ),
        None,
        "pending is not access"
    );
    assert_eq!(
        grant.approve(provider, provider_roles, std::slice::from_ref(&item), asked),
        Err(VaultError::ApproverIsRequester)
    );
    assert_eq!(
        grant.approve(
            chair,
            RoleSet::of(&[Role::Chair]),
            std::slice::from_ref(&item),
            asked
        ),
        Err(VaultError::ApproverNotAllowed(
            "Council website admin".into()
        ))
    );
    let approved = asked + hours(1);
    grant
        .approve(
            clerk,
            RoleSet::of(&[Role::Clerk]),
            std::slice::from_ref(&item),
            approved,
        )
        .unwrap();
    let grants = [grant.clone()];
    assert_eq!(
        reveal_basis(
            &item,
            provider,
            provider_roles,
            &grants,
            &[],
            approved + hours(3)
        ),
        Some(RevealBasis::Grant(grant.id))
    );
    assert_eq!(
        reveal_basis(
            &item,
            provider,
            provider_roles,
            &grants,
            &[],
            approved + hours(4)
        ),
        None,
        "four hours after approval it has ended"
    );
    let other_council_item = self::item(CouncilId::generate());
    assert_eq!(
        reveal_basis(
            &other_council_item,
            provider,
            provider_roles,
            &grants,
            &[],
            approved
        ),
        None
    );
    assert_eq!(
        grant.approve(clerk, RoleSet::of(&[Role::Clerk]), &[item], approved),
        Err(VaultError::GrantNotPending)
    );
}

#[test]
fn a_grant_asks_for_items_a_reason_and_at_most_a_day() {
    let ask = |items: Vec<VaultItemId>, reason: &str, hours: u8| {
        AccessGrant::request(
            AccessGrantId::generate(),
            CouncilId::generate(),
            PersonId::generate(),
            items,
            reason,
            hours,
            at("2026-03-01T00:00:00Z"),
        )
    };
    let one = vec![VaultItemId::generate()];
    assert_eq!(
        ask(vec![], "x", 4).unwrap_err(),
        VaultError::GrantWithoutItems
    );
    assert_eq!(
        ask(one.clone(), "  ", 4).unwrap_err(),
        VaultError::ReasonMissing
    );
    assert_eq!(
        ask(one.clone(), "x", 25).unwrap_err(),
        VaultError::GrantHours(25)
    );
    assert_eq!(
        ask(one.clone(), "x", 0).unwrap_err(),
        VaultError::GrantHours(0)
    );
    assert!(ask(one, "x", 24).is_ok());
}

#[test]
fn emergency_access_opens_after_the_wait_unless_someone_objects() {
    let council = CouncilId::generate();
    let item = item(council);
    let chair = PersonId::generate();
    let chair_roles = RoleSet::of(&[Role::Chair]);
    let opened = at("2026-04-01T20:00:00Z");
    let emergency = EmergencyAccess::open(
        EmergencyId::generate(),
        council,
        chair,
        "The Clerk is in hospital and the website shows the wrong meeting date",
        48,
        opened,
    )
    .unwrap();
    let live = [emergency.clone()];
    assert_eq!(
        emergency.state(opened + hours(47)),
        EmergencyState::Waiting {
            opens_at: opened + hours(48)
        }
    );
    assert_eq!(
        reveal_basis(&item, chair, chair_roles, &[], &live, opened + hours(47)),
        None
    );
    assert_eq!(
        reveal_basis(&item, chair, chair_roles, &[], &live, opened + hours(48)),
        Some(RevealBasis::Emergency(emergency.id))
    );
    assert_eq!(
        reveal_basis(
            &item,
            chair,
            chair_roles,
            &[],
            &live,
            opened + hours(48 + 24)
        ),
        None,
        "access expires a day after it opens"
    );
    let mut ordinary = item.clone();
    ordinary.tier = Tier::Ordinary;
    assert_eq!(
        reveal_basis(
            &ordinary,
            chair,
            chair_roles,
            &[],
            &live,
            opened + hours(50)
        ),
        None,
        "only sealed items open in an emergency"
    );
    let someone_else = PersonId::generate();
    assert_eq!(
        reveal_basis(
            &item,
            someone_else,
            chair_roles,
            &[],
            &live,
            opened + hours(50)
        ),
        None,
        "only the person who opened it"
    );

    let mut objected = emergency.clone();
    let provider = PersonId::generate();
    objected
        .object(
            provider,
            RoleSet::of(&[Role::ItProvider]),
            "The Clerk is reachable by phone",
            opened + hours(2),
        )
        .unwrap();
    assert_eq!(objected.state(opened + hours(49)), EmergencyState::Objected);
    assert_eq!(
        reveal_basis(
            &item,
            chair,
            chair_roles,
            &[],
            &[objected],
            opened + hours(49)
        ),
        None
    );
}

#[test]
fn a_second_holder_opens_it_at_once_and_the_opener_cannot_be_second() {
    let council = CouncilId::generate();
    let chair = PersonId::generate();
    let opened = at("2026-04-01T20:00:00Z");
    let mut emergency = EmergencyAccess::open(
        EmergencyId::generate(),
        council,
        chair,
        "Website defaced",
        48,
        opened,
    )
    .unwrap();
    assert_eq!(
        emergency.approve(chair, RoleSet::of(&[Role::Chair]), opened),
        Err(VaultError::EmergencyOwnRequest)
    );
    assert_eq!(
        emergency.approve(
            PersonId::generate(),
            RoleSet::of(&[Role::ItProvider]),
            opened
        ),
        Err(VaultError::NotAnEmergencyHolder),
        "the IT provider is told and may object, but is not a second holder"
    );
    let vice = PersonId::generate();
    emergency
        .approve(vice, RoleSet::of(&[Role::ViceChair]), opened + hours(1))
        .unwrap();
    assert!(matches!(
        emergency.state(opened + hours(1)),
        EmergencyState::Open { .. }
    ));
    assert_eq!(
        emergency.object(
            vice,
            RoleSet::of(&[Role::ViceChair]),
            "late",
            opened + hours(2)
        ),
        Err(VaultError::EmergencyNotWaiting)
    );
    emergency
        .close(chair, RoleSet::of(&[Role::Chair]), opened + hours(3))
        .unwrap();
    assert_eq!(emergency.state(opened + hours(3)), EmergencyState::Closed);
}

#[test]
fn attention_orders_what_is_urgent_first() {
    let mut item = item(CouncilId::generate());
    let now = at("2027-01-20T00:00:00Z");
    assert_eq!(
        attention(&item, now),
        vec![
            Attention::RotationOverdue {
                since: "2027-01-10".parse().unwrap()
            },
            Attention::DefaultNotConfirmedChanged
        ]
    );
    item.default_changed = Some(Confirmed {
        by: PersonId::generate(),
        at: now,
    });
    item.renewal_due = Some("2027-02-01".parse().unwrap());
    item.compromised = Some(Confirmed {
        by: PersonId::generate(),
        at: now,
    });
    item.replace_secret(SecretField::Password, now);
    item.compromised = Some(Confirmed {
        by: PersonId::generate(),
        at: now,
    });
    assert_eq!(
        attention(&item, now),
        vec![
            Attention::Compromised,
            Attention::RenewalDueSoon {
                on: "2027-02-01".parse().unwrap()
            }
        ]
    );
    assert!(
        attention(&item, now)[0]
            .describe()
            .contains("change the password now")
    );
}

#[test]
fn secrets_are_checked_and_two_step_seeds_normalised() {
    assert_eq!(
        check_secret(SecretField::Password, "  \n").unwrap_err(),
        VaultError::SecretEmpty("password")
    );
    assert_eq!(
        check_secret(SecretField::Password, " lantern quince wheel\n").unwrap(),
        "lantern quince wheel"
    );
    assert_eq!(
        check_secret(SecretField::TotpSeed, "jbsw y3dp ehpk 3pxp").unwrap(),
        "JBSWY3DPEHPK3PXP"
    );
    assert_eq!(
        normalise_totp_seed("otpauth://totp/Council:clerk?secret=JBSWY3DPEHPK3PXP&issuer=Council")
            .unwrap(),
        "JBSWY3DPEHPK3PXP"
    );
    assert_eq!(normalise_totp_seed("123456"), Err(VaultError::TotpSeed));
    assert_eq!(
        normalise_totp_seed("JBSWY3DPEHPK3PX1"),
        Err(VaultError::TotpSeed)
    );
    let long = "x".repeat(1_001);
    assert_eq!(
        check_secret(SecretField::Password, &long).unwrap_err(),
        VaultError::SecretTooLong("password", 1_000)
    );
}

#[test]
fn strength_warns_about_defaults_and_guessable_passwords() {
    let default = strength("Admin", &[]);
    assert!(default.known_default);
    assert!(!default.is_acceptable());
    let weak = strength("council2026", &["council"]);
    assert!(weak.score < 3, "{weak:?}");
    let words = strength("wheelbarrow-lantern-quince", &[]);
    assert!(words.is_acceptable(), "{words:?}");
}

#[test]
fn no_error_message_can_carry_a_secret() {
    // Every variant that takes text takes a name, a kind or a number typed into a form field
    // that is not secret; the secret checks report only the field's name.
    let message = check_secret(SecretField::TotpSeed, "not-a-seed-but-a-password!").unwrap_err();
    assert!(!message.to_string().contains("not-a-seed"));
}
