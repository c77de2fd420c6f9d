//! Adding an item and changing its details. Errors are shown in the GOV.UK pattern with what
//! was typed kept; nothing is saved until every field reads. An edit form carries the item's
//! fingerprint from when it was opened, so a change someone else made meanwhile is never
//! silently overwritten.

use super::{Choice, People, fingerprint, load, unexpected, words};
use crate::error::AppError;
use crate::forms::Errors;
use crate::nav::{chrome, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use custodian_core::asset::{
    Asset, AssetError, AssetNumber, AssetStatus, Category, Encryption, Imei, NewAsset,
    PurchaseAuthorisation, SerialNumber, SimNumber, parse_cost, parse_optional, register_asset,
    suggest_next,
};
use custodian_core::audit::AuditEvent;
use custodian_core::ids::{AssetId, PersonId};
use custodian_core::permission::Action;
use custodian_core::ports::{AssetStore, AssetStoreError};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default, Clone)]
pub struct AssetForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    make: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    serial: String,
    #[serde(default)]
    imei: String,
    #[serde(default)]
    sim: String,
    #[serde(default)]
    purchased_on: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    authorisation: String,
    #[serde(default)]
    approved_by: String,
    #[serde(default)]
    minute_reference: String,
    #[serde(default)]
    warranty_ends: String,
    #[serde(default)]
    encrypted: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    notes: String,
    /// The item's fingerprint when the edit form was opened (empty when adding).
    #[serde(default)]
    fingerprint: String,
}

impl AssetForm {
    fn of(asset: &Asset) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        let (authorisation, approved_by, minute_reference) = match &asset.authorisation {
            PurchaseAuthorisation::ApprovedBy(p) => ("approved_by", p.to_string(), String::new()),
            PurchaseAuthorisation::MinuteReference(m) => {
                ("minute_reference", String::new(), m.clone())
            }
            PurchaseAuthorisation::None => ("none", String::new(), String::new()),
        };
        Self {
            number: asset.number.to_string(),
            category: asset.category.as_str().to_owned(),
            make: asset.make.clone(),
            model: asset.model.clone(),
            serial: text(asset.serial.as_ref().map(ToString::to_string)),
            imei: text(asset.imei.as_ref().map(ToString::to_string)),
            sim: text(asset.sim.as_ref().map(ToString::to_string)),
            purchased_on: text(
                asset
                    .purchased_on
                    .map(|d| d.strftime("%-d/%-m/%Y").to_string()),
            ),
            cost: words::cost_for_form(asset.cost_pence),
            supplier: asset.supplier.clone(),
            authorisation: authorisation.to_owned(),
            approved_by,
            minute_reference,
            warranty_ends: text(
                asset
                    .warranty_ends
                    .map(|d| d.strftime("%-d/%-m/%Y").to_string()),
            ),
            encrypted: asset.encrypted.as_str().to_owned(),
            location: asset.location.clone(),
            notes: asset.notes.clone(),
            fingerprint: fingerprint(asset),
        }
    }
}

/// The field a rule's refusal belongs beside.
fn field_of(error: &AssetError) -> &'static str {
    match error {
        AssetError::ImeiNotAllowed { .. } => "imei",
        AssetError::SimNotAllowed { .. } => "sim",
        AssetError::PurchaseDateInFuture(_) => "purchased_on",
        AssetError::WarrantyBeforePurchase { .. } => "warranty_ends",
        AssetError::EmptyMinuteReference => "minute_reference",
        AssetError::TextTooLong { field, .. } | AssetError::TextControlCharacters { field } => {
            match *field {
                "make" => "make",
                "model" => "model",
                "supplier" => "supplier",
                "location" => "location",
                "notes" => "notes",
                "minute reference" => "minute_reference",
                _ => "number",
            }
        }
        _ => "number",
    }
}

