//! The written policy opens cleanly in LibreOffice: `soffice --headless --convert-to pdf` turns
//! it into a PDF of several pages. Built only with the `libreoffice-tests` feature, which
//! `.ci/run` turns on after installing LibreOffice; a missing `soffice` then fails the test with
//! what to install, never skips it.
#![cfg(feature = "libreoffice-tests")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_core::policy::{AdoptionBlock, PolicyProfile, render_policy};
use std::process::Command;

#[test]
fn libreoffice_converts_the_written_policy_to_a_pdf() {
    let mut profile = PolicyProfile::model_defaults();
    profile.negligence_liability = custodian_core::policy::NegligenceLiability::ReplacementValue;
    let document = render_policy(
        &profile,
        "St Mary's & Little Wickham Town Council",
        &AdoptionBlock {
            adopted_on: jiff::civil::Date::new(2026, 5, 12).ok(),
            minute_reference: Some("FC/26/041".to_owned()),
            review_due: None,
            review_interval_months: 12,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("policy.docx");
    std::fs::write(&docx, custodian_docx::write_docx(&document).unwrap()).unwrap();
    // A profile of its own, so the conversion never touches (or waits on) a person's LibreOffice.
    let profile_dir = format!(
        "-env:UserInstallation=file://{}/lo-profile",
        dir.path().display()
    );
    let output = Command::new("soffice")
        .args([&profile_dir, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap_or_else(|e| {
            panic!("soffice could not be run ({e}): install LibreOffice (apt-get install libreoffice-writer-nogui)")
        });
    assert!(
        output.status.success(),
        "soffice failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let pdf = std::fs::read(dir.path().join("policy.pdf")).expect("LibreOffice wrote a PDF");
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    // The whole policy runs to several pages; a file that opened as an empty or broken
    // document converts to a single near-empty page.
    let pages = count_page_objects(&pdf);
    assert!(pages >= 5, "the PDF has only {pages} pages");
}

/// Counts PDF page objects: "/Type /Page" or "/Type/Page" not followed by "s" (which would be
/// the page tree).
fn count_page_objects(pdf: &[u8]) -> usize {
    let mut count = 0;
    for needle in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
        for (i, window) in pdf.windows(needle.len()).enumerate() {
            if window == needle && pdf.get(i + needle.len()) != Some(&b's') {
                count += 1;
            }
        }
    }
    count
}
