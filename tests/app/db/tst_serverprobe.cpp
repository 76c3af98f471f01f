// probeServer against the real test cluster: what it reads of the server, when it calls a
// connection read-only and why, libpq's own reason when it cannot connect, and a connect that
// its caller abandons.
#include "db/connectionprofile.h"
#include "db/serverprobe.h"
#include "latencyproxy.h"
#include "testdatabase.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTest>

class TstServerProbe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void probesAnEmptyDatabase();
    void seesTheSchemaAfterMigrating();
    void readOnlyForARoleWithoutUpdate();
    void readOnlyByDefaultTransactionReadOnly();
    void wrongDatabaseGivesLibpqsReason();
    void wrongPortGivesLibpqsReason();
    void probesThroughAProfile();
    void anAbandonedConnectEndsAtOnce();
    void aConnectThatMayBeAbandonedStillConnects();
};

// A login role of the test's own, dropped at the end (roles belong to the whole cluster).
class TestRole
{
public:
    explicit TestRole(const QString &prefix)
        : m_name(QStringLiteral("%1_%2").arg(prefix).arg(QCoreApplication::applicationPid()))
    {
        DbError error;
        if (!m_admin.open(TestDatabase::clusterOptions(QStringLiteral("postgres")), &error)) {
            m_error = error.toString();
            return;
        }
        exec("DROP ROLE IF EXISTS %I");
        exec("CREATE ROLE %I LOGIN");
    }
    ~TestRole()
    {
        if (m_admin.isOpen())
            exec("DROP ROLE IF EXISTS %I");
    }
    QString name() const { return m_name; }
    QString error() const { return m_error; }

private:
    void exec(const char *format)
    {
        const PgResult sql =
            m_admin.exec("SELECT format($1, $2::text)", {QByteArray(format), m_name.toUtf8()});
        const PgResult done = m_admin.exec(sql.rawValue(0, 0));
        if (!done.ok() && m_error.isEmpty())
            m_error = done.error().toString();
    }

    QString m_name;
    QString m_error;
    PgConnection m_admin;
};

static void createParametersTable(TestDatabase &db)
{
    const PgResult created = db.exec("CREATE TABLE algorithm_parameters (id varchar PRIMARY KEY, "
                                     "current_value text)");
    QVERIFY2(created.ok(), qPrintable(created.error().toString()));
}

