//! `custodian policy import`: reads a council's adopted IT policy and prints the choices it
//! makes, with the clause each came from. It changes nothing; the web page turns the result
//! into a draft.

use crate::{BadInput, EXIT_OK};
use custodian_core::policy::import::{ImportedField, ImportedPolicy, import_policy};
use std::path::Path;
use std::process::ExitCode;

/// The largest file read (as the web upload allows).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

pub fn run_import(file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let imported = read(file)?;
    let text = if json {
        format!("{}\n", imported.to_json_pretty())
    } else {
        summary(file, &imported)
    };
    crate::print_out(&text)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Reads and imports the file; every failure is the person's input, so exit status 2.
fn read(file: &Path) -> Result<ImportedPolicy, BadInput> {
    let shown = file.display();
    let metadata = std::fs::metadata(file).map_err(|e| {
        BadInput(format!(
            "Cannot open {shown}: {}. Check the file name and try again.",
            plain_io(&e)
        ))
    })?;
    if metadata.is_dir() {
        return Err(BadInput(format!(
            "{shown} is a folder. Name the policy file itself."
        )));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(BadInput(format!(
            "{shown} is {} MB; policy files can be up to 8 MB. Remove its pictures or save it as plain text, then try again.",
            metadata.len() / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(file)
        .map_err(|e| BadInput(format!("Cannot read {shown}: {}.", plain_io(&e))))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = custodian_docx::policy_file_text(&name, &bytes)
        .map_err(|e| BadInput(format!("{shown}: {e}")))?;
    import_policy(&text).map_err(|e| BadInput(format!("{shown}: {e}")))
}

fn plain_io(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::NotFound => "there is no such file",
        std::io::ErrorKind::PermissionDenied => "you do not have permission to read it",
        _ => "it could not be read",
    }
}

/// The import as a person reads it: each value and where it came from, then what was not
/// settled, not recognised, and the problems found.
pub fn summary(file: &Path, imported: &ImportedPolicy) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&imported.to_json_pretty()).unwrap_or_default();
    let mut out = format!("Policy read from {}\n\n", file.display());
    let mut not_settled = Vec::new();
    {
        // In the contract's order: a JSON object read back would sort its keys.
        for key in ImportedField::ALL.map(ImportedField::as_str) {
            let field = &value[key];
            if field.is_null() {
                not_settled.push(key);
                continue;
            }
            let shown = match field {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push_str(&format!("{key}: {shown}\n"));
            if let Some(source) = value["sources"].get(key) {
                out.push_str(&format!(
                    "    from {}: \"{}\"\n",
                    source["clause"].as_str().unwrap_or(""),
                    source["text"].as_str().unwrap_or("")
                ));
            }
        }
    }
    if !not_settled.is_empty() {
        out.push_str(&format!(
            "\nNot settled by the document: {}\n",
            not_settled.join(", ")
        ));
    }
    if !imported.unrecognised.is_empty() {
        out.push_str(&format!(
            "\n{} clause(s) not recognised:\n",
            imported.unrecognised.len()
        ));
        for clause in &imported.unrecognised {
            out.push_str(&format!("  - {}\n", shorten(clause, 100)));
        }
    }
    if !imported.lint.is_empty() {
        out.push_str(&format!("\n{} problem(s) found:\n", imported.lint.len()));
        for finding in &imported.lint {
            out.push_str(&format!("  - {}: {}\n", finding.clause, finding.message));
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}
