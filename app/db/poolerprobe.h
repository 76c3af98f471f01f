#pragma once

#include "db/connectionoptions.h"

class PgConnection;

// Whether a connection goes through a pooler (PgBouncer), and in which mode. A pooler answers
// the start-up with a cancel key of its own (PgBouncer: random), so the process id libpq was
// given is not the backend that runs the statements. In transaction pooling a client's next
// transaction may run on another backend, and a second client usually gets (LIFO) the backend
// the first one has just given back; in session pooling a backend stays its client's.
namespace PoolerProbe {

// The backend that answers on `connection` now (one round trip), or 0 when the query failed.
int serverPid(PgConnection &connection);
// True when a statement that ran on backend `pid` did not run on libpq's process id.
bool isPooled(const PgConnection &connection, int pid);
// True when `connection` (idle, its last transaction ran on backend `pid`) goes through a
// pooler in transaction (or statement) pooling; also when that cannot be told. Opens a second
// connection with `options` for a moment: two round trips and a connect.
bool isTransactionPooled(PgConnection &connection, int pid, const ConnectionOptions &options);

} // namespace PoolerProbe
