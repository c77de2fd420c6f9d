//! The recovery kit and encrypted export, the whole way: issue a kit, print its sheets, seal an
//! export, forget everything but the export text and two printed sheets, and open it again.
// Helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_vault::{
    ExportHeader, ExportedItem, Place, RecoveryError, RecoveryKit, Share, issue_kit, open_export,
    parse_share_file, recover_secret, seal_export, share_file,
};
use zeroize::Zeroizing;

const COUNCIL: &str = "Little Snoring Parish Council";
const HOLDERS: [&str; 3] = ["Chair", "Vice-Chair", "Clerk"];
const ISSUED_ON: &str = "7 December 2026";
const SECRETS: [&str; 3] = [
    "Wheelbarrow-Lantern-42",
    "JBSWY3DPEHPK3PXP",
    "chair.emergency@snoring",
];
const USERNAMES: [&str; 2] = ["clerk-admin@little-snoring", "parishwifi-owner"];

fn items() -> Vec<ExportedItem> {
    vec![
        ExportedItem {
            name: "Council email administrator".to_string(),
            kind: "website".to_string(),
            address: Some("https://admin.example.org".to_string()),
            username: Some(USERNAMES[0].to_string()),
            fields: vec![
                (
                    "password".to_string(),
                    Zeroizing::new(SECRETS[0].to_string()),
                ),
                (
                    "totp_seed".to_string(),
                    Zeroizing::new(SECRETS[1].to_string()),
                ),
            ],
        },
        ExportedItem {
            name: "Parish office Wi-Fi".to_string(),
            kind: "wifi".to_string(),
            address: None,
            username: Some(USERNAMES[1].to_string()),
            fields: vec![(
                "notes".to_string(),
                Zeroizing::new(format!("Router: \"{}\"\nline two", SECRETS[2])),
            )],
        },
    ]
}

fn header(kit: &RecoveryKit) -> ExportHeader {
    ExportHeader {
        council: COUNCIL.to_string(),
        created_at: "2026-12-07T10:15:00Z".to_string(),
        kit_id: kit.kit_id.clone(),
        item_count: 0,
    }
}

/// The three sheets as printed, and an export sealed to the kit's public key.
fn printed_kit_and_export() -> (RecoveryKit, [String; 3], String) {
    let kit = issue_kit().unwrap();
    let sheets =
        [0, 1, 2].map(|i| share_file(&kit.shares[i], COUNCIL, HOLDERS[i], ISSUED_ON).to_string());
    let export = seal_export(&kit.public_key, &header(&kit), &items()).unwrap();
    (kit, sheets, export)
}

fn replace_char(text: &str, at: usize, with: char) -> String {
    text.char_indices()
        .map(|(i, c)| if i == at { with } else { c })
        .collect()
}

/// The byte offset of character `position` (0-based, spaces not counted) of share line `line`.
fn share_char_offset(sheet: &str, line: usize, position: usize) -> usize {
    let line_start = sheet.find(&format!("\n{line}  ")).map(|i| i + 1).unwrap();
    let after_number = line_start + 2;
    sheet[after_number..]
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .nth(position)
        .map(|(i, _)| after_number + i)
        .unwrap()
}

/// The next character of the sheets' alphabet, so a slip is never read back as the same one.
fn different_symbol(c: char) -> char {
    const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let at = ALPHABET.find(c).unwrap();
    ALPHABET.chars().cycle().nth(at + 1).unwrap()
}

#[test]
fn any_two_of_the_three_printed_sheets_open_the_export_after_the_installation_is_gone() {
    let (kit, sheets, export) = printed_kit_and_export();
    let kit_id = kit.kit_id.clone();
    let public_key = kit.public_key;
    // The installation is discarded: only the export text and the paper remain.
    drop(kit);
    for (a, b) in [(0, 1), (0, 2), (1, 2), (2, 0)] {
        let first = parse_share_file(&sheets[a]).unwrap();
        let second = parse_share_file(&sheets[b]).unwrap();
        let (header, opened) = open_export(&export, &first, &second).unwrap();
        assert_eq!(header.council, COUNCIL);
        assert_eq!(header.kit_id, kit_id);
        assert_eq!(header.item_count, 2, "taken from the items, not the caller");
        assert_eq!(opened, items());
        let secret = recover_secret(&first, &second).unwrap();
        assert_eq!(secret.public_key(), public_key);
        assert_eq!(secret.kit_id(), kit_id);
    }
}

