//! Typed identifiers. Each wraps a UUID so a person's id cannot be passed where a council's is
//! expected. Identifiers are generated at the edge (web or CLI) and handed to the domain.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID (for example one read from storage).
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// A new time-ordered identifier; the caller supplies the randomness by calling this
            /// at the edge, never inside a domain rule.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Parses the textual form used in URLs and storage.
            pub fn parse(text: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(text).map(Self)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a council: the tenant every row belongs to.
    CouncilId
);
id_type!(
    /// Identifies a person's membership of one council (the same human serving two councils,
    /// such as an IT provider, has one `PersonId` in each).
    PersonId
);
id_type!(
    /// Identifies a sign-in account: an email address and its credentials, which may be linked
    /// to people in several councils.
    AccountId
);
id_type!(
    /// Identifies an incident.
    IncidentId
);
id_type!(
    /// Identifies one version of a council's IT policy (a draft, the adopted one, or one it
    /// replaced).
    PolicyVersionId
);
id_type!(
    /// Identifies an item in a council's equipment register.
    AssetId
);
id_type!(
    /// Identifies a device that touches council data: council-owned or a person's own.
    DeviceId
);
id_type!(
    /// Identifies an item in a council's shared-credential vault.
    VaultItemId
);
id_type!(
    /// Identifies a request for time-limited access to vault items (just-in-time access).
    AccessGrantId
);
id_type!(
    /// Identifies one opening of emergency access to the sealed credentials.
    EmergencyId
);
id_type!(
    /// Identifies a message shown to one person in the app.
    NotificationId
);
id_type!(
    /// Identifies one workstation (DSE) assessment.
    AssessmentId
);
id_type!(
    /// Identifies one offer of an eye test (3.1.2).
    EyeTestOfferId
);
id_type!(
    /// Identifies a person's request for a change to their workstation (3.1.3).
    WorkstationRequestId
);
id_type!(
    /// Identifies a hazard report.
    HazardId
);
id_type!(
    /// Identifies one request for approval.
    ApprovalId
);
id_type!(
    /// Identifies one ingested log file (a monitoring batch, issue 7).
    MonitorBatchId
);
id_type!(
    /// Identifies one rule tying a proxy user name or client address to a person or device.
    MonitorIdentityId
);
id_type!(
    /// Identifies a legal hold on one person's monitoring records (5.1.8).
    LegalHoldId
);
id_type!(
    /// Identifies an upload key the IT provider's scripts send logs with (issue 7).
    MonitorUploadKeyId
);
