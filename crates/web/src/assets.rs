//! Static assets (stylesheet, scripts, icon) embedded in the binary at build time and served
//! under `/assets/`; nothing is read from disk at run time, and no GOV.UK-branded file
//! (fonts, crown, favicons) is ever served.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// Built by `build.rs` from `assets/custodian.scss` with GOV.UK Frontend.
const CUSTODIAN_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/custodian.css"));
/// GOV.UK Frontend's ES module bundle, copied by `build.rs`.
const GOVUK_FRONTEND_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/govuk-frontend.min.js"));
const APP_JS: &str = include_str!("../assets/app.js");
const PASSKEYS_JS: &str = include_str!("../assets/passkeys.js");
const VAULT_JS: &str = include_str!("../assets/vault.js");
const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");

const CSS: &str = "text/css; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";
/// An hour: long enough to spare repeat downloads within a session, short enough that a new
/// release's styles reach everyone the same day without versioned file names.
const CACHE: &str = "public, max-age=3600";

/// The routes that serve the embedded assets; merge them into the application's router.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/custodian.css", get(|| serve(CSS, CUSTODIAN_CSS)))
        .route(
            "/assets/govuk-frontend.min.js",
            get(|| serve(JAVASCRIPT, GOVUK_FRONTEND_JS)),
        )
        .route("/assets/app.js", get(|| serve(JAVASCRIPT, APP_JS)))
        .route(
            "/assets/passkeys.js",
            get(|| serve(JAVASCRIPT, PASSKEYS_JS)),
        )
        .route("/assets/vault.js", get(|| serve(JAVASCRIPT, VAULT_JS)))
        .route("/assets/favicon.svg", get(|| serve(SVG, FAVICON_SVG)))
        // Browsers ask for /favicon.ico on their own; an SVG answer is understood by all current ones.
        .route("/favicon.ico", get(|| serve(SVG, FAVICON_SVG)))
}

async fn serve(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, CACHE),
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn every_asset_is_served_with_its_content_type_and_cache_header() {
        let cases = [
            ("/assets/custodian.css", CSS),
            ("/assets/govuk-frontend.min.js", JAVASCRIPT),
            ("/assets/app.js", JAVASCRIPT),
            ("/assets/passkeys.js", JAVASCRIPT),
            ("/assets/vault.js", JAVASCRIPT),
            ("/assets/favicon.svg", SVG),
            ("/favicon.ico", SVG),
        ];
        for (path, content_type) in cases {
            let response = routes::<()>()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                content_type,
                "{path}"
            );
            assert_eq!(response.headers()[header::CACHE_CONTROL], CACHE, "{path}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            assert!(!body.is_empty(), "{path} is empty");
        }
    }

    #[tokio::test]
    async fn an_unknown_asset_is_not_found() {
        let response = routes::<()>()
            .oneshot(
                Request::get("/assets/images/govuk-crest.svg")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_stylesheet_carries_no_gov_uk_font() {
        assert!(CUSTODIAN_CSS.contains(".govuk-generic-header"));
        assert!(!CUSTODIAN_CSS.contains("GDS Transport"));
        assert!(!CUSTODIAN_CSS.contains("@font-face"));
        assert!(!CUSTODIAN_CSS.contains("/fonts/"));
    }

    #[test]
    fn the_stylesheet_uses_custodian_colours_for_the_header() {
        // GOV.UK blue (#1d70b8) is GOV.UK's brand colour; the header must not use it.
        assert!(CUSTODIAN_CSS.contains(".custodian-header{"));
        assert!(CUSTODIAN_CSS.contains("#1d3a4a"));
    }

    #[test]
    fn the_script_bundle_exports_init_all_without_a_missing_source_map() {
        assert!(GOVUK_FRONTEND_JS.contains("initAll"));
        assert!(!GOVUK_FRONTEND_JS.contains("sourceMappingURL"));
        assert!(APP_JS.contains("from '/assets/govuk-frontend.min.js'"));
    }
}
