//! The council's IT policy as data: the profile of its choices, the model document rendered from
//! it, import of an adopted document, lint, versions and declarations.
//!
//! Pure, like the rest of `core`: text in, values out. Reading DOCX files and storing versions
//! happen elsewhere.

pub mod profile;

pub use profile::{
    ApprovalKind, Approver, Approvers, DseAssessment, EmergencyHolder, MfaRule,
    NegligenceLiability, PasswordStyle, PersonalUse, PolicyProfile, ProfileError, ProfileField,
    Weakness,
};
