//! Group commit for audit entries that must be durable before the server answers, with nothing
//! else changing: a vault reveal is recorded first and shown only once the record is committed
//! (issue 5, 4.1.5). Each such commit waits for the disk (`synchronous=FULL` on SQLite); one at
//! a time, sixteen people revealing at once would queue behind sixteen disk flushes.
//!
//! So callers queue their entries, and whoever holds the writer's turn writes everything queued
//! so far in one transaction with one flush, then tells each caller. A caller whose entries were
//! written by someone else's turn just takes its answer. If a batch of several fails, each entry
//! is tried again on its own, so one caller's problem (say, a council removed meanwhile) never
//! fails another's reveal; every caller learns whether its own entries were committed, and a
//! failure is never reported as success.

use crate::{Store, db_error};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::CouncilId;
use custodian_core::ports::{StoreError, StoreResult};
use std::sync::Mutex;
use tokio::sync::oneshot;

type Reply = oneshot::Sender<StoreResult<()>>;

/// Entries waiting to be written, and the writer's turn.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queued: Mutex<Vec<(CouncilId, Vec<AuditEvent>, Reply)>>,
    turn: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.queued.lock().map(|q| q.len()).unwrap_or(0);
        write!(f, "GroupCommit({waiting} waiting)")
    }
}

/// How many callers' entries go into one transaction at most.
const MAX_BATCH: usize = 64;

impl Store {
    /// Appends `events` (all of `council`) and returns once they are committed, sharing the
    /// transaction and its disk flush with any other callers waiting at the same time.
    pub(crate) async fn append_durably(
        &self,
        council: CouncilId,
        events: &[AuditEvent],
    ) -> StoreResult<()> {
        let (reply, mut answer) = oneshot::channel();
        self.group
            .queued
            .lock()
            .map_err(|_| StoreError::Conflict("the audit queue is unusable".to_owned()))?
            .push((council, events.to_vec(), reply));
        loop {
            {
                let _turn = self.group.turn.lock().await;
                let batch = self.take_batch()?;
                if !batch.is_empty() {
                    self.write_batch(batch).await;
                }
            }
            // Written in this turn or an earlier one: the answer is there. Otherwise (more than
            // MAX_BATCH callers were waiting ahead of it) take another turn.
            match answer.try_recv() {
                Ok(result) => return result,
                Err(oneshot::error::TryRecvError::Empty) => continue,
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(StoreError::Conflict(
                        "the audit entry's write was abandoned".to_owned(),
                    ));
                }
            }
        }
    }

    fn take_batch(&self) -> StoreResult<Vec<(CouncilId, Vec<AuditEvent>, Reply)>> {
        let mut queued = self
            .group
            .queued
            .lock()
            .map_err(|_| StoreError::Conflict("the audit queue is unusable".to_owned()))?;
        let take = queued.len().min(MAX_BATCH);
        Ok(queued.drain(..take).collect())
    }

    async fn write_batch(&self, batch: Vec<(CouncilId, Vec<AuditEvent>, Reply)>) {
        if batch.len() > 1 {
            let parts: Vec<(CouncilId, &[AuditEvent])> = batch
                .iter()
                .map(|(council, events, _)| (*council, events.as_slice()))
                .collect();
            if self.write_together(&parts).await.is_ok() {
                for (_, _, reply) in batch {
                    let _ = reply.send(Ok(()));
                }
                return;
            }
        }
        for (council, events, reply) in batch {
            let result = self.write_together(&[(council, events.as_slice())]).await;
            let _ = reply.send(result);
        }
    }

    async fn write_together(&self, parts: &[(CouncilId, &[AuditEvent])]) -> StoreResult<()> {
        let mut tx = self.write.begin().await.map_err(db_error)?;
        for (council, events) in parts {
            self.append_all_in(&mut tx, *council, events).await?;
        }
        self.commit_audit_only(tx).await
    }
}
