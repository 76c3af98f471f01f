-- Who and what made each change, beyond the application's own user id: the database role, the
-- client (its application_name) and the change set that groups the edits of one apply.
-- Filled by the audit trigger of 005; NULL on rows written before it existed.
ALTER TABLE algorithm_changelog
    ADD COLUMN IF NOT EXISTS db_role    TEXT,
    ADD COLUMN IF NOT EXISTS source     TEXT,
    ADD COLUMN IF NOT EXISTS change_set TEXT;

-- Partial: most history (all of it before this migration) has no change set.
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_change_set
    ON algorithm_changelog (change_set) WHERE change_set IS NOT NULL;
