//! An entry's details as plain "Name: value" phrases instead of JSON, written without copying
//! where the JSON allows (a page shows fifty of them).

use crate::nav::local_time;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The entry's details as plain "Name: value" phrases instead of JSON, in the keys' order.
/// Borrows the text when it is not a JSON object (or is `{}`); otherwise writes the phrases
/// straight into one string.
pub fn describe_details(details: &str) -> Cow<'_, str> {
    if details == "{}" {
        return Cow::Borrowed("");
    }
    // Nearly every entry's details are a flat object of short values: read it borrowing from
    // the text (a page shows fifty, and owned keys, strings and `Value`s were most of their
    // cost). Anything else, such as a list or an escaped key, is read the general way below.
    if let Ok(flat) = serde_json::from_str::<BTreeMap<&str, DetailValue<'_>>>(details) {
        return Cow::Owned(phrases(details.len(), flat));
    }
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(details)
    else {
        return Cow::Borrowed(details);
    };
    let values = map.iter().map(|(key, value)| {
        let value = match value {
            serde_json::Value::Bool(yes) => DetailValue::Bool(*yes),
            serde_json::Value::Null => DetailValue::Null,
            serde_json::Value::String(text) => DetailValue::Text(text.as_str().into()),
            serde_json::Value::Number(number) => DetailValue::Number(number.clone()),
            other => DetailValue::Json(other.to_string()),
        };
        (key.as_str(), value)
    });
    Cow::Owned(phrases(details.len(), values))
}

/// One value of an entry's details, as [`describe_details`] words it.
enum DetailValue<'a> {
    Bool(bool),
    Null,
    Text(Cow<'a, str>),
    Number(serde_json::Number),
    /// A list or an object, shown as compact JSON.
    Json(String),
}

impl<'de> Deserialize<'de> for DetailValue<'de> {
    /// Accepts only plain values (no lists or objects), borrowing strings without escapes.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PlainValue;
        impl<'de> serde::de::Visitor<'de> for PlainValue {
            type Value = DetailValue<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a text, number, true, false or null")
            }
            fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
                Ok(DetailValue::Bool(value))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(DetailValue::Null)
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(DetailValue::Text(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(DetailValue::Text(Cow::Owned(text.to_owned())))
            }
            fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
                Ok(DetailValue::Number(value.into()))
            }
            fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
                Ok(DetailValue::Number(value.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(value)
                    .map(DetailValue::Number)
                    .ok_or_else(|| E::custom("a number too large to show"))
            }
        }
        deserializer.deserialize_any(PlainValue)
    }
}

/// Writes "Key: value; Key: value" for the details' keys and values.
fn phrases<'a, 'v>(
    size_hint: usize,
    values: impl IntoIterator<Item = (&'a str, DetailValue<'v>)>,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(size_hint + 16);
    for (key, value) in values {
        if !out.is_empty() {
            out.push_str("; ");
        }
        // The key with its first letter capitalised and underscores as spaces.
        let mut chars = key.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
        }
        out.extend(chars.map(|c| if c == '_' { ' ' } else { c }));
        out.push_str(": ");
        match value {
            DetailValue::Bool(true) => out.push_str("yes"),
            DetailValue::Bool(false) => out.push_str("no"),
            DetailValue::Null => out.push_str("none"),
            DetailValue::Text(text) if key.contains("roles") => {
                match custodian_core::person::RoleSet::from_storage(&text) {
                    Ok(roles) if roles.is_empty() => out.push_str("none"),
                    Ok(roles) => {
                        for (i, role) in roles.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            out.push_str(role.label());
                        }
                    }
                    Err(_) => out.push_str(&text),
                }
            }
            DetailValue::Text(text) => match text.parse::<jiff::Timestamp>() {
                Ok(at) => out.push_str(&local_time(at)),
                Err(_) => out.push_str(&text),
            },
            DetailValue::Number(number) => {
                let _ = write!(out, "{number}");
            }
            DetailValue::Json(json) => out.push_str(&json),
        }
    }
    out
}
