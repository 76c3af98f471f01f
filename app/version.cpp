#include "version.h"

#include <QtGlobal>

#include <libpq-fe.h>

namespace Version {

QString program()
{
    return QStringLiteral(ALGOADMIN_VERSION);
}

QString qtRuntime()
{
    return QString::fromLatin1(qVersion());
}

QString qtBuild()
{
    return QStringLiteral(QT_VERSION_STR);
}

QString libpq()
{
    // 150014 means 15.14; before version 10 it was 90624 for 9.6.24.
    const int v = PQlibVersion();
    if (v >= 100000)
        return QStringLiteral("%1.%2").arg(v / 10000).arg(v % 10000);
    return QStringLiteral("%1.%2.%3").arg(v / 10000).arg(v / 100 % 100).arg(v % 100);
}

QString report()
{
    QString qt = QStringLiteral("Qt %1").arg(qtRuntime());
    if (qtRuntime() != qtBuild())
        qt += QStringLiteral(" (built against %1)").arg(qtBuild());
    return QStringLiteral("algoadmin %1\n%2\nlibpq %3\n").arg(program(), qt, libpq());
}

} // namespace Version
