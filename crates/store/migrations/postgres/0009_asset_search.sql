-- The register list (issue 4) searches one column instead of five.
--
-- `search_text` holds the item's number, make, model, serial number and location with capitals
-- folded away, one per line (`custodian_core::asset::search_text`). SQL cannot fold capitals the
-- way Custodian does (PostgreSQL's LOWER follows the database's locale), so the store fills it
-- for existing items straight after this script, in the same transaction (`migrate.rs`), and
-- writes it with every insert, update and import.
--
-- `assets_list` serves the common sort: the list orders numbers byte by byte (`COLLATE "C"`),
-- which the unique index on `(council_id, number_key)` in the database's collation cannot.
ALTER TABLE assets ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX assets_list ON assets (council_id, number_key COLLATE "C");
