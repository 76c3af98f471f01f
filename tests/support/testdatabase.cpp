#include "testdatabase.h"

#include "sandbox/localcluster.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

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
    // The window reads its settings (saved geometry, profiles): give it a private, empty
    // configuration directory instead of the user's.
    static QTemporaryDir config;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    process.setProcessEnvironment(env);
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

// ---------------------------------------------------------------------------------------------

static QStringList resultRows(const PgResult &result)
{
    if (!result.ok())
        return {QStringLiteral("error: ") + result.error().toString()};
    QStringList list;
    for (int r = 0; r < result.rows(); ++r) {
        QStringList values;
        for (int c = 0; c < result.columns(); ++c)
            values.append(result.isNull(r, c) ? QStringLiteral("<null>") : result.value(r, c));
        list.append(values.join(QLatin1Char('|')));
    }
    return list;
}

QStringList rows(PgConnection &connection, const QByteArray &sql, const QList<QByteArray> &params)
{
    return resultRows(connection.exec(sql, params));
}

QStringList rows(TestDatabase &db, const QByteArray &sql, const QList<QByteArray> &params)
{
    return resultRows(db.exec(sql, params));
}

QString value(PgConnection &connection, const QByteArray &sql, const QList<QByteArray> &params)
{
    return rows(connection, sql, params).value(0);
}

QString value(TestDatabase &db, const QByteArray &sql, const QList<QByteArray> &params)
{
    return rows(db, sql, params).value(0);
}

QString leftoverScratch(TestDatabase &db)
{
    return value(db, "SELECT count(*) FROM pg_database WHERE datname LIKE 'algoadmin_scratch_'"
                     " || (SELECT oid FROM pg_database WHERE datname = current_database())"
                     " || '\\_%'");
}

QByteArray sqlText(const QString &text)
{
    if (text.isNull())
        return {};
    QByteArray bytes(""); // not null, even when empty
    bytes.append(text.toUtf8());
    return bytes;
}

// ---------------------------------------------------------------------------------------------

bool writeFile(const QString &path, const QByteArray &contents)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(contents) == contents.size();
}

QString writeMigrations(QTemporaryDir &dir, const QList<QPair<QString, QByteArray>> &files)
{
    if (!dir.isValid())
        return {};
    for (const auto &[name, contents] : files) {
        if (!writeFile(dir.filePath(name), contents))
            return {};
    }
    return dir.path();
}

QString designMigrationsDir(QTemporaryDir &dir)
{
    if (!dir.isValid())
        return {};
    for (const char *name : {"001_algorithm_tables.sql", "002_add_missing_columns.sql"}) {
        const QString fileName = QString::fromLatin1(name);
        QFile::remove(dir.filePath(fileName));
        if (!QFile::copy(sourceDir() + QStringLiteral("/sql/") + fileName, dir.filePath(fileName)))
            return {};
    }
    return dir.path();
}

RunReport migrateDatabase(const ConnectionOptions &options, const MigrationSet &set)
{
    MigrationEngine engine(options, set);
    return engine.migrate();
}

QStringList migrationIds(const MigrationSet &set)
{
    QStringList ids;
    for (const Migration &migration : set.migrations)
        ids.append(migration.id());
    return ids;
}

QStringList migrationVersions(const MigrationSet &set)
{
    QStringList versions;
    for (const Migration &migration : set.migrations)
        versions.append(migration.version);
    return versions;
}

int statementCount(const MigrationSet &set)
{
    int count = 0;
    for (const Migration &migration : set.migrations)
        count += int(migration.statements.size());
    return count;
}

QStringList withState(const QStringList &names, const QString &state)
{
    QStringList states;
    for (const QString &name : names)
        states.append(name + QLatin1Char('=') + state);
    return states;
}
