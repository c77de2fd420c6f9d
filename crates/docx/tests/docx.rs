//! Writing the model policy as Word and reading Word files back, including files that are not
//! what they claim to be, and importing a written policy back to the profile it came from.

use custodian_core::person::{Role, RoleSet};
use custodian_core::policy::document::{AdoptionBlock, Document, render_policy, to_plain_text};
use custodian_core::policy::{
    ApprovalKind, Approver, DseAssessment, EmergencyHolder, MfaRule, NegligenceLiability,
    PasswordStyle, PersonalUse, PolicyProfile, import_policy,
};
use custodian_docx::{DocxError, read_docx_text, write_docx};
use std::io::{Cursor, Read, Write};
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

fn model_document(council: &str) -> Document {
    let adoption = AdoptionBlock {
        adopted_on: jiff::civil::Date::new(2025, 5, 12).ok(),
        minute_reference: Some("COU/229/25-26".to_owned()),
        review_due: None,
        review_interval_months: 12,
    };
    render_policy(&PolicyProfile::model_defaults(), council, &adoption)
}

fn written(doc: &Document) -> Vec<u8> {
    match write_docx(doc) {
        Ok(bytes) => bytes,
        Err(e) => unreachable!("the model document should write: {e}"),
    }
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = match ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(e) => unreachable!("written file should be a zip: {e}"),
    };
    let mut text = String::new();
    let read = archive
        .by_name(name)
        .map_err(|e| e.to_string())
        .and_then(|mut f| f.read_to_string(&mut text).map_err(|e| e.to_string()));
    assert!(read.is_ok(), "{name}: {read:?}");
    text
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in files {
        let added = zip
            .start_file(*name, SimpleFileOptions::default())
            .map_err(|e| e.to_string())
            .and_then(|()| zip.write_all(content.as_bytes()).map_err(|e| e.to_string()));
        assert!(added.is_ok(), "{added:?}");
    }
    zip.finish().map(Cursor::into_inner).unwrap_or_default()
}

#[test]
fn the_written_document_holds_the_council_headings_and_clauses() {
    let bytes = written(&model_document("Little Wickham Parish Council"));
    let xml = part(&bytes, "word/document.xml");
    for expected in [
        "Little Wickham Parish Council",
        "Information Technology Policy",
        "Purpose of this policy",
        "Computer use",
        "1.1 Hardware",
        "2.2 Use of own devices",
        "Adoption and review",
        ">2.1.6<",
        "the first £100",
        "held by the Chair of the Council in a sealed envelope",
        "Adopted on",
        "12 May 2025",
        "COU/229/25-26",
        "<w:pStyle w:val=\"Heading1\" />",
        "<w:pStyle w:val=\"Heading2\" />",
        "<w:pStyle w:val=\"Title\" />",
    ] {
        assert!(xml.contains(expected), "document.xml lacks {expected:?}");
    }
    let styles = part(&bytes, "word/styles.xml");
    assert!(styles.contains("w:styleId=\"Heading1\""));
    assert!(styles.contains("heading 1"));
}

#[test]
fn every_line_of_the_plain_text_reads_back_from_the_word_file_in_order() {
    let mut profile = PolicyProfile::model_defaults();
    profile.negligence_liability = NegligenceLiability::ReplacementValue;
    let doc = render_policy(
        &profile,
        "Smith & Jones <Town> Council",
        &AdoptionBlock::default(),
    );
    let read = match read_docx_text(&written(&doc)) {
        Ok(text) => text,
        Err(e) => unreachable!("our own file should read: {e}"),
    };
    let read_lines: Vec<&str> = read.lines().collect();
    let mut from = 0;
    for line in to_plain_text(&doc).lines().filter(|l| !l.is_empty()) {
        let found = read_lines[from..].iter().position(|l| *l == line);
        let Some(offset) = found else {
            unreachable!("{line:?} not read back after line {from}:\n{read}")
        };
        from += offset + 1;
    }
    for (number, _) in doc.clauses().filter(|(n, _)| !n.starts_with("intro-")) {
        assert!(
            read.contains(&format!("\n{number} ")),
            "{number} not read back"
        );
    }
    assert!(read.starts_with("Smith & Jones <Town> Council\nInformation Technology Policy\n"));
    assert!(read.contains("Adopted on\tNot yet adopted\n"));
    assert!(read.contains("\n- it is set to lock after 3 failed attempts;\n"));
    assert!(read.contains("the replacement value of the equipment"));
}

