-- Joiners' checklists (issue 6, item 3): made when a person is invited. Each item keeps what
-- the Clerk recorded against it (open, done by hand, or waived with a reason); what the
-- records show (a password set, a declaration signed, an item acknowledged) is worked out
-- when the list is read, so it is not stored here.
--
-- One checklist per person: (council_id, person_id) is its key, and items refer to it and to
-- people through (council_id, ...) keys, as in 0012, so nothing can point into another
-- council. Each task appears once, so an item's key is its kind.

CREATE TABLE joiner_checklists (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT,
    PRIMARY KEY (council_id, person_id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, created_by) REFERENCES people (council_id, id)
);

CREATE TABLE joiner_items (
    council_id  TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    position    BIGINT NOT NULL CHECK (position >= 0),
    kind        TEXT NOT NULL CHECK (kind IN ('set_password', 'set_up_mfa', 'sign_declaration',
                    'receive_equipment', 'register_own_devices', 'council_email')),
    state       TEXT NOT NULL CHECK (state IN ('open', 'done', 'waived')),
    settled_by  TEXT,
    settled_at  BIGINT,
    note        TEXT,
    PRIMARY KEY (council_id, person_id, kind),
    UNIQUE (council_id, person_id, position),
    FOREIGN KEY (council_id, person_id) REFERENCES joiner_checklists (council_id, person_id),
    FOREIGN KEY (council_id, settled_by) REFERENCES people (council_id, id),
    CHECK ((state = 'open') = (settled_by IS NULL)),
    CHECK ((settled_by IS NULL) = (settled_at IS NULL)),
    -- A waiver always says why; an open item has nothing to say yet.
    CHECK (state <> 'waived' OR (note IS NOT NULL AND note <> '')),
    CHECK (state <> 'open' OR note IS NULL)
);
