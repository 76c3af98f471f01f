#pragma once

// Shared by the repository tests: a migrated, demo-seeded test database and named Qt Sql
// connections to it.
#include "db/pgconnection.h"
#include "db/sqldatabase.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QString>

// Migrates `db` with the bundled migrations and fills it with a small demo seed. Empty on
// success, otherwise why not.
inline QString prepareSeededDatabase(TestDatabase &db)
{
    if (!db.ok())
        return db.error();
    const RunReport report = migrateDatabase(db.options());
    if (report.outcome != RunReport::Outcome::Ok)
        return report.error.toString();
    PgConnection connection;
    DbError error;
    if (!connection.open(db.options(), &error))
        return error.toString();
    DemoSeedOptions options;
    options.changelogRows = 200;
    options.metricRows = 100;
    options.chatRows = 10;
    if (!runDemoSeed(connection, options, nullptr, &error))
        return error.toString();
    return {};
}

// md5 of every row of the three tables an apply touches: equal before and after means
// byte-for-byte unchanged.
inline const QByteArray ChecksumSql =
    "SELECT (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM "
    "algorithm_agents t) || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
    "FROM algorithm_parameters t) || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY "
    "t.id), '')) FROM algorithm_changelog t)";

// Opens a named connection and closes it at the end of the scope.
class Connection
{
public:
    Connection(const ConnectionOptions &options, const QString &name)
        : m_name(name)
    {
        m_database = SqlDatabase::open(options, name, &m_error);
    }
    ~Connection()
    {
        m_database = QSqlDatabase();
        SqlDatabase::close(m_name);
    }
    bool ok() const { return m_database.isOpen(); }
    QString error() const { return m_error.toString(); }
    QSqlDatabase database() const { return m_database; }

private:
    QString m_name;
    QSqlDatabase m_database;
    DbError m_error;
};
