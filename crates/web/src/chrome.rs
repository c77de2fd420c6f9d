//! The data every page's layout (`templates/layout.html`) needs: whose council and session it
//! is, the navigation and the CSRF token for the sign-out form. It holds no permissions logic;
//! handlers decide what goes in it.

/// The page "chrome" around every page's content. Every page template has a `chrome` field.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// Shown in the service navigation bar; `None` before a council exists or is chosen.
    pub council_name: Option<String>,
    /// The signed-in person's name; `None` when nobody is signed in (no sign-out button then).
    pub person_name: Option<String>,
    /// The main navigation, in order; empty for signed-out pages.
    pub nav: Vec<NavItem>,
    /// Put in the sign-out form, which is a POST and so CSRF-protected.
    pub csrf_token: String,
}

/// One link in the main navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    /// This item is the current page (shown highlighted, with `aria-current="page"`).
    pub active: bool,
}

impl Chrome {
    /// Chrome for a page seen by someone not signed in: no council, no person, no navigation.
    pub fn anonymous(csrf_token: String) -> Self {
        Self {
            council_name: None,
            person_name: None,
            nav: Vec::new(),
            csrf_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use askama::Template;

    #[derive(Template)]
    #[template(
        source = "{% extends \"layout.html\" %}{% block title %}T{% endblock %}{% block content %}<p>x</p>{% endblock %}",
        ext = "html"
    )]
    struct Probe {
        chrome: Chrome,
    }

    #[derive(Template)]
    #[template(path = "accessibility.html")]
    struct AccessibilityPage {
        chrome: Chrome,
    }

    fn signed_in() -> Chrome {
        Chrome {
            council_name: Some("Little Snoring Parish Council".to_owned()),
            person_name: Some("Jo Bloggs".to_owned()),
            nav: vec![
                NavItem {
                    href: "/",
                    label: "Home",
                    active: false,
                },
                NavItem {
                    href: "/equipment",
                    label: "Equipment",
                    active: true,
                },
            ],
            csrf_token: "tok-123".to_owned(),
        }
    }

    /// Every `<script` tag must load a file: the CSP forbids inline scripts.
    fn assert_no_inline_script_or_style(html: &str) {
        for (at, _) in html.match_indices("<script") {
            let tag_end = html[at..].find('>').map(|end| at + end).unwrap();
            assert!(
                html[at..tag_end].contains(" src="),
                "inline script: {}",
                &html[at..tag_end]
            );
        }
        assert!(!html.contains("<style"), "inline <style> element");
        assert!(!html.contains(" style="), "inline style attribute");
        for (at, _) in html.match_indices(" on") {
            let name: String = html[at + 3..]
                .chars()
                .take_while(char::is_ascii_lowercase)
                .collect();
            let after = html[at + 3 + name.len()..].chars().next();
            assert!(
                !(name.len() > 1 && after == Some('=')),
                "inline event handler on{name}"
            );
        }
    }

    #[test]
    fn the_layout_shows_the_council_the_person_and_a_protected_sign_out_form() {
        let html = Probe {
            chrome: signed_in(),
        }
        .render()
        .unwrap();
        assert!(html.contains("<title>T – Custodian</title>"));
        assert!(html.contains("Little Snoring Parish Council"));
        assert!(html.contains("Jo Bloggs"));
        assert!(html.contains(r#"<form method="post" action="/sign-out""#));
        assert!(html.contains(r#"<input type="hidden" name="csrf_token" value="tok-123">"#));
        assert!(html.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
        assert!(html.contains(r#"href="/assets/custodian.css""#));
        assert!(html.contains(r##"href="#main-content""##));
        assert!(html.contains(r#"id="main-content""#));
        assert!(html.contains(r#"href="/accessibility""#));
        assert!(html.contains("<p>x</p>"));
        assert_no_inline_script_or_style(&html);
    }

    #[test]
    fn only_the_active_navigation_item_is_marked_as_the_current_page() {
        let html = Probe {
            chrome: signed_in(),
        }
        .render()
        .unwrap();
        assert_eq!(html.matches(r#"aria-current="page""#).count(), 1);
        let current = html.find(r#"aria-current="page""#).unwrap();
        let link_start = html[..current].rfind("<a ").unwrap();
        assert!(html[link_start..current].contains(r#"href="/equipment""#));
    }

    #[test]
    fn a_signed_out_page_has_no_navigation_and_no_sign_out_form() {
        let html = Probe {
            chrome: Chrome::anonymous("anon".to_owned()),
        }
        .render()
        .unwrap();
        assert!(html.contains("Custodian"));
        assert!(!html.contains("/sign-out"));
        assert!(!html.contains("govuk-service-navigation"));
        assert_no_inline_script_or_style(&html);
    }

    #[test]
    fn names_are_escaped() {
        let mut chrome = signed_in();
        chrome.council_name = Some("<b>Parish</b> & Town".to_owned());
        let html = Probe { chrome }.render().unwrap();
        assert!(!html.contains("<b>Parish</b>"));
        assert!(
            html.contains("&#60;b&#62;Parish&#60;/b&#62; &#38; Town") || html.contains("&lt;b&gt;")
        );
    }

    #[test]
    fn the_layout_carries_no_gov_uk_branding() {
        let html = Probe {
            chrome: signed_in(),
        }
        .render()
        .unwrap();
        for brand in [
            "GOV.UK",
            "govuk-header__logotype",
            "Crown copyright",
            "govuk-crest",
        ] {
            assert!(!html.contains(brand), "{brand}");
        }
    }

    #[test]
    fn the_accessibility_statement_renders_and_credits_the_wordlist() {
        let html = AccessibilityPage {
            chrome: Chrome::anonymous("anon".to_owned()),
        }
        .render()
        .unwrap();
        assert!(html.contains("Accessibility statement"));
        assert!(html.contains("WCAG"));
        assert!(html.contains("23 November 2026"));
        assert!(html.contains("Electronic Frontier Foundation"));
        assert_no_inline_script_or_style(&html);
    }
}
