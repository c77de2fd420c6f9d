//! The permission matrix: the single place that decides who may do what.
//!
//! Every route asks [`may`] before acting. `docs/roles.md` shows the same table; a test checks
//! the document against [`matrix_markdown`] so the two cannot drift apart.

use crate::person::{Role, RoleSet};

/// Something a person may try to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the home page and their own details.
    ViewHome,
    /// See the list of people and their details.
    ViewPeople,
    /// Invite a new person (sends a one-time link to set a password).
    InvitePerson,
    /// Change a person's name, email, roles or dates.
    EditPerson,
    /// Mark a person as having left (revokes sign-in).
    MarkPersonLeft,
    /// Read the audit log.
    ViewAuditLog,
    /// Download the audit log as CSV.
    ExportAuditLog,
    /// See the incident list.
    ViewIncidents,
    /// Report an incident.
    ReportIncident,
    /// Run an incident: set its owner, add to its timeline, record the 72-hour breach decisions
    /// and close it with the outcome and lessons learned.
    ManageIncidents,
    /// See the council's settings.
    ViewCouncilSettings,
    /// Change the council's name and settings (such as which roles must use MFA).
    EditCouncilSettings,
    /// Read the council's IT policy: the version in force, drafts and history.
    ViewPolicy,
    /// Draft a policy version: answer the builder's questions or import a document.
    DraftPolicy,
    /// Record that the council adopted a version (date and minute reference).
    AdoptPolicy,
    /// Sign the declaration of the policy in force.
    SignDeclaration,
    /// See who has signed the declaration, and print signed records.
    ViewDeclarations,
    /// See the equipment register, each item's history and who holds what (1.1.5).
    ViewRegister,
    /// Add and change items, issue, return and transfer them, import and export the register,
    /// record wipes and disposals.
    ManageAssets,
    /// Report the loss, theft or damage of any item, not only one's own (2.1.6).
    ReportAnyLoss,
    /// See and acknowledge the equipment one holds, report its loss, and register one's own
    /// devices and their security settings (2.2).
    HoldEquipment,
    /// Approve or decline a person's request to use their own device (2.2.1).
    ApproveOwnDevice,
    /// See every device and whether it meets the policy.
    ViewCompliance,
    /// Record device facts for anyone's device: osquery results, an MDM export, or by hand.
    RecordDeviceEvidence,
    /// Use the shared-credential vault: see the items one is allowed, reveal them (each reveal
    /// is still checked against the item), ask for time-limited access, and report one of
    /// them compromised (4.1.2-4.1.5).
    UseVault,
    /// See every vault item's name, status and access history, never its secrets.
    ViewVault,
    /// Add and change vault items, who may reveal them and their secrets; record rotations.
    ManageVault,
    /// Approve or decline another person's request for time-limited access (4.1.2).
    ApproveVaultAccess,
    /// Take part in emergency access to the sealed credentials: open it (the policy's holder),
    /// object to it, or agree as a second holder (4.1.2).
    EmergencyAccess,
    /// Ask for the approval the policy requires before buying, installing, recording, using an
    /// own device and the other kinds it names (1.1.7-9.1.5).
    RequestApproval,
    /// See every approval request and its decision.
    ViewApprovals,
    /// Decide approval requests: the Clerk's own kinds, and recording the Council's decisions
    /// with their minute reference. Nobody decides their own request.
    DecideApprovals,
    /// See workstation (DSE) assessments, eye-test offers, workstation requests and hazard
    /// reports for everyone (3.1.2, 3.1.3).
    ViewHealthAndSafety,
    /// Record workstation assessments and eye-test offers, and act on workstation requests and
    /// hazard reports.
    ManageHealthAndSafety,
    /// Report a hazard or ask for a change to one's workstation (3.1.3).
    ReportHazard,
    /// Run internet-use monitoring (5.1.6-5.1.11): record the impact assessment, switch
    /// monitoring on or off, choose categories and who may see records, match log names to
    /// people, place and release legal holds, issue upload keys, answer subject access requests
    /// and erase or correct records.
    ManageMonitoring,
    /// See internet-use records and reports. This is the most a role can be given: the council
    /// grants it to some of these roles in its monitoring settings (5.1.7), and only those see
    /// anything.
    ViewInternetUse,
    /// See one's own internet-use records (5.1.9).
    SeeOwnInternetUse,
}

