//! Keeping one summarised log (issue 7, items 1, 3 and 4): the one path the CLI's
//! `monitor ingest` and the IT provider's HTTP upload share, so both store the same records,
//! categories and audit entry for the same file.
//!
//! Days older than the council's retention period (5.1.8, 5.1.11) are dropped before storing:
//! the next purge would only remove them again. Reading the log is the caller's (it streams a
//! file or a request body through `custodian_monitor::Summarizer`); storing is the
//! [`MonitorStore`]'s. The one thing here that touches the disk is [`Categories::load`], which
//! reads the council's category folder through `custodian_monitor` (callers on an async runtime
//! run it on a blocking thread).

use super::oldest_kept_day;
use crate::audit::Actor;
use crate::ids::{CouncilId, MonitorBatchId, MonitorUploadKeyId};
use crate::policy::version::london_today;
use crate::ports::{
    IngestOutcome, MonitorSettings, MonitorStore, NewBatch, SiteCategories, StoreResult,
    batch_ingested_event,
};
use custodian_monitor::category::{CategoryLists, Flagging};
use custodian_monitor::{LocalDay, SubjectKey, Summary};
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;

/// The council's category lists and its choice of flagged and allowed categories.
#[derive(Debug, Default)]
pub struct Categories {
    /// Shared with the summariser, which looks up request paths in its `urls` entries.
    lists: Arc<CategoryLists>,
    flagging: Flagging,
}

impl Categories {
    /// No list: no site has a category (a council that has not named a folder).
    pub fn none() -> Categories {
        Categories::default()
    }

    /// Applies the council's flagged and allowed choices to loaded lists. A category the list
    /// no longer has cannot flag anything; the settings page names it.
    pub fn from_lists(lists: CategoryLists, settings: &MonitorSettings) -> Categories {
        let (flagging, _unknown) = Flagging::ignoring_unknown(
            &lists,
            &settings.flagged_categories,
            &settings.allowed_categories,
        );
        Categories {
            lists: Arc::new(lists),
            flagging,
        }
    }

    /// Reads the folder the settings name (none: [`Categories::none`]). The message says what
    /// was wrong with the folder and what to do; nothing should be stored when it fails.
    pub fn load(settings: &MonitorSettings) -> Result<Categories, String> {
        let Some(path) = settings.categories_path.as_deref() else {
            return Ok(Categories::none());
        };
        let (lists, _report) = CategoryLists::load(std::path::Path::new(path)).map_err(|e| {
            format!(
                "The council's category lists could not be read: {e} Fix the folder named in \
                 the monitoring settings, or clear it there. Nothing was stored."
            )
        })?;
        Ok(Categories::from_lists(lists, settings))
    }

    /// The lists, for [`custodian_monitor::Summarizer::match_url_paths`]: a log read with them
    /// also gets the categories of `urls` entries with a path (`example.com/games`).
    pub fn lists(&self) -> Arc<CategoryLists> {
        Arc::clone(&self.lists)
    }

    /// The categories of each site that has any, looked up once per site.
    pub fn of_sites(&self, summary: &Summary) -> HashMap<String, SiteCategories> {
        let mut found = HashMap::new();
        for group in &summary.groups {
            if found.contains_key(&group.site) {
                continue;
            }
            let set = self.lists.categories_of(&group.site, None);
            if set.is_empty() {
                continue;
            }
            let names: Vec<String> = self.lists.names_of(set).map(str::to_owned).collect();
            if names.is_empty() {
                continue;
            }
            found.insert(
                group.site.clone(),
                SiteCategories {
                    names,
                    flagged: self.flagging.flags(set),
                },
            );
        }
        found
    }

    /// The categories of each group some of whose requests fell under a `urls` entry with a
    /// path: its site's categories and those. A group is flagged when any of them is flagged
    /// (and none allowed), as a site is.
    pub fn of_groups(
        &self,
        summary: &Summary,
    ) -> HashMap<(SubjectKey, LocalDay, String), SiteCategories> {
        summary
            .path_categories
            .iter()
            .filter_map(|group| {
                let set = self
                    .lists
                    .categories_of(&group.site, None)
                    .union(group.categories);
                let names: Vec<String> = self.lists.names_of(set).map(str::to_owned).collect();
                (!names.is_empty()).then(|| {
                    (
                        (group.key.clone(), group.day, group.site.clone()),
                        SiteCategories {
                            names,
                            flagged: self.flagging.flags(set),
                        },
                    )
                })
            })
            .collect()
    }
}

/// Where a log came from and who brought it: everything about a batch besides its contents.
#[derive(Clone, Debug)]
pub struct BatchOrigin<'a> {
    /// Made at the edge (the CLI or the web handler).
    pub id: MonitorBatchId,
    pub council: CouncilId,
    /// SHA-256 of the log's bytes, computed as they were read.
    pub sha256: [u8; 32],
    /// The format's short name (`squid`…).
    pub format: &'a str,
    /// The file name as given, or the name the upload gave.
    pub source_name: &'a str,
    pub actor: Actor,
    /// The upload key a script used, named in the audit entry (never the key itself).
    pub upload_key: Option<MonitorUploadKeyId>,
    pub now: Timestamp,
}

/// What keeping a summary did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub outcome: IngestOutcome,
    /// Groups older than the retention period, not kept.
    pub too_old_groups: usize,
}

/// Stores `summary` as one batch of the council's daily log, with its categories and its
/// audit entry (chained in the same transaction), after dropping days older than
/// `retention_months`. The same content again is `AlreadyIngested` and changes nothing.
pub async fn store_summary(
    store: &impl MonitorStore,
    categories: &Categories,
    retention_months: u16,
    mut summary: Summary,
    origin: BatchOrigin<'_>,
) -> StoreResult<Kept> {
    let cutoff = LocalDay::from_date(oldest_kept_day(london_today(origin.now), retention_months));
    let before = summary.groups.len();
    summary.groups.retain(|group| group.day >= cutoff);
    summary.raw.retain(|raw| raw.day >= cutoff);
    summary.path_categories.retain(|group| group.day >= cutoff);
    let too_old_groups = before - summary.groups.len();
    let batch = NewBatch {
        id: origin.id,
        council_id: origin.council,
        content_sha256: origin.sha256,
        format: origin.format.to_owned(),
        source_name: origin.source_name.to_owned(),
        totals: summary.totals,
        ingested_at: origin.now,
        ingested_by: origin.actor,
        site_categories: categories.of_sites(&summary),
        group_categories: categories.of_groups(&summary),
    };
    let upload_key = origin.upload_key;
    let outcome = store
        .ingest_batch(&batch, &summary.groups, summary.raw, |report| {
            let mut event = batch_ingested_event(&batch, report);
            if let (Some(key), Some(details)) = (upload_key, event.details.as_object_mut()) {
                details.insert("upload_key".to_owned(), key.to_string().into());
            }
            event
        })
        .await?;
    Ok(Kept {
        outcome,
        too_old_groups,
    })
}
