//! Who may reveal an item, and when: day to day (named people and roles on the item),
//! just-in-time grants ("in exceptional cases with appropriate approvals and logging", 4.1.2)
//! and emergency access to the sealed credentials (the "sealed envelope" of 4.1.2). Time is passed in, so grants and
//! waiting periods end by themselves without a scheduler and are tested with a fixed clock.

use super::{Tier, VaultError, VaultItem};
use crate::ids::{AccessGrantId, CouncilId, EmergencyId, PersonId, VaultItemId};
use crate::person::{Role, RoleSet};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Why a person may reveal an item; written into every reveal's audit entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevealBasis {
    /// The person is named on the item.
    Named,
    /// The person holds a role the item allows.
    Role(Role),
    /// An approved, unexpired just-in-time grant.
    Grant(AccessGrantId),
    /// Open emergency access to a sealed item.
    Emergency(EmergencyId),
}

impl RevealBasis {
    /// As written in the audit entry: "named", "role:clerk", "grant:<id>", "emergency:<id>".
    pub fn to_audit(self) -> String {
        match self {
            RevealBasis::Named => "named".to_owned(),
            RevealBasis::Role(role) => format!("role:{}", role.as_str()),
            RevealBasis::Grant(id) => format!("grant:{id}"),
            RevealBasis::Emergency(id) => format!("emergency:{id}"),
        }
    }

    /// In words, for the item's access history.
    pub fn describe(self) -> String {
        match self {
            RevealBasis::Named => "named on the item".to_owned(),
            RevealBasis::Role(role) => format!("as {}", role.label()),
            RevealBasis::Grant(_) => "with time-limited access".to_owned(),
            RevealBasis::Emergency(_) => "through emergency access".to_owned(),
        }
    }
}

/// Whether `person` (holding `roles`) may reveal `item` now, and why. Day-to-day access comes
/// first; then an active grant naming the item; then open emergency access, for sealed items
/// and only for the person who opened it. `None` is a refusal (an unauthorised attempt).
pub fn reveal_basis(
    item: &VaultItem,
    person: PersonId,
    roles: RoleSet,
    grants: &[AccessGrant],
    emergencies: &[EmergencyAccess],
    now: Timestamp,
) -> Option<RevealBasis> {
    // The auditor reads the record of access, never the secrets, whatever an item says.
    if roles.contains(Role::Auditor) && roles.iter().count() == 1 {
        return None;
    }
    if let Some(basis) = item.allowed.allows(person, roles) {
        return Some(basis);
    }
    if let Some(grant) = grants.iter().find(|g| {
        g.council_id == item.council_id
            && g.requester == person
            && g.items.contains(&item.id)
            && g.is_active(now)
    }) {
        return Some(RevealBasis::Grant(grant.id));
    }
    if item.tier == Tier::Sealed
        && let Some(emergency) = emergencies.iter().find(|e| {
            e.council_id == item.council_id
                && e.opened_by == person
                && matches!(e.state(now), EmergencyState::Open { .. })
        })
    {
        return Some(RevealBasis::Emergency(emergency.id));
    }
    None
}

/// How long a grant may last: the default, and the most that may be asked for.
pub const DEFAULT_GRANT_HOURS: u8 = 4;
pub const MAX_GRANT_HOURS: u8 = 24;
pub const MAX_REASON_CHARS: usize = 1_000;

/// A request for time-limited access to named items, and its decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessGrant {
    pub id: AccessGrantId,
    pub council_id: CouncilId,
    pub requester: PersonId,
    pub items: Vec<VaultItemId>,
    pub reason: String,
    /// How long access lasts once approved.
    pub hours: u8,
    pub requested_at: Timestamp,
    pub decision: GrantDecision,
    /// Raised on every change; a change is stored only over the revision it was made from.
    pub revision: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GrantDecision {
    Pending,
    Approved {
        by: PersonId,
        at: Timestamp,
        until: Timestamp,
    },
    Declined {
        by: PersonId,
        at: Timestamp,
        reason: String,
    },
    /// Ended early by the requester or an approver.
    Ended {
        by: PersonId,
        at: Timestamp,
    },
}

impl GrantDecision {
    pub fn as_str(&self) -> &'static str {
        match self {
            GrantDecision::Pending => "pending",
            GrantDecision::Approved { .. } => "approved",
            GrantDecision::Declined { .. } => "declined",
            GrantDecision::Ended { .. } => "ended",
        }
    }
}

/// A reason someone gives: required, trimmed, at most [`MAX_REASON_CHARS`].
pub fn check_reason(reason: &str) -> Result<String, VaultError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(VaultError::ReasonMissing);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(VaultError::TooLong("reason", MAX_REASON_CHARS));
    }
    Ok(reason.to_owned())
}

