//! The item form shared by "add an item" and "change the details": what is typed, the choices
//! offered, and the checks on a password as it is entered (zxcvbn's strength with the item's
//! name and username as words an attacker tries first, and the suppliers' default passwords).
//! A typed password is never written back into a page.

use crate::error::AppError;
use crate::forms::Errors;
use crate::state::AppState;
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::person::{PersonStatus, Role};
use custodian_core::vault::{
    ItemDetails, ItemKind, SecretField, VaultItem, check_secret, strength,
};
use serde::Deserialize;

/// Everything the add and change forms send. Secret fields are used only when adding.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ItemForm {
    pub name: String,
    pub kind: String,
    pub address: String,
    pub username: String,
    pub tier: String,
    pub roles: Vec<String>,
    pub people: Vec<String>,
    pub rotation_days: String,
    pub renewal_due: String,
    pub password: String,
    /// Ticked to keep a password the page warned about.
    pub keep_password: Option<String>,
    /// How many words to suggest (3 to 6), and set when the "suggest" button was pressed.
    pub words: String,
    pub suggest: Option<String>,
    pub totp_seed: String,
    pub recovery_codes: String,
    pub notes: String,
    pub default_changed: Option<String>,
    /// The revision the change form was shown at (changing only).
    pub revision: String,
}

impl ItemForm {
    /// The form filled from an existing item (for changing its details).
    pub fn of(item: &VaultItem) -> Self {
        Self {
            name: item.name.clone(),
            kind: item.kind.as_str().to_owned(),
            address: item.address.clone().unwrap_or_default(),
            username: item.username.clone().unwrap_or_default(),
            tier: item.tier.as_str().to_owned(),
            roles: item
                .allowed
                .roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            people: item
                .allowed
                .people
                .iter()
                .map(ToString::to_string)
                .collect(),
            rotation_days: item
                .rotation_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            renewal_due: item
                .renewal_due
                .map(|d| d.strftime("%-d/%-m/%Y").to_string())
                .unwrap_or_default(),
            revision: item.revision.to_string(),
            ..Self::default()
        }
    }

    /// The details as the domain checks them. A role or person not offered is reported.
    pub fn details(&self, errors: &mut Errors) -> ItemDetails {
        let mut roles = Vec::new();
        for text in &self.roles {
            match Role::parse(text) {
                Ok(role) => roles.push(role),
                Err(_) => errors.add("roles", "Choose roles from the list."),
            }
        }
        let mut people = Vec::new();
        for text in &self.people {
            match PersonId::parse(text) {
                Ok(id) => people.push(id),
                Err(_) => errors.add("people", "Choose people from the list."),
            }
        }
        ItemDetails {
            name: self.name.clone(),
            kind: self.kind.clone(),
            address: self.address.clone(),
            username: self.username.clone(),
            tier: if self.tier.is_empty() {
                "ordinary".to_owned()
            } else {
                self.tier.clone()
            },
            roles,
            people,
            rotation_days: self.rotation_days.clone(),
            renewal_due: self.renewal_due.clone(),
        }
    }

    /// Words for a suggested passphrase: 3 by default, 3 to 6.
    pub fn word_count(&self) -> usize {
        self.words
            .trim()
            .parse::<usize>()
            .map_or(3, |n| n.clamp(3, 6))
    }
}

/// A radio, checkbox or option: its value, words, and whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The choices the item form offers, filled from what was sent.
pub struct Choices {
    pub kinds: Vec<Choice>,
    pub tiers: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub people: Vec<Choice>,
    pub words: Vec<Choice>,
}

impl Choices {
    pub async fn of(
        state: &AppState,
        council: CouncilId,
        form: &ItemForm,
    ) -> Result<Self, AppError> {
        let people = state.people(council).await?;
        let mut active: Vec<_> = people
            .iter()
            .filter(|p| p.status == PersonStatus::Active)
            .collect();
        active.sort_by_key(|p| p.name.as_str().to_lowercase());
        let tier = if form.tier.is_empty() {
            "ordinary"
        } else {
            form.tier.as_str()
        };
        let words = form.word_count().to_string();
        Ok(Self {
            kinds: ItemKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.as_str().to_owned(),
                    label: k.label().to_owned(),
                    checked: form.kind == k.as_str(),
                })
                .collect(),
            tiers: [
                ("ordinary", "Ordinary: used day to day by the people allowed"),
                ("sealed", "Sealed: an administrative password also held for emergencies (the Chair's sealed envelope)"),
            ]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                checked: tier == value,
            })
            .collect(),
            roles: Role::ALL
                .iter()
                .filter(|r| **r != Role::Auditor)
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: r.label().to_owned(),
                    checked: form.roles.iter().any(|chosen| chosen == r.as_str()),
                })
                .collect(),
            people: active
                .iter()
                .map(|p| Choice {
                    value: p.id.to_string(),
                    label: p.name.to_string(),
                    checked: form.people.iter().any(|chosen| *chosen == p.id.to_string()),
                })
                .collect(),
            words: (3..=6)
                .map(|n| Choice {
                    value: n.to_string(),
                    label: format!("{n} words"),
                    checked: words == n.to_string(),
                })
                .collect(),
        })
    }
}

/// What the page says about a password that was refused for being weak or a default.
pub struct Warning {
    pub label: &'static str,
    pub advice: Option<String>,
    pub known_default: bool,
}

/// Checks a password as entered: empty is `Ok(None)`; a problem with its length goes in
/// `errors`; a weak or default password not yet confirmed with "keep it anyway" is returned as a
/// warning (and goes in `errors`, so the form is shown again with the field empty).
pub fn check_password(
    value: &str,
    keep: bool,
    related: &[&str],
    errors: &mut Errors,
) -> (Option<String>, Option<Warning>) {
    if value.trim().is_empty() {
        return (None, None);
    }
    let Some(checked) = errors.check("password", check_secret(SecretField::Password, value)) else {
        return (None, None);
    };
    let judged = strength(&checked, related);
    if judged.is_acceptable() || keep {
        return (Some(checked), None);
    }
    errors.add(
        "password",
        if judged.known_default {
            "That is a supplier's default password, which attackers try first. Change it on the service, or enter it again and tick \"keep it anyway\"."
        } else {
            "That password could be guessed. Use the suggested words, or enter it again and tick \"keep it anyway\"."
        },
    );
    (
        None,
        Some(Warning {
            label: judged.label,
            advice: judged.advice,
            known_default: judged.known_default,
        }),
    )
}

/// The other secret fields as entered (blank ones left out), each checked.
pub fn other_secrets(form: &ItemForm, errors: &mut Errors) -> Vec<(SecretField, String)> {
    let mut found = Vec::new();
    for (field, name, value) in [
        (SecretField::TotpSeed, "totp_seed", &form.totp_seed),
        (
            SecretField::RecoveryCodes,
            "recovery_codes",
            &form.recovery_codes,
        ),
        (SecretField::Notes, "notes", &form.notes),
    ] {
        if value.trim().is_empty() {
            continue;
        }
        if let Some(checked) = errors.check(name, check_secret(field, value)) {
            found.push((field, checked));
        }
    }
    found
}

/// The field name of a domain check's problem, as the form's input ids.
pub fn add_detail_problems(
    errors: &mut Errors,
    problems: Vec<(&'static str, custodian_core::vault::VaultError)>,
) {
    for (field, problem) in problems {
        errors.add(field, problem.to_string());
    }
}
