-- Health and safety at the workstation (issue 6, item 5; clauses 3.1.1-3.1.3): the Clerk's
-- marks of who uses display screen equipment, workstation assessments, eye-test offers,
-- requests for workstation changes and hazard reports. What is due is worked out from these
-- and the policy profile when read, so no due date is stored.
--
-- Rows refer to people of their own council through (council_id, id) keys, as in 0005-0012,
-- so nothing can point into another council. Free text (actions agreed, what is wrong, what was
-- done) stays here, never in the audit log.

CREATE TABLE dse_users (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    is_user     BIGINT NOT NULL CHECK (is_user IN (0, 1)),
    set_by      TEXT NOT NULL,
    set_at      BIGINT NOT NULL,
    PRIMARY KEY (council_id, person_id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, set_by) REFERENCES people (council_id, id)
);

CREATE TABLE dse_assessments (
    id             TEXT PRIMARY KEY,
    council_id     TEXT NOT NULL REFERENCES councils (id),
    person_id      TEXT NOT NULL,
    -- YYYY-MM-DD
    assessed_on    TEXT NOT NULL CHECK (length(assessed_on) = 10),
    -- A person of the council, or an outside assessor's name: exactly one.
    assessor_id    TEXT,
    assessor_name  TEXT CHECK (assessor_name IS NULL OR assessor_name <> ''),
    outcome        TEXT NOT NULL CHECK (outcome IN ('no_changes_needed', 'changes_needed')),
    actions        TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, assessor_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, recorded_by) REFERENCES people (council_id, id),
    CHECK ((assessor_id IS NULL) <> (assessor_name IS NULL)),
    -- Changes needed always say which were agreed; nobody records their own assessment.
    CHECK ((outcome = 'changes_needed') = (actions IS NOT NULL AND actions <> '')),
    CHECK (recorded_by <> person_id)
);

CREATE INDEX dse_assessments_by_person ON dse_assessments (council_id, person_id, assessed_on);

CREATE TABLE eye_test_offers (
    id           TEXT PRIMARY KEY,
    council_id   TEXT NOT NULL REFERENCES councils (id),
    person_id    TEXT NOT NULL,
    offered_on   TEXT NOT NULL CHECK (length(offered_on) = 10),
    offered_by   TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    answer       TEXT NOT NULL CHECK (answer IN ('no_answer', 'taken_up', 'declined')),
    test_date    TEXT,
    answered_by  TEXT,
    answered_at  BIGINT,
    revision     BIGINT NOT NULL CHECK (revision >= 0),
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, offered_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, answered_by) REFERENCES people (council_id, id),
    CHECK (offered_by <> person_id),
    CHECK ((answer = 'no_answer') = (answered_by IS NULL)),
    CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
    CHECK (test_date IS NULL OR answer = 'taken_up')
);

CREATE INDEX eye_test_offers_by_person ON eye_test_offers (council_id, person_id, offered_on);

CREATE TABLE workstation_requests (
    id          TEXT PRIMARY KEY,
    council_id  TEXT NOT NULL REFERENCES councils (id),
    person_id   TEXT NOT NULL,
    asked_at    BIGINT NOT NULL,
    problem     TEXT NOT NULL CHECK (problem <> ''),
    state       TEXT NOT NULL CHECK (state IN ('open', 'done', 'declined')),
    settled_by  TEXT,
    settled_at  BIGINT,
    note        TEXT,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, settled_by) REFERENCES people (council_id, id),
    CHECK ((state = 'open') = (settled_by IS NULL)),
    CHECK ((settled_by IS NULL) = (settled_at IS NULL)),
    CHECK ((state = 'open') = (note IS NULL)),
    CHECK (settled_by IS NULL OR settled_by <> person_id)
);

CREATE TABLE hazard_reports (
    id           TEXT PRIMARY KEY,
    council_id   TEXT NOT NULL REFERENCES councils (id),
    reported_by  TEXT NOT NULL,
    reported_at  BIGINT NOT NULL,
    place        TEXT NOT NULL CHECK (place <> ''),
    description  TEXT NOT NULL CHECK (description <> ''),
    state        TEXT NOT NULL CHECK (state IN ('open', 'done', 'declined')),
    settled_by   TEXT,
    settled_at   BIGINT,
    note         TEXT,
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, reported_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, settled_by) REFERENCES people (council_id, id),
    CHECK ((state = 'open') = (settled_by IS NULL)),
    CHECK ((settled_by IS NULL) = (settled_at IS NULL)),
    CHECK ((state = 'open') = (note IS NULL))
);
