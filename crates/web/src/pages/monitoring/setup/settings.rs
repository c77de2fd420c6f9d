//! `GET/POST /monitoring/settings`: the folder of category lists (checked by reading it: the
//! categories found and the lines that could not be used), the flagged and allowed categories,
//! and who may see the records (5.1.7). A choice the impact assessment did not cover is shown as
//! out of step. Saving is audited with what changed; a form with any problem changes nothing.

use super::{Choice, assessment_of, fresh_settings, ticked_viewers, viewer_choices};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::pages::monitoring::settings_of;
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::audit::AuditEvent;
use custodian_core::permission::Action;
use custodian_core::person::RoleSet;
use custodian_core::ports::{MonitorSettings, MonitorStore};
use custodian_monitor::category::{CategoryLists, LoadReport};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// How many unusable lines of the list the page shows.
const SHOWN_MALFORMED: usize = 20;

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    categories_path: String,
    #[serde(default)]
    flagged: Vec<String>,
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    viewer_roles: Vec<String>,
}

/// What loading the folder found, for the page.
struct ListView {
    categories: usize,
    domains: u64,
    urls: u64,
    skipped: Vec<String>,
    malformed_total: u64,
    malformed: Vec<String>,
}

#[derive(Template)]
#[template(path = "monitoring/settings.html")]
struct SettingsPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    categories_path: String,
    /// The folder loaded, when one is named and it could be read.
    list: Option<ListView>,
    /// Why the named folder could not be read (shown when the form itself has no error).
    list_problem: String,
    flagged: Vec<Choice>,
    allowed: Vec<Choice>,
    /// Categories chosen that the list does not have (it may have changed since).
    missing: Vec<String>,
    viewers: Vec<Choice>,
    /// How the choices have moved away from the impact assessment.
    out_of_step: Vec<String>,
    saved: bool,
}

/// The folder's category names and report, read on a blocking thread. Checked, not loaded for
/// matching: a full list has millions of names, which the page does not need.
async fn load(path: String) -> Result<Result<(Vec<String>, LoadReport), String>, AppError> {
    tokio::task::spawn_blocking(move || {
        CategoryLists::check(std::path::Path::new(&path)).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("loading the category list failed: {e}")))
}

fn list_view(report: &LoadReport) -> ListView {
    ListView {
        categories: report.categories.len(),
        domains: report.categories.iter().map(|c| c.domains).sum(),
        urls: report.categories.iter().map(|c| c.urls).sum(),
        skipped: report
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect(),
        malformed_total: report.malformed_total,
        malformed: report
            .malformed
            .iter()
            .take(SHOWN_MALFORMED)
            .map(ToString::to_string)
            .collect(),
    }
}

/// Checkboxes for every category found, `chosen` ticked.
fn category_choices(names: &[String], chosen: &[String]) -> Vec<Choice> {
    names
        .iter()
        .map(|name| Choice {
            value: name.clone(),
            label: name.clone(),
            checked: chosen.iter().any(|c| c == name),
        })
        .collect()
}

struct Shown<'a> {
    path: String,
    flagged: &'a [String],
    allowed: &'a [String],
    viewers: RoleSet,
}

