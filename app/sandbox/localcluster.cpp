#include "sandbox/localcluster.h"

#include "db/pgconnection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

static const char DatabaseExistsSql[] = "SELECT 1 FROM pg_database WHERE datname = $1";
static const char QuoteIdentSql[] = "SELECT quote_ident($1)";

namespace {

struct ServerUser
{
    bool switchUser = false; // true when we are root and run the server as postgres
    uid_t uid = 0;
    gid_t gid = 0;
};

ServerUser serverUser(QString *error)
{
    ServerUser user;
    if (geteuid() != 0)
        return user;
    const passwd *pw = getpwnam("postgres");
    if (!pw) {
        if (error)
            *error = QStringLiteral(
                "running as root, the local server must run as the postgres system user, which "
                "does not exist; install the Debian package postgresql (it creates the user) "
                "or run algoadmin as a normal user");
        return user;
    }
    user.switchUser = true;
    user.uid = pw->pw_uid;
    user.gid = pw->pw_gid;
    return user;
}

} // namespace

LocalCluster::LocalCluster(const QString &dataDir)
    : m_dataDir(QDir(dataDir.isEmpty() ? defaultDataDir() : dataDir).absolutePath())
{}

QString LocalCluster::defaultDataDir()
{
    if (geteuid() == 0)
        return QStringLiteral("/var/lib/algoadmin/local");
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/algoadmin/local");
}

QString LocalCluster::pgData() const
{
    return m_dataDir + QStringLiteral("/pgdata");
}

QString LocalCluster::socketDir() const
{
    return m_dataDir + QStringLiteral("/run");
}

QString LocalCluster::logFile() const
{
    return m_dataDir + QStringLiteral("/server.log");
}

QString LocalCluster::findBinDir(QString *error)
{
    const auto hasTools = [](const QString &dir) {
        return QFileInfo(dir + QStringLiteral("/initdb")).isExecutable() &&
               QFileInfo(dir + QStringLiteral("/pg_ctl")).isExecutable() &&
               QFileInfo(dir + QStringLiteral("/postgres")).isExecutable();
    };
    const QString fromEnv = qEnvironmentVariable("ALGOADMIN_PG_BINDIR");
    if (!fromEnv.isEmpty()) {
        if (hasTools(fromEnv))
            return fromEnv;
        if (error)
            *error = QStringLiteral("ALGOADMIN_PG_BINDIR=%1 does not hold the PostgreSQL server "
                                    "binaries (initdb, pg_ctl, postgres); install the Debian "
                                    "package postgresql (sudo apt-get install postgresql) or "
                                    "unset it")
                         .arg(fromEnv);
        return {};
    }
    // Debian keeps server binaries out of PATH, one directory per major version.
    QDir versions(QStringLiteral("/usr/lib/postgresql"));
    QStringList majors = versions.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(majors.begin(), majors.end(),
              [](const QString &a, const QString &b) { return a.toDouble() > b.toDouble(); });
    for (const QString &major : std::as_const(majors)) {
        const QString dir = versions.filePath(major + QStringLiteral("/bin"));
        if (hasTools(dir))
            return dir;
    }
    const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    if (!initdb.isEmpty() && hasTools(QFileInfo(initdb).absolutePath()))
        return QFileInfo(initdb).absolutePath();
    if (error)
        *error = QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl, postgres) were not "
                                "found; install the Debian package postgresql "
                                "(sudo apt-get install postgresql), or set ALGOADMIN_PG_BINDIR");
    return {};
}

