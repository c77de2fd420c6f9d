-- Keep the audit log in (council, sequence) order on disk (a WITHOUT ROWID table clustered on
-- its primary key), so verifying a chain and paging through the newest entries read
-- neighbouring pages instead of jumping through the table for every row.

CREATE TABLE audit_log_clustered (
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
) WITHOUT ROWID;

INSERT INTO audit_log_clustered (council_id, seq, at, actor, action, subject, details, prev_hash, hash)
SELECT council_id, seq, at, actor, action, subject, details, prev_hash, hash
FROM audit_log ORDER BY council_id, seq;

-- Dropping the table drops its triggers; they are recreated below, unchanged.
DROP TABLE audit_log;
ALTER TABLE audit_log_clustered RENAME TO audit_log;

CREATE INDEX audit_log_actor ON audit_log (council_id, actor, seq);
CREATE INDEX audit_log_action ON audit_log (council_id, action, seq);
CREATE INDEX audit_log_at ON audit_log (council_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be removed');
END;
