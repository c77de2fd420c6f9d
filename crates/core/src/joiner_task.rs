//! The tasks of a joiner's checklist: how each is stored and named, the clause it keeps, and
//! whether the council's records or the Clerk settle it.

/// One thing to do when someone joins. Each appears once on a checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// They chose a password from their invitation (4.1.1).
    SetPassword,
    /// They set up an authenticator app or a passkey (4.1.7). Listed for everyone, as the
    /// NCSC advises; waivable only where the council does not require it of their roles.
    SetUpMfa,
    /// They signed the declaration of the policy in force (11.1); not needed when the policy
    /// does not ask for one.
    SignDeclaration,
    /// They received council equipment and acknowledged it in the register (1.1.5).
    ReceiveEquipment,
    /// They registered the own devices they use for council work (2.2.1).
    RegisterOwnDevices,
    /// They were given a council email address, so council email is never sent from a
    /// personal one (2.2.2).
    CouncilEmail,
}

impl Task {
    /// Every task, in the order the checklist lists them.
    pub const ALL: [Task; 6] = [
        Task::SetPassword,
        Task::SetUpMfa,
        Task::SignDeclaration,
        Task::ReceiveEquipment,
        Task::RegisterOwnDevices,
        Task::CouncilEmail,
    ];

    /// The stored name of the task, also used in forms and audit details.
    pub fn kind(self) -> &'static str {
        match self {
            Task::SetPassword => "set_password",
            Task::SetUpMfa => "set_up_mfa",
            Task::SignDeclaration => "sign_declaration",
            Task::ReceiveEquipment => "receive_equipment",
            Task::RegisterOwnDevices => "register_own_devices",
            Task::CouncilEmail => "council_email",
        }
    }

    /// The task a stored or submitted name names, if any.
    pub fn parse(kind: &str) -> Option<Self> {
        Task::ALL.into_iter().find(|t| t.kind() == kind.trim())
    }

    /// What is to be done, for the checklist.
    pub fn label(self) -> &'static str {
        match self {
            Task::SetPassword => "Set a password",
            Task::SetUpMfa => "Set up an authenticator app or a passkey",
            Task::SignDeclaration => "Sign the declaration of the IT policy in force",
            Task::ReceiveEquipment => "Receive council equipment and acknowledge it",
            Task::RegisterOwnDevices => "Register the own devices used for council work",
            Task::CouncilEmail => "Give them a council email address",
        }
    }

    /// The clause of the model policy the task keeps.
    pub fn clause(self) -> &'static str {
        match self {
            Task::SetPassword => "4.1.1",
            Task::SetUpMfa => "4.1.7",
            Task::SignDeclaration => "11.1",
            Task::ReceiveEquipment => "1.1.5",
            Task::RegisterOwnDevices => "2.2.1",
            Task::CouncilEmail => "2.2.2",
        }
    }

    /// Whether the Clerk may tick the task by hand. The others are shown by the records only,
    /// so a tick can never disagree with the account, the declarations or the device list.
    pub fn ticked_by_hand(self) -> bool {
        matches!(self, Task::ReceiveEquipment | Task::CouncilEmail)
    }

    /// What settles the task, in plain words.
    pub fn settled_by(self) -> &'static str {
        match self {
            Task::SetPassword => "Done when they choose a password from their invitation link.",
            Task::SetUpMfa => {
                "Done when they set up an authenticator app or a passkey on their account page."
            }
            Task::SignDeclaration => "Done when they sign the declaration of the policy in force.",
            Task::ReceiveEquipment => {
                "Done when they acknowledge an item issued to them in the register, or when you \
                 mark it done here. If there is nothing to issue, waive it and say so."
            }
            Task::RegisterOwnDevices => {
                "Done when they register an own device. If they use only council equipment, \
                 waive it and say so."
            }
            Task::CouncilEmail => "Done when you record the council email address given to them.",
        }
    }

    /// Where the person themselves does the task, for their home page; `None` for tasks the
    /// Clerk does.
    pub fn own_link(self) -> Option<(&'static str, &'static str)> {
        match self {
            Task::SetPassword | Task::CouncilEmail | Task::ReceiveEquipment => None,
            Task::SetUpMfa => Some(("/account/mfa", "Set up an authenticator app or a passkey")),
            Task::SignDeclaration => Some(("/policy/declaration", "Read and sign the IT policy")),
            Task::RegisterOwnDevices => Some(("/devices/mine", "Register your own devices")),
        }
    }
}
