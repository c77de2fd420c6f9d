//! Word (.docx) files for Custodian: writes a rendered policy [`Document`] as a Word document and
//! reads the plain text of a council's adopted policy for the importer.
//!
//! This crate knows Word's file format and nothing about policy rules: the words and numbering
//! come from `custodian-core`. It does no IO of its own (bytes in, bytes out) and must never
//! panic on a file someone uploads: every malformed input is a [`DocxError`] that says in plain
//! words what to do next.
#![forbid(unsafe_code)]

mod any;
mod read;
mod write;

pub use any::policy_file_text;
pub use custodian_core::policy::document::Document;
pub use read::read_docx_text;
pub use write::write_docx;

/// Why a Word document could not be read or written. The messages are shown to a Clerk as they
/// are.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocxError {
    #[error(
        "This file is empty. Choose the saved Word document (.docx) of the policy and try again."
    )]
    Empty,
    #[error(
        "This file is not a Word document (.docx) — it could not be opened as one. If it is an older .doc file, save it as .docx from Word and try again."
    )]
    NotDocx,
    #[error(
        "This file is an older Word document (.doc) or a password-protected one, and cannot be read. Open it in Word, remove any password, save it as a Word document (.docx) and try again."
    )]
    OldWordOrProtected,
    #[error(
        "This Word document is password-protected, so its text cannot be read. Open it in Word, remove the password, save it and try again."
    )]
    PasswordProtected,
    #[error(
        "This is a PDF. Custodian reads Word (.docx), Markdown (.md) and plain text (.txt) files. Open the policy in Word, save it as .docx, and try again."
    )]
    Pdf,
    #[error(
        "This is an OpenDocument text file (.odt), not a Word document. Open it in LibreOffice or Word, save it as a Word document (.docx) and try again."
    )]
    OpenDocument,
    #[error(
        "This file is a zip archive but not a Word document: it has no main document part (word/document.xml). Save the policy from Word as a .docx file and try again."
    )]
    NoDocumentPart,
    #[error(
        "This Word document is too large to read: its text part is over {limit_mb} MB. Check that it is the policy, without large embedded content, and try again."
    )]
    TooLarge { limit_mb: u64 },
    #[error(
        "This Word document appears to be damaged, so its text could not be read ({detail}). Open it in Word, save it again as .docx and try again."
    )]
    Damaged { detail: String },
    #[error("The Word document could not be created: {0}")]
    Write(String),
}
