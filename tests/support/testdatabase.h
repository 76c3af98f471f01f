#pragma once

#include "db/connectionoptions.h"
#include "db/pgconnection.h"
#include "migrations/migrationengine.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>

class QTemporaryDir;

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

// ---------------------------------------------------------------------------------------------
// Queries

// Every row of a query as "v1|v2|…" (NULL as <null>), or one "error: …" row, so that a failed
// query shows up in the QCOMPARE that uses it.
QStringList rows(PgConnection &connection, const QByteArray &sql,
                 const QList<QByteArray> &params = {});
QStringList rows(TestDatabase &db, const QByteArray &sql, const QList<QByteArray> &params = {});
// The first row of rows(): for a one-column query its value, "<null>" or "error: …".
QString value(PgConnection &connection, const QByteArray &sql,
              const QList<QByteArray> &params = {});
QString value(TestDatabase &db, const QByteArray &sql, const QList<QByteArray> &params = {});

// How many scratch databases verify or baseline left behind for this test's database (named
// after its oid, so that tests verifying in parallel do not count each other's): "0" when none.
QString leftoverScratch(TestDatabase &db);

// A QString as a statement parameter: a null string stays NULL, an empty one the empty text.
QByteArray sqlText(const QString &text);

// ---------------------------------------------------------------------------------------------
// Migrations

// Writes (or overwrites) one file; false unless all of it was written.
bool writeFile(const QString &path, const QByteArray &contents);
// Writes migration files (file name, contents) into `dir`: its path, or empty on failure.
QString writeMigrations(QTemporaryDir &dir, const QList<QPair<QString, QByteArray>> &files);
// Copies of sql/001_algorithm_tables.sql and sql/002_add_missing_columns.sql, and nothing
// else, in `dir`: the schema of DESIGN.md, for the tests whose point is exactly that schema
// whatever later migrations add. The directory's path, or empty on failure.
QString designMigrationsDir(QTemporaryDir &dir);

// A migration whose last statement fails inside a trigger, with DETAIL "x was 42", HINT "Insert
// elsewhere." and CONTEXT "PL/pgSQL function refuse() line 3 at RAISE" (line 9 of the file).
inline constexpr char TriggerFailureMigration[] =
    "CREATE TABLE guarded (x int);\n"
    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  RAISE EXCEPTION 'no rows here' USING DETAIL = 'x was ' || NEW.x,\n"
    "        HINT = 'Insert elsewhere.';\n"
    "END $$;\n"
    "CREATE TRIGGER guard BEFORE INSERT ON guarded\n"
    "    FOR EACH ROW EXECUTE FUNCTION refuse();\n"
    "INSERT INTO guarded VALUES (42);\n";

// Applies the pending migrations of `set` (by default all the bundled ones) with an engine of
// its own.
RunReport migrateDatabase(const ConnectionOptions &options,
                          const MigrationSet &set = MigrationSet::bundled());

// A set's migration ids ("001_algorithm_tables", …) and versions ("001", …) in order, and its
// number of statements.
QStringList migrationIds(const MigrationSet &set);
QStringList migrationVersions(const MigrationSet &set);
int statementCount(const MigrationSet &set);
// "name=state" for each name, as the tests list the states of migrations.
QStringList withState(const QStringList &names, const QString &state);
