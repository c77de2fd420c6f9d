//! A device-management (MDM) export in CSV, with a column mapping: which column identifies each
//! device (its serial number or its name) and which column holds each fact. MDM products name
//! their columns differently, so the mapping is chosen by the person importing, pre-filled by
//! [`guess_mapping`] from the headers.
//!
//! Values are read leniently ("Yes", "True", "1", "Encrypted"...). A value that cannot be read
//! is a row problem naming the row, the column, the value and what is accepted; blank cells
//! stay unknown. All or nothing: one problem and nothing is recorded. Rows whose device is not
//! in Custodian are listed and skipped, never created: an MDM export usually covers more
//! devices than the council's, and a device is registered (and, if personal, approved) first.

use super::values::{self, DATE_ACCEPTED, YES_NO_ACCEPTED};
use crate::device::{
    AttemptLimit, Device, FactField, IdleLock, OsVersion, PinLength, ReportedFacts, ScreenLock,
    WorkProfile,
};
use crate::ids::DeviceId;
use crate::policy::version::london_today;
use jiff::Timestamp;

/// Most rows one export may hold; a council has tens of devices, an IT provider's whole
/// MDM a few thousand.
pub const MAX_ROWS: usize = 20_000;

/// How rows are matched to the council's devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifier {
    /// The maker's serial number, ignoring capitals and spaces at the ends.
    Serial,
    /// The device's name in Custodian, ignoring capitals.
    Name,
}

impl Identifier {
    pub fn as_str(self) -> &'static str {
        match self {
            Identifier::Serial => "serial",
            Identifier::Name => "name",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "serial" => Some(Identifier::Serial),
            "name" => Some(Identifier::Name),
            _ => None,
        }
    }
}

/// Which column means what. Columns are named by their header text as in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdmMapping {
    pub identifier: Identifier,
    pub identifier_column: String,
    pub facts: Vec<(FactField, String)>,
}

/// The file, read: its headers and rows, each row with the number a spreadsheet shows (the
/// header is row 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdmFile {
    pub headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl MdmFile {
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }
}

/// One value that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub problem: String,
}

/// Why nothing was recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MdmError {
    /// The file itself could not be read as CSV.
    #[error("{0}")]
    File(String),
    /// The mapping does not fit the file.
    #[error("{0}")]
    Mapping(String),
    /// Rows with values that could not be read, every one of them.
    #[error("{} row problem(s); nothing was recorded", .0.len())]
    Rows(Vec<RowProblem>),
}

/// Facts read from one row for one of the council's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdmUpdate {
    pub row: usize,
    pub device: DeviceId,
    pub facts: ReportedFacts,
}

/// A row whose device is not in Custodian (or that names none); skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    pub row: usize,
    pub identifier: String,
}

/// What an export would record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MdmImport {
    pub updates: Vec<MdmUpdate>,
    pub unmatched: Vec<Unmatched>,
    /// Rows for a known device with every mapped cell blank: nothing to record.
    pub rows_without_facts: usize,
}

/// The file's text: UTF-8 or UTF-16 with a byte-order mark, UTF-8 without one, or failing
/// that Windows-1252 as older Excel saves it.
pub fn mdm_text(bytes: &[u8]) -> String {
    crate::text::decode_upload(bytes)
}

/// Reads an uploaded file (see [`mdm_text`] for the encodings accepted).
pub fn read_mdm_csv(bytes: &[u8]) -> Result<MdmFile, MdmError> {
    read_mdm_text(&mdm_text(bytes))
}

