//! Uploading `osqueryi --json` results for one device (`/devices/{id}/osquery`): the IT
//! provider uploads the file, sees the facts Custodian read from it, and saves them. The
//! review form carries the file's text back, so nothing is kept on the server in between and
//! what is saved is exactly what was shown.

use super::upload::Upload;
use super::{conflict_message, load};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use custodian_core::device::evidence::{OsqueryReport, QUERIES, osquery_text, parse_osquery};
use custodian_core::device::{Device, FactSource, record_facts};
use custodian_core::permission::Action;
use custodian_core::ports::DeviceStore;

/// The queries for this device's operating system: (table, query).
fn queries_for(device: &Device) -> Vec<(&'static str, &'static str)> {
    let family = match device.facts.platform {
        custodian_core::device::Platform::Windows => "Windows",
        custodian_core::device::Platform::MacOs => "macOS",
        custodian_core::device::Platform::Linux => "Linux",
        _ => "",
    };
    QUERIES
        .iter()
        .filter(|(_, on, _)| *on == "all" || *on == family)
        .map(|(table, _, query)| (*table, *query))
        .collect()
}

#[derive(Template)]
#[template(path = "devices/osquery.html")]
struct UploadPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    id: String,
    name: String,
    platform: &'static str,
    queries: Vec<(&'static str, &'static str)>,
    one_line: String,
}

#[derive(Template)]
#[template(path = "devices/osquery_review.html")]
struct ReviewPage {
    chrome: crate::chrome::Chrome,
    id: String,
    name: String,
    file_name: String,
    facts: Vec<(&'static str, String)>,
    tables: String,
    ignored: usize,
    json: String,
}

fn upload_page(
    signed_in: &SignedIn,
    device: &Device,
    errors: Errors,
) -> Result<Response, AppError> {
    let queries = queries_for(device);
    let joined: Vec<&str> = queries.iter().map(|(_, q)| *q).collect();
    Ok(render(&UploadPage {
        chrome: chrome(signed_in, "/devices"),
        errors,
        id: device.id.to_string(),
        name: device.name.to_string(),
        platform: device.facts.platform.label(),
        one_line: format!("osqueryi --json \"{}\" > device.json", joined.join(" ")),
        queries,
    })?
    .into_response())
}

async fn load_for_evidence(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Device, AppError> {
    signed_in.require(Action::RecordDeviceEvidence).await?;
    let device = load(state, signed_in, id).await?;
    if !device.is_in_use() {
        return Err(AppError::NotFound);
    }
    Ok(device)
}

pub async fn form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let device = load_for_evidence(&state, &signed_in, &id).await?;
    upload_page(&signed_in, &device, Errors::new())
}

/// Reads the results and checks they are for this device and report something.
fn read(device: &Device, text: &str, now: jiff::Timestamp) -> Result<OsqueryReport, String> {
    let report = parse_osquery(text, now).map_err(|e| e.to_string())?;
    report
        .check_device(
            device.facts.platform,
            device.serial.as_ref().map(|s| s.as_str()),
        )
        .map_err(|e| e.to_string())?;
    if report.facts.is_empty() {
        return Err("The results hold no security settings Custodian reads (only the computer's details). Run all the queries below and upload their output.".to_owned());
    }
    Ok(report)
}

pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let device = load_for_evidence(&state, &signed_in, &id).await?;
    let upload = Upload::read(multipart).await?;
    let now = state.now();
    let mut errors = Errors::new();
    // The review page sends the text back with "save"; otherwise this is a new upload.
    if upload.text("save") == "1" {
        let text = upload.text("osquery_json");
        let report = match read(&device, &text, now) {
            Ok(report) => report,
            Err(message) => {
                errors.add("osquery_file", message);
                return upload_page(&signed_in, &device, errors);
            }
        };
        let recorded = record_facts(
            &device,
            &report.facts,
            FactSource::Osquery,
            signed_in.actor(),
            now,
        );
        let message = match recorded {
            Ok((updated, event)) => match state.store().update_device(&updated, &event).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/devices/{}?recorded=1", device.id)).into_response()
                    );
                }
                Err(e) => conflict_message(e)?,
            },
            Err(e) => e.to_string(),
        };
        errors.add("osquery_file", message);
        return upload_page(&signed_in, &device, errors);
    }
    let Some(bytes) = upload.bytes("osquery_file") else {
        errors.add("osquery_file", "Choose the file with the osquery results.");
        return upload_page(&signed_in, &device, errors);
    };
    let file_name = upload.file_name("osquery_file").to_owned();
    let text = osquery_text(bytes);
    let report = match read(&device, &text, now) {
        Ok(report) => report,
        Err(message) => {
            let message = if file_name.is_empty() {
                message
            } else {
                format!("{file_name}: {message}")
            };
            errors.add("osquery_file", message);
            return upload_page(&signed_in, &device, errors);
        }
    };
    Ok(render(&ReviewPage {
        chrome: chrome(&signed_in, "/devices"),
        id: device.id.to_string(),
        name: device.name.to_string(),
        file_name,
        facts: report
            .facts
            .describe()
            .into_iter()
            .map(|(field, words)| (field.label(), words))
            .collect(),
        tables: report.tables.join(", "),
        ignored: report.ignored,
        json: text,
    })?
    .into_response())
}
