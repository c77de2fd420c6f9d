//! Reading a file-upload form (multipart) whole: the osquery and MDM pages post the file first,
//! then their review forms post the same content back (in a hidden field) with the person's
//! choices, so nothing is kept on the server between the steps. The session middleware has
//! already checked the CSRF token (the form's first field) and the 8 MB limit.

use crate::error::AppError;
use axum::extract::Multipart;
use std::collections::HashMap;

pub struct Upload {
    fields: HashMap<String, Vec<u8>>,
    file_names: HashMap<String, String>,
}

impl Upload {
    pub async fn read(mut multipart: Multipart) -> Result<Self, AppError> {
        let mut fields = HashMap::new();
        let mut file_names = HashMap::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::TooLarge)?
        {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            if let Some(file_name) = field.file_name() {
                file_names.insert(name.clone(), file_name.to_owned());
            }
            let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
            fields.insert(name, bytes.to_vec());
        }
        Ok(Self { fields, file_names })
    }

    /// A field's bytes; `None` when it was not sent or is empty.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .get(name)
            .map(Vec::as_slice)
            .filter(|b| !b.is_empty())
    }

    /// A field as text (invalid UTF-8 replaced), empty when not sent.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// The name of the file chosen for `name`, as the browser sent it.
    pub fn file_name(&self, name: &str) -> &str {
        self.file_names.get(name).map_or("", String::as_str)
    }
}
