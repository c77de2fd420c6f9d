//! Upload keys and the HTTP upload (issue 7, item 1): the Clerk makes a named key for the IT
//! provider on `/monitoring/keys` (shown once, stored as its SHA-256, revoked with a button),
//! and the provider's script sends each log to `POST /api/monitor/batches` with it.
//!
//! The upload streams: the body is read chunk by chunk and handed to a blocking thread that
//! feeds the `Summarizer` and the SHA-256 as the bytes arrive, so a large log is never held
//! whole, and then stored by the same pipeline as `custodian monitor ingest`
//! (`core::monitor::pipeline`). Nothing is stored on any error. The key never reaches a log or
//! an audit entry: the request log records paths only, and the audit names the key's id.

use crate::auth::{new_token, token_hash};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{MonitorBatchId, MonitorUploadKeyId};
use custodian_core::monitor::pipeline::{BatchOrigin, Categories, store_summary};
use custodian_core::permission::Action;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{
    IngestOutcome, MonitorKeyStore, MonitorStore, MonitorUploadKey, StoreError, key_name,
};
use custodian_monitor::{
    CsvMapping, Format, FormatError, Summarizer, SummaryError, SummaryOptions,
    category::CategoryLists,
};
use futures_util::StreamExt;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The largest log one upload may carry (512 MiB): a busy office's daily Squid log is a few
/// hundred megabytes at most. Larger logs can be split, or sent with `custodian monitor ingest`.
pub const MAX_UPLOAD_BYTES: u64 = 512 * 1024 * 1024;

/// How many chunks may wait between the request and the summarising thread.
const QUEUED_CHUNKS: usize = 8;

/// How many unreadable lines the answer lists (all are counted).
const LISTED_MALFORMED: usize = 20;

pub fn key_routes() -> Router<AppState> {
    Router::new()
        .route("/monitoring/keys", get(keys_page).post(create_key))
        .route("/monitoring/keys/{id}/revoke", post(revoke_key))
}

pub fn api_routes() -> Router<AppState> {
    // The body is streamed and counted by the handler against MAX_UPLOAD_BYTES; axum's
    // default limit (for buffered bodies) is lifted for this route only.
    Router::new().route(
        "/api/monitor/batches",
        post(upload).layer(axum::extract::DefaultBodyLimit::disable()),
    )
}

// ---- Keys --------------------------------------------------------------------------------

struct KeyRow {
    id: String,
    name: String,
    created: String,
    last_used: String,
    revoked: String,
}

#[derive(Template)]
#[template(path = "monitoring/keys.html")]
struct KeysPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    name: String,
    keys: Vec<KeyRow>,
    /// A key just made: shown this once.
    new_key: Option<NewKey>,
    revoked: bool,
    upload_url: String,
}

struct NewKey {
    name: String,
    secret: String,
}

#[derive(Deserialize, Default)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
pub struct KeysQuery {
    #[serde(default)]
    revoked: String,
}

async fn render_keys(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    name: String,
    new_key: Option<NewKey>,
    revoked: bool,
) -> Result<Response, AppError> {
    let keys = state
        .store()
        .monitor_keys(signed_in.council_id())
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            name: k.name,
            created: local_time(k.created_at),
            last_used: k.last_used_at.map(local_time).unwrap_or_default(),
            revoked: k.revoked_at.map(local_time).unwrap_or_default(),
        })
        .collect();
    Ok(render(&KeysPage {
        chrome: chrome(signed_in, "/monitoring"),
        errors,
        name,
        keys,
        new_key,
        revoked,
        upload_url: format!(
            "{}/api/monitor/batches",
            state.inner().options.public_url.trim_end_matches('/')
        ),
    })?
    .into_response())
}

/// `GET /monitoring/keys`.
pub async fn keys_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<KeysQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    render_keys(
        &state,
        &signed_in,
        Errors::new(),
        String::new(),
        None,
        query.revoked == "1",
    )
    .await
}

