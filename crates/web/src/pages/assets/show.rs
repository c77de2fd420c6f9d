//! An item's page: every field, who holds it and whether they have acknowledged it, what this
//! viewer may do with it, the acknowledgement records and its whole history.

use super::acknowledgements::{self, AcknowledgementRecord};
use super::history::{self, HistoryLine};
use super::{People, load, query_value, status_class, status_words, words};
use crate::error::AppError;
use crate::nav::{chrome, local_date, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use custodian_core::asset::{Asset, AssetStatus, Encryption, PurchaseAuthorisation};
use custodian_core::permission::Action;

/// One row of the item's summary list.
pub struct Detail {
    pub key: &'static str,
    pub value: String,
}

/// What the viewer may do with the item now, given their role and its state.
#[derive(Default)]
pub struct Actions {
    pub edit: bool,
    pub issue: bool,
    pub transfer: bool,
    pub return_to_store: bool,
    pub report_loss: bool,
    pub wipe: bool,
    pub dispose: bool,
    pub label: bool,
}

impl Actions {
    pub fn any(&self) -> bool {
        self.edit
            || self.issue
            || self.transfer
            || self.return_to_store
            || self.report_loss
            || self.wipe
            || self.dispose
    }
}

pub fn actions(signed_in: &SignedIn, asset: &Asset) -> Actions {
    let manage = signed_in.may(Action::ManageAssets);
    let status = &asset.status;
    let holds_it = asset.holder() == Some(signed_in.person_id());
    let may_report =
        signed_in.may(Action::ReportAnyLoss) || (holds_it && signed_in.may(Action::HoldEquipment));
    Actions {
        edit: manage && *status != AssetStatus::Disposed,
        issue: manage && *status == AssetStatus::InStore,
        transfer: manage && matches!(status, AssetStatus::Issued { .. }),
        return_to_store: manage && !matches!(status, AssetStatus::InStore | AssetStatus::Disposed),
        report_loss: may_report
            && matches!(status, AssetStatus::InStore | AssetStatus::Issued { .. }),
        wipe: manage && !matches!(status, AssetStatus::Issued { .. } | AssetStatus::Disposed),
        dispose: manage && matches!(status, AssetStatus::InStore | AssetStatus::Damaged),
        label: manage,
    }
}

#[derive(Template)]
#[template(path = "assets/show.html")]
struct ItemPage {
    chrome: crate::chrome::Chrome,
    id: String,
    number: String,
    description: String,
    status: String,
    status_class: &'static str,
    done: Option<&'static str>,
    problem: Option<String>,
    holder: Option<String>,
    holder_href: Option<String>,
    holder_left: bool,
    issued_since: String,
    acknowledged: Option<String>,
    details: Vec<Detail>,
    wipe: Vec<Detail>,
    disposal: Vec<Detail>,
    actions: Actions,
    acknowledgements: Vec<AcknowledgementRecord>,
    history: Vec<HistoryLine>,
    back: (&'static str, &'static str),
}

/// What was just done, for the banner at the top (from `?done=` after a redirect).
fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "added" => "The item has been added to the register.",
        "updated" => "The item's details have been saved.",
        "issued" => {
            "The item has been issued. The person will be asked to acknowledge it when they next sign in."
        }
        "transferred" => {
            "The item has been transferred. The new holder will be asked to acknowledge it."
        }
        "returned" => "The item is back in store.",
        "wiped" => "The data wipe has been recorded. The item can now be disposed of.",
        "disposed" => "The disposal has been recorded. The item stays in the register as a record.",
        _ => return None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let asset = load(&state, &signed_in, &id).await?;
    let done = query_value(raw.as_deref(), "done").and_then(|code| done_message(&code));
    Ok(item_page(&state, &signed_in, &asset, done, None)
        .await?
        .into_response())
}

/// The item's page, with a problem to show when an action on it was refused. The holder may see
/// their own item without the register; anyone else needs to see the register.
pub async fn item_page(
    state: &AppState,
    signed_in: &SignedIn,
    asset: &Asset,
    done: Option<&'static str>,
    problem: Option<String>,
) -> Result<axum::response::Html<String>, AppError> {
    let holds_it = asset.holder() == Some(signed_in.person_id());
    if !(holds_it && signed_in.may(Action::HoldEquipment)) {
        signed_in.require(Action::ViewRegister).await?;
    }
    let council = signed_in.council_id();
    let people = People::of(state, council).await?;
    let (issued_since, acknowledged) = match asset.status {
        AssetStatus::Issued {
            since,
            acknowledged_at,
            ..
        } => (local_time(since), acknowledged_at.map(local_time)),
        _ => (String::new(), None),
    };
    let holder = asset.holder();
    let in_register = signed_in.may(Action::ViewRegister);
    render(&ItemPage {
        chrome: chrome(
            signed_in,
            if in_register {
                "/assets"
            } else {
                "/my-equipment"
            },
        ),
        id: asset.id.to_string(),
        number: asset.number.to_string(),
        description: asset.make_and_model(),
        status: status_words(asset),
        status_class: status_class(&asset.status),
        done,
        problem,
        holder: holder.map(|p| people.name(p)),
        holder_href: holder
            .filter(|_| signed_in.may(Action::ViewPeople))
            .map(|p| format!("/people/{p}")),
        holder_left: holder.is_some_and(|p| people.has_left(p)),
        issued_since,
        acknowledged,
        details: details(asset, &people),
        wipe: wipe_details(asset, &people),
        disposal: disposal_details(asset, &people),
        actions: actions(signed_in, asset),
        acknowledgements: acknowledgements::records(state, council, asset, &people).await?,
        history: history::of(state, council, asset, signed_in.may(Action::ViewIncidents)).await?,
        back: if in_register {
            ("/assets", "Back to the register")
        } else {
            ("/my-equipment", "Back to your equipment")
        },
    })
}

