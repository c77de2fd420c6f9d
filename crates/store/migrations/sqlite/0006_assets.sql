-- The equipment register (clause 1.1.5) and holders' acknowledgements.
--
-- `number` is the asset number as the council writes it; `number_key` is the same number
-- normalised (trimmed, upper-cased), so "abc-0042" and "ABC-0042" cannot both be registered.
-- Status and holder go together: an issued item has a holder and the moment it was issued, and
-- no other item has either. People named on an item (holder, who approved the purchase, who wiped
-- it, who disposed of it) are people of the same council (composite keys), as in 0005.
-- Acknowledgements are evidence: the database refuses to change or remove them.

CREATE TABLE assets (
    id                     TEXT PRIMARY KEY,
    council_id             TEXT NOT NULL REFERENCES councils (id),
    number                 TEXT NOT NULL,
    number_key             TEXT NOT NULL,
    category               TEXT NOT NULL CHECK (category IN ('laptop', 'desktop', 'tablet',
                               'phone', 'printer', 'router', 'storage', 'other')),
    make                   TEXT NOT NULL,
    model                  TEXT NOT NULL,
    serial                 TEXT,
    imei                   TEXT,
    sim                    TEXT,
    purchased_on           TEXT,
    cost_pence             BIGINT CHECK (cost_pence >= 0),
    supplier               TEXT NOT NULL,
    authorisation_kind     TEXT NOT NULL CHECK (authorisation_kind IN ('approved_by',
                               'minute_reference', 'none')),
    authorisation_person   TEXT,
    authorisation_minute   TEXT,
    warranty_ends          TEXT,
    encrypted              TEXT NOT NULL CHECK (encrypted IN ('yes', 'no', 'unknown')),
    location               TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('in_store', 'issued', 'lost',
                               'stolen', 'damaged', 'disposed')),
    holder_id              TEXT,
    issued_since           BIGINT,
    acknowledged_at        BIGINT,
    wipe_method            TEXT CHECK (wipe_method IN ('overwrite', 'crypto_erase',
                               'factory_reset', 'physical_destruction', 'other')),
    wipe_method_described  TEXT,
    wipe_by                TEXT,
    wipe_on                TEXT,
    wipe_certificate       TEXT,
    disposal_recycler      TEXT,
    disposal_certificate   TEXT,
    disposal_at            BIGINT,
    disposal_by            TEXT,
    notes                  TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    UNIQUE (council_id, number_key),
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, holder_id) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, authorisation_person) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, wipe_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, disposal_by) REFERENCES people (council_id, id),
    CHECK ((status = 'issued') = (holder_id IS NOT NULL)),
    CHECK ((status = 'issued') = (issued_since IS NOT NULL)),
    CHECK (acknowledged_at IS NULL OR status = 'issued'),
    CHECK ((authorisation_kind = 'approved_by') = (authorisation_person IS NOT NULL)),
    CHECK ((authorisation_kind = 'minute_reference') = (authorisation_minute IS NOT NULL)),
    CHECK ((wipe_method IS NULL) = (wipe_by IS NULL) AND (wipe_method IS NULL) = (wipe_on IS NULL)),
    CHECK ((wipe_method = 'other') = (wipe_method_described IS NOT NULL)),
    CHECK ((status = 'disposed') = (disposal_recycler IS NOT NULL)),
    CHECK ((disposal_recycler IS NULL) = (disposal_at IS NULL))
);
CREATE INDEX assets_status ON assets (council_id, status);
CREATE INDEX assets_category ON assets (council_id, category);
CREATE INDEX assets_holder ON assets (council_id, holder_id);

CREATE TABLE asset_acknowledgements (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    asset_id    TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    at          BIGINT NOT NULL,
    text_hash   TEXT NOT NULL,
    typed_name  TEXT,
    PRIMARY KEY (asset_id, person_id, at),
    FOREIGN KEY (council_id, asset_id) REFERENCES assets (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX asset_acknowledgements_person ON asset_acknowledgements (council_id, person_id);

CREATE TRIGGER asset_acknowledgements_no_update BEFORE UPDATE ON asset_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are evidence: they cannot be changed');
END;
CREATE TRIGGER asset_acknowledgements_no_delete BEFORE DELETE ON asset_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are evidence: they cannot be removed');
END;
