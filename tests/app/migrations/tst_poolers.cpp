// Every command through PgBouncer (Debian's /usr/sbin/pgbouncer, started here) with its default
// configuration, in session and in transaction pooling: it refuses the start-up parameter
// `options`, and in transaction pooling a client's transactions may each run on another
// server connection, which later clients then inherit.
#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "repositoryfixture.h"
#include "workers/agentworker.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>
#include <memory>
#include <thread>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

// One PgBouncer in front of the test cluster, on 127.0.0.1 and a free port.
class Bouncer
{
public:
    ~Bouncer() { stop(); }

    bool start(const QString &poolMode, QString *error)
    {
        if (!m_dir.isValid()) {
            *error = u"no temporary directory"_s;
            return false;
        }
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            *error = u"no free port"_s;
            return false;
        }
        m_port = probe.serverPort();
        probe.close();
        const ConnectionOptions cluster = TestDatabase::clusterOptions(u"postgres"_s);
        m_user = cluster.user;
        // Default settings but for where to listen and whom to let in; in particular no
        // ignore_startup_parameters.
        const QString ini =
            u"[databases]\n* = host=%1 port=%2\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
            "listen_port = %3\nunix_socket_dir =\nauth_type = trust\nauth_file = %4\n"
            "pool_mode = %5\n"_s.arg(cluster.host, cluster.port)
                .arg(m_port)
                .arg(m_dir.filePath(u"users.txt"_s), poolMode);
        if (!writeFile(m_dir.filePath(u"pgbouncer.ini"_s), ini.toUtf8()) ||
            !writeFile(m_dir.filePath(u"users.txt"_s), "\"" + m_user.toUtf8() + "\" \"\"\n")) {
            *error = u"cannot write the configuration"_s;
            return false;
        }
        QStringList arguments;
        if (geteuid() == 0) {
            // PgBouncer refuses to run as root; the postgres user must read its files.
            ::chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
            for (const QString &file : {u"pgbouncer.ini"_s, u"users.txt"_s})
                ::chmod(QFile::encodeName(m_dir.filePath(file)).constData(), 0644);
            arguments << u"-u"_s << u"postgres"_s;
        }
        arguments << m_dir.filePath(u"pgbouncer.ini"_s);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(u"/usr/sbin/pgbouncer"_s, arguments);
        if (!m_process.waitForStarted(10000)) {
            *error = u"/usr/sbin/pgbouncer did not start (apt-get install pgbouncer): "_s +
                     m_process.errorString();
            return false;
        }
        for (int attempt = 0; attempt < 100; ++attempt) {
            PgConnection connection;
            DbError ignored;
            if (connection.open(options(u"postgres"_s), &ignored))
                return true;
            if (m_process.state() != QProcess::Running)
                break;
            QThread::msleep(100);
        }
        *error =
            u"pgbouncer does not accept connections: "_s + QString::fromUtf8(m_process.readAll());
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    // Through the pooler to `database`.
    ConnectionOptions options(const QString &database) const
    {
        ConnectionOptions options;
        options.database = database;
        options.host = u"127.0.0.1"_s;
        options.port = QString::number(m_port);
        options.user = m_user;
        options.applicationName = u"algoadmin-test"_s;
        return options;
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_user;
};

class TstPoolers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void connectsWithTheDefaultConfiguration_data() { modes(); }
    void connectsWithTheDefaultConfiguration();
    void migrateStatusVerify_data() { modes(); }
    void migrateStatusVerify();
    void largeMigration_data() { modes(); }
    void largeMigration();
    void concurrentRunsAreSerialised_data() { modes(); }
    void concurrentRunsAreSerialised();
    void noTransactionMigration_data() { modes(); }
    void noTransactionMigration();
    void commandLine_data() { modes(); }
    void commandLine();
    void agentWorkerListsAndApplies_data() { modes(); }
    void agentWorkerListsAndApplies();

private:
    void modes();
    Bouncer &bouncer();
    // Nothing of a run is left: no advisory lock anywhere, and every server connection of the
    // pool has the server's defaults and no prepared statement.
    void verifyNothingLeft(TestDatabase &db);

    QTemporaryDir m_cache;
    std::unique_ptr<Bouncer> m_session;
    std::unique_ptr<Bouncer> m_transaction;
};

