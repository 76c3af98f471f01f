// Placeholder until the connection branch lands its implementation.
#include "serverprobe.h"

#include "pgconnection.h"

#include <QElapsedTimer>

ServerInfo probeServer(const ConnectionOptions &options, int pings)
{
    ServerInfo info;
    info.target = options.displayName();
    PgConnection connection;
    QElapsedTimer clock;
    clock.start();
    if (!connection.open(options, &info.error))
        return info;
    info.connectMs = double(clock.nsecsElapsed()) / 1e6;
    const PgResult result = connection.exec(
        "SELECT current_setting('server_version'), current_user, current_database()");
    if (!result.ok()) {
        info.error = result.error(QStringLiteral("probe"));
        return info;
    }
    info.serverVersion = result.value(0, 0);
    info.role = result.value(0, 1);
    info.database = result.value(0, 2);
    for (int i = 0; i < pings; ++i) {
        clock.restart();
        connection.exec("SELECT 1");
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (info.roundTripMs < 0 || ms < info.roundTripMs)
            info.roundTripMs = ms;
    }
    return info;
}
