#include "db/serverprobe.h"

#include "db/pgconnection.h"

#include <QElapsedTimer>

#include <algorithm>

namespace {

// Everything the dialog and the status bar show, in one round trip. The privilege check is
// on the table's oid and only when the table exists, so the query also works on an empty
// database (has_table_privilege on a name would fail there).
const char ProbeSql[] = R"(
SELECT current_setting('server_version'),
       current_user,
       current_database(),
       pg_is_in_recovery(),
       current_setting('transaction_read_only') = 'on',
       to_regclass('algorithm_parameters') IS NOT NULL,
       CASE WHEN to_regclass('algorithm_parameters') IS NULL THEN NULL
            ELSE has_table_privilege(to_regclass('algorithm_parameters')::oid, 'UPDATE')
       END)";

// The cheapest statement the server answers: its time is the network's round trip.
const char PingSql[] = "SELECT 1";

double elapsedMs(const QElapsedTimer &clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

} // namespace

ServerInfo probeServer(const ConnectionOptions &options, int pings,
                       const std::function<bool()> &abandoned)
{
    ServerInfo info;
    info.target = options.displayName();
    PgConnection connection;
    QElapsedTimer clock;
    clock.start();
    const bool opened = connection.open(options, &info.error, abandoned);
    info.connectMs = elapsedMs(clock);
    if (!opened)
        return info;
    info.target = connection.describe();
    info.tls = connection.tlsProtocol();
    info.tlsCipher = connection.tlsCipher();
    info.host = connection.host();
    info.remote = !ConnectionOptions::isLocalHost(info.host);

    const PgResult result = connection.exec(ProbeSql);
    if (!result.ok() || result.rows() != 1) {
        info.error = result.error(QStringLiteral("read the server's settings"), info.target);
        return info;
    }
    const auto isTrue = [&result](int column) {
        return result.value(0, column) == QLatin1String("t");
    };
    // "15.5 (Debian 15.5-1.pgdg120+1)": the number is what a user compares.
    info.serverVersion = result.value(0, 0).section(QLatin1Char(' '), 0, 0);
    info.role = result.value(0, 1);
    info.database = result.value(0, 2);
    const bool inRecovery = isTrue(3);
    const bool transactionReadOnly = isTrue(4);
    info.schemaPresent = isTrue(5);
    const bool mayUpdate = result.isNull(0, 6) || isTrue(6);
    if (inRecovery)
        info.readOnlyReason = QStringLiteral("hot standby (recovery)");
    else if (transactionReadOnly)
        info.readOnlyReason = QStringLiteral("default_transaction_read_only is on");
    else if (!mayUpdate)
        info.readOnlyReason =
            QStringLiteral("role %1 may not UPDATE algorithm_parameters").arg(info.role);
    info.readOnly = !info.readOnlyReason.isEmpty();

    for (int i = 0; i < pings; ++i) {
        clock.restart();
        const PgResult ping = connection.exec(PingSql);
        const double ms = elapsedMs(clock);
        if (!ping.ok()) {
            info.error = ping.error(QStringLiteral("measure the round trip"), info.target);
            return info;
        }
        info.roundTripMs = info.roundTripMs < 0 ? ms : std::min(info.roundTripMs, ms);
    }
    return info;
}
