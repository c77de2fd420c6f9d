//! Moving a whole installation between engines (or into a backup) as versioned JSON Lines.
//!
//! The first line is a header naming the format and schema version; every further line is one
//! row: `{"table": "...", "row": {...}}`. Tables are written parent first, so an import can
//! insert lines in the order read. An import goes into an empty database in one transaction:
//! any bad line leaves the target untouched and the report names it.

use crate::{Store, db_error, migrate};
use custodian_core::ports::StoreError;
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use sqlx::Row;
use std::io::{BufRead, Write};

pub const FORMAT: &str = "custodian-export";
pub const FORMAT_VERSION: i64 = 1;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
}

struct Table {
    name: &'static str,
    order_by: &'static str,
    columns: &'static [(&'static str, Kind)],
}

use Kind::{Int, Text};

/// Every table holding installation data, parents before children. A test checks this list
/// against the live schema so a new table cannot be forgotten.
const TABLES: &[Table] = &[
    Table {
        name: "councils",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("kind", Text),
            ("settings", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "accounts",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("email", Text),
            ("password_hash", Text),
            ("failed_attempts", Int),
            ("locked_until", Int),
            ("totp_secret", Text),
            ("recovery_codes", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "passkeys",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("account_id", Text),
            ("name", Text),
            ("credential", Text),
            ("created_at", Int),
            ("last_used_at", Int),
        ],
    },
    Table {
        name: "people",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("account_id", Text),
            ("name", Text),
            ("email", Text),
            ("roles", Text),
            ("status", Text),
            ("start_date", Text),
            ("leave_date", Text),
            ("created_at", Int),
        ],
    },
    Table {
        name: "invitations",
        order_by: "token_hash",
        columns: &[
            ("token_hash", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("purpose", Text),
        ],
    },
    Table {
        name: "sessions",
        order_by: "token_hash",
        columns: &[
            ("token_hash", Text),
            ("account_id", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("csrf_token", Text),
            ("mfa_passed", Int),
            ("created_at", Int),
            ("last_seen_at", Int),
        ],
    },
    Table {
        name: "incidents",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("kind", Text),
            ("summary", Text),
            ("happened_at", Int),
            ("reported_at", Int),
            ("reported_by", Text),
            ("status", Text),
            ("owner_id", Text),
            ("became_aware_at", Int),
            ("ico_notify", Text),
            ("ico_reason", Text),
            ("ico_decided_by", Text),
            ("ico_decided_at", Int),
            ("ico_notified_at", Int),
            ("people_told", Text),
            ("people_told_reason", Text),
            ("people_told_by", Text),
            ("people_told_at", Int),
            ("outcome", Text),
            ("lessons", Text),
            ("closed_by", Text),
            ("closed_at", Int),
            ("revision", Int),
        ],
    },
    Table {
        name: "incident_actions",
        order_by: "council_id, incident_id, seq",
        columns: &[
            ("council_id", Text),
            ("incident_id", Text),
            ("seq", Int),
            ("at", Int),
            ("by_id", Text),
            ("text", Text),
        ],
    },
    Table {
        name: "policy_versions",
        order_by: "council_id, number",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("number", Int),
            ("status", Text),
            ("profile_json", Text),
            ("origin", Text),
            ("origin_file_name", Text),
            ("note", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("adopted_on", Text),
            ("minute_reference", Text),
            ("adopted_at", Int),
            ("adopted_by", Text),
            ("review_due", Text),
            ("content_hash", Text),
            ("declaration_text", Text),
        ],
    },
    Table {
        name: "policy_declarations",
        order_by: "version_id, person_id",
        columns: &[
            ("council_id", Text),
            ("version_id", Text),
            ("person_id", Text),
            ("typed_name", Text),
            ("signed_at", Int),
            ("text_hash", Text),
        ],
    },
    Table {
        name: "assets",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("number", Text),
            ("number_key", Text),
            ("category", Text),
            ("make", Text),
            ("model", Text),
            ("serial", Text),
            ("imei", Text),
            ("sim", Text),
            ("purchased_on", Text),
            ("cost_pence", Int),
            ("supplier", Text),
            ("authorisation_kind", Text),
            ("authorisation_person", Text),
            ("authorisation_minute", Text),
            ("warranty_ends", Text),
            ("encrypted", Text),
            ("location", Text),
            ("status", Text),
            ("holder_id", Text),
            ("issued_since", Int),
            ("acknowledged_at", Int),
            ("wipe_method", Text),
            ("wipe_method_described", Text),
            ("wipe_by", Text),
            ("wipe_on", Text),
            ("wipe_certificate", Text),
            ("disposal_recycler", Text),
            ("disposal_certificate", Text),
            ("disposal_at", Int),
            ("disposal_by", Text),
            ("notes", Text),
            ("search_text", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "asset_acknowledgements",
        order_by: "asset_id, person_id, at",
        columns: &[
            ("council_id", Text),
            ("asset_id", Text),
            ("person_id", Text),
            ("at", Int),
            ("text_hash", Text),
            ("typed_name", Text),
        ],
    },
    Table {
        name: "devices",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("name", Text),
            ("serial", Text),
            ("user_id", Text),
            ("ownership", Text),
            ("asset_id", Text),
            ("kind", Text),
            ("platform", Text),
            ("approval", Text),
            ("requested_at", Int),
            ("decided_by", Text),
            ("decided_at", Int),
            ("decline_reason", Text),
            ("retired_by", Text),
            ("retired_at", Int),
            ("facts", Text),
            ("revision", Int),
            ("registered_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "vault_items",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("name", Text),
            ("kind", Text),
            ("address", Text),
            ("username", Text),
            ("allowed_roles", Text),
            ("tier", Text),
            ("rotation_days", Int),
            ("last_rotated", Int),
            ("renewal_due", Text),
            ("default_changed_by", Text),
            ("default_changed_at", Int),
            ("compromised_by", Text),
            ("compromised_at", Int),
            ("rotation_forced_at", Int),
            ("wrapped_key", Text),
            ("revision", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "vault_item_people",
        order_by: "item_id, person_id",
        columns: &[("council_id", Text), ("item_id", Text), ("person_id", Text)],
    },
    Table {
        name: "vault_secrets",
        order_by: "item_id, field",
        columns: &[
            ("council_id", Text),
            ("item_id", Text),
            ("field", Text),
            ("version", Int),
            ("sealed", Text),
        ],
    },
    Table {
        name: "vault_grants",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("requester", Text),
            ("reason", Text),
            ("hours", Int),
            ("requested_at", Int),
            ("decision", Text),
            ("decided_by", Text),
            ("decided_at", Int),
            ("until_at", Int),
            ("decline_reason", Text),
            ("revision", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "vault_grant_items",
        order_by: "grant_id, item_id",
        columns: &[("council_id", Text), ("grant_id", Text), ("item_id", Text)],
    },
    Table {
        name: "vault_emergencies",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("opened_by", Text),
            ("reason", Text),
            ("opened_at", Int),
            ("wait_hours", Int),
            ("objected_by", Text),
            ("objected_at", Int),
            ("objection_reason", Text),
            ("approved_by", Text),
            ("approved_at", Int),
            ("closed_by", Text),
            ("closed_at", Int),
            ("revision", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "vault_settings",
        order_by: "id",
        columns: &[("id", Int), ("key_check", Text), ("passphrase_salt", Text)],
    },
    Table {
        name: "vault_recovery_kits",
        order_by: "council_id",
        columns: &[
            ("council_id", Text),
            ("kit_id", Text),
            ("public_key", Text),
            ("issued_at", Int),
            ("holders", Text),
        ],
    },
    Table {
        name: "notifications",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("message", Text),
            ("link", Text),
            ("created_at", Int),
            ("dismissed_at", Int),
        ],
    },
    Table {
        name: "leaver_checklists",
        order_by: "council_id, person_id",
        columns: &[
            ("council_id", Text),
            ("person_id", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("closed_at", Int),
        ],
    },
    Table {
        name: "leaver_items",
        order_by: "council_id, person_id, position",
        columns: &[
            ("council_id", Text),
            ("person_id", Text),
            ("position", Int),
            ("kind", Text),
            ("subject", Text),
            ("label", Text),
            ("state", Text),
            ("settled_by", Text),
            ("settled_at", Int),
            ("reason", Text),
        ],
    },
    Table {
        name: "joiner_checklists",
        order_by: "council_id, person_id",
        columns: &[
            ("council_id", Text),
            ("person_id", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("closed_at", Int),
        ],
    },
    Table {
        name: "joiner_items",
        order_by: "council_id, person_id, position",
        columns: &[
            ("council_id", Text),
            ("person_id", Text),
            ("position", Int),
            ("kind", Text),
            ("state", Text),
            ("settled_by", Text),
            ("settled_at", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "mail_settings",
        order_by: "council_id",
        columns: &[
            ("council_id", Text),
            ("enabled", Int),
            ("host", Text),
            ("port", Int),
            ("security", Text),
            ("username", Text),
            // Sealed with the vault key, as the vault's secrets are.
            ("password_sealed", Text),
            ("from_address", Text),
            ("from_name", Text),
            ("digest_hour", Int),
            ("updated_at", Int),
        ],
    },
    Table {
        name: "mail_outbox",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("recipient_id", Text),
            ("recipient_address", Text),
            ("subject", Text),
            ("body", Text),
            ("kind", Text),
            ("dedupe_key", Text),
            ("created_at", Int),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("last_error", Text),
            ("sent_at", Int),
            ("given_up_at", Int),
        ],
    },
    Table {
        name: "calendar_feeds",
        order_by: "token_hash",
        columns: &[
            ("token_hash", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("created_at", Int),
            ("revoked_at", Int),
        ],
    },
    Table {
        name: "approval_requests",
        order_by: "id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("kind", Text),
            ("requester", Text),
            ("title", Text),
            ("details", Text),
            ("cost_pence", Int),
            ("needed_until", Text),
            ("approver", Text),
            ("requested_at", Int),
            ("outcome", Text),
            ("decided_by", Text),
            ("decided_at", Int),
            ("decision_note", Text),
            ("expires_on", Text),
            ("minute_reference", Text),
            ("meeting_on", Text),
            ("withdrawn_at", Int),
            ("revision", Int),
        ],
    },
    Table {
        name: "dse_users",
        order_by: "council_id, person_id",
        columns: &[
            ("council_id", Text),
            ("person_id", Text),
            ("is_user", Int),
            ("set_by", Text),
            ("set_at", Int),
        ],
    },
    Table {
        name: "dse_assessments",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("assessed_on", Text),
            ("assessor_id", Text),
            ("assessor_name", Text),
            ("outcome", Text),
            ("actions", Text),
            ("recorded_by", Text),
            ("recorded_at", Int),
        ],
    },
    Table {
        name: "eye_test_offers",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("offered_on", Text),
            ("offered_by", Text),
            ("recorded_at", Int),
            ("answer", Text),
            ("test_date", Text),
            ("answered_by", Text),
            ("answered_at", Int),
            ("revision", Int),
        ],
    },
    Table {
        name: "workstation_requests",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("person_id", Text),
            ("asked_at", Int),
            ("problem", Text),
            ("state", Text),
            ("settled_by", Text),
            ("settled_at", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "hazard_reports",
        order_by: "council_id, id",
        columns: &[
            ("id", Text),
            ("council_id", Text),
            ("reported_by", Text),
            ("reported_at", Int),
            ("place", Text),
            ("description", Text),
            ("state", Text),
            ("settled_by", Text),
            ("settled_at", Int),
            ("note", Text),
        ],
    },
    Table {
        name: "audit_log",
        order_by: "council_id, seq",
        columns: &[
            ("council_id", Text),
            ("seq", Int),
            ("at", Int),
            ("actor", Text),
            ("action", Text),
            ("subject", Text),
            ("details", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    },
];

/// The tables an export covers (for the schema check).
pub fn exported_tables() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not write the export: {0}")]
    Write(#[source] std::io::Error),
    #[error("could not read the import file: {0}")]
    Read(#[source] std::io::Error),
    #[error("nothing was imported: the file has {} problem(s):\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
    #[error(
        "nothing was imported: the target database already holds councils or accounts; import only into a new, empty database"
    )]
    TargetNotEmpty,
}

/// What an export or import moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TransferSummary {
    pub rows: Vec<(&'static str, u64)>,
}

impl TransferSummary {
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

impl Store {
    /// Writes every row of every council to `out`.
    pub async fn export(
        &self,
        out: &mut (dyn Write + Send),
    ) -> Result<TransferSummary, TransferError> {
        let header = json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_version": migrate::latest_version(),
            "tables": exported_tables(),
        });
        writeln!(out, "{header}").map_err(TransferError::Write)?;
        let mut summary = TransferSummary::default();
        for table in TABLES {
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                columns.join(", "),
                table.name,
                table.order_by
            );
            let mut rows = sqlx::query(&sql).fetch(&self.read);
            let mut count = 0;
            while let Some(row) = rows.try_next().await.map_err(db_error)? {
                let mut object = Map::new();
                for (column, kind) in table.columns {
                    let value = match kind {
                        Text => row
                            .try_get::<Option<String>, _>(*column)
                            .map(|v| v.map_or(Value::Null, Value::String)),
                        Int => row
                            .try_get::<Option<i64>, _>(*column)
                            .map(|v| v.map_or(Value::Null, Value::from)),
                    }
                    .map_err(|e| StoreError::Corrupt(format!("{}.{column}: {e}", table.name)))?;
                    object.insert((*column).to_owned(), value);
                }
                let line = json!({ "table": table.name, "row": object });
                writeln!(out, "{line}").map_err(TransferError::Write)?;
                count += 1;
            }
            summary.rows.push((table.name, count));
        }
        out.flush().map_err(TransferError::Write)?;
        Ok(summary)
    }

    /// Reads an export into this (empty, migrated) database: all of it, or nothing.
    pub async fn import(&self, input: &mut dyn BufRead) -> Result<TransferSummary, TransferError> {
        let parsed = parse_export(input)?;
        let mut tx = self.write.begin().await.map_err(db_error)?;
        let existing: i64 = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM councils) + (SELECT COUNT(*) FROM accounts) AS n",
        )
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get::<i64, _>("n"))
        .map_err(db_error)?;
        if existing > 0 {
            return Err(TransferError::TargetNotEmpty);
        }
        let mut summary = TransferSummary {
            rows: TABLES.iter().map(|t| (t.name, 0)).collect(),
        };
        for (line_no, table_index, row) in &parsed {
            let table = &TABLES[*table_index];
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table.name,
                columns.join(", "),
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (column, kind) in table.columns {
                let value = row.get(*column).unwrap_or(&Value::Null);
                query = match kind {
                    Text => query.bind(value.as_str().map(str::to_owned)),
                    Int => query.bind(value.as_i64()),
                };
            }
            query.execute(&mut *tx).await.map_err(|e| {
                TransferError::Invalid(vec![format!(
                    "line {line_no}: the {} row could not be stored: {e}",
                    table.name
                )])
            })?;
            summary.rows[*table_index].1 += 1;
        }
        // Derived from the item's fields: recomputed rather than trusted, so an edited export
        // cannot leave an item that the register search does not find.
        crate::assets::refresh_search_text(&mut tx)
            .await
            .map_err(db_error)?;
        self.commit(tx).await?;
        Ok(summary)
    }
}

type ParsedRow = (usize, usize, Map<String, Value>);

/// Checks every line before anything is written, collecting every problem with its line number.
fn parse_export(input: &mut dyn BufRead) -> Result<Vec<ParsedRow>, TransferError> {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut last_table = 0;
    for (index, line) in input.lines().enumerate() {
        let line_no = index + 1;
        let line = line.map_err(TransferError::Read)?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("line {line_no}: not valid JSON ({e})"));
                continue;
            }
        };
        if line_no == 1 {
            check_header(&value, &mut problems);
            continue;
        }
        let Some(name) = value.get("table").and_then(Value::as_str) else {
            problems.push(format!("line {line_no}: missing \"table\""));
            continue;
        };
        let Some(table_index) = TABLES.iter().position(|t| t.name == name) else {
            problems.push(format!("line {line_no}: unknown table \"{name}\""));
            continue;
        };
        if table_index < last_table {
            problems.push(format!(
                "line {line_no}: {name} rows must come before {} rows",
                TABLES[last_table].name
            ));
        }
        last_table = last_table.max(table_index);
        let Some(row) = value.get("row").and_then(Value::as_object) else {
            problems.push(format!("line {line_no}: missing \"row\" object"));
            continue;
        };
        let table = &TABLES[table_index];
        for key in row.keys() {
            if !table.columns.iter().any(|(c, _)| c == key) {
                problems.push(format!("line {line_no}: {name} has no column \"{key}\""));
            }
        }
        for (column, kind) in table.columns {
            let ok = match (row.get(*column), kind) {
                (None | Some(Value::Null), _) => true,
                (Some(Value::String(_)), Text) => true,
                (Some(v), Int) => v.as_i64().is_some(),
                _ => false,
            };
            if !ok {
                let expected = if *kind == Text {
                    "text"
                } else {
                    "a whole number"
                };
                problems.push(format!(
                    "line {line_no}: {name}.{column} must be {expected}"
                ));
            }
        }
        rows.push((line_no, table_index, row.clone()));
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push("line 1: the file is empty or holds only a header".to_owned());
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(TransferError::Invalid(problems))
    }
}

fn check_header(value: &Value, problems: &mut Vec<String>) {
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        problems.push(format!(
            "line 1: this is not a Custodian export (the first line must name the format \"{FORMAT}\")"
        ));
        return;
    }
    let version = value.get("format_version").and_then(Value::as_i64);
    if version != Some(FORMAT_VERSION) {
        problems.push(format!(
            "line 1: export format version {version:?} is not supported; this Custodian reads version {FORMAT_VERSION}"
        ));
    }
    let schema = value.get("schema_version").and_then(Value::as_i64);
    if schema != Some(migrate::latest_version()) {
        problems.push(format!(
            "line 1: the export has schema version {schema:?} but this Custodian has {}; use the same Custodian version for export and import",
            migrate::latest_version()
        ));
    }
}
