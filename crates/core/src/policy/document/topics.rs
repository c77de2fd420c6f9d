//! The topics Custodian's model policy covers, with words that show an adopted policy covers
//! them too, so lint can say which topics a council's own policy leaves out.
//!
//! Keywords are lower case and are matched anywhere in a policy's text; any one of them counts.
//! They are chosen to match both this project's wording and the usual wording of the national
//! model, not to prove a clause says the right thing.

/// One topic of the model policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelTopic {
    /// The clause of the model document that covers it.
    pub clause: &'static str,
    /// What the topic is, as a Clerk would read it in a list of gaps.
    pub topic: &'static str,
    pub keywords: &'static [&'static str],
}

const fn topic(
    clause: &'static str,
    topic: &'static str,
    keywords: &'static [&'static str],
) -> ModelTopic {
    ModelTopic {
        clause,
        topic,
        keywords,
    }
}

const TOPICS: &[ModelTopic] = &[
    topic(
        "1.1.1",
        "Personal use of council equipment",
        &["personal use"],
    ),
    topic(
        "1.1.2",
        "Locking computers when leaving them",
        &[
            "lock your computer",
            "lock their computer",
            "locking computers",
        ],
    ),
    topic(
        "1.1.5",
        "An equipment register with asset numbers",
        &[
            "register",
            "carry a number",
            "asset number",
            "database of equipment",
        ],
    ),
    topic(
        "1.1.7",
        "Approval before buying equipment or software",
        &["purchase", "buy computer"],
    ),
    topic(
        "1.1.8",
        "Personal USB sticks and other removable storage",
        &["usb"],
    ),
    topic(
        "2.1.2",
        "Backups of portable equipment",
        &["back-up", "backup", "backed up"],
    ),
    topic("2.1.4", "Encryption of portable devices", &["encrypt"]),
    topic("2.1.4", "PIN or password on phones and tablets", &["pin"]),
    topic(
        "2.1.5",
        "Multi-factor authentication",
        &["multi-factor", "mfa"],
    ),
    topic(
        "2.1.6",
        "Reporting lost or damaged equipment",
        &["lost or damaged", "loss of, or damage", "loss or damage"],
    ),
    topic(
        "2.1.7",
        "Photographs and recordings on council premises",
        &["photograph"],
    ),
    topic(
        "2.2.1",
        "Use of own devices",
        &["own device", "personal devices"],
    ),
    topic("2.2.6", "Remote wipe", &["wipe"]),
    topic(
        "2.2.12",
        "Removing council data when someone leaves or disposes of a device",
        &["disposal", "dispose of"],
    ),
    topic(
        "3.1.2",
        "Display screen equipment and eye tests",
        &["eye test", "display screen"],
    ),
    topic(
        "4.1.1",
        "Strong passwords",
        &[
            "three random words",
            "strong password",
            "strong, secure password",
        ],
    ),
    topic(
        "4.1.2",
        "Emergency copy of administrative passwords",
        &["sealed envelope"],
    ),
    topic("4.1.3", "Password manager", &["password manager"]),
    topic(
        "4.1.5",
        "Logging access to shared passwords",
        &["logged and auditable", "is logged", "logged so"],
    ),
    topic(
        "5.1.6",
        "Impact assessment before monitoring",
        &["impact assessment"],
    ),
    topic(
        "5.1.9",
        "Subject access requests",
        &["subject access request"],
    ),
    topic(
        "5.1.11",
        "How long internet-use records are kept",
        &["daily log", "retained for", "kept for"],
    ),
    topic(
        "6.1.1",
        "Working away from council premises",
        &["working away", "work away", "remote working"],
    ),
    topic(
        "7.1.5",
        "Personal use of council email",
        &["personal use", "personal communications"],
    ),
    topic("8.1.1", "Copyright", &["copyright"]),
    topic("8.2.1", "Domain names and trademarks", &["domain name"]),
    topic("9.1.1", "Social media", &["social media"]),
    topic("10.1.1", "Misuse of IT", &["misuse"]),
    topic("11.1", "Signed declaration", &["declaration"]),
    topic("12.2", "Regular review of the policy", &["review"]),
];

/// The topics of Custodian's model policy, in clause order.
pub fn model_topics() -> &'static [ModelTopic] {
    TOPICS
}
