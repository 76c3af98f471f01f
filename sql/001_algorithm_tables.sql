-- The algorithm tables of the original Node/Drizzle application: five tables, nine indexes.
-- Idempotent (IF NOT EXISTS), so it also runs on a database the old application created.

CREATE TABLE IF NOT EXISTS algorithm_agents (
    id             VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id   VARCHAR(50) NOT NULL,
    name           VARCHAR(200),
    description    TEXT,
    file_path      VARCHAR(500),
    algorithm_type VARCHAR(50),
    esa_layers     INTEGER[],
    impact_score   INTEGER,
    is_active      BOOLEAN,
    created_at     TIMESTAMP DEFAULT now(),
    updated_at     TIMESTAMP DEFAULT now()
);

CREATE TABLE IF NOT EXISTS algorithm_parameters (
    id                 VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id       VARCHAR(50),
    parameter_name     VARCHAR(100),
    parameter_type     VARCHAR(50),
    current_value      TEXT,
    default_value      TEXT,
    min_value          TEXT,
    max_value          TEXT,
    description        TEXT,
    impact_description TEXT,
    created_at         TIMESTAMP DEFAULT now()
);

CREATE TABLE IF NOT EXISTS algorithm_changelog (
    id             VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id   VARCHAR(50),
    user_id        INTEGER,
    parameter_name VARCHAR(100),
    old_value      TEXT,
    new_value      TEXT,
    reason         TEXT,
    modified_at    TIMESTAMP DEFAULT now()
);

CREATE TABLE IF NOT EXISTS algorithm_chat_history (
    id           VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50),
    user_id      INTEGER,
    message      TEXT,
    response     TEXT,
    created_at   TIMESTAMP DEFAULT now()
);

CREATE TABLE IF NOT EXISTS algorithm_metrics (
    id           VARCHAR PRIMARY KEY DEFAULT gen_random_uuid()::varchar,
    algorithm_id VARCHAR(50),
    metric_name  VARCHAR(100),
    metric_value NUMERIC,
    recorded_at  TIMESTAMP DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS algorithm_agents_algorithm_id_key
    ON algorithm_agents (algorithm_id);
CREATE INDEX IF NOT EXISTS idx_algorithm_agents_active_type
    ON algorithm_agents (is_active, algorithm_type);
CREATE UNIQUE INDEX IF NOT EXISTS idx_algorithm_parameters_algorithm_parameter
    ON algorithm_parameters (algorithm_id, parameter_name);
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_algorithm_modified
    ON algorithm_changelog (algorithm_id, modified_at DESC);
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_modified
    ON algorithm_changelog (modified_at DESC);
CREATE INDEX IF NOT EXISTS idx_algorithm_changelog_user
    ON algorithm_changelog (user_id);
CREATE INDEX IF NOT EXISTS idx_algorithm_chat_history_algorithm_created
    ON algorithm_chat_history (algorithm_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_algorithm_metrics_algorithm_metric_recorded
    ON algorithm_metrics (algorithm_id, metric_name, recorded_at);
CREATE INDEX IF NOT EXISTS idx_algorithm_metrics_recorded_brin
    ON algorithm_metrics USING brin (recorded_at);
