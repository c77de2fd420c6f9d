-- The incident workflow (issue 6, item 1): an owner, the 72-hour clock of a personal-data breach
-- (UK GDPR art. 33) with the decision whether to notify the ICO and whether the people affected
-- were told (art. 34), the outcome and lessons learned that close an incident, and a timeline
-- of actions that is only ever added to.
--
-- The clock itself is not stored: it is computed from `became_aware_at` (NULL: the report's
-- time) and the decision, so it never goes stale. `revision` counts changes, so a change made
-- from a stale page is refused rather than undoing another, as in 0008 and 0010.
-- SQLite cannot add table constraints to an existing table, so the people named on an incident
-- are checked by the store in the change's transaction; the PostgreSQL twin also has the
-- foreign keys and the checks that tie columns together.
-- The timeline refers to its incident and its author through (council_id, id) keys, so an entry
-- cannot point into another council.

ALTER TABLE incidents ADD COLUMN owner_id TEXT;
ALTER TABLE incidents ADD COLUMN became_aware_at BIGINT;
ALTER TABLE incidents ADD COLUMN ico_notify TEXT CHECK (ico_notify IN ('yes', 'no'));
ALTER TABLE incidents ADD COLUMN ico_reason TEXT;
ALTER TABLE incidents ADD COLUMN ico_decided_by TEXT;
ALTER TABLE incidents ADD COLUMN ico_decided_at BIGINT;
ALTER TABLE incidents ADD COLUMN ico_notified_at BIGINT;
ALTER TABLE incidents ADD COLUMN people_told TEXT CHECK (people_told IN ('yes', 'no', 'not_needed'));
ALTER TABLE incidents ADD COLUMN people_told_reason TEXT;
ALTER TABLE incidents ADD COLUMN people_told_by TEXT;
ALTER TABLE incidents ADD COLUMN people_told_at BIGINT;
ALTER TABLE incidents ADD COLUMN outcome TEXT;
ALTER TABLE incidents ADD COLUMN lessons TEXT;
ALTER TABLE incidents ADD COLUMN closed_by TEXT;
ALTER TABLE incidents ADD COLUMN closed_at BIGINT;
ALTER TABLE incidents ADD COLUMN revision BIGINT NOT NULL DEFAULT 0 CHECK (revision >= 0);

CREATE UNIQUE INDEX incidents_council_id ON incidents (council_id, id);
CREATE INDEX incidents_open_kind ON incidents (council_id, status, kind);

ALTER TABLE incidents
    ADD FOREIGN KEY (council_id, owner_id) REFERENCES people (council_id, id),
    ADD FOREIGN KEY (council_id, ico_decided_by) REFERENCES people (council_id, id),
    ADD FOREIGN KEY (council_id, people_told_by) REFERENCES people (council_id, id),
    ADD FOREIGN KEY (council_id, closed_by) REFERENCES people (council_id, id),
    ADD CHECK ((ico_notify IS NULL) = (ico_decided_by IS NULL)),
    ADD CHECK ((ico_decided_by IS NULL) = (ico_decided_at IS NULL)),
    ADD CHECK (ico_notified_at IS NULL OR ico_notify = 'yes'),
    ADD CHECK ((people_told IS NULL) = (people_told_by IS NULL)),
    ADD CHECK ((people_told_by IS NULL) = (people_told_at IS NULL)),
    -- Who closed is known only for incidents closed from now on: one closed before has none.
    ADD CHECK (closed_by IS NULL OR status = 'closed'),
    ADD CHECK ((closed_by IS NULL) = (closed_at IS NULL));
CREATE TABLE incident_actions (
    council_id   TEXT NOT NULL REFERENCES councils (id),
    incident_id  TEXT NOT NULL,
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    at           BIGINT NOT NULL,
    by_id        TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (text <> ''),
    PRIMARY KEY (council_id, incident_id, seq),
    FOREIGN KEY (council_id, incident_id) REFERENCES incidents (council_id, id),
    FOREIGN KEY (council_id, by_id) REFERENCES people (council_id, id)
);