/// `POST /monitoring/keys`: makes a key and shows it once.
pub async fn create_key(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<KeyForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let name = match key_name(&form.name) {
        Ok(name) => name,
        Err(message) => {
            let mut errors = Errors::new();
            errors.add("name", message);
            return render_keys(&state, &signed_in, errors, form.name, None, false).await;
        }
    };
    let now = state.now();
    let secret = new_token();
    let key = MonitorUploadKey {
        id: MonitorUploadKeyId::generate(),
        council_id: signed_in.council_id(),
        name: name.clone(),
        key_hash: token_hash(secret.expose_secret()),
        created_at: now,
        created_by: signed_in.person_id(),
        last_used_at: None,
        revoked_at: None,
    };
    let event = AuditEvent::new(
        key.council_id,
        now,
        signed_in.actor(),
        "monitor.key.created",
    )
    .subject(format!("monitor_key:{}", key.id))
    .details(json!({ "key": key.id.to_string(), "name": key.name }));
    state.store().insert_monitor_key(&key, &event).await?;
    let shown = NewKey {
        name,
        secret: secret.expose_secret().to_owned(),
    };
    render_keys(
        &state,
        &signed_in,
        Errors::new(),
        String::new(),
        Some(shown),
        false,
    )
    .await
}

/// `POST /monitoring/keys/{id}/revoke`: the key stops working at once.
pub async fn revoke_key(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let id = MonitorUploadKeyId::parse(&id).map_err(|_| AppError::NotFound)?;
    let now = state.now();
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "monitor.key.revoked",
    )
    .subject(format!("monitor_key:{id}"))
    .details(json!({ "key": id.to_string() }));
    match state
        .store()
        .revoke_monitor_key(signed_in.council_id(), id, now, &event)
        .await
    {
        // Revoked twice (two tabs): it is revoked either way.
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/monitoring/keys?revoked=1").into_response())
}

// ---- The upload ---------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct UploadQuery {
    #[serde(default)]
    format: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    csv_columns: String,
}

/// A JSON answer with `status`.
fn answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn refused(status: StatusCode, message: impl Into<String>) -> Response {
    answer(status, json!({ "error": message.into(), "stored": false }))
}

/// The one answer for a missing, unknown or revoked key: the caller learns nothing of which.
fn unauthorised() -> Response {
    let mut response = refused(
        StatusCode::UNAUTHORIZED,
        "This upload needs a live upload key, sent as \"Authorization: Bearer <key>\". Ask the council's Clerk for one (Internet use › Upload keys). Nothing was stored.",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The key sent, if it has the shape of one (64 hex characters).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && key.len() == 64
        && key.bytes().all(|b| b.is_ascii_hexdigit()))
    .then_some(key)
}

/// The format asked for, with its CSV column mapping.
fn format_of(query: &UploadQuery) -> Result<Format, String> {
    let columns = query.csv_columns.trim();
    if query.format.trim().is_empty() {
        return Err(
            "Say which format the log is in: add ?format=squid (or combined, dnsmasq, unbound, csv) to the address. Nothing was stored."
                .to_owned(),
        );
    }
    match (query.format.parse::<Format>(), columns.is_empty()) {
        (Err(FormatError::CsvNeedsMapping), false) => columns
            .parse::<CsvMapping>()
            .map(Format::csv)
            .map_err(|e| format!("csv_columns: {e} Nothing was stored.")),
        (Err(FormatError::CsvNeedsMapping), true) => Err(
            "A CSV export needs its column mapping as well: add &csv_columns=time=Timestamp,client=Client%20IP,site=Domain (naming the file's own columns). Nothing was stored."
                .to_owned(),
        ),
        (Ok(format), false) => Err(format!(
            "csv_columns is only for format=csv; a {} log's columns are known. Nothing was stored.",
            format.kind()
        )),
        (Ok(format), true) => Ok(format),
        (Err(e), _) => Err(format!("{e} Nothing was stored.")),
    }
}

/// The date lines without a year (dnsmasq, Pi-hole) are dated against: 31 December of `year`,
/// or the council's today.
fn year_reference(query: &UploadQuery, now: jiff::Timestamp) -> Result<jiff::civil::Date, String> {
    match query.year.trim() {
        "" => Ok(london_today(now)),
        text => text
            .parse::<i16>()
            .ok()
            .filter(|year| (2000..=9999).contains(year))
            .and_then(|year| jiff::civil::Date::new(year, 12, 31).ok())
            .ok_or_else(|| {
                format!(
                    "year={} is not a year Custodian can use: give the year the log starts in, like 2026. Nothing was stored.",
                    text.chars().take(10).collect::<String>()
                )
            }),
    }
}

