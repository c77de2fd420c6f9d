-- The shared-credential vault (issue 5, clauses 4.1.1-4.1.6): items and their sealed secrets,
-- who is named on each, time-limited access requests, emergency openings of the sealed tier,
-- the installation's vault-key check, each council's recovery kit, and people's notifications.
--
-- Nothing here is ever plaintext: every secret and every item key is sealed text in the
-- vault's "v1:" form, and CHECKs refuse anything else, so a plaintext value cannot be stored by
-- mistake. (`substr` rather than LIKE: SQLite's LIKE ignores case, so 'V1:' would pass.)
-- Rows refer to people, items and requests of their own council through (council_id, id) keys,
-- as in 0005-0008, so nothing can point into another council. `revision` counts changes, so a
-- change made from a stale page is refused rather than undoing another.

CREATE TABLE vault_items (
    id                  TEXT PRIMARY KEY,
    council_id          TEXT NOT NULL REFERENCES councils (id),
    name                TEXT NOT NULL CHECK (name <> ''),
    kind                TEXT NOT NULL CHECK (kind IN ('website_admin', 'social_media',
                            'domain_registrar', 'email_admin', 'hosting', 'banking', 'wifi',
                            'device_admin', 'other')),
    address             TEXT,
    username            TEXT,
    -- `RoleSet::to_storage`: "clerk,chair"; the people named are in vault_item_people.
    allowed_roles       TEXT NOT NULL,
    tier                TEXT NOT NULL CHECK (tier IN ('ordinary', 'sealed')),
    rotation_days       BIGINT CHECK (rotation_days IS NULL OR rotation_days BETWEEN 1 AND 3650),
    last_rotated        BIGINT,
    renewal_due         TEXT,
    default_changed_by  TEXT,
    default_changed_at  BIGINT,
    compromised_by      TEXT,
    compromised_at      BIGINT,
    rotation_forced_at  BIGINT,
    wrapped_key         TEXT NOT NULL CHECK (substr(wrapped_key, 1, 3) = 'v1:'),
    revision            BIGINT NOT NULL CHECK (revision >= 0),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, default_changed_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, compromised_by) REFERENCES people (council_id, id),
    CHECK ((default_changed_by IS NULL) = (default_changed_at IS NULL)),
    CHECK ((compromised_by IS NULL) = (compromised_at IS NULL))
);

-- The people named on an item, each of the item's council.
CREATE TABLE vault_item_people (
    council_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    PRIMARY KEY (item_id, person_id),
    FOREIGN KEY (council_id, item_id) REFERENCES vault_items (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX vault_item_people_council ON vault_item_people (council_id, item_id);

-- Each secret field sealed on its own under the item's key, bound to item, field and version.
CREATE TABLE vault_secrets (
    council_id  TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    field       TEXT NOT NULL CHECK (field IN ('password', 'totp_seed', 'recovery_codes',
                    'notes')),
    version     BIGINT NOT NULL CHECK (version >= 1),
    sealed      TEXT NOT NULL CHECK (substr(sealed, 1, 3) = 'v1:'),
    PRIMARY KEY (item_id, field),
    FOREIGN KEY (council_id, item_id) REFERENCES vault_items (council_id, id)
);
CREATE INDEX vault_secrets_council ON vault_secrets (council_id, item_id);

-- Requests for time-limited access (4.1.2) and their decision. `decided_by`/`decided_at` are
-- the approver, decliner or whoever ended it early; `until_at` is set while approved.
CREATE TABLE vault_grants (
    id              TEXT PRIMARY KEY,
    council_id      TEXT NOT NULL REFERENCES councils (id),
    requester       TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason <> ''),
    hours           BIGINT NOT NULL CHECK (hours BETWEEN 1 AND 24),
    requested_at    BIGINT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'declined',
                        'ended')),
    decided_by      TEXT,
    decided_at      BIGINT,
    until_at        BIGINT,
    decline_reason  TEXT,
    revision        BIGINT NOT NULL CHECK (revision >= 0),
    updated_at      BIGINT NOT NULL,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, requester) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, decided_by) REFERENCES people (council_id, id),
    CHECK ((decision = 'pending') = (decided_by IS NULL)),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    CHECK ((decision = 'approved') = (until_at IS NOT NULL)),
    CHECK ((decision = 'declined') = (decline_reason IS NOT NULL))
);
CREATE INDEX vault_grants_council ON vault_grants (council_id, requested_at);

CREATE TABLE vault_grant_items (
    council_id  TEXT NOT NULL,
    grant_id    TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    PRIMARY KEY (grant_id, item_id),
    FOREIGN KEY (council_id, grant_id) REFERENCES vault_grants (council_id, id),
    FOREIGN KEY (council_id, item_id) REFERENCES vault_items (council_id, id)
);
CREATE INDEX vault_grant_items_council ON vault_grant_items (council_id, grant_id);

-- Emergency openings of the sealed credentials (4.1.2), with any objection, second holder's
-- agreement and early close.
CREATE TABLE vault_emergencies (
    id                TEXT PRIMARY KEY,
    council_id        TEXT NOT NULL REFERENCES councils (id),
    opened_by         TEXT NOT NULL,
    reason            TEXT NOT NULL CHECK (reason <> ''),
    opened_at         BIGINT NOT NULL,
    wait_hours        BIGINT NOT NULL CHECK (wait_hours BETWEEN 0 AND 65535),
    objected_by       TEXT,
    objected_at       BIGINT,
    objection_reason  TEXT,
    approved_by       TEXT,
    approved_at       BIGINT,
    closed_by         TEXT,
    closed_at         BIGINT,
    revision          BIGINT NOT NULL CHECK (revision >= 0),
    updated_at        BIGINT NOT NULL,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, opened_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, objected_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, approved_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, closed_by) REFERENCES people (council_id, id),
    CHECK ((objected_by IS NULL) = (objected_at IS NULL)),
    CHECK ((objected_by IS NULL) = (objection_reason IS NULL)),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK ((closed_by IS NULL) = (closed_at IS NULL))
);
CREATE INDEX vault_emergencies_council ON vault_emergencies (council_id, opened_at);

-- The installation's vault key, as a value sealed with it (one row: the key is
-- installation-wide) and the salt its passphrase is stretched with, if any.
CREATE TABLE vault_settings (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    key_check        TEXT NOT NULL CHECK (substr(key_check, 1, 3) = 'v1:'),
    passphrase_salt  TEXT
);

-- Each council's current recovery kit: its public half and who holds a share (JSON array of
-- plain descriptions). The private half exists only as the holders' printed shares.
CREATE TABLE vault_recovery_kits (
    council_id  TEXT PRIMARY KEY REFERENCES councils (id),
    kit_id      TEXT NOT NULL CHECK (kit_id <> ''),
    public_key  TEXT NOT NULL CHECK (public_key <> ''),
    issued_at   BIGINT NOT NULL,
    holders     TEXT NOT NULL
);

-- Messages for one person, shown until dismissed.
CREATE TABLE notifications (
    id            TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL REFERENCES councils (id),
    person_id     TEXT NOT NULL,
    message       TEXT NOT NULL CHECK (message <> ''),
    link          TEXT,
    created_at    BIGINT NOT NULL,
    dismissed_at  BIGINT,
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX notifications_person ON notifications (council_id, person_id, created_at);
