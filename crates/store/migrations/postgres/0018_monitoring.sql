-- Internet-use monitoring (issue 7; policy 5.1.1-5.1.14). The daily records themselves live in
-- one pair of tables per council and day, made by the store as logs arrive
-- (`monitor_records_<council>_<yyyymmdd>`, `monitor_raw_<council>_<yyyymmdd>`), so the daily
-- purge drops whole days and its cost does not grow with the amount stored (item 6). This
-- migration makes the fixed tables around them: the registry of those day tables, the batches
-- (one per log file, recognised by its SHA-256), the rules attributing user names and
-- addresses to people, legal holds with the copies they keep past retention, and settings.
-- Days are Europe/London calendar dates, 'YYYY-MM-DD' (so they sort as text).

CREATE TABLE monitor_settings (
    council_id             TEXT PRIMARY KEY REFERENCES councils (id),
    enabled                BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    categories_path        TEXT,
    flagged_categories     TEXT NOT NULL,
    allowed_categories     TEXT NOT NULL,
    viewer_roles           TEXT NOT NULL,
    assessment             TEXT,
    assessment_recorded_at BIGINT,
    assessment_recorded_by TEXT,
    updated_at             BIGINT NOT NULL,
    FOREIGN KEY (council_id, assessment_recorded_by) REFERENCES people (council_id, id),
    CHECK ((assessment IS NULL) = (assessment_recorded_at IS NULL))
);

CREATE TABLE monitor_batches (
    id             TEXT PRIMARY KEY,
    council_id     TEXT NOT NULL REFERENCES councils (id),
    content_sha256 TEXT NOT NULL CHECK (length(content_sha256) = 64),
    format         TEXT NOT NULL,
    source_name    TEXT NOT NULL,
    lines          BIGINT NOT NULL,
    hits           BIGINT NOT NULL,
    bytes          BIGINT NOT NULL,
    malformed      BIGINT NOT NULL,
    group_count    BIGINT NOT NULL,
    first_day      TEXT,
    last_day       TEXT,
    ingested_at    BIGINT NOT NULL,
    ingested_by    TEXT NOT NULL,
    UNIQUE (council_id, content_sha256)
);
CREATE INDEX monitor_batches_council ON monitor_batches (council_id, ingested_at);

-- One row per day table pair, with row counts kept as batches arrive so a purge never counts.
CREATE TABLE monitor_days (
    council_id   TEXT NOT NULL REFERENCES councils (id),
    day          TEXT NOT NULL CHECK (length(day) = 10),
    records_rows BIGINT NOT NULL CHECK (records_rows >= 0),
    raw_chunks   BIGINT NOT NULL CHECK (raw_chunks >= 0),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (council_id, day)
);

-- A proxy user name or a client address (IP or host name, lower case) tied to a person, or to
-- a device in the register whose user it then means, for a period of days (an address can be
-- given to another laptop later).
CREATE TABLE monitor_identities (
    id         TEXT PRIMARY KEY,
    council_id TEXT NOT NULL REFERENCES councils (id),
    kind       TEXT NOT NULL CHECK (kind IN ('user', 'address')),
    value      TEXT NOT NULL CHECK (value <> ''),
    person_id  TEXT,
    device_id  TEXT,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, device_id) REFERENCES devices (council_id, id),
    CHECK ((person_id IS NULL) <> (device_id IS NULL)),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX monitor_identities_value ON monitor_identities (council_id, kind, value);

CREATE TABLE monitor_holds (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    from_day    TEXT NOT NULL,
    to_day      TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason <> ''),
    placed_by   TEXT NOT NULL,
    placed_at   BIGINT NOT NULL,
    released_by TEXT,
    released_at BIGINT,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    CHECK (to_day >= from_day),
    CHECK ((released_by IS NULL) = (released_at IS NULL))
);
CREATE INDEX monitor_holds_person ON monitor_holds (council_id, person_id);

-- Rows of a day table kept past retention because a hold covered their person and day when
-- the day was purged: the same columns, with the day and the hold.
CREATE TABLE monitor_held_records (
    council_id   TEXT NOT NULL REFERENCES councils (id),
    day          TEXT NOT NULL,
    hold_id      TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject      TEXT NOT NULL,
    site         TEXT NOT NULL,
    first_at     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    h00 BIGINT NOT NULL, h01 BIGINT NOT NULL, h02 BIGINT NOT NULL, h03 BIGINT NOT NULL,
    h04 BIGINT NOT NULL, h05 BIGINT NOT NULL, h06 BIGINT NOT NULL, h07 BIGINT NOT NULL,
    h08 BIGINT NOT NULL, h09 BIGINT NOT NULL, h10 BIGINT NOT NULL, h11 BIGINT NOT NULL,
    h12 BIGINT NOT NULL, h13 BIGINT NOT NULL, h14 BIGINT NOT NULL, h15 BIGINT NOT NULL,
    h16 BIGINT NOT NULL, h17 BIGINT NOT NULL, h18 BIGINT NOT NULL, h19 BIGINT NOT NULL,
    h20 BIGINT NOT NULL, h21 BIGINT NOT NULL, h22 BIGINT NOT NULL, h23 BIGINT NOT NULL,
    categories   TEXT NOT NULL,
    flagged      BIGINT NOT NULL,
    PRIMARY KEY (council_id, day, subject_kind, subject, site),
    FOREIGN KEY (council_id, hold_id) REFERENCES monitor_holds (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX monitor_held_records_person ON monitor_held_records (council_id, person_id, day);

CREATE TABLE monitor_held_raw (
    council_id   TEXT NOT NULL REFERENCES councils (id),
    day          TEXT NOT NULL,
    hold_id      TEXT NOT NULL,
    batch_id     TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject      TEXT NOT NULL,
    person_id    TEXT NOT NULL,
    line_count   BIGINT NOT NULL,
    lines        BYTEA NOT NULL,
    PRIMARY KEY (council_id, day, batch_id, subject_kind, subject),
    FOREIGN KEY (council_id, hold_id) REFERENCES monitor_holds (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX monitor_held_raw_person ON monitor_held_raw (council_id, person_id, day);
