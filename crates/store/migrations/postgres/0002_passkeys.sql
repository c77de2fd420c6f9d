-- Passkeys (WebAuthn credentials) used as a second factor at sign-in. Like accounts, they are
-- installation-wide: a passkey belongs to an account, which may be linked to several councils.
-- `credential` is the web layer's serialised credential (public key, id, signature counter),
-- opaque to storage; it holds no secret.

CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_account ON passkeys (account_id);
