//! The counts the home page shows about devices: how many need action, how many have facts
//! their user must confirm again, and how many own-device requests wait for the Clerk.

use super::compliance::{Evaluator, Status, UnknownReason};
use super::record::Device;
use crate::policy::PolicyProfile;
use jiff::Timestamp;

/// What needs attention among a council's devices. Retired and declined devices are not
/// counted: they are no longer used for council work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceAttention {
    /// Devices with at least one finding that needs action.
    pub needing_action: usize,
    /// Devices with a self-reported fact older than 12 months, which must be confirmed again.
    pub needing_reconfirmation: usize,
    /// Requests to use an own device that the Clerk has not yet decided.
    pub pending_requests: usize,
}

/// Counts what needs attention among `devices` under `profile` as of `now`.
pub fn attention(devices: &[Device], profile: &PolicyProfile, now: Timestamp) -> DeviceAttention {
    let evaluator = Evaluator::new(profile, now);
    let mut counts = DeviceAttention::default();
    for device in devices.iter().filter(|d| d.is_in_use()) {
        if device.is_pending() {
            counts.pending_requests += 1;
        }
        let needs = device_needs(&evaluator, device);
        counts.needing_action += usize::from(needs.action);
        counts.needing_reconfirmation += usize::from(needs.reconfirmation);
    }
    counts
}

/// What one device needs from the person who uses it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceNeeds {
    /// At least one finding needs action.
    pub action: bool,
    /// A self-reported fact is older than 12 months and must be confirmed again.
    pub reconfirmation: bool,
}

/// What `device` needs under the evaluator's policy and time; nothing for a retired or
/// declined device.
pub fn device_needs(evaluator: &Evaluator, device: &Device) -> DeviceNeeds {
    if !device.is_in_use() {
        return DeviceNeeds::default();
    }
    let evaluation = evaluator.evaluate(&device.facts);
    DeviceNeeds {
        action: evaluation.overall() == Status::ActionNeeded,
        reconfirmation: evaluation
            .findings()
            .any(|f| matches!(f.unknown_reason(), Some(UnknownReason::Stale { .. }))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::device::{
        DeviceKind, DeviceName, FactSource, NewDevice, Platform, ReportedFacts, decline,
        record_facts, register_council_device, retire,
    };
    use crate::ids::{CouncilId, DeviceId, PersonId};

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn laptop(council: CouncilId, name: &str) -> Device {
        register_council_device(
            council,
            DeviceId::generate(),
            NewDevice {
                name: DeviceName::parse(name).unwrap(),
                kind: DeviceKind::Laptop,
                platform: Platform::Windows,
                serial: None,
            },
            None,
            None,
            Actor::System,
            now(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn devices_needing_action_reconfirmation_or_a_decision_are_counted_and_retired_ones_are_not() {
        let council = CouncilId::generate();
        let person = PersonId::generate();
        let unencrypted = ReportedFacts {
            disk_encryption: Some(false),
            ..ReportedFacts::default()
        };
        let needs_action = record_facts(
            &laptop(council, "A"),
            &unencrypted,
            FactSource::Osquery,
            Actor::System,
            now(),
        )
        .unwrap()
        .0;
        let stale_answer = ReportedFacts {
            disk_encryption: Some(true),
            ..ReportedFacts::default()
        };
        let stale = record_facts(
            &laptop(council, "B"),
            &stale_answer,
            FactSource::SelfAttested { by: person },
            Actor::Person(person),
            "2025-01-01T00:00:00Z".parse().unwrap(),
        )
        .unwrap()
        .0;
        let retired = retire(&needs_action, person, now()).unwrap().0;
        let jo = crate::asset::test_support::person(council, "Jo Bloggs");
        let pending = crate::device::request_own_device(
            council,
            DeviceId::generate(),
            &jo,
            NewDevice {
                name: DeviceName::parse("Jo's phone").unwrap(),
                kind: DeviceKind::Phone,
                platform: Platform::Android,
                serial: None,
            },
            now(),
        )
        .unwrap()
        .0;
        let declined = decline(&pending, person, "No", now()).unwrap().0;
        let model = PolicyProfile::model_defaults();
        assert_eq!(
            attention(&[needs_action, stale.clone(), pending], &model, now()),
            DeviceAttention {
                needing_action: 1,
                needing_reconfirmation: 1,
                pending_requests: 1
            }
        );
        assert_eq!(
            attention(&[retired, declined, stale], &model, now()),
            DeviceAttention {
                needing_action: 0,
                needing_reconfirmation: 1,
                pending_requests: 0
            }
        );
    }
}