/// The same policy gives the same file, so a stored fingerprint of a download can be checked.
/// (Speed is measured by `custodian-bench-policy`, not here.)
#[test]
fn writing_is_deterministic() {
    let doc = model_document("Little Wickham Parish Council");
    assert_eq!(written(&doc), written(&doc));
}

#[test]
fn an_empty_file_is_refused_plainly() {
    assert_eq!(read_docx_text(&[]), Err(DocxError::Empty));
}

#[test]
fn bytes_that_are_not_a_zip_are_not_a_word_document() {
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(read_docx_text(&garbage), Err(DocxError::NotDocx));
    assert_eq!(
        read_docx_text(b"1.1.1 A plain text policy"),
        Err(DocxError::NotDocx)
    );
    let message = DocxError::NotDocx.to_string();
    assert!(message.starts_with("This file is not a Word document (.docx)"));
    assert!(message.contains("save it as .docx from Word"));
}

#[test]
fn an_old_doc_file_is_recognised() {
    let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    doc.extend([0u8; 504]);
    assert_eq!(read_docx_text(&doc), Err(DocxError::OldWordOrProtected));
}

#[test]
fn a_zip_that_is_not_a_word_document_is_refused() {
    let other = zip_of(&[("notes.txt", "hello"), ("data/sheet.csv", "a,b")]);
    assert_eq!(read_docx_text(&other), Err(DocxError::NoDocumentPart));
    let odt = zip_of(&[
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", "<office:document-content/>"),
    ]);
    assert_eq!(read_docx_text(&odt), Err(DocxError::OpenDocument));
}

#[test]
fn a_document_part_that_is_not_xml_is_reported_as_damaged() {
    let broken = zip_of(&[(
        "word/document.xml",
        "<w:document><w:body><w:p><w:r><w:t>text</w:r></w:p></w:body></w:document>",
    )]);
    assert!(matches!(
        read_docx_text(&broken),
        Err(DocxError::Damaged { .. })
    ));
}

#[test]
fn the_main_part_is_found_through_the_package_relationships() {
    let renamed = zip_of(&[
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>"#,
        ),
        (
            "word/main.xml",
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>1.1.1 Found</w:t></w:r></w:p></w:body></w:document>"#,
        ),
    ]);
    assert_eq!(read_docx_text(&renamed), Ok("1.1.1 Found\n".to_owned()));
}

