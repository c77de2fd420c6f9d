//! The daily retention purge of internet-use records (policy 5.1.8, 5.1.11): once each London
//! day, for every council with monitoring settings, the days older than the retention period of
//! the policy in force are dropped whole (people under a legal hold keep theirs). Each run is
//! audited with its counts, so the audit log shows retention being applied day by day.

use custodian_core::CouncilId;
use custodian_core::audit::Actor;
use custodian_core::monitor::retention_cutoff;
use custodian_core::policy::profile::profile_in_force;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{CouncilStore, MonitorStore, PurgeReport, StoreError, purge_event};
use custodian_core::time::Clock;
use custodian_store::Store;
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the server looks whether a council's purge for today is still to run.
const LOOK_EVERY: Duration = Duration::from_secs(30 * 60);

/// Purges every council with monitoring whose purge has not run on `today` yet; `done` remembers
/// which have. Returns the councils purged and what each removed.
pub async fn run(
    store: &Store,
    now: jiff::Timestamp,
    done: &mut HashMap<CouncilId, Date>,
) -> Result<Vec<(CouncilId, PurgeReport)>, StoreError> {
    let today = london_today(now);
    let mut purged = Vec::new();
    for council in store.councils().await? {
        if done.get(&council.id) == Some(&today)
            || store.monitor_settings(council.id).await?.is_none()
        {
            continue;
        }
        let (profile, _) = profile_in_force(store, council.id).await?;
        let cutoff = retention_cutoff(today, &profile);
        let report = store
            .purge_days_before(council.id, cutoff, |report| {
                purge_event(council.id, now, Actor::System, cutoff, report)
            })
            .await?;
        done.insert(council.id, today);
        purged.push((council.id, report));
    }
    Ok(purged)
}

pub fn spawn(store: Store, clock: Arc<dyn Clock>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut done = HashMap::new();
        loop {
            match run(&store, clock.now(), &mut done).await {
                Ok(purged) => {
                    for (council, report) in purged.iter().filter(|(_, r)| r.days_dropped > 0) {
                        tracing::info!(
                            %council,
                            days = report.days_dropped,
                            records = report.records_removed,
                            "internet-use records past retention removed"
                        );
                    }
                }
                Err(e) => tracing::warn!(error = %e, "the internet-use retention purge failed"),
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    })
}
