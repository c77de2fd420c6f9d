//! Importing a device-management (MDM) export (`/devices/mdm`): upload a CSV, check the column
//! mapping (pre-filled from the headers), see the row-by-row report, and record the facts for
//! every matched device in one transaction. All or nothing: any row problem and nothing is
//! recorded. Rows for devices not in Custodian are listed and skipped, never created. Each step
//! posts the file's text back, so nothing is kept on the server in between.

use super::conflict_message;
use super::upload::Upload;
use super::views::Choice;
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::device::evidence::{
    Identifier, MdmError, MdmFile, MdmImport, MdmMapping, RowProblem, guess_mapping, mdm_text,
    read_mdm_rows, read_mdm_text,
};
use custodian_core::device::{Device, FactField, FactSource, record_facts};
use custodian_core::permission::Action;
use custodian_core::ports::DeviceStore;

#[derive(Template)]
#[template(path = "devices/mdm.html")]
struct UploadPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
}

/// One fact's column choice on the mapping form.
pub struct FactSelect {
    pub id: String,
    pub label: &'static str,
    pub options: Vec<Choice>,
}

/// A row that will be recorded, for the preview.
pub struct Preview {
    pub row: usize,
    pub device: String,
    pub facts: String,
}

#[derive(Template)]
#[template(path = "devices/mdm_review.html")]
struct ReviewPage {
    chrome: crate::chrome::Chrome,
    file_name: String,
    csv_text: String,
    rows: usize,
    identifiers: Vec<Choice>,
    identifier_columns: Vec<Choice>,
    selects: Vec<FactSelect>,
    problem: Option<String>,
    problems: Vec<RowProblem>,
    previews: Vec<Preview>,
    unmatched: Vec<(usize, String)>,
    without_facts: usize,
}

pub async fn form(signed_in: SignedIn) -> Result<Response, AppError> {
    signed_in.require(Action::RecordDeviceEvidence).await?;
    upload_page(&signed_in, Errors::new())
}

fn upload_page(signed_in: &SignedIn, errors: Errors) -> Result<Response, AppError> {
    Ok(render(&UploadPage {
        chrome: chrome(signed_in, "/devices"),
        errors,
    })?
    .into_response())
}

/// The mapping as the form sent it.
fn mapping_from(upload: &Upload) -> MdmMapping {
    MdmMapping {
        identifier: Identifier::parse(&upload.text("identifier")).unwrap_or(Identifier::Serial),
        identifier_column: upload.text("identifier_column"),
        facts: FactField::ALL
            .into_iter()
            .filter_map(|field| {
                let column = upload.text(&format!("fact_{}", field.as_str()));
                (!column.is_empty()).then_some((field, column))
            })
            .collect(),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    signed_in.require(Action::RecordDeviceEvidence).await?;
    let upload = Upload::read(multipart).await?;
    let step = upload.text("step");
    let (text, file_name) = if step.is_empty() {
        let Some(bytes) = upload.bytes("mdm_file") else {
            let mut errors = Errors::new();
            errors.add(
                "mdm_file",
                "Choose the CSV file exported from your device-management system.",
            );
            return upload_page(&signed_in, errors);
        };
        (mdm_text(bytes), upload.file_name("mdm_file").to_owned())
    } else {
        (upload.text("csv_text"), upload.text("file_name"))
    };
    let file = match read_mdm_text(&text) {
        Ok(file) => file,
        Err(e) => {
            let mut errors = Errors::new();
            let message = if file_name.is_empty() {
                e.to_string()
            } else {
                format!("{file_name}: {e}")
            };
            errors.add("mdm_file", message);
            return upload_page(&signed_in, errors);
        }
    };
    let mapping = if step.is_empty() {
        guess_mapping(&file.headers)
    } else {
        mapping_from(&upload)
    };
    let council = signed_in.council_id();
    let devices = state.store().devices(council).await?;
    let now = state.now();
    let result = read_mdm_rows(&file, &mapping, &devices, now);
    if step == "save"
        && let Ok(import) = &result
    {
        let mut changes = Vec::with_capacity(import.updates.len());
        for update in &import.updates {
            let Some(device) = devices.iter().find(|d| d.id == update.device) else {
                continue;
            };
            match record_facts(
                device,
                &update.facts,
                FactSource::MdmCsv,
                signed_in.actor(),
                now,
            ) {
                Ok(change) => changes.push(change),
                Err(e) => {
                    let problem = format!("Row {}: {e}", update.row);
                    return review(
                        &signed_in,
                        &file,
                        &file_name,
                        text,
                        &mapping,
                        Err(MdmError::Mapping(problem)),
                        &devices,
                    );
                }
            }
        }
        if !changes.is_empty() {
            match state.store().update_devices(council, &changes).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/devices?recorded={}", changes.len()))
                            .into_response(),
                    );
                }
                Err(e) => {
                    let problem = conflict_message(e)?;
                    return review(
                        &signed_in,
                        &file,
                        &file_name,
                        text,
                        &mapping,
                        Err(MdmError::Mapping(problem)),
                        &devices,
                    );
                }
            }
        }
    }
    review(
        &signed_in, &file, &file_name, text, &mapping, result, &devices,
    )
}

fn review(
    signed_in: &SignedIn,
    file: &MdmFile,
    file_name: &str,
    csv_text: String,
    mapping: &MdmMapping,
    result: Result<MdmImport, MdmError>,
    devices: &[Device],
) -> Result<Response, AppError> {
    let column_choices = |selected: &str| -> Vec<Choice> {
        file.headers
            .iter()
            .filter(|h| !h.is_empty())
            .map(|h| Choice::new(h.as_str(), h.as_str(), selected))
            .collect()
    };
    let selects = FactField::ALL
        .into_iter()
        .map(|field| {
            let selected = mapping
                .facts
                .iter()
                .find(|(f, _)| *f == field)
                .map_or("", |(_, c)| c.as_str());
            FactSelect {
                id: format!("fact_{}", field.as_str()),
                label: field.label(),
                options: column_choices(selected),
            }
        })
        .collect();
    let (mut problem, mut problems, mut previews, mut unmatched, mut without_facts) =
        (None, Vec::new(), Vec::new(), Vec::new(), 0);
    match result {
        Ok(import) => {
            previews = import
                .updates
                .iter()
                .map(|u| Preview {
                    row: u.row,
                    device: devices
                        .iter()
                        .find(|d| d.id == u.device)
                        .map(|d| d.name.to_string())
                        .unwrap_or_default(),
                    facts: u
                        .facts
                        .describe()
                        .into_iter()
                        .map(|(f, words)| format!("{}: {words}", f.label()))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
                .collect();
            unmatched = import
                .unmatched
                .into_iter()
                .map(|u| (u.row, u.identifier))
                .collect();
            without_facts = import.rows_without_facts;
        }
        Err(MdmError::Rows(found)) => problems = found,
        Err(other) => problem = Some(other.to_string()),
    }
    Ok(render(&ReviewPage {
        chrome: chrome(signed_in, "/devices"),
        file_name: file_name.to_owned(),
        csv_text,
        rows: file.row_count(),
        identifiers: [
            (Identifier::Serial, "Its serial number"),
            (Identifier::Name, "Its name in Custodian"),
        ]
        .into_iter()
        .map(|(i, label)| Choice::new(i.as_str(), label, mapping.identifier.as_str()))
        .collect(),
        identifier_columns: column_choices(&mapping.identifier_column),
        selects,
        problem,
        problems,
        previews,
        unmatched,
        without_facts,
    })?
    .into_response())
}