#[test]
fn one_sheet_cannot_be_used_twice_as_if_it_were_two() {
    let (kit, sheets, export) = printed_kit_and_export();
    let first = parse_share_file(&sheets[0]).unwrap();
    let again = parse_share_file(&sheets[0]).unwrap();
    let refused = RecoveryError::SameSheetTwice {
        kit_id: kit.kit_id.clone(),
        sheet: 1,
    };
    assert_eq!(open_export(&export, &first, &again).unwrap_err(), refused);
    assert_eq!(recover_secret(&first, &kit.shares[0]).unwrap_err(), refused);
    assert!(refused.to_string().contains("ask a second holder"));
}

#[test]
fn sheets_of_another_kit_are_refused_naming_both_kits() {
    let (kit, _, export) = printed_kit_and_export();
    let other = issue_kit().unwrap();
    assert_ne!(other.kit_id, kit.kit_id);

    let refused = open_export(&export, &other.shares[0], &other.shares[1]).unwrap_err();
    assert_eq!(
        refused,
        RecoveryError::ExportForAnotherKit {
            export_kit: kit.kit_id.clone(),
            share_kit: other.kit_id.clone(),
        }
    );
    let message = refused.to_string();
    assert!(message.contains(&format!("this export was made for kit {}", kit.kit_id)));
    assert!(message.contains(&format!("these shares are from kit {}", other.kit_id)));

    // One sheet from each kit.
    assert!(matches!(
        open_export(&export, &kit.shares[0], &other.shares[1]),
        Err(RecoveryError::ExportForAnotherKit { .. })
    ));
    let mixed = recover_secret(&kit.shares[0], &other.shares[1]).unwrap_err();
    assert_eq!(
        mixed,
        RecoveryError::DifferentKits {
            first: kit.kit_id.clone(),
            second: other.kit_id.clone(),
        }
    );
}

#[test]
fn a_tampered_export_is_refused_whether_header_or_body_is_changed() {
    let (kit, _, export) = printed_kit_and_export();
    let (a, b) = (&kit.shares[0], &kit.shares[2]);

    let renamed = export.replace(COUNCIL, "Great Snoring Parish Council");
    assert_eq!(
        open_export(&renamed, a, b).unwrap_err(),
        RecoveryError::ExportAltered
    );
    let recounted = export.replace("\"item_count\":2", "\"item_count\":1");
    assert_ne!(recounted, export);
    assert_eq!(
        open_export(&recounted, a, b).unwrap_err(),
        RecoveryError::ExportAltered
    );

    // Every character of the sealed body, changed to another hexadecimal digit.
    let sealed_start = export.find("sealed:\n").unwrap() + "sealed:\n".len();
    let sealed_end = export.rfind("end\n").unwrap();
    for at in (sealed_start..sealed_end)
        .filter(|&i| export.as_bytes()[i] != b'\n')
        .step_by(7)
    {
        let original = export.as_bytes()[at] as char;
        let changed = replace_char(&export, at, if original == '0' { '1' } else { '0' });
        assert_eq!(
            open_export(&changed, a, b).unwrap_err(),
            RecoveryError::ExportAltered,
            "offset {at}"
        );
    }
    // The ephemeral key changed.
    let key_at = export.find("ephemeral-key: ").unwrap() + "ephemeral-key: ".len() + 5;
    let original = export.as_bytes()[key_at] as char;
    let changed = replace_char(&export, key_at, if original == 'a' { 'b' } else { 'a' });
    assert_eq!(
        open_export(&changed, a, b).unwrap_err(),
        RecoveryError::ExportAltered
    );
}

