#include "tcpcluster.h"

#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// `file` readable by the server only: as root the server runs as postgres.
bool handToServer(const QString &file)
{
    if (::chmod(QFile::encodeName(file).constData(), 0600) != 0)
        return false;
    if (::geteuid() != 0)
        return true;
    const passwd *postgres = ::getpwnam("postgres");
    return postgres &&
           ::chown(QFile::encodeName(file).constData(), postgres->pw_uid, postgres->pw_gid) == 0;
}

bool append(const QString &file, const QString &text)
{
    QFile f(file);
    return f.open(QIODevice::Append) && f.write(text.toUtf8()) >= 0;
}

} // namespace

QString TcpCluster::start(const QStringList &files, const QString &settings, const QString &hba)
{
    QString error = m_cluster.start();
    if (!error.isEmpty() || !m_cluster->stop(&error))
        return error;
    const QString pgData = m_cluster->pgData();
    for (const QString &file : files) {
        const QString target = pgData + QLatin1Char('/') + QFileInfo(file).fileName();
        QFile::remove(target);
        if (!QFile::copy(file, target) || !handToServer(target))
            return QStringLiteral("cannot copy %1 into the cluster").arg(file);
    }
    m_address = QStringLiteral("127.0.0.%1").arg(QRandomGenerator::global()->bounded(2, 254));
    if (!append(pgData + QStringLiteral("/postgresql.conf"),
                QStringLiteral("\n# TcpCluster\nlisten_addresses = '%1'\n%2\n")
                    .arg(m_address, settings)))
        return QStringLiteral("cannot write postgresql.conf");
    // pg_hba.conf: the first matching line decides, so ours go before initdb's.
    QFile hbaFile(pgData + QStringLiteral("/pg_hba.conf"));
    if (!hbaFile.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read pg_hba.conf");
    const QByteArray initdbLines = hbaFile.readAll();
    hbaFile.close();
    if (!hbaFile.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        hbaFile.write((hba + QStringLiteral("\nhost all all 127.0.0.0/8 trust\n")).toUtf8() +
                      initdbLines) < 0)
        return QStringLiteral("cannot write pg_hba.conf");
    hbaFile.close();
    if (!m_cluster->start(&error))
        return error;
    return {};
}

ConnectionOptions TcpCluster::options(const QString &host, const QString &keywords,
                                      const QString &user, const QString &database) const
{
    ConnectionOptions options;
    options.database =
        QStringLiteral("host=%1 hostaddr=%2 port=%3 dbname=%4 user=%5 connect_timeout=10 %6")
            .arg(host, m_address, QString::number(m_cluster->port()), database, user, keywords);
    return options;
}

ConnectionOptions TcpCluster::adminOptions(const QString &database) const
{
    return m_cluster->connectionOptions(database);
}
