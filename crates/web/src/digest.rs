//! The daily digest (issue 6, item 6): once a day, at the hour each council chose (UK time), every
//! active person with something overdue or due within the week gets one email listing it, made
//! from the same schedule as the home page and the calendar feed. Messages go through the
//! outbox ([`crate::mail::enqueue`]) with the key `digest:<person>:<date>`, so running twice on
//! a day (a restart, two servers) never sends a second copy.

use crate::mail::{enqueue, to_person};
use custodian_core::CouncilId;
use custodian_core::mail::{MailKind, OutgoingMail};
use custodian_core::person::PersonStatus;
use custodian_core::policy::version::london_today;
use custodian_core::ports::{CouncilStore, MailStore, ReminderStore, StoreError};
use custodian_core::reminder::{digest, for_person};
use custodian_core::time::Clock;
use custodian_store::Store;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the digest task looks whether a council's hour has come.
const LOOK_EVERY: Duration = Duration::from_secs(5 * 60);

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Councils whose digest was made in this run.
    pub councils: usize,
    /// Digests newly queued (not counting any already queued today).
    pub queued: usize,
}

/// Makes today's digests for every council with email on whose hour has come and that is not
/// in `done` for today; records each council made in `done`.
pub async fn run(
    store: &Store,
    public_url: &str,
    now: Timestamp,
    done: &mut HashMap<CouncilId, Date>,
) -> Result<DigestReport, StoreError> {
    let today = london_today(now);
    let hour = now
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC))
        .hour();
    let mut report = DigestReport::default();
    for council in store.councils().await? {
        if done.get(&council.id) == Some(&today) {
            continue;
        }
        let Some(settings) = store.mail_settings(council.id).await? else {
            continue;
        };
        if !settings.enabled || hour < i8::try_from(settings.digest_hour).unwrap_or(i8::MAX) {
            continue;
        }
        let mail = council_digests(store, council.id, public_url, today, now).await?;
        report.queued += enqueue(store, &mail).await?;
        report.councils += 1;
        done.insert(council.id, today);
    }
    Ok(report)
}

/// One council's digests for `today`: one message per active person with anything overdue or
/// due within the week.
pub async fn council_digests(
    store: &Store,
    council: CouncilId,
    public_url: &str,
    today: Date,
    now: Timestamp,
) -> Result<Vec<OutgoingMail>, StoreError> {
    let records = store.reminder_records(council).await?;
    let schedule = records.schedule(today);
    Ok(records
        .people
        .iter()
        .filter(|p| p.status == PersonStatus::Active)
        .filter_map(|person| {
            let items = for_person(&schedule, person.id, person.roles);
            let made = digest(person.name.as_str(), person.id, &items, today, public_url)?;
            to_person(
                person,
                &made.subject,
                &made.body,
                MailKind::Digest,
                format!("digest:{}:{today}", person.id),
                now,
            )
        })
        .collect())
}

/// Runs [`run`] now and then every few minutes until the server stops. Which councils were
/// done today is kept in memory; after a restart the outbox's keys stop a second copy.
pub fn spawn(
    store: Store,
    public_url: String,
    clock: Arc<dyn Clock>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut done = HashMap::new();
        loop {
            match run(&store, &public_url, clock.now(), &mut done).await {
                Ok(report) if report.councils > 0 => tracing::info!(
                    councils = report.councils,
                    queued = report.queued,
                    "daily digests made"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the daily digests could not be made"),
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    })
}