#[test]
fn a_cut_short_or_foreign_file_is_named_as_such() {
    let (kit, _, export) = printed_kit_and_export();
    let (a, b) = (&kit.shares[0], &kit.shares[1]);
    let cut = &export[..export.len() - 100];
    assert_eq!(
        open_export(cut, a, b).unwrap_err(),
        RecoveryError::ExportIncomplete
    );
    assert_eq!(
        open_export("name,password\nwifi,hunter2\n", a, b).unwrap_err(),
        RecoveryError::NotAnExport
    );
    assert_eq!(
        open_export(&export.replace("export v1", "export v2"), a, b).unwrap_err(),
        RecoveryError::NewerExport(2)
    );
    let no_key = export.replace("ephemeral-key: ", "ephemeral-key: zz");
    assert!(matches!(
        open_export(&no_key, a, b),
        Err(RecoveryError::ExportDamaged(_))
    ));
    // Windows line ends and trailing spaces are forgiven.
    let windows = export.replace('\n', "  \r\n");
    assert_eq!(open_export(&windows, a, b).unwrap().1, items());
}

#[test]
fn the_export_text_holds_no_secret_or_username() {
    let (_, _, export) = printed_kit_and_export();
    assert!(export.starts_with("custodian-vault-export v1\n"));
    assert!(export.contains(COUNCIL), "the header is readable");
    for hidden in SECRETS.iter().chain(USERNAMES.iter()) {
        assert!(!export.contains(hidden), "{hidden}");
        assert!(!export.contains(&hex::encode(hidden)), "{hidden} in hex");
    }
}

#[test]
fn a_sheet_is_read_back_through_windows_line_ends_capitals_and_extra_spaces() {
    let (kit, sheets, _) = printed_kit_and_export();
    let sheet = &sheets[1];
    assert!(
        sheet.lines().all(|line| line.chars().count() < 72),
        "{sheet}"
    );
    for expected in [
        COUNCIL,
        "Vice-Chair",
        ISSUED_ON,
        kit.kit_id.as_str(),
        "custodian vault recover",
    ] {
        assert!(sheet.contains(expected), "{expected}");
    }
    let round_trip = parse_share_file(sheet).unwrap();
    assert_eq!(round_trip.kit_id(), kit.kit_id);
    assert_eq!(round_trip.index(), 2);
    assert_eq!(
        share_file(&round_trip, COUNCIL, "Vice-Chair", ISSUED_ON).as_str(),
        sheet
    );

    let block_start = sheet.find("-----BEGIN").unwrap();
    let block: String = sheet[block_start..].to_string();
    let typed_variants = [
        sheet.replace('\n', "\r\n"),
        sheet.to_lowercase(),
        sheet.replace(' ', "   ").replace('\n', "  \n\n"),
        // Only the block, typed by hand: no markers, no line numbers, no spaces.
        block
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(|line| {
                line.split_whitespace()
                    .skip(1)
                    .collect::<String>()
                    .to_lowercase()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        // Only the block, with its markers and numbers.
        block.clone(),
        // Zeros and ones read as the letters O and L.
        block
            .lines()
            .map(|line| match line.split_once(' ') {
                Some((number, groups)) if !line.starts_with('-') => {
                    format!("{number} {}", groups.replace('0', "o").replace('1', "l"))
                }
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for typed in &typed_variants {
        let share = parse_share_file(typed).unwrap_or_else(|e| panic!("{e}\n{typed}"));
        assert_eq!(
            share_file(&share, COUNCIL, "Vice-Chair", ISSUED_ON).as_str(),
            sheet
        );
    }
}

#[test]
fn a_single_mistyped_character_is_caught_and_its_line_and_group_named() {
    let (_, sheets, _) = printed_kit_and_export();
    let sheet = &sheets[0];
    for line in 1..=5 {
        for position in [0, 3, 4, 9, 15, 16, 17] {
            let at = share_char_offset(sheet, line, position);
            let original = sheet[at..].chars().next().unwrap();
            let typo = replace_char(sheet, at, different_symbol(original));
            let expected_place = if position < 16 {
                Place::Group(position / 4 + 1)
            } else {
                Place::CheckCode
            };
            assert_eq!(
                parse_share_file(&typo).unwrap_err(),
                RecoveryError::LineMistyped {
                    line,
                    place: expected_place
                },
                "line {line}, character {position}"
            );
        }
    }
    let message = RecoveryError::LineMistyped {
        line: 3,
        place: Place::Group(2),
    }
    .to_string();
    assert!(
        message.contains("line 3") && message.contains("group 2 of 4"),
        "{message}"
    );
}

#[test]
fn missing_reordered_and_foreign_characters_are_named_without_showing_the_share() {
    let (_, sheets, _) = printed_kit_and_export();
    let sheet = &sheets[2];
    let lines: Vec<&str> = sheet.lines().collect();
    let line_at = |n: usize| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("{n}  ")))
            .unwrap()
    };

    let mut without_line_4 = lines.clone();
    without_line_4.remove(line_at(4));
    assert_eq!(
        parse_share_file(&without_line_4.join("\n")).unwrap_err(),
        RecoveryError::WrongLineCount { found: 4 }
    );

    let mut swapped = lines.clone();
    swapped.swap(line_at(2), line_at(3));
    assert_eq!(
        parse_share_file(&swapped.join("\n")).unwrap_err(),
        RecoveryError::LineOutOfOrder {
            line: 2,
            numbered: 3
        }
    );

    let at = share_char_offset(sheet, 5, 6);
    let dropped = format!("{}{}", &sheet[..at], &sheet[at + 1..]);
    assert_eq!(
        parse_share_file(&dropped).unwrap_err(),
        RecoveryError::LineTooShort { line: 5 }
    );
    let u_typed = replace_char(sheet, at, 'U');
    let refused = parse_share_file(&u_typed).unwrap_err();
    assert_eq!(
        refused,
        RecoveryError::BadCharacter {
            line: 5,
            place: Place::Group(2)
        }
    );

    let unfinished = &sheet[..sheet.find("-----END").unwrap()];
    assert_eq!(
        parse_share_file(unfinished).unwrap_err(),
        RecoveryError::ShareUnfinished
    );
    assert_eq!(
        parse_share_file("\n  \n# nothing here\n").unwrap_err(),
        RecoveryError::NoShare
    );

    // No message repeats any part of the share block.
    let block_groups: Vec<&str> = sheet
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()) && l.len() > 20)
        .flat_map(|l| l.split_whitespace().skip(1))
        .collect();
    for error in [refused, RecoveryError::LineTooShort { line: 5 }] {
        let message = error.to_string();
        assert!(
            block_groups.iter().all(|g| !message.contains(g)),
            "{message}"
        );
    }
}

