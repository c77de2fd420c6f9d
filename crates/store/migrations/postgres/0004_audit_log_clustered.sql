-- SQLite only: its audit log becomes a table clustered on (council, sequence). PostgreSQL's
-- B-tree primary key already serves ordered reads well, so nothing changes here; the file keeps
-- both migration trees in step.
SELECT 1;