/// Reads every field, recording each problem beside its field; `None` when any was found.
fn parse(form: &AssetForm, people: &People, errors: &mut Errors) -> Option<NewAsset> {
    let number = errors.check("number", AssetNumber::parse(&form.number));
    let category = if form.category.trim().is_empty() {
        errors.add("category", "Choose what kind of item it is.");
        None
    } else {
        errors.check("category", Category::parse(&form.category))
    };
    let serial = errors.check("serial", parse_optional(&form.serial, SerialNumber::parse));
    let imei = errors.check("imei", parse_optional(&form.imei, Imei::parse));
    let sim = errors.check("sim", parse_optional(&form.sim, SimNumber::parse));
    let purchased_on = errors.check(
        "purchased_on",
        words::parse_date(&form.purchased_on, "the purchase date"),
    );
    let cost = errors.check("cost", parse_optional(&form.cost, parse_cost));
    let authorisation = match form.authorisation.as_str() {
        "approved_by" => match PersonId::parse(form.approved_by.trim())
            .ok()
            .and_then(|id| people.get(id))
        {
            Some(person) => Some(PurchaseAuthorisation::ApprovedBy(person.id)),
            None => {
                errors.add("approved_by", "Choose who approved the purchase.");
                None
            }
        },
        "minute_reference" => Some(PurchaseAuthorisation::MinuteReference(
            form.minute_reference.clone(),
        )),
        _ => Some(PurchaseAuthorisation::None),
    };
    let warranty_ends = errors.check(
        "warranty_ends",
        words::parse_date(&form.warranty_ends, "the warranty end date"),
    );
    let encrypted = errors.check("encrypted", Encryption::parse(&form.encrypted));
    match (
        number,
        category,
        serial,
        imei,
        sim,
        purchased_on,
        cost,
        authorisation,
        warranty_ends,
        encrypted,
    ) {
        (
            Some(number),
            Some(category),
            Some(serial),
            Some(imei),
            Some(sim),
            Some(purchased_on),
            Some(cost_pence),
            Some(authorisation),
            Some(warranty_ends),
            Some(encrypted),
        ) if errors.is_empty() => Some(NewAsset {
            number,
            category,
            make: form.make.clone(),
            model: form.model.clone(),
            serial,
            imei,
            sim,
            purchased_on,
            cost_pence,
            supplier: form.supplier.clone(),
            authorisation,
            warranty_ends,
            encrypted,
            location: form.location.clone(),
            notes: form.notes.clone(),
        }),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "assets/form.html")]
struct FormPage {
    chrome: crate::chrome::Chrome,
    errors: Errors,
    problem: Option<String>,
    /// The item's id when changing one; `None` when adding.
    editing: Option<String>,
    action: String,
    form: AssetForm,
    categories: Vec<Choice>,
    authorisations: Vec<Choice>,
    approvers: Vec<Choice>,
    encryption: Vec<Choice>,
}

