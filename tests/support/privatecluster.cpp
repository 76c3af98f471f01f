#include "privatecluster.h"

#include "db/pgconnection.h"

#include <QFile>

#include <sys/stat.h>

PrivateCluster::~PrivateCluster()
{
    QString error;
    if (m_cluster && m_cluster->isRunning())
        m_cluster->stop(&error);
}

QString PrivateCluster::createDatabase(const QString &name)
{
    PgConnection admin;
    DbError error;
    if (!admin.open(m_cluster->connectionOptions(QStringLiteral("postgres")), &error))
        return error.toString();
    const PgResult created = admin.exec("CREATE DATABASE " + name.toUtf8());
    return created.ok() ? QString() : created.error(QStringLiteral("create a database")).toString();
}

QString PrivateCluster::start()
{
    // initdb's template is cached per user; a cache of our own keeps tests apart.
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    if (::chmod(QFile::encodeName(m_parent.path()).constData(), 0755) != 0)
        return QStringLiteral("cannot open %1 to the server").arg(m_parent.path());
    m_cluster = std::make_unique<LocalCluster>(m_parent.filePath(QStringLiteral("cluster")));
    QString error;
    if (!m_cluster->start(&error))
        return error;
    return {};
}
