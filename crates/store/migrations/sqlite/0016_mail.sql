-- Email (issue 6, item 6): each council's SMTP settings and its outbox.
--
-- The SMTP password is stored only sealed with the vault key (`password_sealed`, "v1:…"), never
-- in clear. The outbox keeps every message until it is sent or given up, with how many tries
-- it took, when the next one is due and the last error in plain words, so the Clerk can see
-- what did not go. `dedupe_key` is unique per council, so the same message (one person's digest
-- for one day, one incident's alert to one person) can never be queued twice.

CREATE TABLE mail_settings (
    council_id      TEXT PRIMARY KEY REFERENCES councils (id),
    enabled         BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    host            TEXT NOT NULL,
    port            BIGINT NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security        TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'none')),
    username        TEXT NOT NULL,
    password_sealed TEXT,
    from_address    TEXT NOT NULL,
    from_name       TEXT NOT NULL,
    digest_hour     BIGINT NOT NULL CHECK (digest_hour BETWEEN 0 AND 23),
    updated_at      BIGINT NOT NULL
);

CREATE TABLE mail_outbox (
    id                TEXT PRIMARY KEY,
    council_id        TEXT NOT NULL REFERENCES councils (id),
    recipient_id      TEXT NOT NULL,
    recipient_address TEXT NOT NULL CHECK (recipient_address <> ''),
    subject           TEXT NOT NULL CHECK (subject <> ''),
    body              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind <> ''),
    dedupe_key        TEXT NOT NULL CHECK (dedupe_key <> ''),
    created_at        BIGINT NOT NULL,
    attempts          BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   BIGINT,
    last_error        TEXT,
    sent_at           BIGINT,
    given_up_at       BIGINT,
    UNIQUE (council_id, dedupe_key),
    FOREIGN KEY (council_id, recipient_id) REFERENCES people (council_id, id),
    -- A message waiting has a next try; a sent or given-up one has none, and not both.
    CHECK ((next_attempt_at IS NULL) = (sent_at IS NOT NULL OR given_up_at IS NOT NULL)),
    CHECK (sent_at IS NULL OR given_up_at IS NULL)
);

-- The sender's question: what is due now, across councils.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);
CREATE INDEX mail_outbox_council ON mail_outbox (council_id, created_at);