/// Reads the text of a file into its headers and rows.
pub fn read_mdm_text(text: &str) -> Result<MdmFile, MdmError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(MdmError::File(
            "The file is empty. Export the device list from your device-management system again, with its header row.".to_owned(),
        ));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            MdmError::File(format!(
                "The file could not be read as CSV near line {line}. Export it again as CSV (comma-separated values)."
            ))
        })?;
        // Counted by record, as a spreadsheet numbers rows (a cell with line breaks is still
        // one row); the csv crate's line count is off by one after Windows line ends.
        let index = record.position().map_or(0, |p| p.record());
        let row = usize::try_from(index.saturating_add(1)).unwrap_or(usize::MAX);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if headers.is_none() {
            headers = Some(cells);
        } else if cells.iter().any(|c| !c.is_empty()) {
            if rows.len() == MAX_ROWS {
                return Err(MdmError::File(format!(
                    "The file has more than {MAX_ROWS} rows. Export only the council's devices, or split the file."
                )));
            }
            rows.push((row, cells));
        }
    }
    let headers = headers.unwrap_or_default();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(MdmError::File(
            "The file has no header row. The first row must name the columns.".to_owned(),
        ));
    }
    Ok(MdmFile { headers, rows })
}

/// Letters and digits only, lower case: "Storage Encrypted?" → "storageencrypted".
fn squashed(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The fact a header most likely holds, from words MDM products use.
fn guess_fact(header: &str) -> Option<FactField> {
    let h = squashed(header);
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    Some(if has(&["wipe"]) && has(&["attempt", "fail", "tries"]) {
        FactField::AutoWipe
    } else if has(&["remotewipe", "findmy", "wipeenabled"]) {
        FactField::RemoteWipe
    } else if has(&["encrypt", "bitlocker", "filevault"]) {
        FactField::DiskEncryption
    } else if has(&[
        "passcodelength",
        "pinlength",
        "passwordlength",
        "passcodeminimum",
    ]) {
        FactField::PinLength
    } else if has(&["failedattempt", "lockout", "failedsignin", "failedlogin"]) {
        FactField::Lockout
    } else if has(&[
        "autolock",
        "idle",
        "inactiv",
        "screentimeout",
        "locktimeout",
        "screenlocktime",
    ]) {
        FactField::IdleLock
    } else if has(&[
        "passcodetype",
        "screenlock",
        "locktype",
        "passwordtype",
        "passcode",
    ]) {
        FactField::ScreenLock
    } else if has(&["workprofile"]) {
        FactField::WorkProfile
    } else if has(&[
        "lastupdate",
        "osupdate",
        "patchlevel",
        "securitypatch",
        "lastpatch",
        "updatedon",
    ]) {
        FactField::LastOsUpdate
    } else if has(&["supported"]) {
        FactField::OsSupported
    } else if has(&["antivirus", "antimalware", "defender", "malware"]) {
        FactField::AntiMalware
    } else if has(&["osversion", "operatingsystemversion", "systemversion"]) || h == "version" {
        FactField::OsVersion
    } else {
        return None;
    })
}

/// A mapping pre-filled from the headers: a serial-number column identifies devices if there
/// is one, otherwise a name column; each fact takes the first header that looks like it.
pub fn guess_mapping(headers: &[String]) -> MdmMapping {
    let serial = headers.iter().find(|h| squashed(h).contains("serial"));
    let name = headers.iter().find(|h| {
        matches!(
            squashed(h).as_str(),
            "name" | "devicename" | "computername" | "hostname" | "displayname"
        )
    });
    let (identifier, identifier_column) = match (serial, name) {
        (Some(column), _) => (Identifier::Serial, column.clone()),
        (None, Some(column)) => (Identifier::Name, column.clone()),
        (None, None) => (Identifier::Serial, String::new()),
    };
    let mut facts: Vec<(FactField, String)> = Vec::new();
    for header in headers {
        if *header == identifier_column {
            continue;
        }
        if let Some(field) = guess_fact(header)
            && !facts.iter().any(|(f, _)| *f == field)
        {
            facts.push((field, header.clone()));
        }
    }
    facts.sort_by_key(|(f, _)| *f);
    MdmMapping {
        identifier,
        identifier_column,
        facts,
    }
}

fn column_index(file: &MdmFile, column: &str) -> Result<usize, MdmError> {
    file.headers
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| {
            MdmError::Mapping(format!(
                "The file has no column called \"{column}\". Its columns are: {}.",
                file.headers.join(", ")
            ))
        })
}

