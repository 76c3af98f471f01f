#pragma once

// What the benchmarks share: medians and the delay proxy in front of a local cluster.

#include "localcluster.h"

#include <QList>
#include <QProcess>
#include <QString>

#include <algorithm>

namespace Bench {

// The median of `values`; 0 for none.
inline double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

// Starts algoadmin-delayproxy (`program`) in front of `cluster`'s Unix socket with `rttMs` of
// round trip; returns the TCP port it listens on, or 0 when it did not start.
inline int startDelayProxy(QProcess &proxy, const QString &program, const LocalCluster &cluster,
                           int rttMs)
{
    proxy.start(program,
                {QStringLiteral("--target-unix"),
                 cluster.socketDir() + QStringLiteral("/.s.PGSQL.%1").arg(cluster.port()),
                 QStringLiteral("--listen-port"), QStringLiteral("0"), QStringLiteral("--rtt-ms"),
                 QString::number(rttMs), QStringLiteral("--max-seconds"), QStringLiteral("3600")});
    proxy.waitForReadyRead(10000);
    return QString::fromUtf8(proxy.readLine()).trimmed().section(QLatin1Char(' '), 2, 2).toInt();
}

} // namespace Bench