async fn page(
    state: &AppState,
    signed_in: &SignedIn,
    errors: Errors,
    shown: Shown<'_>,
    saved: bool,
) -> Result<Response, AppError> {
    let (list, list_problem, names) = if shown.path.trim().is_empty() {
        (None, String::new(), Vec::new())
    } else {
        match load(shown.path.trim().to_owned()).await? {
            Ok((names, report)) => (Some(list_view(&report)), String::new(), names),
            Err(problem) => (None, problem, Vec::new()),
        }
    };
    let missing = shown
        .flagged
        .iter()
        .chain(shown.allowed)
        .filter(|name| !names.contains(name))
        .cloned()
        .collect();
    let settings = settings_of(state, signed_in).await?;
    let out_of_step = match (assessment_of(settings.as_ref()), &settings) {
        (Some(assessment), Some(_)) => {
            let profile = crate::pages::policy::profile_in_force(state, signed_in.council_id())
                .await?
                .0;
            assessment
                .out_of_step(&profile, shown.viewers)
                .iter()
                .map(ToString::to_string)
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(render(&SettingsPage {
        chrome: chrome(signed_in, "/monitoring"),
        errors,
        categories_path: shown.path,
        list,
        list_problem,
        flagged: category_choices(&names, shown.flagged),
        allowed: category_choices(&names, shown.allowed),
        missing,
        viewers: viewer_choices(shown.viewers),
        out_of_step,
        saved,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    saved: String,
}

/// `GET /monitoring/settings`.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let settings = settings_of(&state, &signed_in)
        .await?
        .unwrap_or_else(|| fresh_settings(&signed_in, state.now()));
    let shown = Shown {
        path: settings.categories_path.clone().unwrap_or_default(),
        flagged: &settings.flagged_categories,
        allowed: &settings.allowed_categories,
        viewers: settings.viewer_roles,
    };
    page(&state, &signed_in, Errors::new(), shown, query.saved == "1").await
}

/// Names chosen that the list does not have, as one message for `field`.
fn unknown_names(chosen: &[String], names: &[String], what: &str) -> Option<String> {
    let unknown: Vec<&str> = chosen
        .iter()
        .filter(|c| !names.contains(c))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return None;
    }
    Some(if names.is_empty() {
        format!(
            "{what} need a category list: name the folder first, then choose from the categories it has."
        )
    } else {
        format!(
            "The category list has no categor{} called {}. Choose {what} from the categories listed.",
            if unknown.len() == 1 { "y" } else { "ies" },
            unknown.join(", ")
        )
    })
}

/// `POST /monitoring/settings`.
pub async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageMonitoring).await?;
    let now = state.now();
    let before = settings_of(&state, &signed_in).await?;
    let mut errors = Errors::new();
    let path = form.categories_path.trim().to_owned();
    let names = if path.is_empty() {
        Vec::new()
    } else {
        match load(path.clone()).await? {
            Ok((names, _)) => names,
            Err(problem) => {
                errors.add("categories_path", problem);
                Vec::new()
            }
        }
    };
    // With an unreadable folder the choices cannot be checked; its message says what to do.
    if errors.is_empty() {
        if let Some(message) = unknown_names(&form.flagged, &names, "flagged categories") {
            errors.add("flagged", message);
        }
        if let Some(message) = unknown_names(&form.allowed, &names, "allowed categories") {
            errors.add("allowed", message);
        }
    }
    let viewers = match ticked_viewers(&form.viewer_roles) {
        Ok(set) if set.is_empty() => {
            errors.add(
                "viewer_roles",
                "Choose who may see the records. The policy shares them only with those who need them (5.1.7): usually the Clerk alone, or the Clerk and the Chair.",
            );
            set
        }
        Ok(set) => set,
        Err(message) => {
            errors.add("viewer_roles", message);
            RoleSet::empty()
        }
    };
    if !errors.is_empty() {
        let shown = Shown {
            path: form.categories_path.clone(),
            flagged: &form.flagged,
            allowed: &form.allowed,
            viewers,
        };
        return page(&state, &signed_in, errors, shown, false).await;
    }
    let old = before
        .clone()
        .unwrap_or_else(|| fresh_settings(&signed_in, now));
    let mut new = old.clone();
    new.categories_path = (!path.is_empty()).then_some(path);
    new.flagged_categories = tidy(&form.flagged);
    new.allowed_categories = tidy(&form.allowed);
    new.viewer_roles = viewers;
    new.updated_at = now;
    let changes = changes(&old, &new);
    if changes.is_empty() && before.is_some() {
        return Ok(Redirect::to("/monitoring/settings?saved=1").into_response());
    }
    let event = AuditEvent::new(
        signed_in.council_id(),
        now,
        signed_in.actor(),
        "monitor.settings.changed",
    )
    .subject("monitor:settings")
    .details(json!({ "changed": Value::Object(changes) }));
    state.store().save_monitor_settings(&new, &event).await?;
    Ok(Redirect::to("/monitoring/settings?saved=1").into_response())
}

/// Names as chosen, sorted and once each.
fn tidy(names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| n.trim().to_owned()).collect();
    names.sort();
    names.dedup();
    names.retain(|n| !n.is_empty());
    names
}

/// What changed, field by field, before and after (folder path, category names, roles: none of
/// them secret or personal).
fn changes(old: &MonitorSettings, new: &MonitorSettings) -> Map<String, Value> {
    let mut changed = Map::new();
    if old.categories_path != new.categories_path {
        changed.insert(
            "categories_path".to_owned(),
            json!({ "before": old.categories_path, "after": new.categories_path }),
        );
    }
    if old.flagged_categories != new.flagged_categories {
        changed.insert(
            "flagged_categories".to_owned(),
            json!({ "before": old.flagged_categories, "after": new.flagged_categories }),
        );
    }
    if old.allowed_categories != new.allowed_categories {
        changed.insert(
            "allowed_categories".to_owned(),
            json!({ "before": old.allowed_categories, "after": new.allowed_categories }),
        );
    }
    if old.viewer_roles != new.viewer_roles {
        changed.insert(
            "viewer_roles".to_owned(),
            json!({
                "before": old.viewer_roles.to_storage(),
                "after": new.viewer_roles.to_storage(),
            }),
        );
    }
    changed
}
