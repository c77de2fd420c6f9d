//! The council's IT policy as data: the profile of its choices, the model document rendered from
//! it, import of an adopted document, lint, versions and declarations.
//!
//! Pure, like the rest of `core`: text in, values out. Reading DOCX files and storing versions
//! happen elsewhere.

pub mod choices;
pub mod document;
pub mod import;
pub mod lint;
pub mod profile;
pub mod version;

pub use document::{
    AdoptionBlock, Clause, ClauseChange, Document, Section, Subsection, WordChange,
    declaration_text, diff_documents, render_policy, to_markdown, to_plain_text,
};
pub use profile::{
    ApprovalKind, Approver, Approvers, DseAssessment, EmergencyHolder, MfaRule,
    NegligenceLiability, PasswordStyle, PersonalUse, PolicyProfile, ProfileError, ProfileField,
    Weakness,
};

pub use import::{
    ExtraField, ExtraSources, ImportError, ImportedField, ImportedPolicy, PolicyDate, Source,
    Sources, import_policy,
};
pub use lint::{LintFinding, lint_policy};
