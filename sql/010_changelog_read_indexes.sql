-- Two indexes for reading a large changelog (a million rows and more) quickly:
--
-- idx_algorithm_changelog_parameter_at: one parameter's history in time order. Time travel
-- (rebuilding an agent's configuration at a moment) looks up, for each parameter, the last
-- change at or before the moment and its neighbours in a few index probes instead of reading
-- the agent's whole history. A change without modified_at (written before the column had a
-- default) counts as older than every time, as the rule of time travel says: hence the
-- coalesce, which the queries repeat word for word.
--
-- idx_algorithm_changelog_modified_cover: the timeline (changes, change sets and the top
-- changer per time bucket) reads user_id, db_role and change_set from the index alone, one
-- index range per bucket, instead of every row's values and reasons.
--
-- Writes to the changelog wait while the indexes are built: about a second per million rows.
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_parameter_at
    ON algorithm_changelog
    (algorithm_id, parameter_name, (coalesce(modified_at, '-infinity'::timestamp)));

CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_modified_cover
    ON algorithm_changelog (modified_at) INCLUDE (user_id, db_role, change_set);
