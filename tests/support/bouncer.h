#pragma once

// One PgBouncer (Debian's /usr/sbin/pgbouncer) with its default configuration in front of the
// test cluster, and the check that nothing of a client is left on its server connections.
#include "db/pgconnection.h"
#include "testdatabase.h"

#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <memory>

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

// PgBouncer in session and in transaction pooling, for tests whose cases run in both: the data
// rows "session" and "transaction" (column "mode") pick the bouncer.
class Bouncers
{
public:
    bool start(QString *error)
    {
        m_session = std::make_unique<Bouncer>();
        m_transaction = std::make_unique<Bouncer>();
        return m_session->start(u"session"_s, error) &&
               m_transaction->start(u"transaction"_s, error);
    }
    void stop()
    {
        m_session.reset();
        m_transaction.reset();
    }
    static void addModes()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("session") << u"session"_s;
        QTest::newRow("transaction") << u"transaction"_s;
    }
    // The current data row's bouncer (transaction pooling in a test without rows).
    Bouncer &current()
    {
        const char *tag = QTest::currentDataTag();
        return tag && qstrcmp(tag, "session") == 0 ? *m_session : *m_transaction;
    }
    Bouncer &transaction() { return *m_transaction; }

private:
    std::unique_ptr<Bouncer> m_session;
    std::unique_ptr<Bouncer> m_transaction;
};

// Nothing of a run is left in `db`: no advisory lock anywhere, and every server connection of
// the pool has the server's defaults and no prepared statement.
inline void verifyNothingLeft(const Bouncer &bouncer, TestDatabase &db)
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
        QVERIFY2(client->open(bouncer.options(db.name()), &error), qPrintable(error.toString()));
        QVERIFY(client->exec("BEGIN").ok());
        const QString state =
            value(*client, "SELECT current_setting('lock_timeout') || ',' ||"
                           " current_setting('bytea_output') || ',' ||"
                           " current_setting('statement_timeout') || ',' ||"
                           " current_setting('client_min_messages') || ',' ||"
                           " coalesce(current_setting('algoadmin.progress', true), '') || ',' ||"
                           " coalesce(current_setting('algoadmin.plan', true), '') || ',' ||"
                           " coalesce(current_setting('algoadmin.user_id', true), '') || ',' ||"
                           " (SELECT count(*) FROM pg_prepared_statements) || ',' ||"
                           " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                           "  AND pid = pg_backend_pid()) || ',' ||"
                           " (SELECT count(*) FROM pg_listening_channels())");
        QCOMPARE(state, u"0,hex,0,notice,,,,0,0,0"_s);
        clients.append(client);
    }
}