impl Action {
    pub const ALL: [Action; 38] = [
        Action::ViewHome,
        Action::ViewPeople,
        Action::InvitePerson,
        Action::EditPerson,
        Action::MarkPersonLeft,
        Action::ViewAuditLog,
        Action::ExportAuditLog,
        Action::ViewIncidents,
        Action::ReportIncident,
        Action::ManageIncidents,
        Action::ViewCouncilSettings,
        Action::EditCouncilSettings,
        Action::ViewPolicy,
        Action::DraftPolicy,
        Action::AdoptPolicy,
        Action::SignDeclaration,
        Action::ViewDeclarations,
        Action::ViewRegister,
        Action::ManageAssets,
        Action::ReportAnyLoss,
        Action::HoldEquipment,
        Action::ApproveOwnDevice,
        Action::ViewCompliance,
        Action::RecordDeviceEvidence,
        Action::UseVault,
        Action::ViewVault,
        Action::ManageVault,
        Action::ApproveVaultAccess,
        Action::EmergencyAccess,
        Action::RequestApproval,
        Action::ViewApprovals,
        Action::DecideApprovals,
        Action::ViewHealthAndSafety,
        Action::ManageHealthAndSafety,
        Action::ReportHazard,
        Action::ManageMonitoring,
        Action::ViewInternetUse,
        Action::SeeOwnInternetUse,
    ];