void TstPoolers::initTestCase()
{
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    QString error;
    m_session = std::make_unique<Bouncer>();
    QVERIFY2(m_session->start(u"session"_s, &error), qPrintable(error));
    m_transaction = std::make_unique<Bouncer>();
    QVERIFY2(m_transaction->start(u"transaction"_s, &error), qPrintable(error));
}

void TstPoolers::cleanupTestCase()
{
    m_session.reset();
    m_transaction.reset();
}

void TstPoolers::modes()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("session") << u"session"_s;
    QTest::newRow("transaction") << u"transaction"_s;
}

Bouncer &TstPoolers::bouncer()
{
    QFETCH(QString, mode);
    return mode == QLatin1String("session") ? *m_session : *m_transaction;
}

void TstPoolers::verifyNothingLeft(TestDatabase &db)
{
    // In this test's database: other tests run beside this one.
    QCOMPARE(value(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                       " (SELECT oid FROM pg_database WHERE datname = current_database())"),
             u"0"_s);
    // As many clients at once as the pool has server connections for this database: each
    // holds its own in a transaction, so together they see every one.
    const int servers = value(db,
                              "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
                              " AND pid <> pg_backend_pid()",
                              {db.name().toUtf8()})
                            .toInt();
    QList<std::shared_ptr<PgConnection>> clients;
    for (int i = 0; i < std::max(1, servers); ++i) {
        auto client = std::make_shared<PgConnection>();
        DbError error;
        QVERIFY2(client->open(bouncer().options(db.name()), &error), qPrintable(error.toString()));
        QVERIFY(client->exec("BEGIN").ok());
        const QString state =
            value(*client, "SELECT current_setting('lock_timeout') || ',' ||"
                           " current_setting('statement_timeout') || ',' ||"
                           " current_setting('client_min_messages') || ',' ||"
                           " coalesce(current_setting('algoadmin.progress', true), '') || ',' ||"
                           " coalesce(current_setting('algoadmin.plan', true), '') || ',' ||"
                           " (SELECT count(*) FROM pg_prepared_statements) || ',' ||"
                           " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                           "  AND pid = pg_backend_pid()) || ',' ||"
                           " (SELECT count(*) FROM pg_listening_channels())");
        QCOMPARE(state, u"0,0,notice,,,0,0,0"_s);
        clients.append(client);
    }
}

