-- Parameters, metrics and chat history belong to an agent: each references
-- algorithm_agents(algorithm_id) (unique index of 001) and follows a renamed algorithm_id
-- (ON UPDATE CASCADE). Deleting an agent that still has rows is refused (NO ACTION). The
-- changelog keeps no foreign key: history outlives the agents it mentions.
--
-- A database the old application created may hold orphan rows. They are kept: each key is
-- added NOT VALID (checked for new writes only), then validated in a subtransaction that, when
-- orphans exist, is rolled back with a NOTICE instead of failing the migration. Such a key
-- stays NOT VALID (verify shows it) until the orphans are dealt with and someone runs
--   ALTER TABLE … VALIDATE CONSTRAINT ….
-- The cascade only renames algorithm_id, so the column triggers of 004/005/007/008 (on
-- current_value and friends) do not fire for it.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                   WHERE conrelid = 'algorithm_parameters'::regclass
                     AND conname = 'algorithm_parameters_algorithm_id_fkey') THEN
        ALTER TABLE algorithm_parameters
            ADD CONSTRAINT algorithm_parameters_algorithm_id_fkey
            FOREIGN KEY (algorithm_id) REFERENCES algorithm_agents (algorithm_id)
            ON UPDATE CASCADE NOT VALID;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                   WHERE conrelid = 'algorithm_metrics'::regclass
                     AND conname = 'algorithm_metrics_algorithm_id_fkey') THEN
        ALTER TABLE algorithm_metrics
            ADD CONSTRAINT algorithm_metrics_algorithm_id_fkey
            FOREIGN KEY (algorithm_id) REFERENCES algorithm_agents (algorithm_id)
            ON UPDATE CASCADE NOT VALID;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                   WHERE conrelid = 'algorithm_chat_history'::regclass
                     AND conname = 'algorithm_chat_history_algorithm_id_fkey') THEN
        ALTER TABLE algorithm_chat_history
            ADD CONSTRAINT algorithm_chat_history_algorithm_id_fkey
            FOREIGN KEY (algorithm_id) REFERENCES algorithm_agents (algorithm_id)
            ON UPDATE CASCADE NOT VALID;
    END IF;
END
$$;

-- One block per key, so that orphans in one table do not keep the others unvalidated.
DO $$
BEGIN
    ALTER TABLE algorithm_parameters VALIDATE CONSTRAINT algorithm_parameters_algorithm_id_fkey;
EXCEPTION WHEN foreign_key_violation THEN
    RAISE NOTICE 'algorithm_parameters has rows whose algorithm_id names no agent; they are kept and algorithm_parameters_algorithm_id_fkey stays NOT VALID (it still checks new writes)';
END
$$;

DO $$
BEGIN
    ALTER TABLE algorithm_metrics VALIDATE CONSTRAINT algorithm_metrics_algorithm_id_fkey;
EXCEPTION WHEN foreign_key_violation THEN
    RAISE NOTICE 'algorithm_metrics has rows whose algorithm_id names no agent; they are kept and algorithm_metrics_algorithm_id_fkey stays NOT VALID (it still checks new writes)';
END
$$;

DO $$
BEGIN
    ALTER TABLE algorithm_chat_history VALIDATE CONSTRAINT algorithm_chat_history_algorithm_id_fkey;
EXCEPTION WHEN foreign_key_violation THEN
    RAISE NOTICE 'algorithm_chat_history has rows whose algorithm_id names no agent; they are kept and algorithm_chat_history_algorithm_id_fkey stays NOT VALID (it still checks new writes)';
END
$$;