fn or_not_recorded(value: String) -> String {
    if value.trim().is_empty() {
        "Not recorded".to_owned()
    } else {
        value
    }
}

fn details(asset: &Asset, people: &People) -> Vec<Detail> {
    let text = |v: Option<String>| or_not_recorded(v.unwrap_or_default());
    let mut rows = vec![
        Detail {
            key: "Asset number",
            value: asset.number.to_string(),
        },
        Detail {
            key: "Kind of item",
            value: asset.category.label().to_owned(),
        },
        Detail {
            key: "Make",
            value: or_not_recorded(asset.make.clone()),
        },
        Detail {
            key: "Model",
            value: or_not_recorded(asset.model.clone()),
        },
        Detail {
            key: "Serial number",
            value: text(asset.serial.as_ref().map(ToString::to_string)),
        },
    ];
    if asset.category.has_mobile_identifiers() || asset.imei.is_some() || asset.sim.is_some() {
        rows.push(Detail {
            key: "IMEI",
            value: text(asset.imei.as_ref().map(ToString::to_string)),
        });
        rows.push(Detail {
            key: "SIM card number",
            value: text(asset.sim.as_ref().map(ToString::to_string)),
        });
    }
    rows.extend([
        Detail {
            key: "Date bought",
            value: text(asset.purchased_on.map(local_date)),
        },
        Detail {
            key: "Cost",
            value: text(asset.cost_pence.map(words::money)),
        },
        Detail {
            key: "Supplier",
            value: or_not_recorded(asset.supplier.clone()),
        },
        Detail {
            key: "Purchase approved by",
            value: match &asset.authorisation {
                PurchaseAuthorisation::ApprovedBy(p) => people.name(*p),
                PurchaseAuthorisation::MinuteReference(m) => {
                    format!("The council, minute reference {m}")
                }
                PurchaseAuthorisation::None => "Not recorded".to_owned(),
            },
        },
        Detail {
            key: "Warranty ends",
            value: text(asset.warranty_ends.map(local_date)),
        },
        Detail {
            key: "Encrypted",
            value: match asset.encrypted {
                Encryption::Yes => "Yes",
                Encryption::No => "No",
                Encryption::Unknown => "Not known",
            }
            .to_owned(),
        },
        Detail {
            key: "Where it is kept",
            value: or_not_recorded(asset.location.clone()),
        },
        Detail {
            key: "Added to the register",
            value: local_time(asset.registered_at),
        },
    ]);
    if !asset.notes.is_empty() {
        rows.push(Detail {
            key: "Notes",
            value: asset.notes.clone(),
        });
    }
    rows
}

fn wipe_details(asset: &Asset, people: &People) -> Vec<Detail> {
    let Some(wipe) = &asset.wipe else {
        return Vec::new();
    };
    vec![
        Detail {
            key: "How",
            value: wipe.method.label().to_owned(),
        },
        Detail {
            key: "Wiped by",
            value: people.name(wipe.by),
        },
        Detail {
            key: "Wiped on",
            value: local_date(wipe.on),
        },
        Detail {
            key: "Certificate reference",
            value: or_not_recorded(wipe.certificate_reference.clone().unwrap_or_default()),
        },
    ]
}

fn disposal_details(asset: &Asset, people: &People) -> Vec<Detail> {
    let Some(disposal) = &asset.disposal else {
        return Vec::new();
    };
    vec![
        Detail {
            key: "Taken away by",
            value: disposal.recycler.clone(),
        },
        Detail {
            key: "Certificate reference",
            value: or_not_recorded(disposal.certificate_reference.clone().unwrap_or_default()),
        },
        Detail {
            key: "Recorded",
            value: format!(
                "{}{}",
                local_time(disposal.at),
                disposal
                    .by
                    .map(|p| format!(" by {}", people.name(p)))
                    .unwrap_or_default()
            ),
        },
    ]
}
