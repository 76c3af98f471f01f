#include "db/poolerprobe.h"

#include "db/pgconnection.h"

namespace {

const QByteArray BackendPidSql = "SELECT pg_backend_pid()";

} // namespace

namespace PoolerProbe {

int serverPid(PgConnection &connection)
{
    const PgResult result = connection.exec(BackendPidSql);
    return result.ok() ? result.value(0, 0).toInt() : 0;
}

bool isPooled(const PgConnection &connection, int pid)
{
    return pid != 0 && pid != connection.backendPid();
}

bool isTransactionPooled(PgConnection &connection, int pid, const ConnectionOptions &options)
{
    if (!isPooled(connection, pid))
        return false;
    PgConnection probe;
    ConnectionOptions probeOptions = options;
    probeOptions.applicationName = QStringLiteral("algoadmin-probe");
    DbError ignored;
    if (!probe.open(probeOptions, &ignored))
        return true; // cannot tell: assume the worst, the caller says what to do
    const int other = serverPid(probe);
    const int mine = serverPid(connection);
    return other == 0 || mine == 0 || other == pid || mine != pid;
}

} // namespace PoolerProbe
