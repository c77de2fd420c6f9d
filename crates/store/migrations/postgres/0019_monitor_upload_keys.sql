-- Upload keys for internet-use monitoring (issue 7, item 1): the IT provider's scripts send
-- proxy and DNS logs with a named key the Clerk makes. Only the SHA-256 of each key is kept, so
-- a copy of the database uploads nothing. Revoked keys stay, with when, as a record.

CREATE TABLE monitor_upload_keys (
    id            TEXT PRIMARY KEY,
    council_id    TEXT NOT NULL REFERENCES councils (id),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash      TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    FOREIGN KEY (council_id, created_by) REFERENCES people (council_id, id),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

CREATE INDEX monitor_upload_keys_council ON monitor_upload_keys (council_id, created_at);
