//! The one error type of the equipment register. Every message is a plain sentence for the
//! Clerk: what was wrong, then what to do. Asset numbers are named; people never are.

use crate::incident::IncidentError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AssetError {
    // Asset numbers.
    #[error("Give the asset number, for example ABC-0042.")]
    EmptyNumber,
    #[error("The asset number must be 32 characters or fewer.")]
    NumberTooLong,
    #[error(
        "The asset number cannot contain \"{0}\". Use letters, digits and - / . _ only, for example ABC-0042."
    )]
    NumberBadCharacter(char),
    #[error("The asset number must contain at least one digit, for example ABC-0042.")]
    NumberWithoutDigit,
    #[error(
        "The asset number {number} is already used by another item (capital letters do not make a number different). Use another number, such as {suggestion}."
    )]
    DuplicateNumber { number: String, suggestion: String },

    // Phone and SIM identifiers.
    #[error(
        "The IMEI {0} is not valid: an IMEI has 15 digits. Check it on the phone (dial *#06#) or the box."
    )]
    ImeiLength(String),
    #[error(
        "The IMEI {0} is not valid: it should contain only digits (spaces and dashes are fine). Check it on the phone (dial *#06#) or the box."
    )]
    ImeiNotDigits(String),
    #[error(
        "The IMEI {input} is not valid: its last digit should be {expected}. Check it on the phone (dial *#06#) or the box."
    )]
    ImeiCheckDigit { input: String, expected: u8 },
    #[error(
        "The SIM number {0} is not valid: it should be 18 to 22 digits starting 89. Copy it from the SIM card or the card it came in."
    )]
    SimFormat(String),
    #[error(
        "The SIM number {input} is not valid: its last digit should be {expected}. Copy it again from the SIM card or the card it came in."
    )]
    SimCheckDigit { input: String, expected: u8 },
    #[error("Give the serial number, or leave it empty if the item has none.")]
    EmptySerial,
    #[error("The serial number must be 64 characters or fewer.")]
    SerialTooLong,
    #[error("The serial number cannot contain line breaks or other control characters.")]
    SerialControlCharacters,

    // The rest of the record.
    #[error(
        "\"{0}\" is not a category Custodian knows. Use one of: laptop, desktop, tablet, phone, printer, router, storage (such as a USB drive) or other."
    )]
    UnknownCategory(String),
    #[error(
        "\"{0}\" is not an amount of money Custodian can read. Write pounds and pence, for example £1,299.99."
    )]
    InvalidCost(String),
    #[error("\"{0}\" is not an answer Custodian knows for encryption. Use yes, no or unknown.")]
    UnknownEncryption(String),
    #[error(
        "An IMEI is only kept for phones and tablets, and {number} is recorded as a {category}. Remove the IMEI or change the category."
    )]
    ImeiNotAllowed { number: String, category: String },
    #[error(
        "A SIM number is only kept for phones and tablets, and {number} is recorded as a {category}. Remove the SIM number or change the category."
    )]
    SimNotAllowed { number: String, category: String },
    #[error("The purchase date {0} is in the future. Give the date the item was bought.")]
    PurchaseDateInFuture(String),
    #[error(
        "The warranty end {warranty} is before the purchase date {purchase}. Check both dates."
    )]
    WarrantyBeforePurchase { warranty: String, purchase: String },
    #[error("The {field} must be {max} characters or fewer.")]
    TextTooLong { field: &'static str, max: usize },
    #[error("The {field} cannot contain control characters.")]
    TextControlCharacters { field: &'static str },
    #[error(
        "Give the minute reference of the decision that approved the purchase, for example COU/229/25-26."
    )]
    EmptyMinuteReference,

    // Custody.
    #[error("{number} belongs to another council's register.")]
    OtherCouncil { number: String },
    #[error("{number} cannot be issued because it is {state}. {next}")]
    CannotIssue {
        number: String,
        state: &'static str,
        next: &'static str,
    },
    #[error("{number} is already issued to this person.")]
    AlreadyIssuedToThem { number: String },
    #[error("Equipment cannot be issued to someone who has left the council.")]
    RecipientHasLeft,
    #[error("{number} is already in store.")]
    AlreadyInStore { number: String },
    #[error("{number} has been disposed of, so it cannot be returned to store.")]
    ReturnAfterDisposal { number: String },
    #[error("{number} is not issued to anyone, so it cannot be transferred. Issue it instead.")]
    TransferNotIssued { number: String },
    #[error("Choose which items you are acknowledging.")]
    NothingToAcknowledge,
    #[error("{number} is listed twice. Acknowledge each item once.")]
    AcknowledgedTwice { number: String },
    #[error(
        "{number} is not issued to you, so you cannot acknowledge it. Only the person it was issued to can."
    )]
    NotYourAsset { number: String },
    #[error("You have already acknowledged {number}.")]
    AlreadyAcknowledged { number: String },
    #[error("Type your name exactly as Custodian shows it: {expected}.")]
    NameMismatch { expected: String },

    // Loss, theft and damage.
    #[error(
        "{number} is not issued to you, so only the Clerk can report it. Ask the Clerk to report it."
    )]
    NotYoursToReport { number: String },
    #[error("{number} is already recorded as {state}.")]
    AlreadyReported { number: String, state: &'static str },
    #[error(
        "{number} has been disposed of, so it cannot be reported {kind}. Check the asset number."
    )]
    ReportAfterDisposal { number: String, kind: &'static str },
    #[error("Describe what happened.")]
    EmptyLossSummary,
    #[error("The time it happened must be now or in the past.")]
    LossInFuture,
    #[error(transparent)]
    Incident(#[from] IncidentError),

    // Wiping and disposal.
    #[error("{number} is issued to someone. Return it to store first.")]
    StillIssued { number: String },
    #[error("{number} has already been disposed of.")]
    AlreadyDisposed { number: String },
    #[error("The wipe date {0} is in the future. Give the date the data was wiped.")]
    WipeInFuture(String),
    #[error("Say how the data was wiped.")]
    EmptyWipeMethod,
    #[error("Record how the data was wiped before disposing of {number} (clause 2.2.12).")]
    NotWiped { number: String },
    #[error(
        "{number} is recorded as {state}. Return it to store if it has been found before disposing of it."
    )]
    DisposeMissing { number: String, state: &'static str },
    #[error("Give the name of the recycler or whoever took the item away.")]
    EmptyRecycler,
}
