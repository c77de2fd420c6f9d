//! The demo council's internet-use monitoring: an impact assessment recorded by the Clerk
//! (5.1.6) and monitoring switched on, so `custodian monitor ingest` can keep a log for it.
//! Its adopted policy (the model's) tells people about monitoring in section 5.

use anyhow::Context;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::monitor::{ImpactAssessmentForm, record_assessment};
use custodian_core::person::{Role, RoleSet};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{MonitorSettings, MonitorStore};
use custodian_store::Store;
use jiff::Timestamp;

pub async fn seed_monitoring(
    store: &Store,
    council: CouncilId,
    clerk: PersonId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let (profile, _) = custodian_core::policy::profile::profile_in_force(store, council).await?;
    let today = london_today(now);
    let decided_on = today
        .checked_sub(jiff::Span::new().days(30))
        .context("the demo meeting date")?
        .to_string();
    let viewers = RoleSet::of(&[Role::Clerk, Role::Chair]);
    let form = ImpactAssessmentForm {
        purpose: "To check that council laptops and the office connection are not used to \
                  visit unlawful or harmful sites, and to investigate a suspected breach of the \
                  IT policy when one is reported.",
        necessity: "Two laptops were infected last year after visits to file-sharing sites, and \
                    the council holds residents' personal data that must be protected.",
        alternatives: "The office router already blocks known malware sites, and the policy is \
                       read at induction, but neither shows whether a reported breach happened.",
        viewer_roles: viewers,
        retention_months: "",
        decided_on: &decided_on,
        minute_reference: "COU/47/26-27",
        assessed_by: "Margaret Ellison, Clerk",
    };
    let (assessment, event) = record_assessment(council, form, &profile, clerk, today, now)
        .map_err(|problems| anyhow::anyhow!("the demo impact assessment: {problems:?}"))?;
    let settings = MonitorSettings {
        council_id: council,
        enabled: true,
        categories_path: None,
        flagged_categories: Vec::new(),
        allowed_categories: Vec::new(),
        viewer_roles: viewers,
        assessment: Some(serde_json::to_value(&assessment).context("the demo impact assessment")?),
        assessment_recorded_at: Some(now),
        assessment_recorded_by: Some(clerk),
        updated_at: now,
    };
    store
        .save_monitor_settings(&settings, &event)
        .await
        .context("the demo monitoring settings could not be stored")?;
    crate::demo_monitoring_traffic::seed_traffic(store, council, now).await?;
    Ok(())
}