/// The name the batch is listed under: as given (tidied), or "upload".
fn source_name(query: &UploadQuery) -> String {
    let name: String = query
        .name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    match name.trim() {
        "" => "upload".to_owned(),
        name => name.to_owned(),
    }
}

/// A wrong format, in the words of this endpoint's parameters rather than the CLI's.
fn summary_problem(error: &SummaryError) -> String {
    match error {
        SummaryError::WrongFormat {
            chosen,
            likely,
            examined,
            unreadable,
        } => {
            let advice = match likely {
                custodian_monitor::FormatKind::Csv => {
                    "send it with format=csv and csv_columns naming its columns".to_owned()
                }
                other => format!("send it with format={}", other.name()),
            };
            format!(
                "The first {examined} lines look like {}, not {} ({unreadable} of {examined} could not be read as {}): {advice}. Nothing was stored.",
                likely.description(),
                chosen.description(),
                chosen.name()
            )
        }
        other => format!("{other} Nothing was stored."),
    }
}

/// What the summarising thread hands back.
struct Read {
    summary: custodian_monitor::Summary,
    sha256: [u8; 32],
    received: u64,
}

/// `POST /api/monitor/batches?format=F[&name=N][&year=Y][&csv_columns=M]`, the log as the body.
pub async fn upload(
    State(state): State<AppState>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match receive(&state, &query, &headers, body).await {
        Ok(response) | Err(response) => response,
    }
}

async fn receive(
    state: &AppState,
    query: &UploadQuery,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let store = state.store();
    let key = bearer(headers).ok_or_else(unauthorised)?;
    let key = store
        .live_monitor_key(&token_hash(key))
        .await
        .map_err(failed)?
        .ok_or_else(unauthorised)?;
    let now = state.now();
    store
        .touch_monitor_key(key.council_id, key.id, now)
        .await
        .map_err(failed)?;
    let settings = store
        .monitor_settings(key.council_id)
        .await
        .map_err(failed)?
        .filter(|s| s.enabled)
        .ok_or_else(|| {
            refused(
                StatusCode::CONFLICT,
                "Monitoring is switched off for this council, so logs are not accepted. The Clerk can switch it on under Internet use once the impact assessment is recorded. Nothing was stored.",
            )
        })?;
    let format = format_of(query).map_err(|m| refused(StatusCode::BAD_REQUEST, m))?;
    let year_reference =
        year_reference(query, now).map_err(|m| refused(StatusCode::BAD_REQUEST, m))?;
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The log is larger than {} MB, the most one upload takes. Send it in parts (split it at a line end), or give it to `custodian monitor ingest` on the server. Nothing was stored.",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let loading = settings.clone();
    let categories = tokio::task::spawn_blocking(move || Categories::load(&loading))
        .await
        .map_err(|e| failed(anyhow::anyhow!("loading the category lists failed: {e}")))?
        .map_err(|m| refused(StatusCode::CONFLICT, m))?;
    let format_name = format.kind().name();
    // An earlier batch's pages are copied into the database file while this one arrives.
    store.start_checkpoint().await;
    let read = read_body(body, format, year_reference, categories.lists()).await?;
    if read.received == 0 {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "The upload was empty: send the log file as the request's body (curl --data-binary @access.log). Nothing was stored.",
        ));
    }
    let (profile, _) = custodian_core::policy::profile::profile_in_force(store, key.council_id)
        .await
        .map_err(failed)?;
    let totals = read.summary.totals;
    let malformed: Vec<Value> = read
        .summary
        .malformed
        .iter()
        .take(LISTED_MALFORMED)
        .map(|line| json!({ "line": line.line, "reason": line.reason.to_string() }))
        .collect();
    let name = source_name(query);
    let origin = BatchOrigin {
        id: MonitorBatchId::generate(),
        council: key.council_id,
        sha256: read.sha256,
        format: format_name,
        source_name: &name,
        actor: Actor::System,
        upload_key: Some(key.id),
        now,
    };
    let kept = store_summary(
        store,
        &categories,
        profile.internet_log_retention_months,
        read.summary,
        origin,
    )
    .await
    .map_err(failed)?;
    let mut figures = json!({
        "lines": totals.lines,
        "hits": totals.hits,
        "bytes": totals.bytes,
        "malformed": totals.malformed,
        "groups": totals.groups,
    });
    let Some(fields) = figures.as_object_mut() else {
        return Err(failed(anyhow::anyhow!("the figures are not a JSON object")));
    };
    match kept.outcome {
        IngestOutcome::Stored(report) => {
            fields.insert("batch".to_owned(), report.batch.to_string().into());
            fields.insert("stored".to_owned(), true.into());
            fields.insert("too_old".to_owned(), kept.too_old_groups.into());
            fields.insert("malformed_lines".to_owned(), malformed.into());
            Ok(answer(StatusCode::CREATED, figures))
        }
        IngestOutcome::AlreadyIngested { batch, ingested_at } => {
            fields.insert("batch".to_owned(), batch.to_string().into());
            fields.insert("stored".to_owned(), false.into());
            fields.insert(
                "message".to_owned(),
                format!(
                    "This log was already received on {} (batch {batch}): the same content is not counted twice, so nothing was stored.",
                    local_time(ingested_at)
                )
                .into(),
            );
            Ok(answer(StatusCode::OK, figures))
        }
    }
}

