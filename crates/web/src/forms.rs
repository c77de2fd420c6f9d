//! Form validation results shown in the GOV.UK error-summary pattern: a summary at the top
//! linking to each field, and the message beside the field.

#[derive(Clone, Debug, Default)]
pub struct Errors {
    items: Vec<(&'static str, String)>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with the field whose input has id `field`.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.items.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[(&'static str, String)] {
        &self.items
    }

    /// The status a form page is answered with: 200, or 422 when it shows problems.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// Records the error of a parse result and returns the value when there was none.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }
}
