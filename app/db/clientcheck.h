#pragma once

// A select-list item for the settings statement of every transaction (and of the engine's
// session): if this program dies mid-transaction (SIGKILL, a crash, power), the server notices
// its closed socket within a second even while a statement runs or waits for a lock, and rolls
// back, so that the runners' lock and every row lock go. PostgreSQL 14+; a server whose
// platform lacks it (Windows) would refuse a non-zero value, so it is set only where it works.
// `isLocal` is set_config's third argument as SQL text ("true", "$3::boolean").
#define ALGOADMIN_CLIENT_CHECK_SQL(isLocal)                                                        \
    " CASE WHEN pg_catalog.version() ~* 'linux|darwin|bsd|illumos' AND"                            \
    " pg_catalog.current_setting('client_connection_check_interval', true) IS NOT NULL"            \
    " THEN pg_catalog.set_config('client_connection_check_interval', '1000', " isLocal ") END"