    /// Plain description used in the roles document and in "you cannot do this" messages.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ViewHome => "See the home page and their own details",
            Action::ViewPeople => "See the list of people",
            Action::InvitePerson => "Invite a person",
            Action::EditPerson => "Change a person's details and roles",
            Action::MarkPersonLeft => "Mark a person as left",
            Action::ViewAuditLog => "Read the audit log",
            Action::ExportAuditLog => "Download the audit log",
            Action::ViewIncidents => "See incidents",
            Action::ReportIncident => "Report an incident",
            Action::ManageIncidents => {
                "Run an incident: owner, timeline, breach decisions, closing it"
            }
            Action::ViewCouncilSettings => "See council settings",
            Action::EditCouncilSettings => "Change council settings",
            Action::ViewPolicy => "Read the IT policy, its drafts and history",
            Action::DraftPolicy => "Draft or import a policy version",
            Action::AdoptPolicy => "Record the council's adoption of a policy version",
            Action::SignDeclaration => "Sign the policy declaration",
            Action::ViewDeclarations => "See who has signed the declaration",
            Action::ViewRegister => "See the equipment register and who holds what",
            Action::ManageAssets => "Add, issue, return, import, wipe and dispose of equipment",
            Action::ReportAnyLoss => "Report the loss of any item, not only their own",
            Action::HoldEquipment => {
                "Acknowledge their equipment, report its loss, register their own devices"
            }
            Action::ApproveOwnDevice => "Approve or decline the use of a person's own device",
            Action::ViewCompliance => "See every device and whether it meets the policy",
            Action::RecordDeviceEvidence => "Record security facts for anyone's device",
            Action::UseVault => {
                "Use the password vault: reveal the items they are allowed, ask for access"
            }
            Action::ViewVault => "See every vault item's status and access history (no secrets)",
            Action::ManageVault => "Add and change vault items, their secrets and who may see them",
            Action::ApproveVaultAccess => "Approve another person's request for vault access",
            Action::EmergencyAccess => "Take part in emergency access to the sealed passwords",
            Action::RequestApproval => "Ask for approval before buying, installing or recording",
            Action::ViewApprovals => "See every approval request and decision",
            Action::DecideApprovals => "Decide approval requests, or record the Council's decision",
            Action::ViewHealthAndSafety => {
                "See workstation assessments, eye tests, workstation requests and hazards"
            }
            Action::ManageHealthAndSafety => {
                "Record workstation assessments and eye-test offers, act on hazard reports"
            }
            Action::ReportHazard => "Report a hazard or ask for a workstation change",
            Action::ManageMonitoring => {
                "Run internet-use monitoring: assessment, settings, holds, subject access"
            }
            Action::ViewInternetUse => {
                "See internet-use records, when the council's monitoring settings name the role"
            }
            Action::SeeOwnInternetUse => "See their own internet-use records",
        }
    }

    /// The roles allowed to take this action. The auditor is read-only: it appears only on
    /// actions that change nothing.
    pub fn allowed_roles(self) -> RoleSet {
        use Role::*;
        let everyone = RoleSet::of(&Role::ALL);
        let officers = RoleSet::of(&[Clerk, Chair, ViceChair, ItProvider, Auditor]);
        let everyone_but_auditor = RoleSet::of(&[
            Clerk,
            Chair,
            ViceChair,
            Councillor,
            Staff,
            OtherAuthorisedUser,
            ItProvider,
        ]);
        match self {
            Action::ViewHome => everyone,
            Action::ViewPeople => officers,
            Action::InvitePerson => RoleSet::of(&[Clerk, ItProvider]),
            Action::EditPerson => RoleSet::of(&[Clerk]),
            Action::MarkPersonLeft => RoleSet::of(&[Clerk]),
            Action::ViewAuditLog => RoleSet::of(&[Clerk, Chair, ViceChair, Auditor]),
            Action::ExportAuditLog => RoleSet::of(&[Clerk, Auditor]),
            Action::ViewIncidents => officers,
            Action::ReportIncident => everyone_but_auditor,
            // The Clerk runs incidents; the Chair too, for when the Clerk is away or is the
            // subject of the incident. The 72-hour clock does not wait for either.
            Action::ManageIncidents => RoleSet::of(&[Clerk, Chair]),
            Action::ViewCouncilSettings => officers,
            Action::EditCouncilSettings => RoleSet::of(&[Clerk]),
            Action::ViewPolicy => everyone,
            Action::DraftPolicy => RoleSet::of(&[Clerk, ItProvider]),
            Action::AdoptPolicy => RoleSet::of(&[Clerk]),
            // Everyone who uses the council's IT signs; the auditor only reads.
            Action::SignDeclaration => everyone_but_auditor,
            Action::ViewDeclarations => RoleSet::of(&[Clerk, Chair, ViceChair, Auditor]),
            Action::ViewRegister => officers,
            // The IT provider usually sets up and collects the equipment, so keeps the register
            // with the Clerk.
            Action::ManageAssets => RoleSet::of(&[Clerk, ItProvider]),
            Action::ReportAnyLoss => RoleSet::of(&[Clerk]),
            Action::HoldEquipment => everyone_but_auditor,
            // Own devices are used "at the council's discretion" (2.2.1): the Clerk decides.
            Action::ApproveOwnDevice => RoleSet::of(&[Clerk]),
            Action::ViewCompliance => officers,
            Action::RecordDeviceEvidence => RoleSet::of(&[Clerk, ItProvider]),
            // Each item still says who may reveal it; the auditor reads history, not secrets.
            Action::UseVault => everyone_but_auditor,
            Action::ViewVault => officers,
            // The IT provider's access is "exceptional", with approval (4.1.2): they ask for
            // it rather than keep the vault.
            Action::ManageVault => RoleSet::of(&[Clerk]),
            Action::ApproveVaultAccess => RoleSet::of(&[Clerk, Chair, ViceChair]),
            Action::EmergencyAccess => RoleSet::of(&[Clerk, Chair, ViceChair, ItProvider]),
            Action::RequestApproval => everyone_but_auditor,
            Action::ViewApprovals => officers,
            // The Clerk decides the Clerk's kinds and records the Council's decisions; the
            // Chair decides when the Clerk is the one asking.
            Action::DecideApprovals => RoleSet::of(&[Clerk, Chair]),
            // Assessments hold health details: not the IT provider's business.
            Action::ViewHealthAndSafety => RoleSet::of(&[Clerk, Chair, ViceChair, Auditor]),
            // The Chair records the Clerk's own assessment, as the Clerk's line manager.
            Action::ManageHealthAndSafety => RoleSet::of(&[Clerk, Chair]),
            Action::ReportHazard => everyone_but_auditor,
            // Monitoring is the Clerk's to run (the assessment and the Regulations' duties sit
            // with the council's proper officer).
            Action::ManageMonitoring => RoleSet::of(&[Clerk]),
            // Records are shared "only with those who need it" (5.1.7): officers may be granted
            // them in the monitoring settings; councillors and staff, whose use is recorded,
            // never see each other's.
            Action::ViewInternetUse => officers,
            Action::SeeOwnInternetUse => everyone,
        }
    }

    /// Whether the action changes anything (used to prove the auditor is read-only).
    pub fn changes_state(self) -> bool {
        matches!(
            self,
            Action::InvitePerson
                | Action::EditPerson
                | Action::MarkPersonLeft
                | Action::ReportIncident
                | Action::ManageIncidents
                | Action::EditCouncilSettings
                | Action::DraftPolicy
                | Action::AdoptPolicy
                | Action::SignDeclaration
                | Action::ManageAssets
                | Action::ReportAnyLoss
                | Action::HoldEquipment
                | Action::ApproveOwnDevice
                | Action::RecordDeviceEvidence
                | Action::UseVault
                | Action::ManageVault
                | Action::ApproveVaultAccess
                | Action::EmergencyAccess
                | Action::RequestApproval
                | Action::DecideApprovals
                | Action::ManageHealthAndSafety
                | Action::ReportHazard
                | Action::ManageMonitoring
        )
    }
}

