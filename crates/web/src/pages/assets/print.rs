//! Paper: the register printed for a council meeting or the insurer (totals by kind and status,
//! total cost), and a sheet of labels, each with the number, the council's name and a QR code
//! that opens the item's page. QR codes are SVG drawn on the server: no script, and inline SVG is
//! allowed by the Content Security Policy.

use super::list::{Filters, STATUSES};
use super::{AssetRow, People, all_matching, load, query_value, words};
use crate::error::AppError;
use crate::nav::{chrome, local_time, render};
use crate::session::SignedIn;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use custodian_core::asset::{Asset, AssetStatus, Category, StatusFilter};
use custodian_core::permission::Action;

/// One line of a totals table.
pub struct Total {
    pub label: &'static str,
    pub count: usize,
    pub cost: String,
}

#[derive(Template)]
#[template(path = "assets/print.html")]
struct PrintPage {
    chrome: crate::chrome::Chrome,
    council: String,
    printed: String,
    filtered: bool,
    back: String,
    rows: Vec<AssetRow>,
    by_category: Vec<Total>,
    by_status: Vec<Total>,
    total_cost: String,
    without_cost: usize,
}

fn cost_of<'a>(assets: impl Iterator<Item = &'a Asset>) -> u64 {
    assets.filter_map(|a| a.cost_pence).sum()
}

fn status_filter(asset: &Asset) -> StatusFilter {
    match asset.status {
        AssetStatus::InStore => StatusFilter::InStore,
        AssetStatus::Issued { .. } => StatusFilter::Issued,
        AssetStatus::Lost => StatusFilter::Lost,
        AssetStatus::Stolen => StatusFilter::Stolen,
        AssetStatus::Damaged => StatusFilter::Damaged,
        AssetStatus::Disposed => StatusFilter::Disposed,
    }
}

pub async fn register(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::ViewRegister).await?;
    let council = signed_in.council_id();
    let filters = Filters::from_query(raw.as_deref());
    let mut query = filters.query();
    query.sort = Default::default();
    query.direction = Default::default();
    let assets = all_matching(&state, council, query).await?;
    let people = People::of(&state, council).await?;
    let by_category = Category::ALL
        .iter()
        .filter_map(|category| {
            let of_kind: Vec<&Asset> = assets.iter().filter(|a| a.category == *category).collect();
            (!of_kind.is_empty()).then(|| Total {
                label: category.label(),
                count: of_kind.len(),
                cost: words::money(cost_of(of_kind.into_iter())),
            })
        })
        .collect();
    let by_status = STATUSES
        .iter()
        .filter_map(|(status, label)| {
            let in_status: Vec<&Asset> = assets
                .iter()
                .filter(|a| status_filter(a) == *status)
                .collect();
            (!in_status.is_empty()).then(|| Total {
                label,
                count: in_status.len(),
                cost: words::money(cost_of(in_status.into_iter())),
            })
        })
        .collect();
    let filtered = filters.query().text.is_some()
        || filters.category.is_some()
        || filters.status.is_some()
        || filters.holder.is_some();
    Ok(render(&PrintPage {
        chrome: chrome(&signed_in, "/assets"),
        council: signed_in.current.council.name.to_string(),
        printed: local_time(state.now()),
        filtered,
        back: filters.filter_link("/assets"),
        total_cost: words::money(cost_of(assets.iter())),
        without_cost: assets.iter().filter(|a| a.cost_pence.is_none()).count(),
        rows: assets.iter().map(|a| AssetRow::of(a, &people)).collect(),
        by_category,
        by_status,
    })?
    .into_response())
}

/// At most this many labels on one page: more would make a page too heavy to print.
const MAX_LABELS: usize = 500;

pub struct Label {
    pub number: String,
    pub description: String,
    /// The QR code as an SVG element (trusted: drawn here, from the item's address only).
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "assets/labels.html")]
struct LabelsPage {
    chrome: crate::chrome::Chrome,
    council: String,
    labels: Vec<Label>,
    left_out: usize,
    back: String,
}

/// The QR code for `url` as an inline `<svg>` (without the XML declaration, which has no place
/// inside HTML).
fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg")?;
    Some(svg[start..].to_owned())
}

pub async fn labels(
    State(state): State<AppState>,
    signed_in: SignedIn,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    signed_in.require(Action::ManageAssets).await?;
    let council = signed_in.council_id();
    let filters = Filters::from_query(raw.as_deref());
    let ids = query_value(raw.as_deref(), "ids").unwrap_or_default();
    let mut assets = Vec::new();
    if ids.trim().is_empty() {
        let mut query = filters.query();
        query.sort = Default::default();
        query.direction = Default::default();
        assets = all_matching(&state, council, query).await?;
        // A disposed item needs no label unless asked for by status.
        if filters.status.is_none() {
            assets.retain(|a| a.status != AssetStatus::Disposed);
        }
    } else {
        for id in ids.split(',').filter(|id| !id.trim().is_empty()) {
            assets.push(load(&state, &signed_in, id.trim()).await?);
        }
    }
    let left_out = assets.len().saturating_sub(MAX_LABELS);
    let base = state.inner().options.public_url.trim_end_matches('/');
    let labels = assets
        .iter()
        .take(MAX_LABELS)
        .map(|asset| Label {
            number: asset.number.to_string(),
            description: asset.make_and_model(),
            qr_svg: qr_svg(&format!("{base}/assets/{}", asset.id)).unwrap_or_default(),
        })
        .collect();
    Ok(render(&LabelsPage {
        chrome: chrome(&signed_in, "/assets"),
        council: signed_in.current.council.name.to_string(),
        labels,
        left_out,
        back: filters.filter_link("/assets"),
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_qr_code_is_an_svg_element_without_an_xml_declaration() {
        let svg = qr_svg("https://custodian.example/assets/0193c1d8-0000-7000-8000-000000000000")
            .unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("viewBox"));
        assert!(!svg.contains("<?xml"));
    }
}
