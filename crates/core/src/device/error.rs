//! Why a device rule refused. Every message is a plain sentence: what was wrong, then what to
//! do. Devices are named by the name their user gave them; people are never named.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceError {
    #[error("Give the device a name you will recognise, for example Jo's iPhone.")]
    EmptyName,
    #[error("The device name must be {max} characters or fewer.", max = super::DeviceName::MAX_CHARS)]
    NameTooLong,
    #[error("The device name cannot contain line breaks or other control characters.")]
    NameControlCharacters,
    #[error("That person belongs to another council.")]
    OtherCouncil,
    #[error("Devices cannot be recorded for someone who has left the council.")]
    PersonHasLeft,
    #[error(
        "Only a council-owned device can be linked to an item in the equipment register. Remove the asset number or record the device as council-owned."
    )]
    AssetOnPersonalDevice,
    #[error("Say why the request is declined. The person will see your reason.")]
    EmptyReason,
    #[error("The reason must be {max} characters or fewer.", max = super::MAX_REASON_CHARS)]
    ReasonTooLong,
    #[error("The reason cannot contain control characters.")]
    ReasonControlCharacters,
    #[error("{name} is a council-owned device, so there is no request to decide.")]
    NotARequest { name: String },
    #[error("The request to use {name} has already been {decision}.")]
    AlreadyDecided {
        name: String,
        decision: &'static str,
    },
    #[error("{name} has been retired, so it can no longer be changed.")]
    Retired { name: String },
    #[error("Nothing was recorded: no answer or value was given for any setting of {name}.")]
    NothingReported { name: String },
}