/// Whether someone holding `roles` may take `action`.
pub fn may(roles: RoleSet, action: Action) -> bool {
    roles.intersects(action.allowed_roles())
}

/// The matrix as a Markdown table, as published in `docs/roles.md`.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| What | ");
    out.push_str(
        &Role::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    );
    out.push_str(" |\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for action in Action::ALL {
        out.push_str("| ");
        out.push_str(action.describe());
        out.push_str(" |");
        for role in Role::ALL {
            out.push_str(if may(RoleSet::of(&[role]), action) {
                " yes |"
            } else {
                " no |"
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auditor_can_change_nothing() {
        let auditor = RoleSet::of(&[Role::Auditor]);
        for action in Action::ALL.into_iter().filter(|a| a.changes_state()) {
            assert!(!may(auditor, action), "auditor may {action:?}");
        }
        assert!(may(auditor, Action::ViewAuditLog));
    }

    #[test]
    fn a_councillor_cannot_see_the_audit_log_or_invite_people() {
        let councillor = RoleSet::of(&[Role::Councillor]);
        assert!(!may(councillor, Action::ViewAuditLog));
        assert!(!may(councillor, Action::InvitePerson));
        assert!(may(councillor, Action::ReportIncident));
    }

    #[test]
    fn nobody_without_a_role_may_do_anything() {
        for action in Action::ALL {
            assert!(!may(RoleSet::empty(), action));
        }
    }

    #[test]
    fn roles_document_shows_the_matrix_in_code() {
        let doc = include_str!("../../../docs/roles.md");
        assert!(
            doc.contains(&matrix_markdown()),
            "docs/roles.md is out of date; paste this table into it:\n{}",
            matrix_markdown()
        );
    }
}
