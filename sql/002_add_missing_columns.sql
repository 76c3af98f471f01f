-- Columns the Node application's later code expected on algorithm_agents.
ALTER TABLE algorithm_agents
    ADD COLUMN IF NOT EXISTS current_config   JSONB,
    ADD COLUMN IF NOT EXISTS default_config   JSONB,
    ADD COLUMN IF NOT EXISTS version          VARCHAR(50),
    ADD COLUMN IF NOT EXISTS last_modified_by INTEGER,
    ADD COLUMN IF NOT EXISTS last_modified_at TIMESTAMP;