#[test]
fn truncated_or_corrupted_word_files_give_errors_not_panics() {
    let bytes = written(&model_document("Little Wickham Parish Council"));
    for cut in [
        1,
        4,
        30,
        100,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        assert!(read_docx_text(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    // Flip bytes through the file; each result may be text or an error, but never a panic.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..200 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut damaged = bytes.clone();
        let at = (state as usize) % damaged.len();
        damaged[at] ^= (state >> 32) as u8 | 1;
        let _ = read_docx_text(&damaged);
    }
}

/// A profile that differs from the model defaults in every field.
fn far_from_the_model() -> PolicyProfile {
    let mut p = PolicyProfile::model_defaults();
    p.review_interval_months = 24;
    p.equipment_personal_use = PersonalUse::None;
    p.email_personal_use = PersonalUse::OutsideWorkingHours;
    p.negligence_liability = NegligenceLiability::ReplacementValue;
    p.device_pin_min_digits = 8;
    p.device_lockout_attempts = 10;
    p.device_idle_lock_minutes = 15;
    p.internet_log_retention_months = 12;
    p.emergency_credentials_holder = EmergencyHolder::ViceChair;
    p.emergency_access_wait_hours = 48;
    p.password_manager_required = false;
    p.declaration_required = false;
    p.password_style = PasswordStyle::RandomCharacters;
    p.mfa = MfaRule::Required;
    p.mfa_required_roles = RoleSet::of(&[Role::Chair, Role::Councillor]);
    p.dse_assessment = DseAssessment::Annual;
    p.dse_interval_months = 24;
    for kind in ApprovalKind::ALL {
        let flipped = match p.approvers.get(kind) {
            Approver::Clerk => Approver::Council,
            Approver::Council => Approver::Clerk,
        };
        p.approvers.set(kind, flipped);
    }
    p
}

#[test]
fn a_policy_written_as_word_imports_back_to_the_profile_it_was_rendered_from() {
    let mut low = PolicyProfile::model_defaults();
    low.device_pin_min_digits = 4;
    low.device_lockout_attempts = 1;
    low.device_idle_lock_minutes = 1;
    low.emergency_access_wait_hours = 0;
    low.emergency_credentials_holder = EmergencyHolder::ItProvider;
    low.negligence_liability = NegligenceLiability::Fixed {
        amount_pence: 1_250,
    };
    low.mfa_required_roles = RoleSet::empty();
    low.dse_assessment = DseAssessment::Annual;
    low.dse_interval_months = 1;
    low.equipment_personal_use = PersonalUse::OutsideWorkingHours;
    let mut high = PolicyProfile::model_defaults();
    high.review_interval_months = 60;
    high.device_pin_min_digits = 16;
    high.device_lockout_attempts = 100;
    high.device_idle_lock_minutes = 240;
    high.internet_log_retention_months = 84;
    high.emergency_access_wait_hours = 168;
    high.emergency_credentials_holder = EmergencyHolder::Clerk;
    high.negligence_liability = NegligenceLiability::Fixed {
        amount_pence: 10_000_000,
    };
    high.mfa_required_roles = RoleSet::of(&Role::ALL);
    for kind in ApprovalKind::ALL {
        high.approvers.set(kind, Approver::Council);
    }
    let adopted = AdoptionBlock {
        adopted_on: jiff::civil::Date::new(2025, 5, 12).ok(),
        minute_reference: Some("FC 24/112".to_owned()),
        review_due: None,
        review_interval_months: 0,
    };
    let unadopted = AdoptionBlock::default();
    let cases = [
        (
            PolicyProfile::model_defaults(),
            "St Mary's Town Council",
            &adopted,
        ),
        (
            far_from_the_model(),
            "Ashby-de-la-Zouch Town Council",
            &unadopted,
        ),
        (low, "Little Wickham Parish Council", &adopted),
        (high, "Bishop's Stortford Town Council", &unadopted),
    ];
    for (profile, council, adoption) in cases {
        let doc = render_policy(&profile, council, adoption);
        let text = match read_docx_text(&written(&doc)) {
            Ok(text) => text,
            Err(e) => unreachable!("our own file should read: {e}"),
        };
        let imported = match import_policy(&text) {
            Ok(imported) => imported,
            Err(e) => unreachable!("{council}: our own policy should import: {e}"),
        };
        // Applied to two bases that differ in every field, each value must come from the
        // document. The months between workstation assessments are stated only for regular
        // assessments, so otherwise the base's value stays.
        for base in [PolicyProfile::model_defaults(), far_from_the_model()] {
            let mut expected = profile.clone();
            if profile.dse_assessment == DseAssessment::EyeTestsOffered {
                expected.dse_interval_months = base.dse_interval_months;
            }
            assert_eq!(imported.apply_to(&base), expected, "{council}");
        }
        assert_eq!(imported.council_name.as_deref(), Some(council));
        let adopted_on = adoption.adopted_on.map(|d| d.to_string());
        assert_eq!(imported.adopted_on.map(|d| d.to_string()), adopted_on);
        let minute = adoption.adopted_on.and(adoption.minute_reference.clone());
        assert_eq!(imported.minute_reference, minute, "{council}");
    }
}
