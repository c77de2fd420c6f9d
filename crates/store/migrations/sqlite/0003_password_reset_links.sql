-- One-time links serve two purposes: inviting a person ('invite') and letting an active person
-- who has forgotten their password choose a new one ('reset').
ALTER TABLE invitations ADD COLUMN purpose TEXT NOT NULL DEFAULT 'invite'
    CHECK (purpose IN ('invite', 'reset'));
