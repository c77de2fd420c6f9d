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

CREATE TRIGGER policy_declarations_no_update BEFORE UPDATE ON policy_declarations
BEGIN
    SELECT RAISE(ABORT, 'signed declarations are evidence: they cannot be changed');
END;
CREATE TRIGGER policy_declarations_no_delete BEFORE DELETE ON policy_declarations
BEGIN
    SELECT RAISE(ABORT, 'signed declarations are evidence: they cannot be removed');
END;

-- The only change to an adopted version: it is replaced (status 'superseded'), nothing else.
CREATE TRIGGER policy_versions_adopted_no_update BEFORE UPDATE ON policy_versions
WHEN OLD.status <> 'draft' AND NOT (
    OLD.status = 'adopted' AND NEW.status = 'superseded'
    AND NEW.id IS OLD.id AND NEW.council_id IS OLD.council_id AND NEW.number IS OLD.number
    AND NEW.profile_json IS OLD.profile_json AND NEW.origin IS OLD.origin
    AND NEW.origin_file_name IS OLD.origin_file_name AND NEW.note IS OLD.note
    AND NEW.created_by IS OLD.created_by AND NEW.created_at IS OLD.created_at
    AND NEW.adopted_on IS OLD.adopted_on AND NEW.minute_reference IS OLD.minute_reference
    AND NEW.adopted_at IS OLD.adopted_at AND NEW.adopted_by IS OLD.adopted_by
    AND NEW.review_due IS OLD.review_due AND NEW.content_hash IS OLD.content_hash
    AND NEW.declaration_text IS OLD.declaration_text
)
BEGIN
    SELECT RAISE(ABORT, 'an adopted policy version is the record of a council decision: it cannot be changed, only replaced by a later version');
END;
CREATE TRIGGER policy_versions_adopted_no_delete BEFORE DELETE ON policy_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'an adopted policy version is the record of a council decision: it cannot be removed');
END;
