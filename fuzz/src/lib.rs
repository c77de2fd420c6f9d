//! What every fuzz target does with its input: summarise it whole, then again fed in pieces (split
//! at a point taken from the input's first byte, and byte by byte when it is short), and check
//! that the pieces give the same result and that the figures add up. A panic, an overflow, an
//! out-of-bounds access or a difference is a crash for libFuzzer to report.
//! Not part of Custodian: built only by `cargo fuzz` (see .ci/fuzz).

use custodian_monitor::{Format, Summarizer, Summary, SummaryError, SummaryOptions};

/// Inputs up to this size are also fed one byte at a time, the hardest case for a reader that
/// must keep an incomplete line until the rest of it arrives.
const BYTE_BY_BYTE_UP_TO: usize = 512;

/// Runs the checks for one format on one fuzzer input.
pub fn check(format: &Format, input: &[u8]) {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let whole = summarize(format, &[data]);
    let split_at = usize::from(selector) * data.len() / 255;
    let (head, tail) = data.split_at(split_at.min(data.len()));
    assert_same(
        &whole,
        &summarize(format, &[head, tail]),
        "fed in two pieces",
    );
    if data.len() <= BYTE_BY_BYTE_UP_TO {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_same(&whole, &summarize(format, &bytes), "fed one byte at a time");
    }
    if let Ok(summary) = &whole {
        assert_figures_add_up(summary);
    }
}

/// The options every run uses: raw lines kept (so that path is fuzzed too) and a fixed date to
/// give yearless lines their year, so a result does not depend on the day the fuzzer runs.
pub fn options() -> SummaryOptions {
    SummaryOptions {
        keep_raw_lines: true,
        ..SummaryOptions::new(jiff::civil::date(2026, 12, 31))
    }
}

fn summarize(format: &Format, pieces: &[&[u8]]) -> Result<Summary, SummaryError> {
    let mut summarizer = Summarizer::new(format.clone(), options());
    for piece in pieces {
        // An error (a file plainly in another format) sticks: `finish` returns it again.
        if summarizer.feed(piece).is_err() {
            break;
        }
    }
    summarizer.finish()
}

fn assert_same(
    whole: &Result<Summary, SummaryError>,
    pieces: &Result<Summary, SummaryError>,
    how: &str,
) {
    match (whole, pieces) {
        (Ok(whole), Ok(pieces)) => {
            assert_eq!(whole.totals, pieces.totals, "totals change when {how}");
            assert_eq!(
                whole.malformed, pieces.malformed,
                "malformed lines change when {how}"
            );
            assert_eq!(whole.groups, pieces.groups, "groups change when {how}");
            assert_eq!(whole.raw, pieces.raw, "raw lines change when {how}");
            assert_eq!(
                whole.first_lines, pieces.first_lines,
                "the format hint changes when {how}"
            );
        }
        (whole, pieces) => assert_eq!(whole, pieces, "the outcome changes when {how}"),
    }
}

fn assert_figures_add_up(summary: &Summary) {
    let totals = &summary.totals;
    assert!(
        totals.hits + totals.malformed <= totals.lines,
        "more hits and malformed lines than lines: {totals:?}"
    );
    assert!(
        totals.groups <= totals.hits,
        "a group without a hit: {totals:?}"
    );
    assert_eq!(
        totals.groups,
        summary.groups.len() as u64,
        "groups miscounted"
    );
    assert!(summary.malformed.len() as u64 <= totals.malformed.min(100));
    let hits: u64 = summary.groups.iter().map(|g| g.figures.hits).sum();
    assert_eq!(
        hits, totals.hits,
        "the groups' hits do not add up to the total"
    );
    // Byte counts saturate rather than overflow, in each group and in the total alike.
    let bytes: u128 = summary
        .groups
        .iter()
        .map(|g| u128::from(g.figures.bytes))
        .sum();
    assert_eq!(
        bytes.min(u128::from(u64::MAX)),
        u128::from(totals.bytes),
        "the groups' bytes do not add up to the total"
    );
    for group in &summary.groups {
        let figures = &group.figures;
        assert!(figures.hits > 0, "an empty group: {group:?}");
        assert!(figures.first <= figures.last, "first after last: {group:?}");
        let by_hour: u64 = figures.hits_by_hour.iter().map(|&h| u64::from(h)).sum();
        assert_eq!(
            by_hour, figures.hits,
            "hits by hour do not add up: {group:?}"
        );
    }
    let mut sorted = summary.groups.clone();
    sorted.sort_by(|a, b| (&a.key, a.day, &a.site).cmp(&(&b.key, b.day, &b.site)));
    assert_eq!(
        sorted, summary.groups,
        "groups are not sorted by key, day and site"
    );
    assert!(
        summary
            .groups
            .windows(2)
            .all(|pair| (&pair[0].key, pair[0].day, &pair[0].site)
                != (&pair[1].key, pair[1].day, &pair[1].site)),
        "two groups for one key, day and site"
    );
}
