//! The monitoring tables an export carries (issue 7): the council's settings, identities and
//! legal holds, and the copies holds keep past retention. The daily records themselves (the
//! per-day tables, their registry and the batches) are left out on purpose: they are kept only
//! for the retention period the law allows, run to hundreds of megabytes, and are better sent
//! again from the original logs than copied; leaving out the batches too lets those logs be
//! ingested again on the new installation.

use super::tables::Kind::{self, Blob, Int, Text};

/// Tables that are not exported, besides the migration bookkeeping: see the module doc.
pub fn left_out_of_export(table: &str) -> bool {
    matches!(table, "monitor_days" | "monitor_batches")
        || table.starts_with("monitor_records_")
        || table.starts_with("monitor_raw_")
}

pub(super) const SETTINGS: &[(&str, Kind)] = &[
    ("council_id", Text),
    ("enabled", Int),
    ("categories_path", Text),
    ("flagged_categories", Text),
    ("allowed_categories", Text),
    ("viewer_roles", Text),
    ("assessment", Text),
    ("assessment_recorded_at", Int),
    ("assessment_recorded_by", Text),
    ("updated_at", Int),
];

pub(super) const IDENTITIES: &[(&str, Kind)] = &[
    ("id", Text),
    ("council_id", Text),
    ("kind", Text),
    ("value", Text),
    ("person_id", Text),
    ("device_id", Text),
    ("valid_from", Text),
    ("valid_to", Text),
    ("created_at", Int),
    ("created_by", Text),
];

/// Upload keys travel with the council (their hashes only), so the IT provider's scripts keep
/// working after a move.
pub(super) const UPLOAD_KEYS: &[(&str, Kind)] = &[
    ("id", Text),
    ("council_id", Text),
    ("name", Text),
    ("key_hash", Text),
    ("created_at", Int),
    ("created_by", Text),
    ("last_used_at", Int),
    ("revoked_at", Int),
];

pub(super) const HOLDS: &[(&str, Kind)] = &[
    ("id", Text),
    ("council_id", Text),
    ("person_id", Text),
    ("from_day", Text),
    ("to_day", Text),
    ("reason", Text),
    ("placed_by", Text),
    ("placed_at", Int),
    ("released_by", Text),
    ("released_at", Int),
];

#[rustfmt::skip]
pub(super) const HELD_RECORDS: &[(&str, Kind)] = &[
    ("council_id", Text), ("day", Text), ("hold_id", Text), ("person_id", Text),
    ("subject_kind", Text), ("subject", Text), ("site", Text),
    ("first_at", Int), ("last_at", Int), ("hits", Int), ("bytes", Int),
    ("h00", Int), ("h01", Int), ("h02", Int), ("h03", Int), ("h04", Int), ("h05", Int),
    ("h06", Int), ("h07", Int), ("h08", Int), ("h09", Int), ("h10", Int), ("h11", Int),
    ("h12", Int), ("h13", Int), ("h14", Int), ("h15", Int), ("h16", Int), ("h17", Int),
    ("h18", Int), ("h19", Int), ("h20", Int), ("h21", Int), ("h22", Int), ("h23", Int),
    ("categories", Text), ("flagged", Int),
];

pub(super) const HELD_RAW: &[(&str, Kind)] = &[
    ("council_id", Text),
    ("day", Text),
    ("hold_id", Text),
    ("batch_id", Text),
    ("subject_kind", Text),
    ("subject", Text),
    ("person_id", Text),
    ("line_count", Int),
    ("lines", Blob),
];
