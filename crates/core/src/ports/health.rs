//! The health-and-safety records' storage seam (issue 6, item 5): display screen users,
//! workstation assessments, eye-test offers, workstation requests and hazard reports. The store
//! keeps what was recorded; what is due is worked out by `core::health` on reading.

use super::StoreResult;
use crate::audit::AuditEvent;
use crate::health::{
    Assessment, DseMark, EyeTestOffer, EyeTestOfferId, HazardId, HazardReport, HealthRecords,
    WorkstationRequest, WorkstationRequestId,
};
use crate::ids::CouncilId;
use std::future::Future;

/// Each change is stored with its audit entry in one transaction. A person named who is not
/// the council's (the one assessed, the assessor, the one who records) is `NotFound("person")`
/// and nothing is stored.
pub trait HealthStore: Send + Sync {
    /// Stores the Clerk's mark of whether a person is a display screen user, replacing any
    /// earlier mark.
    fn set_dse_mark(
        &self,
        mark: &DseMark,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn insert_assessment(
        &self,
        assessment: &Assessment,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn insert_eye_test_offer(
        &self,
        offer: &EyeTestOffer,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores an offer's answer over the revision before it; an offer changed meanwhile is
    /// `Conflict` and nothing is stored.
    fn update_eye_test_offer(
        &self,
        offer: &EyeTestOffer,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn insert_workstation_request(
        &self,
        request: &WorkstationRequest,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a request's resolution; one already resolved is `Conflict`.
    fn resolve_workstation_request(
        &self,
        request: &WorkstationRequest,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    fn insert_hazard(
        &self,
        hazard: &HazardReport,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Stores a hazard's resolution; one already resolved is `Conflict`.
    fn resolve_hazard(
        &self,
        hazard: &HazardReport,
        event: &AuditEvent,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Every health-and-safety record of the council (newest first in each list): the pages,
    /// the home page and the reminder schedule (`HealthRecords::schedule`) read this.
    fn health_records(
        &self,
        council: CouncilId,
    ) -> impl Future<Output = StoreResult<HealthRecords>> + Send;
    /// One offer; another council's is `NotFound("eye-test offer")`.
    fn eye_test_offer(
        &self,
        council: CouncilId,
        id: EyeTestOfferId,
    ) -> impl Future<Output = StoreResult<EyeTestOffer>> + Send;
    /// One request; another council's is `NotFound("workstation request")`.
    fn workstation_request(
        &self,
        council: CouncilId,
        id: WorkstationRequestId,
    ) -> impl Future<Output = StoreResult<WorkstationRequest>> + Send;
    /// One hazard report; another council's is `NotFound("hazard report")`.
    fn hazard(
        &self,
        council: CouncilId,
        id: HazardId,
    ) -> impl Future<Output = StoreResult<HazardReport>> + Send;
}