fn form_page(
    signed_in: &SignedIn,
    people: &People,
    editing: Option<&str>,
    form: AssetForm,
    errors: Errors,
    problem: Option<String>,
) -> Result<Response, AppError> {
    let mut approvers = people.active_choices(&form.approved_by);
    if !form.approved_by.is_empty() && !approvers.iter().any(|c| c.checked) {
        // The recorded approver may have left since: keep them as a choice.
        if let Some(person) = PersonId::parse(&form.approved_by)
            .ok()
            .and_then(|id| people.get(id))
        {
            approvers.push(Choice::new(
                person.id.to_string(),
                format!("{} (has left)", person.name),
                &form.approved_by,
            ));
        }
    }
    Ok(render(&FormPage {
        chrome: chrome(signed_in, "/assets"),
        errors,
        problem,
        editing: editing.map(str::to_owned),
        action: editing.map_or("/assets/new".to_owned(), |id| format!("/assets/{id}/edit")),
        categories: Category::ALL
            .iter()
            .map(|c| Choice::new(c.as_str(), c.label(), &form.category))
            .collect(),
        authorisations: [
            (
                "approved_by",
                "Approved by a person (for example the Clerk, within delegated powers)",
            ),
            ("minute_reference", "Approved by the council at a meeting"),
            ("none", "Not recorded"),
        ]
        .iter()
        .map(|(v, l)| Choice::new(*v, *l, &form.authorisation))
        .collect(),
        approvers,
        encryption: [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
            .iter()
            .map(|(v, l)| Choice::new(*v, *l, &form.encrypted))
            .collect(),
        form,
    })?
    .into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let council = signed_in.council_id();
    let numbers = state.store().asset_numbers(council).await?;
    let form = AssetForm {
        number: suggest_next(numbers.iter()).to_string(),
        authorisation: "none".to_owned(),
        encrypted: "unknown".to_owned(),
        ..AssetForm::default()
    };
    let people = People::of(&state, council).await?;
    form_page(&signed_in, &people, None, form, Errors::new(), None)
}

pub async fn create(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<AssetForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let council = signed_in.council_id();
    let people = People::of(&state, council).await?;
    let mut errors = Errors::new();
    let Some(input) = parse(&form, &people, &mut errors) else {
        return form_page(&signed_in, &people, None, form, errors, None);
    };
    let (asset, event) = match register_asset(
        council,
        AssetId::generate(),
        input,
        signed_in.actor(),
        state.now(),
    ) {
        Ok(done) => done,
        Err(e) => {
            errors.add(field_of(&e), e.to_string());
            return form_page(&signed_in, &people, None, form, errors, None);
        }
    };
    match state.store().insert_asset(&asset, &event).await {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{}?done=added", asset.id)).into_response()),
        Err(e @ AssetStoreError::DuplicateNumber { .. }) => {
            errors.add("number", e.to_string());
            form_page(&signed_in, &people, None, form, errors, None)
        }
        Err(e) => Err(unexpected(e)),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let asset = load(&state, &signed_in, &id).await?;
    let people = People::of(&state, signed_in.council_id()).await?;
    let problem = disposed_problem(&asset);
    form_page(
        &signed_in,
        &people,
        Some(&id),
        AssetForm::of(&asset),
        Errors::new(),
        problem,
    )
}

/// Disposed items are kept as a record only.
fn disposed_problem(asset: &Asset) -> Option<String> {
    (asset.status == AssetStatus::Disposed).then(|| {
        format!(
            "{} has been disposed of. Its record is kept as evidence and cannot be changed.",
            asset.number
        )
    })
}

pub async fn update(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    Form(mut form): Form<AssetForm>,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let council = signed_in.council_id();
    let existing = load(&state, &signed_in, &id).await?;
    let people = People::of(&state, council).await?;
    if let Some(problem) = disposed_problem(&existing) {
        return form_page(
            &signed_in,
            &people,
            Some(&id),
            form,
            Errors::new(),
            Some(problem),
        );
    }
    let mut errors = Errors::new();
    let Some(input) = parse(&form, &people, &mut errors) else {
        return form_page(&signed_in, &people, Some(&id), form, errors, None);
    };
    let changed_meanwhile = |form: &mut AssetForm| {
        // Carry the current fingerprint, so saving again is a deliberate choice.
        form.fingerprint = fingerprint(&existing);
        Some(format!(
            "Someone else changed {} after you opened this page, so your changes have not been saved. Open the item's page in a new tab to see it as it is now; if your changes are still right, save again.",
            existing.number
        ))
    };
    if form.fingerprint != fingerprint(&existing) {
        let problem = changed_meanwhile(&mut form);
        return form_page(&signed_in, &people, Some(&id), form, errors, problem);
    }
    let now = state.now();
    let details = match register_asset(council, existing.id, input, signed_in.actor(), now) {
        Ok((details, _)) => details,
        Err(e) => {
            errors.add(field_of(&e), e.to_string());
            return form_page(&signed_in, &people, Some(&id), form, errors, None);
        }
    };
    // Only the details change here; custody, wipe and disposal keep their own pages.
    let edited = Asset {
        status: existing.status.clone(),
        wipe: existing.wipe.clone(),
        disposal: existing.disposal.clone(),
        registered_at: existing.registered_at,
        ..details
    };
    let changed = changed_fields(&existing, &edited);
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/assets/{id}")).into_response());
    }
    let event = AuditEvent::new(council, now, signed_in.actor(), "asset.updated")
        .subject(existing.subject())
        .details(json!({
            "number": edited.number.as_str(),
            "number_before": (existing.number.as_str() != edited.number.as_str())
                .then(|| existing.number.as_str()),
            "changed": changed,
        }));
    match state
        .store()
        .update_asset_if_unchanged(&existing, &edited, &event)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/assets/{id}?done=updated")).into_response()),
        Err(e @ AssetStoreError::DuplicateNumber { .. }) => {
            errors.add("number", e.to_string());
            form_page(&signed_in, &people, Some(&id), form, errors, None)
        }
        Err(AssetStoreError::ChangedSinceRead { .. }) => {
            let problem = changed_meanwhile(&mut form);
            form_page(&signed_in, &people, Some(&id), form, errors, problem)
        }
        Err(e) => Err(unexpected(e)),
    }
}

/// The names of the fields an edit changed, for the audit entry (values stay in the register).
fn changed_fields(before: &Asset, after: &Asset) -> Vec<&'static str> {
    let checks: [(&'static str, bool); 15] = [
        ("number", before.number.as_str() != after.number.as_str()),
        ("category", before.category != after.category),
        ("make", before.make != after.make),
        ("model", before.model != after.model),
        ("serial", before.serial != after.serial),
        ("imei", before.imei != after.imei),
        ("sim", before.sim != after.sim),
        ("purchased_on", before.purchased_on != after.purchased_on),
        ("cost", before.cost_pence != after.cost_pence),
        ("supplier", before.supplier != after.supplier),
        ("authorisation", before.authorisation != after.authorisation),
        ("warranty_ends", before.warranty_ends != after.warranty_ends),
        ("encrypted", before.encrypted != after.encrypted),
        ("location", before.location != after.location),
        ("notes", before.notes != after.notes),
    ];
    checks
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}
