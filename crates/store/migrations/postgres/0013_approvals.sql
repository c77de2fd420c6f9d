-- Approval requests (issue 6, item 2): what someone asked for, who decides it (taken from the
-- policy in force when they asked and kept), and the decision or withdrawal. Whether an approval
-- has expired is worked out when it is read, from `expires_on`, so it is not stored here.
--
-- Own devices (2.2.1) are decided on the devices' own rows (0008), so 'own_device' is not a kind
-- here. Rows refer to people of their own council through (council_id, id) keys, as in 0005-0012.
-- `revision` counts changes, so a decision made from a stale page is refused rather than
-- overwriting another. Dates are ISO text, times Unix milliseconds.

CREATE TABLE approval_requests (
    id                TEXT PRIMARY KEY,
    council_id        TEXT NOT NULL REFERENCES councils (id),
    kind              TEXT NOT NULL CHECK (kind IN ('buy_equipment_or_software',
                          'install_software', 'personal_removable_media',
                          'recording_on_premises', 'blog_or_site', 'domain_or_trademark',
                          'external_link', 'social_media_contacts', 'paid_connectivity')),
    requester         TEXT NOT NULL,
    title             TEXT NOT NULL CHECK (title <> ''),
    details           TEXT NOT NULL,
    cost_pence        BIGINT CHECK (cost_pence IS NULL OR cost_pence >= 0),
    needed_until      TEXT,
    approver          TEXT NOT NULL CHECK (approver IN ('clerk', 'council')),
    requested_at      BIGINT NOT NULL,
    outcome           TEXT CHECK (outcome IN ('approved', 'declined')),
    decided_by        TEXT,
    decided_at        BIGINT,
    decision_note     TEXT,
    expires_on        TEXT,
    minute_reference  TEXT,
    meeting_on        TEXT,
    withdrawn_at      BIGINT,
    revision          BIGINT NOT NULL CHECK (revision >= 0),
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, requester) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, decided_by) REFERENCES people (council_id, id),
    -- A decision is whole: outcome, who and when together.
    CHECK ((outcome IS NULL) = (decided_by IS NULL)),
    CHECK ((outcome IS NULL) = (decided_at IS NULL)),
    -- Decided or withdrawn, never both.
    CHECK (outcome IS NULL OR withdrawn_at IS NULL),
    -- A refusal always says why; only an approval has a last day.
    CHECK (outcome IS NULL OR outcome <> 'declined'
           OR (decision_note IS NOT NULL AND decision_note <> '')),
    CHECK (expires_on IS NULL OR outcome = 'approved'),
    -- The Council's decisions carry their minute reference and meeting date.
    CHECK ((minute_reference IS NULL) = (meeting_on IS NULL)),
    CHECK (minute_reference IS NULL OR outcome IS NOT NULL),
    CHECK (approver <> 'council' OR outcome IS NULL OR minute_reference IS NOT NULL),
    CHECK (minute_reference IS NULL OR minute_reference <> '')
);

CREATE INDEX approval_requests_council ON approval_requests (council_id, requested_at);
CREATE INDEX approval_requests_requester ON approval_requests (council_id, requester);
