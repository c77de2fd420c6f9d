//! Evidence about devices, from text to [`crate::device::ReportedFacts`]: the self-attestation
//! form, `osqueryi --json` results and MDM exports in CSV. Pure parsers: bytes or form fields
//! in, facts or plain-words errors out. A value a source does not give stays unknown; nothing
//! is guessed.

pub mod attestation;
pub mod mdm;
pub mod osquery;
mod values;

pub use attestation::{AttestationForm, FieldError, read_attestation};
pub use mdm::{
    Identifier, MdmError, MdmFile, MdmImport, MdmMapping, MdmUpdate, RowProblem, Unmatched,
    guess_mapping, mdm_text, read_mdm_csv, read_mdm_rows, read_mdm_text,
};
pub use osquery::{OsqueryError, OsqueryReport, QUERIES, osquery_text, parse_osquery};
