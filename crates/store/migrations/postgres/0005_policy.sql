-- Policy versions and signed declarations.
--
-- A version is a draft, the adopted version in force (at most one per council), or a version it
-- replaced ('superseded'). `profile_json` is core's PolicyProfile. Adoption fills the adoption
-- columns together, including the SHA-256 of the exact document adopted and the exact text people
-- sign, so every signature can be matched to the words signed. Adopted and replaced versions are
-- the council's record: the database refuses to change them (except to mark the version in force
-- as replaced) or to remove them. Declarations are evidence and can never be changed or removed.
-- Rows refer to people and versions of their own council (composite keys), so one council's
-- row can never point into another's.

CREATE UNIQUE INDEX people_council_id ON people (council_id, id);

CREATE TABLE policy_versions (
    id                TEXT PRIMARY KEY,
    council_id        TEXT NOT NULL REFERENCES councils (id),
    number            BIGINT NOT NULL CHECK (number >= 1),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'adopted', 'superseded')),
    profile_json      TEXT NOT NULL,
    origin            TEXT NOT NULL CHECK (origin IN ('builder', 'imported', 'model')),
    origin_file_name  TEXT,
    note              TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    adopted_on        TEXT,
    minute_reference  TEXT,
    adopted_at        BIGINT,
    adopted_by        TEXT,
    review_due        TEXT,
    content_hash      TEXT,
    declaration_text  TEXT,
    UNIQUE (council_id, number),
    UNIQUE (council_id, id),
    FOREIGN KEY (council_id, created_by) REFERENCES people (council_id, id),
    FOREIGN KEY (council_id, adopted_by) REFERENCES people (council_id, id),
    CHECK ((origin = 'imported') = (origin_file_name IS NOT NULL)),
    CHECK (
        (status = 'draft'
            AND adopted_on IS NULL AND minute_reference IS NULL AND adopted_at IS NULL
            AND adopted_by IS NULL AND review_due IS NULL AND content_hash IS NULL
            AND declaration_text IS NULL)
        OR (status <> 'draft'
            AND adopted_on IS NOT NULL AND minute_reference IS NOT NULL AND adopted_at IS NOT NULL
            AND adopted_by IS NOT NULL AND review_due IS NOT NULL AND content_hash IS NOT NULL
            AND declaration_text IS NOT NULL)
    )
);
-- At most one version in force per council.
CREATE UNIQUE INDEX policy_versions_in_force ON policy_versions (council_id) WHERE status = 'adopted';

CREATE TABLE policy_declarations (
    council_id  TEXT NOT NULL REFERENCES councils (id),
    version_id  TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    typed_name  TEXT NOT NULL,
    signed_at   BIGINT NOT NULL,
    text_hash   TEXT NOT NULL,
    PRIMARY KEY (version_id, person_id),
    FOREIGN KEY (council_id, version_id) REFERENCES policy_versions (council_id, id),
    FOREIGN KEY (council_id, person_id) REFERENCES people (council_id, id)
);
CREATE INDEX policy_declarations_person ON policy_declarations (council_id, person_id);

CREATE FUNCTION policy_declarations_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'signed declarations are evidence: they cannot be changed or removed';
END
$$;
CREATE TRIGGER policy_declarations_no_update_or_delete BEFORE UPDATE OR DELETE ON policy_declarations
    FOR EACH ROW EXECUTE FUNCTION policy_declarations_refuse_change();
CREATE TRIGGER policy_declarations_no_truncate BEFORE TRUNCATE ON policy_declarations
    FOR EACH STATEMENT EXECUTE FUNCTION policy_declarations_refuse_change();

-- The only change to an adopted version: it is replaced (status 'superseded'), nothing else.
CREATE FUNCTION policy_versions_keep_adopted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    replaced policy_versions;
BEGIN
    IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'adopted' THEN
        replaced := OLD;
        replaced.status := 'superseded';
        IF NEW IS NOT DISTINCT FROM replaced THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'an adopted policy version is the record of a council decision: it cannot be changed or removed, only replaced by a later version';
END
$$;
CREATE TRIGGER policy_versions_keep_adopted BEFORE UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION policy_versions_keep_adopted();
