//! The text of a policy file in whichever form a council has it: a Word document (.docx),
//! Markdown or plain text. Formats Custodian cannot read (PDF, the old .doc) are named, with
//! what to do instead, rather than being read as garbage.

use crate::{DocxError, read_docx_text};

/// Reads an uploaded or named policy file into text. Word documents are recognised by their
/// content as well as their name; anything else is read as text in the encoding it was saved
/// in (`custodian_core::text::decode_upload`: UTF-8, UTF-16 with a mark, or Windows-1252).
pub fn policy_file_text(file_name: &str, bytes: &[u8]) -> Result<String, DocxError> {
    let lower = file_name.to_ascii_lowercase();
    if bytes.is_empty() {
        return Err(DocxError::Empty);
    }
    if bytes.starts_with(b"%PDF") || lower.ends_with(".pdf") {
        return Err(DocxError::Pdf);
    }
    if bytes.starts_with(b"PK") || lower.ends_with(".docx") {
        return read_docx_text(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) || lower.ends_with(".doc") {
        return Err(DocxError::OldWordOrProtected);
    }
    Ok(custodian_core::text::decode_upload(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_markdown_are_read_as_they_are() {
        assert_eq!(
            policy_file_text("p.md", "# Policy\n1.1 Text".as_bytes()),
            Ok("# Policy\n1.1 Text".to_owned())
        );
        assert_eq!(
            policy_file_text("p.txt", "\u{feff}Policy".as_bytes()),
            Ok("Policy".to_owned())
        );
    }

    #[test]
    fn windows_text_is_decoded_with_its_pound_signs() {
        assert_eq!(
            policy_file_text("p.txt", b"the first \xa3100"),
            Ok("the first £100".to_owned())
        );
    }

    #[test]
    fn pdf_old_word_and_empty_files_are_named_not_misread() {
        assert_eq!(policy_file_text("p.pdf", b"%PDF-1.7"), Err(DocxError::Pdf));
        assert_eq!(
            policy_file_text("p.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0, 0]),
            Err(DocxError::OldWordOrProtected)
        );
        assert_eq!(policy_file_text("p.txt", b""), Err(DocxError::Empty));
        assert_eq!(
            policy_file_text("p.docx", b"PK\x03\x04 nonsense"),
            Err(DocxError::NotDocx)
        );
    }
}
