-- The audit chain's head is sealed with the audit key (issue 16, finding 2): cutting
-- entries off the end and pointing the head at the new last entry no longer verifies.
-- Existing heads are sealed when Leefwijk next starts (the key is not in the database).
ALTER TABLE audit_head ADD COLUMN seal TEXT;