bool LocalCluster::runTool(const QString &tool, const QStringList &arguments, QString *output,
                           int timeoutMs) const
{
    QString ignored;
    const ServerUser user = serverUser(&ignored);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dataDir);
    if (user.switchUser) {
        // PostgreSQL refuses to run as root; drop to postgres in the child only.
        const uid_t uid = user.uid;
        const gid_t gid = user.gid;
        process.setChildProcessModifier([uid, gid] {
            if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
                _exit(126);
        });
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dataDir);
        env.insert(QStringLiteral("USER"), QStringLiteral("postgres"));
        env.insert(QStringLiteral("LOGNAME"), QStringLiteral("postgres"));
        process.setProcessEnvironment(env);
    }
    process.start(m_binDir + QLatin1Char('/') + tool, arguments);
    if (!process.waitForStarted(10000)) {
        *output = QStringLiteral("%1 could not be started: %2").arg(tool, process.errorString());
        return false;
    }
    const bool finished = process.waitForFinished(timeoutMs);
    *output = QString::fromLocal8Bit(process.readAll()).trimmed();
    if (!finished) {
        process.kill();
        process.waitForFinished(2000);
        *output = QStringLiteral("%1 did not finish within %2 s").arg(tool).arg(timeoutMs / 1000);
        return false;
    }
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool LocalCluster::prepareDirectories(QString *error) const
{
    ServerUser user = serverUser(error);
    if (geteuid() == 0 && !user.switchUser)
        return false;
    // As root we chown what we create: never follow a link someone else placed there.
    if (user.switchUser) {
        for (const QString &path : {m_dataDir, socketDir()}) {
            struct stat st;
            if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
                continue;
            if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode) ||
                (st.st_uid != 0 && st.st_uid != user.uid)) {
                *error = QStringLiteral("%1 exists but is not a directory owned by root or "
                                        "postgres; refusing to use it")
                             .arg(path);
                return false;
            }
        }
    }
    if (!QDir().mkpath(m_dataDir) || !QDir().mkpath(socketDir())) {
        *error = QStringLiteral("cannot create %1").arg(m_dataDir);
        return false;
    }
    // The socket directory is the access control: only its owner (and root) can connect.
    ::chmod(QFile::encodeName(socketDir()).constData(), 0700);
    if (!user.switchUser)
        return true;
    // The postgres user must be able to reach the data directory from /.
    for (QString dir = QFileInfo(m_dataDir).absolutePath(); dir != QLatin1String("/");
         dir = QFileInfo(dir).absolutePath()) {
        struct stat st;
        if (::stat(QFile::encodeName(dir).constData(), &st) != 0)
            continue;
        const bool traversable = (st.st_mode & S_IXOTH) || st.st_uid == user.uid ||
                                 ((st.st_mode & S_IXGRP) && st.st_gid == user.gid);
        if (!traversable) {
            *error = QStringLiteral("the postgres system user cannot enter %1, so it cannot "
                                    "reach %2; choose a --data-dir it can reach (for example "
                                    "under /var/lib or /tmp)")
                         .arg(dir, m_dataDir);
            return false;
        }
    }
    for (const QString &path : {m_dataDir, socketDir()}) {
        if (::chown(QFile::encodeName(path).constData(), user.uid, user.gid) != 0) {
            *error = QStringLiteral("cannot hand %1 to the postgres user").arg(path);
            return false;
        }
    }
    ::chmod(QFile::encodeName(m_dataDir).constData(), 0755);
    return true;
}

bool LocalCluster::isInitialised() const
{
    return QFileInfo::exists(pgData() + QStringLiteral("/PG_VERSION"));
}

bool LocalCluster::isRunning() const
{
    if (!isInitialised())
        return false;
    QString binError;
    if (m_binDir.isEmpty())
        m_binDir = findBinDir(&binError);
    if (m_binDir.isEmpty())
        return false;
    QString output;
    return runTool(QStringLiteral("pg_ctl"),
                   {QStringLiteral("-D"), pgData(), QStringLiteral("status")}, &output, 10000);
}