/// Reads the body as it arrives, hashing it here and summarising it on a blocking thread (the
/// two run side by side; a chunk's hash takes tens of microseconds). A wrong
/// format stops the summarising early; the rest of the body is then read and dropped, so the
/// sender gets the answer rather than a broken connection.
async fn read_body(
    body: Body,
    format: Format,
    year_reference: jiff::civil::Date,
    category_lists: Arc<CategoryLists>,
) -> Result<Read, Response> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Bytes>(QUEUED_CHUNKS);
    let worker = tokio::task::spawn_blocking(move || {
        let mut options = SummaryOptions::new(year_reference);
        options.keep_raw_lines = true;
        let mut summarizer = Summarizer::new(format, options);
        summarizer.match_url_paths(category_lists);
        while let Some(chunk) = receiver.blocking_recv() {
            summarizer.feed(&chunk)?;
        }
        summarizer.finish()
    });
    let mut hasher = Sha256::new();
    let mut stream = body.into_data_stream();
    let mut received: u64 = 0;
    let mut summarising = true;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            refused(
                StatusCode::BAD_REQUEST,
                "The upload was cut short before the whole log arrived. Send it again. Nothing was stored.",
            )
        })?;
        received += chunk.len() as u64;
        hasher.update(&chunk);
        if received > MAX_UPLOAD_BYTES {
            return Err(refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The log is larger than {} MB, the most one upload takes. Send it in parts, or give it to `custodian monitor ingest` on the server. Nothing was stored.",
                    MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            ));
        }
        // The thread stops taking chunks once it has found the file in the wrong format.
        if summarising && sender.send(chunk).await.is_err() {
            summarising = false;
        }
    }
    drop(sender);
    match worker.await {
        Ok(Ok(summary)) => Ok(Read {
            summary,
            sha256: hasher.finalize().into(),
            received,
        }),
        Ok(Err(problem)) => Err(refused(StatusCode::BAD_REQUEST, summary_problem(&problem))),
        Err(e) => Err(failed(anyhow::anyhow!(
            "summarising the upload failed: {e}"
        ))),
    }
}

/// A failure of Custodian's own (the database, a thread): logged under the request id, answered
/// without detail.
fn failed(error: impl Into<anyhow::Error>) -> Response {
    let error: anyhow::Error = error.into();
    let request_id = crate::error::current_request_id();
    tracing::error!(request_id = ?request_id, error = format!("{error:#}"), "upload failed");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "Custodian could not store the log because of a problem of its own. Nothing was stored. Try again later; if it keeps happening, tell the Clerk the reference {}.",
            request_id.unwrap_or_default()
        ),
    )
}
