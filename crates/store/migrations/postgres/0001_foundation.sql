-- Foundation: councils, accounts, people, invitations, sessions, incidents and the audit log.
-- Times are Unix milliseconds (BIGINT); dates are ISO text; ids are UUID text.

CREATE TABLE councils (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('parish', 'town')),
    settings    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Sign-in identities are installation-wide: IT-provider staff serve several councils with one
-- sign-in. An account holds credentials only; everything about the person is in `people`.
CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    failed_attempts     BIGINT NOT NULL DEFAULT 0,
    locked_until        BIGINT,
    totp_secret         TEXT,
    recovery_codes      TEXT NOT NULL DEFAULT '[]',
    created_at          BIGINT NOT NULL
);

CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils (id),
    account_id  TEXT REFERENCES accounts (id),
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    roles       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('invited', 'active', 'left')),
    start_date  TEXT,
    leave_date  TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (council_id, email)
);
CREATE INDEX people_account ON people (account_id);

CREATE TABLE invitations (
    token_hash  TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL REFERENCES people (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    council_id    TEXT NOT NULL REFERENCES councils (id),
    person_id     TEXT NOT NULL REFERENCES people (id),
    csrf_token    TEXT NOT NULL,
    mfa_passed    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE incidents (
    id           TEXT PRIMARY KEY,
    council_id   TEXT NOT NULL REFERENCES councils (id),
    kind         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    happened_at  BIGINT,
    reported_at  BIGINT NOT NULL,
    reported_by  TEXT REFERENCES people (id),
    status       TEXT NOT NULL
);
CREATE INDEX incidents_council ON incidents (council_id, reported_at);

CREATE TABLE audit_log (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (council_id, seq)
);
CREATE INDEX audit_log_actor ON audit_log (council_id, actor, seq);
CREATE INDEX audit_log_action ON audit_log (council_id, action, seq);
CREATE INDEX audit_log_at ON audit_log (council_id, at);

-- The audit log is append-only: the database itself refuses to change or remove an entry.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: entries cannot be changed or removed';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
