-- Calendar feeds (issue 6, item 6): each person may have one secret URL that their calendar
-- app polls for the reminder schedule. Only the SHA-256 of the URL's token is kept, so a copy
-- of the database opens no one's feed. Revoked feeds stay, with when they were revoked, as a
-- record; at most one feed per person is live (the partial unique index).

CREATE TABLE calendar_feeds (
    token_hash  TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (council_id, person_id)
    WHERE revoked_at IS NULL;