#[test]
fn shares_and_recovered_keys_never_print_their_secrets() {
    let kit = issue_kit().unwrap();
    let sheet = share_file(&kit.shares[0], COUNCIL, "Chair", ISSUED_ON);
    let share: Share = parse_share_file(&sheet).unwrap();
    assert_eq!(format!("{share:?}"), "Share(hidden)");
    let secret = recover_secret(&kit.shares[0], &kit.shares[1]).unwrap();
    assert_eq!(format!("{secret:?}"), "RecoverySecret(hidden)");
    let kit_debug = format!("{kit:?}");
    assert!(kit_debug.contains("Share(hidden)"));
    let first_group = sheet
        .lines()
        .find(|l| l.starts_with("1  "))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .to_string();
    assert!(!kit_debug.contains(&first_group));

    let item_debug = format!("{:?}", items()[0]);
    assert!(item_debug.contains("Council email administrator"));
    assert!(item_debug.contains("password"));
    for hidden in [SECRETS[0], SECRETS[1], USERNAMES[0]] {
        assert!(!item_debug.contains(hidden), "{item_debug}");
    }
}

#[test]
fn each_kit_is_new_and_its_three_sheets_differ() {
    let one = issue_kit().unwrap();
    let two = issue_kit().unwrap();
    assert_ne!(one.kit_id, two.kit_id);
    assert_eq!(one.kit_id.len(), 16);
    assert!(one.kit_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(one.public_key, two.public_key);
    // Each sheet's share differs from the others and from every other kit's.
    let sheets: Vec<String> = one
        .shares
        .iter()
        .chain(two.shares.iter())
        .map(|s| share_file(s, COUNCIL, "Chair", ISSUED_ON).to_string())
        .collect();
    for (i, a) in sheets.iter().enumerate() {
        for b in &sheets[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(
        one.shares.iter().map(Share::index).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}
