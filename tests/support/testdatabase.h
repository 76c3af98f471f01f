#pragma once

#include "connectionoptions.h"
#include "pgconnection.h"

#include <QString>
#include <QStringList>

#include <memory>

// A database of its own for one test, in the private cluster that the pg_cluster ctest fixture
// started (ALGOADMIN_TEST_CLUSTER_DIR). Created fresh, dropped at the end. When the cluster is
// not reachable, error() says why and the test must fail (never skip).
class TestDatabase
{
public:
    explicit TestDatabase(const QString &name);
    ~TestDatabase();

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QString name() const { return m_name; }

    ConnectionOptions options() const;
    // A conninfo string for `algoadmin -d`.
    QString conninfo() const;
    // A statement on the test's own long-lived connection (QFAIL-friendly: check ok()).
    PgResult exec(const QByteArray &sql, const QList<QByteArray> &params = {});
    // The first value of a one-row query, or a null string.
    QString scalar(const QByteArray &sql, const QList<QByteArray> &params = {});

    // The cluster's connection options for any database.
    static ConnectionOptions clusterOptions(const QString &database);

private:
    QString m_name;
    QString m_error;
    std::unique_ptr<PgConnection> m_connection;
};

// The result of running the algoadmin executable (ALGOADMIN_BIN).
struct ProcessResult
{
    int exitCode = -1;
    QString out;
    QString err;
    qint64 elapsedMs = 0;
};
ProcessResult runAlgoadmin(const QStringList &arguments, int timeoutMs = 120000);

// The source tree (for sql/ and test data).
QString sourceDir();