impl AccessGrant {
    /// A new request. At least one item, a reason, and 1 to 24 hours.
    pub fn request(
        id: AccessGrantId,
        council_id: CouncilId,
        requester: PersonId,
        mut items: Vec<VaultItemId>,
        reason: &str,
        hours: u8,
        now: Timestamp,
    ) -> Result<Self, VaultError> {
        items.sort();
        items.dedup();
        if items.is_empty() {
            return Err(VaultError::GrantWithoutItems);
        }
        if !(1..=MAX_GRANT_HOURS).contains(&hours) {
            return Err(VaultError::GrantHours(hours));
        }
        Ok(Self {
            id,
            council_id,
            requester,
            items,
            reason: check_reason(reason)?,
            hours,
            requested_at: now,
            decision: GrantDecision::Pending,
            revision: 0,
        })
    }

    /// Approves a pending request: the approver is someone else, may approve (the caller has
    /// checked the permission matrix), and is allowed day to day on every item requested, so
    /// nobody grants access they do not hold themselves. Access runs from now.
    pub fn approve(
        &mut self,
        approver: PersonId,
        approver_roles: RoleSet,
        items: &[VaultItem],
        now: Timestamp,
    ) -> Result<(), VaultError> {
        self.check_decider(approver)?;
        for id in &self.items {
            let item = items
                .iter()
                .find(|i| i.id == *id)
                .ok_or(VaultError::ItemGone)?;
            if item.allowed.allows(approver, approver_roles).is_none() {
                return Err(VaultError::ApproverNotAllowed(item.name.clone()));
            }
        }
        let until = now
            .checked_add(SignedDuration::from_hours(i64::from(self.hours)))
            .map_err(|_| VaultError::GrantHours(self.hours))?;
        self.decision = GrantDecision::Approved {
            by: approver,
            at: now,
            until,
        };
        self.revision += 1;
        Ok(())
    }

    pub fn decline(
        &mut self,
        by: PersonId,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), VaultError> {
        self.check_decider(by)?;
        self.decision = GrantDecision::Declined {
            by,
            at: now,
            reason: check_reason(reason)?,
        };
        self.revision += 1;
        Ok(())
    }

    /// Ends a pending or active grant early (the requester is done, or an approver stops it).
    pub fn end(&mut self, by: PersonId, now: Timestamp) -> Result<(), VaultError> {
        if !(self.is_pending() || self.is_active(now)) {
            return Err(VaultError::GrantNotOpen);
        }
        self.decision = GrantDecision::Ended { by, at: now };
        self.revision += 1;
        Ok(())
    }

    fn check_decider(&self, by: PersonId) -> Result<(), VaultError> {
        if !self.is_pending() {
            return Err(VaultError::GrantNotPending);
        }
        if by == self.requester {
            return Err(VaultError::ApproverIsRequester);
        }
        Ok(())
    }

    pub fn is_pending(&self) -> bool {
        matches!(self.decision, GrantDecision::Pending)
    }

    /// Approved and not yet expired.
    pub fn is_active(&self, now: Timestamp) -> bool {
        matches!(self.decision, GrantDecision::Approved { until, .. } if now < until)
    }

    /// When access ends (or ended), once approved.
    pub fn until(&self) -> Option<Timestamp> {
        match self.decision {
            GrantDecision::Approved { until, .. } => Some(until),
            _ => None,
        }
    }
}

/// How long emergency access stays open once it opens.
pub const EMERGENCY_OPEN_HOURS: i64 = 24;

/// One opening of emergency access to the sealed credentials by the policy's emergency holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyAccess {
    pub id: EmergencyId,
    pub council_id: CouncilId,
    pub opened_by: PersonId,
    pub reason: String,
    pub opened_at: Timestamp,
    /// The policy's waiting time when it was opened (later changes to the policy do not move it).
    pub wait_hours: u16,
    /// Someone told objected: access never opens.
    pub objection: Option<Objection>,
    /// A second holder agreed: access opens at once.
    pub approval: Option<super::Confirmed>,
    /// Closed early by the holder or another holder.
    pub closed: Option<super::Confirmed>,
    /// Raised on every change; a change is stored only over the revision it was made from.
    pub revision: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub by: PersonId,
    pub at: Timestamp,
    pub reason: String,
}

/// Where an emergency stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmergencyState {
    /// Waiting for the period to pass; anyone told may object, a second holder may agree.
    Waiting {
        opens_at: Timestamp,
    },
    Open {
        since: Timestamp,
        until: Timestamp,
    },
    Objected,
    Closed,
    Expired {
        at: Timestamp,
    },
}

impl EmergencyState {
    pub fn label(self) -> &'static str {
        match self {
            EmergencyState::Waiting { .. } => "Waiting",
            EmergencyState::Open { .. } => "Open",
            EmergencyState::Objected => "Stopped by an objection",
            EmergencyState::Closed => "Closed",
            EmergencyState::Expired { .. } => "Expired",
        }
    }

    /// Waiting or open: nobody may open another meanwhile.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            EmergencyState::Waiting { .. } | EmergencyState::Open { .. }
        )
    }
}

