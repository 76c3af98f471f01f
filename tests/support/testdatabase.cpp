#include "testdatabase.h"

#include "localcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

static const char DropSql[] = "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text)";
static const char CreateSql[] = "SELECT format('CREATE DATABASE %I', $1::text)";

ConnectionOptions TestDatabase::clusterOptions(const QString &database)
{
    const QString dir = qEnvironmentVariable("ALGOADMIN_TEST_CLUSTER_DIR");
    ConnectionOptions options = LocalCluster(dir).connectionOptions(database);
    options.applicationName = QStringLiteral("algoadmin-test");
    return options;
}

static bool execFormatted(PgConnection &admin, const char *formatSql, const QString &name,
                          QString *error)
{
    const PgResult statement = admin.exec(formatSql, {name.toUtf8()});
    if (!statement.ok()) {
        *error = statement.error().toString();
        return false;
    }
    const PgResult done = admin.exec(statement.rawValue(0, 0));
    if (!done.ok()) {
        *error = done.error().toString();
        return false;
    }
    return true;
}

TestDatabase::TestDatabase(const QString &name)
    : m_name(QStringLiteral("t_%1_%2").arg(name).arg(QCoreApplication::applicationPid()))
{
    if (qEnvironmentVariableIsEmpty("ALGOADMIN_TEST_CLUSTER_DIR")) {
        m_error = QStringLiteral("ALGOADMIN_TEST_CLUSTER_DIR is not set: run the tests through "
                                 "ctest, whose pg_cluster fixture starts the server");
        return;
    }
    PgConnection admin;
    DbError dbError;
    if (!admin.open(clusterOptions(QStringLiteral("postgres")), &dbError)) {
        m_error = QStringLiteral("the test PostgreSQL is not reachable: ") + dbError.toString();
        return;
    }
    if (!execFormatted(admin, DropSql, m_name, &m_error) ||
        !execFormatted(admin, CreateSql, m_name, &m_error))
        return;
    m_connection = std::make_unique<PgConnection>();
    if (!m_connection->open(options(), &dbError))
        m_error = dbError.toString();
}

TestDatabase::~TestDatabase()
{
    m_connection.reset();
    if (!ok())
        return;
    PgConnection admin;
    DbError ignored;
    if (admin.open(clusterOptions(QStringLiteral("postgres")), &ignored)) {
        QString error;
        execFormatted(admin, DropSql, m_name, &error);
    }
}

ConnectionOptions TestDatabase::options() const
{
    return clusterOptions(m_name);
}

QString TestDatabase::conninfo() const
{
    return options().toConninfo();
}

PgResult TestDatabase::exec(const QByteArray &sql, const QList<QByteArray> &params)
{
    if (!m_connection)
        return PgResult();
    return m_connection->exec(sql, params);
}

QString TestDatabase::scalar(const QByteArray &sql, const QList<QByteArray> &params)
{
    const PgResult result = exec(sql, params);
    if (!result.ok() || result.rows() == 0)
        return {};
    return result.value(0, 0);
}

ProcessResult runAlgoadmin(const QStringList &arguments, int timeoutMs)
{
    ProcessResult result;
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(qEnvironmentVariable("ALGOADMIN_BIN"), arguments);
    if (!process.waitForStarted(10000)) {
        result.err = QStringLiteral("could not start %1: %2")
                         .arg(qEnvironmentVariable("ALGOADMIN_BIN"), process.errorString());
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = QStringLiteral("timed out");
    }
    result.elapsedMs = clock.elapsed();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString sourceDir()
{
    return qEnvironmentVariable("ALGOADMIN_SOURCE_DIR");
}
