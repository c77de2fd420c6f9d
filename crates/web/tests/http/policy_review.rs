//! The review cycle: the home page says nothing while the review is far off, reminds the Clerk
//! 60 days before it is due, and keeps showing it once overdue. Comparing any two versions.

use crate::helpers::*;
use crate::policy::{adopt, start_draft, without_mfa_roles};
use jiff::SignedDuration;

#[tokio::test]
async fn the_review_is_announced_sixty_days_ahead_and_stays_visible_when_overdue() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let id = start_draft(&mut clerk).await;
    without_mfa_roles(&mut clerk, &id).await;
    // Adopted on 14 September 2026 (the test clock reads 21 September 2026): due 14 September
    // 2027, twelve months on.
    assert_eq!(adopt(&mut clerk, &id, "COU/1/26").await.status, 303);
    let home = clerk.get("/").await;
    assert!(!home.body.contains("The review is"), "{}", home.body);

    app.clock.advance(SignedDuration::from_hours(24 * 320)); // 7 August 2027
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let home = clerk.get("/").await;
    assert!(
        home.body
            .contains("IT policy: The review is due in 38 days, by 14 September 2027."),
        "{}",
        home.body
    );
    let policy = clerk.get("/policy").await;
    assert!(policy.body.contains("The review is due in 38 days"));
    // A councillor is not the one to start a review.
    let mut councillor = app.signed_in(&app.a.councillor.email).await;
    assert!(!councillor.get("/").await.body.contains("The review is"));

    app.clock.advance(SignedDuration::from_hours(24 * 60)); // 6 October 2027
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let home = clerk.get("/").await;
    assert!(
        home.body
            .contains("The review is overdue by 22 days: it was due by 14 September 2027"),
        "{}",
        home.body
    );
}

#[tokio::test]
async fn any_two_versions_can_be_compared_from_the_policy_page() {
    let app = spawn_app().await;
    let mut clerk = app.signed_in(&app.a.clerk.email).await;
    let first = start_draft(&mut clerk).await;
    let overview = clerk.get("/policy").await;
    assert!(
        !overview.body.contains("Compare two versions"),
        "one version: nothing to compare"
    );
    let second = start_draft(&mut clerk).await;
    clerk
        .get(&format!("/policy/versions/{second}/questions/liability"))
        .await;
    clerk
        .post(
            &format!("/policy/versions/{second}/questions/liability"),
            &[("liability_kind", "replacement_value")],
        )
        .await;
    let overview = clerk.get("/policy").await;
    assert!(overview.body.contains("Compare two versions"));
    assert!(
        overview
            .body
            .contains("<title>IT policy – Custodian</title>")
    );
    let compare = clerk
        .get(&format!("/policy/compare?from={first}&to={second}"))
        .await;
    assert_eq!(compare.status, 200);
    assert!(compare.body.contains("Clause 2.1.6"), "{}", compare.body);
    assert!(
        compare.body.contains("1 clause differs"),
        "{}",
        compare.body
    );
}