/// The roles told when emergency access is opened, who may object, and (all but the IT
/// provider) who may agree as a second holder: the Chair, Vice-Chair, Clerk and IT provider the
/// policy names (4.1.2), whichever of them is not the one opening it.
pub fn emergency_told_roles() -> RoleSet {
    RoleSet::of(&[Role::Chair, Role::ViceChair, Role::Clerk, Role::ItProvider])
}

/// The holders of the recovery kit and of the second key: any of them (other than the opener)
/// may agree to open emergency access at once.
pub fn second_holder_roles() -> RoleSet {
    RoleSet::of(&[Role::Chair, Role::ViceChair, Role::Clerk])
}

impl EmergencyAccess {
    /// Opens emergency access. The caller has checked the person holds the policy's emergency
    /// holder role and that no other emergency is live.
    pub fn open(
        id: EmergencyId,
        council_id: CouncilId,
        opened_by: PersonId,
        reason: &str,
        wait_hours: u16,
        now: Timestamp,
    ) -> Result<Self, VaultError> {
        Ok(Self {
            id,
            council_id,
            opened_by,
            reason: check_reason(reason)?,
            opened_at: now,
            wait_hours,
            objection: None,
            approval: None,
            closed: None,
            revision: 0,
        })
    }

    fn opens_at(&self) -> Timestamp {
        self.opened_at
            .checked_add(SignedDuration::from_hours(i64::from(self.wait_hours)))
            .unwrap_or(Timestamp::MAX)
    }

    pub fn state(&self, now: Timestamp) -> EmergencyState {
        if self.closed.is_some() {
            return EmergencyState::Closed;
        }
        if self.objection.is_some() {
            return EmergencyState::Objected;
        }
        let since = match &self.approval {
            Some(approval) => approval.at,
            None => self.opens_at(),
        };
        if now < since {
            return EmergencyState::Waiting { opens_at: since };
        }
        let until = since
            .checked_add(SignedDuration::from_hours(EMERGENCY_OPEN_HOURS))
            .unwrap_or(Timestamp::MAX);
        if now < until {
            EmergencyState::Open { since, until }
        } else {
            EmergencyState::Expired { at: until }
        }
    }

    /// An objection by someone told (not the opener) while it waits: it never opens.
    pub fn object(
        &mut self,
        by: PersonId,
        by_roles: RoleSet,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), VaultError> {
        self.check_other_holder(by, by_roles, emergency_told_roles(), now)?;
        self.objection = Some(Objection {
            by,
            at: now,
            reason: check_reason(reason)?,
        });
        self.revision += 1;
        Ok(())
    }

    /// A second holder's agreement while it waits: it opens at once.
    pub fn approve(
        &mut self,
        by: PersonId,
        by_roles: RoleSet,
        now: Timestamp,
    ) -> Result<(), VaultError> {
        self.check_other_holder(by, by_roles, second_holder_roles(), now)?;
        self.approval = Some(super::Confirmed { by, at: now });
        self.revision += 1;
        Ok(())
    }

    /// Closes it early: the opener, or a second holder, once the emergency is over.
    pub fn close(
        &mut self,
        by: PersonId,
        by_roles: RoleSet,
        now: Timestamp,
    ) -> Result<(), VaultError> {
        if !self.state(now).is_live() {
            return Err(VaultError::EmergencyNotLive);
        }
        if by != self.opened_by && !by_roles.intersects(second_holder_roles()) {
            return Err(VaultError::NotAnEmergencyHolder);
        }
        self.closed = Some(super::Confirmed { by, at: now });
        self.revision += 1;
        Ok(())
    }

    fn check_other_holder(
        &self,
        by: PersonId,
        by_roles: RoleSet,
        allowed: RoleSet,
        now: Timestamp,
    ) -> Result<(), VaultError> {
        if !matches!(self.state(now), EmergencyState::Waiting { .. }) {
            return Err(VaultError::EmergencyNotWaiting);
        }
        if by == self.opened_by {
            return Err(VaultError::EmergencyOwnRequest);
        }
        if !by_roles.intersects(allowed) {
            return Err(VaultError::NotAnEmergencyHolder);
        }
        Ok(())
    }
}

/// The roles holding the recovery kit's three sheets, in sheet order (4.1.2's sealed envelope,
/// made recoverable: any two of the three recover the vault).
pub const KIT_HOLDER_ROLES: [Role; 3] = [Role::Chair, Role::ViceChair, Role::Clerk];

/// Who holds each sheet of a kit issued now, in words ("Chair: Margaret Hale"), in sheet order.
/// Stored with the kit, so a later change of holder (a new Chair after the annual meeting) shows
/// as a difference from a kit issued then.
pub fn kit_holders(people: &[crate::person::Person]) -> Vec<String> {
    KIT_HOLDER_ROLES
        .iter()
        .map(|role| {
            people
                .iter()
                .find(|p| {
                    p.status == crate::person::PersonStatus::Active && p.roles.contains(*role)
                })
                .map(|p| format!("{}: {}", role.label(), p.name))
                .unwrap_or_else(|| format!("{} (nobody holds this role yet)", role.label()))
        })
        .collect()
}
