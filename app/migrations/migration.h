#pragma once

#include "migrations/sqlsplitter.h"

#include <QByteArray>
#include <QList>
#include <QString>

// One migration file `NNN_name.sql`, loaded and split into statements.
struct Migration
{
    QString version;           // the NNN prefix as written, e.g. "001"
    QString name;              // the part after NNN_, e.g. "algorithm_tables"
    QString fileName;          // e.g. "001_algorithm_tables.sql"
    QString path;              // where it was read from (":/sql/…" for bundled files)
    QByteArray checksum;       // sha-256 of the file's bytes, lower-case hex
    bool transactional = true; // false when the first line is the no-transaction marker
    QList<SqlStatement> statements;

    qint64 versionNumber() const { return version.toLongLong(); }
    QString id() const { return version + QLatin1Char('_') + name; }
};

// The first line of a file that must not run inside a transaction (e.g. for
// CREATE INDEX CONCURRENTLY); its statements then run and commit one at a time.
inline constexpr char NoTransactionMarker[] = "-- algoadmin:no-transaction";

// A version number missing between two files of a counted set (001, 002, 004): a file that was
// lost, unless the database's history has it (applied, then its file removed).
struct MigrationGap
{
    qint64 number = 0;
    QString version; // "003", padded as its neighbours
    QString before;  // the files around it
    QString after;
    qint64 step = 1; // how far apart the other versions are
    QString describe() const;
};

struct MigrationSet
{
    QList<Migration> migrations; // sorted by version number
    QString source;              // "bundled" or the directory path
    QString error;               // why the set could not be loaded (bad name, split error…)
    QList<MigrationGap> gaps;    // in a counted set, the numbers missing between its files
    bool ok() const { return error.isEmpty(); }

    // The migrations compiled into the binary (sql/ in the source tree).
    static MigrationSet bundled();
    // A directory of NNN_name.sql files; other files are ignored, a misnamed .sql is an error,
    // and so is a *.sql entry that is not a readable file (a broken link, a loop of links, a
    // directory, a pipe) or one over MaxFileBytes.
    static MigrationSet fromDirectory(const QString &directory);
    static constexpr qint64 MaxFileBytes = 100 * 1024 * 1024;

    const Migration *find(const QString &version) const;
};

// The checksum of a migration's first `count` statements' texts: what a run that resumes a
// no-transaction migration checks against the statements that committed before.
QByteArray statementsChecksum(const Migration &migration, int count);

// Parses one file's text into a Migration (split, marker, checksum). Fails with a message
// naming file:line when the text cannot be split.
bool parseMigration(const QString &fileName, const QString &path, const QByteArray &contents,
                    Migration *migration, QString *error);
