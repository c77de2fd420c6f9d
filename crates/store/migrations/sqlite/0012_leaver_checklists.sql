-- Leavers' checklists (issue 6, item 4): made when a person is marked as left, from what the
-- council's records held for them then. Each item keeps what the Clerk recorded against it
-- (open, done by hand, or waived with a reason); what the records show (an item returned, a
-- password changed) is worked out when the list is read, so it is not stored here.
--
-- One checklist per person: (council_id, person_id) is its key, and items refer to it and to
-- people through (council_id, ...) keys, as in 0005-0010, so nothing can point into another
-- council. An item's subject is the id of the register item, device or vault item it is about
-- ('' when it is about none); its kind says which table that id belongs to.

CREATE TABLE leaver_checklists (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT,
    PRIMARY KEY (council_id, person_id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, created_by) REFERENCES people (council_id, id)
);

CREATE TABLE leaver_items (
    council_id  TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    position    BIGINT NOT NULL CHECK (position >= 0),
    kind        TEXT NOT NULL CHECK (kind IN ('revoke_sign_in', 'return_asset',
                    'return_council_device', 'clear_own_device', 'rotate_credential',
                    'hand_over_social_media', 'update_social_media_profiles')),
    subject     TEXT NOT NULL,
    label       TEXT NOT NULL CHECK (label <> ''),
    state       TEXT NOT NULL CHECK (state IN ('open', 'done', 'waived')),
    settled_by  TEXT,
    settled_at  BIGINT,
    reason      TEXT,
    PRIMARY KEY (council_id, person_id, kind, subject),
    UNIQUE (council_id, person_id, position),
    FOREIGN KEY (council_id, person_id) REFERENCES leaver_checklists (council_id, person_id),
    FOREIGN KEY (council_id, settled_by) REFERENCES people (council_id, id),
    CHECK ((state = 'open') = (settled_by IS NULL)),
    CHECK ((settled_by IS NULL) = (settled_at IS NULL)),
    -- A waiver always says why; an open item has nothing to say yet.
    CHECK (state <> 'waived' OR (reason IS NOT NULL AND reason <> '')),
    CHECK (state <> 'open' OR reason IS NULL)
);
