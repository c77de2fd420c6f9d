//! The home page's share of the council's routines (issue 6): joining checklists, health and
//! safety, approvals and mail that could not be sent. Each capability says what it needs in its
//! own module; the records they read are cached with the home page's other figures
//! ([`RoutineFigures`], remade when the records change or the date does), so a visit reads
//! nothing more from the database for them.

use super::home::Attention;
use super::joining::OpenJoiner;
use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;
use custodian_core::CouncilId;
use custodian_core::approval::ApprovalRequest;
use custodian_core::health::{DseRules, HealthRecords};
use custodian_core::ports::ApprovalStore;

/// What the routines' home-page lines are made from, for one council.
#[derive(Clone, Debug)]
pub struct RoutineFigures {
    pub approvals: Vec<ApprovalRequest>,
    pub health: HealthRecords,
    pub dse_rules: DseRules,
    pub joiners: Vec<OpenJoiner>,
    pub mail_trouble: custodian_core::ports::MailTrouble,
}

impl RoutineFigures {
    /// Reads them; `health` comes from the reminder schedule's records, read just before.
    pub async fn read(
        state: &AppState,
        council: CouncilId,
        health: HealthRecords,
        profile: &custodian_core::policy::PolicyProfile,
    ) -> Result<Self, AppError> {
        Ok(Self {
            approvals: state.store().approvals(council).await?,
            health,
            dse_rules: DseRules::from_profile(profile),
            joiners: super::joining::open_checklists(state, council).await?,
            mail_trouble: super::mail::trouble(state, council).await?,
        })
    }
}

/// Adds what the routines need from the signed-in person to `attention`.
pub async fn attention(
    state: &AppState,
    signed_in: &SignedIn,
    figures: &RoutineFigures,
    to_acknowledge: bool,
    attention: &mut Vec<Attention>,
) -> Result<(), AppError> {
    // The home page already asks everyone to set up a second factor and to sign the policy in
    // force; the joining checklist's same requests would only repeat them.
    let own_joining = super::joining::own_attention(signed_in, &figures.joiners, to_acknowledge);
    attention.extend(
        own_joining
            .into_iter()
            .filter(|a| a.href != "/account/mfa" && a.href != "/policy/declaration"),
    );
    attention.extend(super::approvals::attention(state, signed_in, &figures.approvals).await?);
    attention.extend(super::joining::clerk_attention(signed_in, &figures.joiners));
    attention.extend(
        super::health::attention(state, signed_in, &figures.health, &figures.dse_rules).await?,
    );
    attention.extend(super::mail::attention(signed_in, &figures.mail_trouble));
    Ok(())
}