/// Reads every row with `mapping`, matching rows to `devices` (the council's devices; retired
/// ones are never matched). `now` refuses update dates in the future.
pub fn read_mdm_rows(
    file: &MdmFile,
    mapping: &MdmMapping,
    devices: &[Device],
    now: Timestamp,
) -> Result<MdmImport, MdmError> {
    if mapping.identifier_column.trim().is_empty() {
        return Err(MdmError::Mapping(
            "Choose the column that identifies each device: its serial number or its name."
                .to_owned(),
        ));
    }
    if mapping.facts.is_empty() {
        return Err(MdmError::Mapping(
            "Choose at least one column that holds a security setting.".to_owned(),
        ));
    }
    let id_index = column_index(file, &mapping.identifier_column)?;
    let mut columns = Vec::with_capacity(mapping.facts.len());
    for (field, column) in &mapping.facts {
        let index = column_index(file, column)?;
        if index == id_index {
            return Err(MdmError::Mapping(format!(
                "\"{column}\" identifies the devices, so it cannot also hold {}.",
                field.label().to_lowercase()
            )));
        }
        columns.push((*field, column.as_str(), index));
    }
    let today = london_today(now);
    let mut import = MdmImport::default();
    let mut problems = Vec::new();
    let mut seen: Vec<(DeviceId, usize)> = Vec::new();
    for (row, cells) in &file.rows {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let key = cell(id_index);
        let matches: Vec<&Device> = devices
            .iter()
            .filter(|d| d.retired.is_none() && identifies(mapping.identifier, d, key))
            .collect();
        let device = match matches.as_slice() {
            [] => {
                import.unmatched.push(Unmatched {
                    row: *row,
                    identifier: key.to_owned(),
                });
                continue;
            }
            [device] => *device,
            several => {
                problems.push(RowProblem {
                    row: *row,
                    column: mapping.identifier_column.clone(),
                    value: key.to_owned(),
                    problem: format!(
                        "{} devices in Custodian have this name. Give them different names, or match by serial number.",
                        several.len()
                    ),
                });
                continue;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(id, _)| *id == device.id) {
            problems.push(RowProblem {
                row: *row,
                column: mapping.identifier_column.clone(),
                value: key.to_owned(),
                problem: format!("Row {first} is the same device. Keep one row per device."),
            });
            continue;
        }
        seen.push((device.id, *row));
        let mut facts = ReportedFacts::default();
        for (field, column, index) in &columns {
            let value = cell(*index);
            if let Err(problem) = read_value(&mut facts, *field, value, today) {
                problems.push(RowProblem {
                    row: *row,
                    column: (*column).to_owned(),
                    value: value.to_owned(),
                    problem,
                });
            }
        }
        if facts.is_empty() {
            import.rows_without_facts += 1;
        } else {
            import.updates.push(MdmUpdate {
                row: *row,
                device: device.id,
                facts,
            });
        }
    }
    if problems.is_empty() {
        Ok(import)
    } else {
        Err(MdmError::Rows(problems))
    }
}

fn identifies(identifier: Identifier, device: &Device, key: &str) -> bool {
    let key = key.trim();
    !key.is_empty()
        && match identifier {
            Identifier::Serial => device
                .serial
                .as_ref()
                .is_some_and(|s| s.as_str().eq_ignore_ascii_case(key)),
            Identifier::Name => device.name.as_str().to_lowercase() == key.to_lowercase(),
        }
}

/// Reads one cell into its fact; blank and "unknown" leave it unreported.
fn read_value(
    facts: &mut ReportedFacts,
    field: FactField,
    value: &str,
    today: jiff::civil::Date,
) -> Result<(), String> {
    let yes_no = |v: &str| {
        values::yes_no(v).map_err(|()| format!("Not a yes or no. Use {YES_NO_ACCEPTED}."))
    };
    match field {
        FactField::OsVersion => {
            if !value.trim().is_empty() {
                let version =
                    OsVersion::parse(value).map_err(|e| format!("{}.", capital(&e.to_string())))?;
                facts.os_version = Some(version);
            }
        }
        FactField::DiskEncryption => facts.disk_encryption = yes_no(value)?,
        FactField::RemoteWipe => facts.remote_wipe = yes_no(value)?,
        FactField::OsSupported => facts.os_supported = yes_no(value)?,
        FactField::AntiMalware => facts.anti_malware = yes_no(value)?,
        FactField::ScreenLock => facts.screen_lock = screen_lock(value)?,
        FactField::PinLength => {
            let digits =
                values::whole_number(value, 1, u32::from(PinLength::MAX)).map_err(|()| {
                    format!(
                        "Not a PIN length. Use a whole number of digits from 1 to {}.",
                        PinLength::MAX
                    )
                })?;
            facts.pin_length = digits
                .and_then(|d| u8::try_from(d).ok())
                .and_then(|d| PinLength::new(d).ok());
        }
        FactField::Lockout => facts.lockout = attempts(value)?,
        FactField::AutoWipe => facts.auto_wipe = attempts(value)?,
        FactField::IdleLock => {
            facts.idle_lock = if values::is_never(value) {
                Some(IdleLock::Never)
            } else {
                values::duration_seconds(value)
                    .map_err(|()| {
                        "Not a time. Use minutes (\"5\"), a time with its unit (\"30 seconds\", \"5 minutes\") or Never.".to_owned()
                    })?
                    .and_then(IdleLock::after_seconds)
            }
        }
        FactField::WorkProfile => facts.work_profile = work_profile(value)?,
        FactField::LastOsUpdate => {
            let date =
                values::date(value).map_err(|()| format!("Not a date. Use {DATE_ACCEPTED}."))?;
            if date.is_some_and(|d| d > today) {
                return Err("The date is in the future.".to_owned());
            }
            facts.last_os_update = date;
        }
    }
    Ok(())
}

fn attempts(value: &str) -> Result<Option<AttemptLimit>, String> {
    // Device-management products write 0 for "no limit".
    if values::is_never(value) || value.trim() == "0" {
        return Ok(Some(AttemptLimit::Never));
    }
    let attempts = values::whole_number(value, 1, 100).map_err(|()| {
        "Not a number of wrong tries. Use a whole number from 1 to 100, or Never (or 0) when there is no limit.".to_owned()
    })?;
    Ok(attempts
        .and_then(|n| u8::try_from(n).ok())
        .and_then(AttemptLimit::after))
}

fn screen_lock(value: &str) -> Result<Option<ScreenLock>, String> {
    let text = value.trim().to_lowercase();
    if let Some(lock) = ScreenLock::parse(&text) {
        return Ok(Some(lock));
    }
    Ok(Some(match text.as_str() {
        "" | "unknown" | "n/a" | "-" => return Ok(None),
        "no" | "off" | "not set" | "disabled" => ScreenLock::None,
        "pin" | "numeric" | "simple" | "passcode" | "numeric pin" | "numeric complex" => {
            ScreenLock::Pin
        }
        "alphanumeric" | "complex" | "alphabetic" | "password" | "yes" | "on" => {
            ScreenLock::Password
        }
        "biometric" | "fingerprint" | "face" | "face id" | "touch id" | "face unlock" => {
            ScreenLock::BiometricWithPin
        }
        _ => {
            return Err(
                "Not a screen lock. Use None, Swipe, Pattern, PIN, Password or Biometric."
                    .to_owned(),
            );
        }
    }))
}

fn work_profile(value: &str) -> Result<Option<WorkProfile>, String> {
    let text = value.trim().to_lowercase();
    if let Some(profile) = WorkProfile::parse(&text) {
        return Ok(Some(profile));
    }
    Ok(Some(match text.as_str() {
        "" | "unknown" | "-" => return Ok(None),
        "yes" | "true" | "1" | "in use" | "enrolled" | "work profile" | "managed" => {
            WorkProfile::InUse
        }
        "no" | "false" | "0" | "not used" | "unused" | "available but unused" | "personal" => {
            WorkProfile::AvailableButUnused
        }
        "not available" | "not supported" | "unsupported" | "n/a" => WorkProfile::NotAvailable,
        _ => {
            return Err(
                "Not a work profile answer. Use In use, Not used or Not available.".to_owned(),
            );
        }
    }))
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "mdm_tests.rs"]
mod tests;