void TstPoolers::connectsWithTheDefaultConfiguration()
{
    TestDatabase db(u"pool_connect"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    PgConnection connection;
    DbError error;
    QVERIFY2(connection.open(bouncer().options(db.name()), &error), qPrintable(error.toString()));
    QCOMPARE(value(connection, "SELECT 1"), u"1"_s);

    // The user's own start-up options cannot be dropped silently: say what and what to do.
    ConnectionOptions own =
        bouncer().options(u"dbname=%1 options='-c work_mem=8MB'"_s.arg(db.name()));
    PgConnection refused;
    QVERIFY(!refused.open(own, &error));
    QVERIFY2(error.message.contains(u"unsupported startup parameter: options"_s),
             qPrintable(error.toString()));
    QVERIFY2(error.hint.contains(u"ignore_startup_parameters"_s), qPrintable(error.toString()));
    QVERIFY2(!error.hint.contains(u"password"_s), qPrintable(error.toString()));
}

void TstPoolers::migrateStatusVerify()
{
    TestDatabase db(u"pool_migrate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ConnectionOptions options = bouncer().options(db.name());
    const MigrationSet bundled = MigrationSet::bundled();
    for (int run = 0; run < 2; ++run) {
        MigrationEngine engine(options, bundled);
        const RunReport report = engine.migrate();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(int(report.migrations.size()), run == 0 ? int(bundled.migrations.size()) : 0);
    }
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"),
             QString::number(bundled.migrations.size()));
    MigrationEngine engine(options, bundled);
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    for (const MigrationStatus &migration : status.migrations)
        QCOMPARE(migration.stateName(), u"applied"_s);
    EngineSettings settings;
    settings.useExpectedSchemaCache = false;
    MigrationEngine verifier(options, bundled, settings);
    const VerifyReport verify = verifier.verify();
    QVERIFY2(verify.clean(), qPrintable(verify.error.toString()));
    const RunReport rehearsal = engine.rehearse();
    QVERIFY2(rehearsal.outcome == RunReport::Outcome::Ok, qPrintable(rehearsal.error.toString()));
    verifyNothingLeft(db);
}

void TstPoolers::largeMigration()
{
    TestDatabase db(u"pool_large"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QByteArray sql;
    for (int i = 0; i < 1500; ++i) {
        sql += "CREATE TABLE t" + QByteArray::number(i) + " (id int PRIMARY KEY, note text);\n";
        sql += "INSERT INTO t" + QByteArray::number(i) + " VALUES (1, '" + QByteArray(200, 'x') +
               "');\n";
    }
    QTemporaryDir dir;
    const QString path =
        writeMigrations(dir, {{u"001_first.sql"_s, "CREATE TABLE first (id int);\n"},
                              {u"002_large.sql"_s, sql},
                              {u"003_last.sql"_s, "CREATE TABLE last (id int);\n"}});
    QVERIFY(!path.isEmpty());
    for (int run = 0; run < 2; ++run) {
        MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
        const RunReport report = engine.migrate();
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(int(report.migrations.size()), run == 0 ? 3 : 0);
    }
    QCOMPARE(value(db, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'"), u"1500"_s);
    QCOMPARE(value(db, "SELECT jsonb_array_length(steps) FROM algoadmin_schema_history"
                       " WHERE version = '002'"),
             u"3000"_s);

    // A failure in the middle commits the migrations before it and nothing of its own.
    TestDatabase failing(u"pool_large_fail"_s);
    QVERIFY2(failing.ok(), qPrintable(failing.error()));
    QTemporaryDir failDir;
    const QString failPath =
        writeMigrations(failDir, {{u"001_first.sql"_s, "CREATE TABLE first (id int);\n"},
                                  {u"002_large.sql"_s, sql + "SELECT 1/0;\n"},
                                  {u"003_last.sql"_s, "CREATE TABLE last (id int);\n"}});
    MigrationEngine engine(bouncer().options(failing.name()),
                           MigrationSet::fromDirectory(failPath));
    const RunReport report = engine.migrate();
    QCOMPARE(int(report.outcome), int(RunReport::Outcome::Failed));
    QCOMPARE(report.error.sqlState, u"22012"_s);
    QCOMPARE(rows(failing, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
             QStringList{u"001"_s});
    QCOMPARE(value(failing, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'"),
             u"0"_s);
    verifyNothingLeft(db);
}

void TstPoolers::concurrentRunsAreSerialised()
{
    TestDatabase db(u"pool_concurrent"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(
        dir, {{u"001_slow.sql"_s, "CREATE TABLE slow (id int);\nSELECT pg_sleep(1);\n"},
              {u"002_next.sql"_s, "CREATE TABLE next (id int);\n"}});
    QVERIFY(!path.isEmpty());
    EngineSettings settings;
    settings.lockTimeoutMs = 30000; // the second runner waits for the first one
    RunReport reports[2];
    std::thread runners[2];
    for (int i = 0; i < 2; ++i) {
        runners[i] = std::thread([&, i] {
            MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path),
                                   settings);
            reports[i] = engine.migrate();
        });
    }
    for (std::thread &runner : runners)
        runner.join();
    for (const RunReport &report : reports)
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    QCOMPARE(int(reports[0].migrations.size() + reports[1].migrations.size()), 2);
    QCOMPARE(rows(db, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
             (QStringList{u"001"_s, u"002"_s}));
    verifyNothingLeft(db);
}

void TstPoolers::noTransactionMigration()
{
    QFETCH(QString, mode);
    TestDatabase db(u"pool_notx"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    const QString path = writeMigrations(
        dir, {{u"001_table.sql"_s, "CREATE TABLE items (id int, name text);\n"},
              {u"002_index.sql"_s, "-- algoadmin:no-transaction\n"
                                   "CREATE INDEX CONCURRENTLY items_name ON items (name);\n"}});
    QVERIFY(!path.isEmpty());
    MigrationEngine engine(bouncer().options(db.name()), MigrationSet::fromDirectory(path));
    const RunReport report = engine.migrate();
    if (mode == QLatin1String("session")) {
        QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
        QCOMPARE(rows(db, "SELECT version FROM algoadmin_schema_history ORDER BY version"),
                 (QStringList{u"001"_s, u"002"_s}));
    } else {
        // Refused before anything ran, saying what to use instead.
        QCOMPARE(int(report.outcome), int(RunReport::Outcome::Failed));
        QVERIFY2(report.error.hint.contains(u"direct or session-pooling endpoint"_s),
                 qPrintable(report.error.toString()));
        QCOMPARE(value(db, "SELECT to_regclass('items') IS NULL"), u"t"_s);
        QCOMPARE(value(db, "SELECT to_regclass('algoadmin_schema_history') IS NULL"), u"t"_s);
    }
    // Status and verify still work there.
    const StatusReport status = engine.status();
    QVERIFY2(!status.error.isError(), qPrintable(status.error.toString()));
    verifyNothingLeft(db);
}

void TstPoolers::commandLine()
{
    TestDatabase db(u"pool_cli"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ConnectionOptions options = bouncer().options(db.name());
    const QString conninfo = u"host=%1 port=%2 user=%3 dbname=%4"_s.arg(options.host, options.port,
                                                                        options.user, db.name());
    for (const QStringList &arguments :
         {QStringList{u"migrate"_s, u"-d"_s, conninfo},
          QStringList{u"migrate"_s, u"-d"_s, conninfo}, QStringList{u"status"_s, u"-d"_s, conninfo},
          QStringList{u"verify"_s, u"-d"_s, conninfo}}) {
        const ProcessResult result = runAlgoadmin(arguments);
        QVERIFY2(result.exitCode == 0,
                 qPrintable(arguments.join(u' ') + u"\n"_s + result.out + result.err));
    }
    verifyNothingLeft(db);
}

void TstPoolers::agentWorkerListsAndApplies()
{
    TestDatabase db(u"pool_worker"_s);
    const QString problem = prepareSeededDatabase(db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    auto *worker = new AgentWorker;
    worker->start();
    auto stop = qScopeGuard([worker] { worker->shutdown(QDeadlineTimer::Forever); });
    QSignalSpy opened(worker, &AgentWorker::connectionOpened);
    worker->setConnection(bouncer().options(db.name()));
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 15000);

    QSignalSpy agents(worker, &AgentWorker::agentsLoaded);
    worker->loadAgents(AgentFilter());
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 10000);
    QVERIFY2(!agents.at(0).at(2).value<DbError>().isError(),
             qPrintable(agents.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(agents.at(0).at(1).value<QList<Agent>>().size(),
             value(db, "SELECT count(*) FROM algorithm_agents").toInt());

    const QString name = value(db, "SELECT parameter_name FROM algorithm_parameters"
                                   " WHERE algorithm_id = 'A2' AND parameter_type = 'boolean'"
                                   " ORDER BY 1 LIMIT 1");
    const QString current = value(db,
                                  "SELECT current_value FROM algorithm_parameters"
                                  " WHERE algorithm_id = 'A2' AND parameter_name = $1",
                                  {name.toUtf8()});
    const QString next = current == QLatin1String("true") ? u"false"_s : u"true"_s;
    QSignalSpy applied(worker, &AgentWorker::applied);
    worker->apply({{u"A2"_s, name, current, next}}, u"through a pooler"_s, 7);
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);
    QVERIFY2(applied.at(0).at(1).value<ApplyResult>().ok,
             qPrintable(applied.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(value(db,
                   "SELECT current_value FROM algorithm_parameters WHERE algorithm_id = 'A2'"
                   " AND parameter_name = $1",
                   {name.toUtf8()}),
             next);
    QCOMPARE(
        value(db, "SELECT count(*) FROM algorithm_changelog WHERE reason = 'through a pooler'"),
        u"1"_s);
    // The change feed's LISTEN, in session pooling, ends with the client (PgBouncer's
    // DISCARD ALL); in transaction pooling there is none.
    stop.dismiss();
    worker->shutdown(QDeadlineTimer::Forever);
    verifyNothingLeft(db);
}

QTEST_GUILESS_MAIN(TstPoolers)
#include "tst_poolers.moc"