bool LocalCluster::start(QString *error, bool *startedNow)
{
    if (startedNow)
        *startedNow = false;
    m_binDir = findBinDir(error);
    if (m_binDir.isEmpty())
        return false;
    if (!prepareDirectories(error))
        return false;
    QString output;
    if (!isInitialised()) {
        if (!runTool(QStringLiteral("initdb"),
                     {QStringLiteral("-D"), pgData(), QStringLiteral("-U"), superuser(),
                      QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                      QStringLiteral("--no-locale"), QStringLiteral("--no-sync")},
                     &output, 120000)) {
            *error = QStringLiteral("initdb failed for %1:\n%2").arg(pgData(), output);
            return false;
        }
        // Only a Unix socket in our private directory: nothing is reachable over the network,
        // and trust authentication is limited to whoever can enter that directory.
        QFile conf(pgData() + QStringLiteral("/postgresql.conf"));
        if (!conf.open(QIODevice::Append)) {
            *error = QStringLiteral("cannot write %1").arg(conf.fileName());
            return false;
        }
        QString settings =
            QStringLiteral("\n# algoadmin local sandbox\n"
                           "listen_addresses = ''\n"
                           "unix_socket_directories = '%1'\n"
                           "port = %2\n"
                           "max_connections = 100\n")
                .arg(QString(socketDir()).replace(QLatin1Char('\''), QLatin1String("''")))
                .arg(port());
        // Throwaway clusters (the test suite's) trade durability for speed.
        if (qEnvironmentVariable("ALGOADMIN_LOCAL_UNSAFE_FAST") == QLatin1String("1"))
            settings += QStringLiteral("fsync = off\nsynchronous_commit = off\n"
                                       "full_page_writes = off\n");
        conf.write(settings.toUtf8());
    }
    if (!isRunning()) {
        if (!runTool(QStringLiteral("pg_ctl"),
                     {QStringLiteral("-D"), pgData(), QStringLiteral("-l"), logFile(),
                      QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                      QStringLiteral("start")},
                     &output, 90000)) {
            QFile log(logFile());
            QString tail;
            if (log.open(QIODevice::ReadOnly))
                tail = QString::fromUtf8(log.readAll()).right(2000);
            *error = QStringLiteral("the local PostgreSQL server did not start:\n%1\n%2")
                         .arg(output, tail);
            return false;
        }
        if (startedNow)
            *startedNow = true;
    }
    return ensureDatabase(error);
}

bool LocalCluster::ensureDatabase(QString *error) const
{
    PgConnection connection;
    DbError dbError;
    if (!connection.open(connectionOptions(QStringLiteral("postgres")), &dbError)) {
        *error = dbError.toString();
        return false;
    }
    const PgResult exists = connection.exec(DatabaseExistsSql, {databaseName().toUtf8()});
    if (!exists.ok()) {
        *error = exists.error(QStringLiteral("look up the database")).toString();
        return false;
    }
    if (exists.rows() > 0)
        return true;
    // CREATE DATABASE takes no parameters: quote the name server-side first.
    const PgResult quoted = connection.exec(QuoteIdentSql, {databaseName().toUtf8()});
    const PgResult created = connection.exec("CREATE DATABASE " + quoted.rawValue(0, 0));
    if (!created.ok()) {
        *error = created.error(QStringLiteral("create database %1").arg(databaseName())).toString();
        return false;
    }
    return true;
}

bool LocalCluster::stop(QString *error)
{
    if (!isInitialised()) {
        *error = QStringLiteral("there is no local cluster in %1").arg(m_dataDir);
        return false;
    }
    if (!isRunning())
        return true;
    QString output;
    if (!runTool(QStringLiteral("pg_ctl"),
                 {QStringLiteral("-D"), pgData(), QStringLiteral("-m"), QStringLiteral("fast"),
                  QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                  QStringLiteral("stop")},
                 &output, 90000)) {
        *error = QStringLiteral("the local PostgreSQL server did not stop: %1").arg(output);
        return false;
    }
    return true;
}

QString LocalCluster::url(const QString &database) const
{
    return QStringLiteral("postgresql:///%1?host=%2&port=%3&user=%4")
        .arg(QString::fromUtf8(QUrl::toPercentEncoding(database)),
             QString::fromUtf8(QUrl::toPercentEncoding(socketDir(), "/")))
        .arg(port())
        .arg(superuser());
}

ConnectionOptions LocalCluster::connectionOptions(const QString &database) const
{
    ConnectionOptions options;
    options.database = database;
    options.host = socketDir();
    options.port = QString::number(port());
    options.user = superuser();
    return options;
}
