-- The register list (issue 4) searches one column instead of five, and reads a page without
-- reading every item of the council.
--
-- `search_text` holds the item's number, make, model, serial number and location with capitals
-- folded away, one per line (`custodian_core::asset::search_text`). SQL cannot fold capitals the
-- way Custodian does (SQLite's LOWER knows only A to Z), so the store fills it for existing items
-- straight after this script, in the same transaction (`migrate.rs`), and writes it with every
-- insert, update and import.
--
-- `assets_list` holds everything the list filters and sorts on, starting with the number, so
-- a search sorted by number (the common sort) reads it in order and stops after the page, and
-- any other search picks its page and counts its total from this index alone, reading only
-- that page's rows from the table. The store names it for searches (`INDEXED BY`): without
-- statistics SQLite would choose a narrower index and read every row to test the search.
ALTER TABLE assets ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX assets_list ON assets (council_id, number_key, search_text, status, category,
    holder_id, purchased_on);