void TstServerProbe::probesAnEmptyDatabase()
{
    TestDatabase db(QStringLiteral("probe_empty"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ServerInfo info = probeServer(db.options(), 3);
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY2(info.serverVersion.startsWith(QLatin1String("15")), qPrintable(info.serverVersion));
    QVERIFY2(!info.serverVersion.contains(QLatin1Char(' ')), qPrintable(info.serverVersion));
    QCOMPARE(info.role, QStringLiteral("postgres"));
    QCOMPARE(info.database, db.name());
    QVERIFY(info.target.endsWith(QLatin1Char('/') + db.name()));
    QVERIFY(info.target.startsWith(QLatin1String("postgres@")));
    QVERIFY(!info.schemaPresent);
    QVERIFY(!info.readOnly);
    QCOMPARE(info.readOnlyReason, QString());
    QVERIFY(info.connectMs > 0);
    QVERIFY(info.roundTripMs >= 0);
    QVERIFY(info.roundTripMs < info.connectMs * 10 + 1000);

    // No pings: no round trip measured, the rest is the same.
    const ServerInfo quick = probeServer(db.options(), 0);
    QVERIFY(quick.ok());
    QCOMPARE(quick.roundTripMs, -1.0);
}

void TstServerProbe::seesTheSchemaAfterMigrating()
{
    TestDatabase db(QStringLiteral("probe_schema"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(!probeServer(db.options()).schemaPresent);
    const RunReport run = migrateDatabase(db.options());
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    const ServerInfo info = probeServer(db.options());
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY(info.schemaPresent);
    QVERIFY2(!info.readOnly, qPrintable(info.readOnlyReason)); // the owner may update
}

void TstServerProbe::readOnlyForARoleWithoutUpdate()
{
    // The role goes after the database (destroyed first), which holds its grants.
    TestRole role(QStringLiteral("probe_reader"));
    QVERIFY2(role.error().isEmpty(), qPrintable(role.error()));
    TestDatabase db(QStringLiteral("probe_role"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    ConnectionOptions asReader = db.options();
    asReader.user = role.name();

    // No table yet: nothing to be refused, not read-only.
    ServerInfo info = probeServer(asReader);
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QCOMPARE(info.role, role.name());
    QVERIFY(!info.schemaPresent);
    QVERIFY(!info.readOnly);

    createParametersTable(db);
    QVERIFY(db.exec("GRANT SELECT ON algorithm_parameters TO " + role.name().toUtf8()).ok());
    info = probeServer(asReader);
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY(info.schemaPresent);
    QVERIFY(info.readOnly);
    QCOMPARE(info.readOnlyReason,
             QStringLiteral("role %1 may not UPDATE algorithm_parameters").arg(role.name()));

    QVERIFY(db.exec("GRANT UPDATE ON algorithm_parameters TO " + role.name().toUtf8()).ok());
    info = probeServer(asReader);
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY2(!info.readOnly, qPrintable(info.readOnlyReason));
}

void TstServerProbe::readOnlyByDefaultTransactionReadOnly()
{
    TestDatabase db(QStringLiteral("probe_readonly"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    createParametersTable(db);
    const PgResult altered = db.exec("ALTER DATABASE \"" + db.name().toUtf8() +
                                     "\" SET default_transaction_read_only = on");
    QVERIFY2(altered.ok(), qPrintable(altered.error().toString()));
    const ServerInfo info = probeServer(db.options());
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY(info.schemaPresent);
    QVERIFY(info.readOnly);
    QCOMPARE(info.readOnlyReason, QStringLiteral("default_transaction_read_only is on"));
}

void TstServerProbe::wrongDatabaseGivesLibpqsReason()
{
    ConnectionOptions options = TestDatabase::clusterOptions(QStringLiteral("no_such_database"));
    const ServerInfo info = probeServer(options);
    QVERIFY(!info.ok());
    QVERIFY2(info.error.message.contains(QLatin1String("database \"no_such_database\" does not "
                                                       "exist")),
             qPrintable(info.error.message));
    QCOMPARE(info.error.what, QStringLiteral("connect"));
    QVERIFY(info.serverVersion.isEmpty());
    QVERIFY(info.connectMs >= 0);
    QCOMPARE(info.roundTripMs, -1.0);
    QVERIFY(info.target.endsWith(QLatin1String("/no_such_database")));
}

void TstServerProbe::wrongPortGivesLibpqsReason()
{
    ConnectionOptions options = TestDatabase::clusterOptions(QStringLiteral("postgres"));
    options.port = QStringLiteral("1");
    const ServerInfo info = probeServer(options);
    QVERIFY(!info.ok());
    // "connection to server on socket "…/.s.PGSQL.1" failed: No such file or directory"
    QVERIFY2(info.error.message.contains(QLatin1String(".s.PGSQL.1\" failed")),
             qPrintable(info.error.message));
    QVERIFY2(info.error.message.contains(QLatin1String("No such file or directory")),
             qPrintable(info.error.message));
}

void TstServerProbe::probesThroughAProfile()
{
    // A profile's options (one quoted conninfo string) reach the same server.
    TestDatabase db(QStringLiteral("probe_profile"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const ConnectionOptions cluster = db.options();
    ConnectionProfile profile;
    profile.name = QStringLiteral("test");
    profile.host = cluster.host;
    profile.port = cluster.port;
    profile.database = db.name();
    profile.user = cluster.user;
    profile.sslMode = QStringLiteral("disable");
    const ServerInfo info = probeServer(profile.options(QStringLiteral("unused-by-trust")));
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QCOMPARE(info.database, db.name());
    QCOMPARE(info.role, cluster.user);
    QVERIFY(!info.target.contains(QLatin1String("unused-by-trust")));

    profile.database = QStringLiteral("no such database");
    const ServerInfo missing = probeServer(profile.options());
    QVERIFY2(missing.error.message.contains(QLatin1String("\"no such database\" does not exist")),
             qPrintable(missing.error.message));
}

void TstServerProbe::anAbandonedConnectEndsAtOnce()
{
    TestDatabase db(QStringLiteral("probe_abandon"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy hanging;
    QVERIFY2(hanging.startSilent(), qPrintable(hanging.error()));
    QElapsedTimer clock;
    clock.start();
    int asked = 0;
    const ServerInfo info = probeServer(hanging.options(db.name()), 1, [&] {
        ++asked;
        return clock.elapsed() >= 300;
    });
    const qint64 took = clock.elapsed();
    QVERIFY(hanging.resume());
    QVERIFY(!info.ok());
    QVERIFY2(info.error.message.contains(QLatin1String("abandoned")),
             qPrintable(info.error.message));
    // Asked every 50 ms, it ends within one more slice of being abandoned; connect_timeout
    // (10 s) would be the bound without it.
    QVERIFY2(took >= 300 && took < 1000, qPrintable(QString::number(took)));
    QVERIFY2(asked >= 3, qPrintable(QString::number(asked)));
}

void TstServerProbe::aConnectThatMayBeAbandonedStillConnects()
{
    TestDatabase db(QStringLiteral("probe_unabandoned"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // Through the proxy (50 ms of round trip), so that the connect spans several slices.
    LatencyProxy slow;
    QVERIFY2(slow.start(50), qPrintable(slow.error()));
    int asked = 0;
    const ServerInfo info = probeServer(slow.options(db.name()), 1, [&] {
        ++asked;
        return false;
    });
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QCOMPARE(info.database, db.name());
    QVERIFY2(asked >= 1, qPrintable(QString::number(asked)));
}

QTEST_GUILESS_MAIN(TstServerProbe)
#include "tst_serverprobe.moc"
