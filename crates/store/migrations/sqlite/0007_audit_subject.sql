-- One record's whole history (an item of equipment's page lists every entry whose subject is
-- "asset:<id>") read through an index instead of scanning the council's log.
CREATE INDEX audit_log_subject ON audit_log (council_id, subject, seq);
