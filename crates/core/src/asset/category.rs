//! What kind of item an asset is, and whether it is encrypted, read from the plain words a
//! Clerk or a spreadsheet uses ("USB drive", "mobile", "Yes").

use super::AssetError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Laptop,
    Desktop,
    Tablet,
    Phone,
    Printer,
    Router,
    /// Removable storage: USB drives, external disks, memory cards.
    Storage,
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Laptop,
        Category::Desktop,
        Category::Tablet,
        Category::Phone,
        Category::Printer,
        Category::Router,
        Category::Storage,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Laptop => "laptop",
            Category::Desktop => "desktop",
            Category::Tablet => "tablet",
            Category::Phone => "phone",
            Category::Printer => "printer",
            Category::Router => "router",
            Category::Storage => "storage",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Laptop => "Laptop",
            Category::Desktop => "Desktop computer",
            Category::Tablet => "Tablet",
            Category::Phone => "Phone",
            Category::Printer => "Printer",
            Category::Router => "Router",
            Category::Storage => "Storage (USB drive or external disk)",
            Category::Other => "Other",
        }
    }

    /// Only phones and tablets have an IMEI or a SIM card worth recording.
    pub fn has_mobile_identifiers(self) -> bool {
        matches!(self, Category::Phone | Category::Tablet)
    }

    /// Accepts the stored names and the everyday words for each, in any capitals, so a
    /// spreadsheet saying "Mobile" or "USB stick" imports without editing.
    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let words = text
            .replace(['_', '-'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let category = match words.as_str() {
            "laptop" | "laptops" | "notebook" | "chromebook" | "macbook" => Category::Laptop,
            "desktop" | "desktops" | "desktop computer" | "desktop pc" | "pc" | "computer"
            | "all in one" => Category::Desktop,
            "tablet" | "tablets" | "ipad" => Category::Tablet,
            "phone" | "phones" | "mobile" | "mobile phone" | "smartphone" | "cell phone"
            | "iphone" => Category::Phone,
            "printer" | "printers" | "scanner" | "multifunction printer" | "mfp" | "copier" => {
                Category::Printer
            }
            "router" | "routers" | "wifi router" | "wi fi router" | "broadband router" | "hub"
            | "modem" => Category::Router,
            "storage"
            | "usb drive"
            | "usb stick"
            | "usb"
            | "memory stick"
            | "flash drive"
            | "pen drive"
            | "external drive"
            | "external hard drive"
            | "external disk"
            | "hard drive"
            | "memory card"
            | "sd card"
            | "nas" => Category::Storage,
            "other" => Category::Other,
            _ => return Err(AssetError::UnknownCategory(text.trim().to_owned())),
        };
        Ok(category)
    }
}

/// Whether the item's storage is encrypted (clause 2.1.4). "Unknown" is honest and is never
/// shown as encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encryption {
    Yes,
    No,
    Unknown,
}

impl Encryption {
    pub fn as_str(self) -> &'static str {
        match self {
            Encryption::Yes => "yes",
            Encryption::No => "no",
            Encryption::Unknown => "unknown",
        }
    }

    /// "yes"/"no"/"unknown" and their common spellings; blank is unknown.
    pub fn parse(text: &str) -> Result<Self, AssetError> {
        match text.trim().to_lowercase().as_str() {
            "yes" | "y" | "true" | "encrypted" => Ok(Encryption::Yes),
            "no" | "n" | "false" | "not encrypted" => Ok(Encryption::No),
            "" | "unknown" | "don't know" | "not known" => Ok(Encryption::Unknown),
            _ => Err(AssetError::UnknownEncryption(text.trim().to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_read_from_plain_words_in_any_capitals() {
        for (text, expected) in [
            ("Laptop", Category::Laptop),
            ("USB drive", Category::Storage),
            ("usb_stick", Category::Storage),
            ("Mobile", Category::Phone),
            ("  mobile   phone ", Category::Phone),
            ("Wi-Fi router", Category::Router),
            ("PRINTER", Category::Printer),
            ("desktop", Category::Desktop),
            ("iPad", Category::Tablet),
            ("other", Category::Other),
        ] {
            assert_eq!(Category::parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn every_stored_category_name_reads_back() {
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Ok(category));
        }
    }

    #[test]
    fn an_unknown_category_names_the_allowed_words() {
        let err = Category::parse(" Projector ").unwrap_err();
        assert_eq!(err, AssetError::UnknownCategory("Projector".into()));
        let message = err.to_string();
        assert!(message.starts_with("\"Projector\" is not a category"));
        for word in [
            "laptop", "desktop", "tablet", "phone", "printer", "router", "storage", "other",
        ] {
            assert!(message.contains(word), "{word}");
        }
    }

    #[test]
    fn only_phones_and_tablets_have_mobile_identifiers() {
        let with: Vec<_> = Category::ALL
            .into_iter()
            .filter(|c| c.has_mobile_identifiers())
            .collect();
        assert_eq!(with, vec![Category::Tablet, Category::Phone]);
    }

    #[test]
    fn encryption_answers_are_read_plainly_and_blank_is_unknown() {
        assert_eq!(Encryption::parse("Yes"), Ok(Encryption::Yes));
        assert_eq!(Encryption::parse("no"), Ok(Encryption::No));
        assert_eq!(Encryption::parse(""), Ok(Encryption::Unknown));
        assert_eq!(
            Encryption::parse("maybe"),
            Err(AssetError::UnknownEncryption("maybe".into()))
        );
    }
}
