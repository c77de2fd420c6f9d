//! The home page's share of the council's routines (issue 6): joining checklists, health and
//! safety, approvals, reminders and mail that could not be sent. Each capability says what it
//! needs in its own module; this gathers them in the order the home page shows them.

use super::home::Attention;
use crate::error::AppError;
use crate::session::SignedIn;
use crate::state::AppState;

/// Adds what the routines need from the signed-in person to `attention`.
pub async fn attention(
    state: &AppState,
    signed_in: &SignedIn,
    attention: &mut Vec<Attention>,
) -> Result<(), AppError> {
    // The home page already asks everyone to set up a second factor and to sign the policy in
    // force; the joining checklist's same requests would only repeat them.
    let own_joining = super::joining::own_attention(state, signed_in).await?;
    attention.extend(
        own_joining
            .into_iter()
            .filter(|a| a.href != "/account/mfa" && a.href != "/policy/declaration"),
    );
    attention.extend(super::approvals::attention(state, signed_in).await?);
    attention.extend(super::joining::clerk_attention(state, signed_in).await?);
    attention.extend(super::health::attention(state, signed_in).await?);
    attention.extend(super::mail::attention(state, signed_in).await?);
    Ok(())
}
