//! The tasks of a leaver's checklist: what each is about, how it is stored and named, the
//! clause it keeps, and whether the council's records settle it.

use super::LeaverError;
use crate::ids::{AssetId, DeviceId, VaultItemId};

/// One thing to do when someone leaves, and what it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// Sign-in refused and sessions ended.
    RevokeSignIn,
    /// A register item issued to them, to be collected and returned to store (1.1.5).
    ReturnAsset(AssetId),
    /// A council-owned device they used that is not a register item issued to them.
    ReturnCouncilDevice(DeviceId),
    /// Their own device, to be cleared of council data and contacts (2.2.12, 9.1.6).
    ClearOwnDevice(DeviceId),
    /// A shared credential they revealed, whose password is to be changed (4.1.4).
    RotateCredential(VaultItemId),
    /// A council social-media account they revealed or could reveal: the login stays with the
    /// council and they stop being an administrator of it (9.1.4).
    HandOverSocialMedia(VaultItemId),
    /// Their own profiles updated to show they have left, and the council's pages no longer
    /// naming them as a contact (9.1.4).
    UpdateSocialMediaProfiles,
}

impl Task {
    /// The stored name of the task's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Task::RevokeSignIn => "revoke_sign_in",
            Task::ReturnAsset(_) => "return_asset",
            Task::ReturnCouncilDevice(_) => "return_council_device",
            Task::ClearOwnDevice(_) => "clear_own_device",
            Task::RotateCredential(_) => "rotate_credential",
            Task::HandOverSocialMedia(_) => "hand_over_social_media",
            Task::UpdateSocialMediaProfiles => "update_social_media_profiles",
        }
    }

    /// The id of the record the task is about, as stored; empty when it is about none.
    pub fn subject(&self) -> String {
        match self {
            Task::RevokeSignIn | Task::UpdateSocialMediaProfiles => String::new(),
            Task::ReturnAsset(id) => id.to_string(),
            Task::ReturnCouncilDevice(id) | Task::ClearOwnDevice(id) => id.to_string(),
            Task::RotateCredential(id) | Task::HandOverSocialMedia(id) => id.to_string(),
        }
    }

    /// Rebuilds a task from its stored kind and subject.
    pub fn from_storage(kind: &str, subject: &str) -> Result<Self, LeaverError> {
        let unreadable = || LeaverError::Unreadable(format!("{kind} {subject}"));
        let asset = || AssetId::parse(subject).map_err(|_| unreadable());
        let device = || DeviceId::parse(subject).map_err(|_| unreadable());
        let item = || VaultItemId::parse(subject).map_err(|_| unreadable());
        Ok(match kind {
            "revoke_sign_in" => Task::RevokeSignIn,
            "update_social_media_profiles" => Task::UpdateSocialMediaProfiles,
            "return_asset" => Task::ReturnAsset(asset()?),
            "return_council_device" => Task::ReturnCouncilDevice(device()?),
            "clear_own_device" => Task::ClearOwnDevice(device()?),
            "rotate_credential" => Task::RotateCredential(item()?),
            "hand_over_social_media" => Task::HandOverSocialMedia(item()?),
            _ => return Err(unreadable()),
        })
    }

    /// One word for forms and addresses: `kind` or `kind:subject`.
    pub fn key(&self) -> String {
        match self.subject() {
            subject if subject.is_empty() => self.kind().to_owned(),
            subject => format!("{}:{subject}", self.kind()),
        }
    }

    /// The task a form's [`Task::key`] names, if any.
    pub fn parse_key(text: &str) -> Option<Self> {
        let (kind, subject) = text.split_once(':').unwrap_or((text, ""));
        Task::from_storage(kind, subject).ok()
    }

    /// The clause of the model policy the task keeps.
    pub fn clause(&self) -> &'static str {
        match self {
            Task::RevokeSignIn => "4.1.2",
            Task::ReturnAsset(_) => "1.1.5",
            Task::ReturnCouncilDevice(_) => "2.2.12",
            Task::ClearOwnDevice(_) => "2.2.12, 9.1.6",
            Task::RotateCredential(_) => "4.1.4",
            Task::HandOverSocialMedia(_) | Task::UpdateSocialMediaProfiles => "9.1.4",
        }
    }

    /// Whether the council's records settle this task, so it is never ticked by hand (a tick
    /// could then disagree with the register, the device list or the vault).
    pub fn shown_by_data(&self) -> bool {
        !matches!(
            self,
            Task::HandOverSocialMedia(_) | Task::UpdateSocialMediaProfiles
        )
    }

    /// What settles a task the records show, in plain words; `None` for tasks ticked by hand.
    pub fn settled_by(&self) -> Option<&'static str> {
        match self {
            Task::RevokeSignIn => Some("Done when they are marked as left."),
            Task::ReturnAsset(_) => Some(
                "Done when the register no longer shows it issued to them: return it to store, \
                 or record it lost or stolen.",
            ),
            Task::ReturnCouncilDevice(_) => {
                Some("Done when the device is retired or recorded as used by someone else.")
            }
            Task::ClearOwnDevice(_) => Some(
                "Done when the device is retired, once you have checked that council data, \
                 passwords and contacts are removed from it.",
            ),
            Task::RotateCredential(_) => {
                Some("Done when the password is changed in the vault after they left.")
            }
            Task::HandOverSocialMedia(_) | Task::UpdateSocialMediaProfiles => None,
        }
    }

    /// The page of the record the task is about.
    pub fn link(&self) -> Option<String> {
        match self {
            Task::RevokeSignIn | Task::UpdateSocialMediaProfiles => None,
            Task::ReturnAsset(id) => Some(format!("/assets/{id}")),
            Task::ReturnCouncilDevice(id) | Task::ClearOwnDevice(id) => {
                Some(format!("/devices/{id}"))
            }
            Task::RotateCredential(id) | Task::HandOverSocialMedia(id) => {
                Some(format!("/vault/{id}"))
            }
        }
    }
}
