-- Devices that touch council data (issue 4, clauses 2.1.4 and 2.2): council-owned devices and
-- people's own, with the Clerk's decision on each own-device request (2.2.1).
--
-- The security facts are one JSON column (`core::device::DeviceFacts`: each fact unknown, or a
-- value with its source and when it was confirmed), read back whole for evaluation. What is
-- queried is kept in columns: ownership, who uses the device, the decision, retirement.
-- People and register items are referred to through (council_id, id) keys, so a device cannot
-- point into another council, as in 0005 and 0006. `revision` counts changes, so a change made
-- from a stale page is refused rather than undoing another.

CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    council_id      TEXT NOT NULL REFERENCES councils (id),
    name            TEXT NOT NULL CHECK (name <> ''),
    serial          TEXT,
    user_id         TEXT,
    ownership       TEXT NOT NULL CHECK (ownership IN ('council', 'personal')),
    asset_id        TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('phone', 'tablet', 'laptop', 'desktop',
                        'other')),
    platform        TEXT NOT NULL CHECK (platform IN ('windows', 'mac_os', 'linux', 'ios',
                        'android', 'chrome_os', 'other')),
    approval        TEXT NOT NULL CHECK (approval IN ('not_needed', 'pending', 'approved',
                        'declined')),
    requested_at    BIGINT,
    decided_by      TEXT,
    decided_at      BIGINT,
    decline_reason  TEXT,
    retired_by      TEXT,
    retired_at      BIGINT,
    facts           TEXT NOT NULL,
    revision        BIGINT NOT NULL CHECK (revision >= 0),
    registered_at   BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, user_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, asset_id) REFERENCES assets (council_id, id),
    FOREIGN KEY (council_id, decided_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, retired_by) REFERENCES people (council_id, id),
    -- Only own devices need the council's agreement, and they always have a user.
    CHECK ((ownership = 'council') = (approval = 'not_needed')),
    CHECK (ownership = 'council' OR user_id IS NOT NULL),
    CHECK (asset_id IS NULL OR ownership = 'council'),
    CHECK ((approval = 'not_needed') = (requested_at IS NULL)),
    CHECK ((approval IN ('approved', 'declined')) = (decided_by IS NOT NULL)),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    CHECK ((approval = 'declined') = (decline_reason IS NOT NULL)),
    CHECK ((retired_by IS NULL) = (retired_at IS NULL))
);
CREATE INDEX devices_user ON devices (council_id, user_id);
CREATE INDEX devices_approval ON devices (council_id, approval);
CREATE INDEX devices_asset ON devices (council_id, asset_id);
