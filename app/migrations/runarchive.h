#pragma once

#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

// One step of a run next to the same step of an earlier run of the same migrations.
struct StepComparison
{
    QString migration;
    int step = 0;
    double previousMs = -1; // -1 when the earlier run has no time for it
    double nowMs = -1;
    bool flagged = false; // isMuchSlower(previousMs, nowMs)
    double ratio() const { return previousMs > 0 && nowMs >= 0 ? nowMs / previousMs : 0; }
};

// A run compared with the latest archived run of exactly the same migrations.
struct RunComparison
{
    bool found = false;   // false: no earlier run of these migrations was archived
    QString previousFile; // the archived run's file
    QDateTime previousAt; // when it was archived
    bool previousRehearsal = false;
    QList<StepComparison> steps; // one per step of the run, in its order (only when found)
    int flaggedCount() const;
    const StepComparison *find(const QString &migration, int step) const;
};

// The rule for "became much slower": more than twice as long as before AND at least 20 ms
// longer, so that a 1 ms step taking 3 ms is not flagged. Unknown times are never flagged.
bool isMuchSlower(double previousMs, double nowMs);

// Compares `now` step by step (matched by migration id and step number) with an archived run
// as written by RunArchive (Report::runJson plus the migrations' checksums).
RunComparison compareRuns(const RunReport &now, const QJsonObject &previous);

// The migrations' checksums by id ("001_algorithm_tables" → sha-256 hex), the identity of a
// run's migrations for the comparison.
QHash<QString, QByteArray> migrationChecksums(const MigrationSet &set);

// Every finished migrate and rehearse run, one JSON file each (the newest MaxRuns are kept), so
// that a later run of the same migrations can be compared with it. Local files only: no
// database access; callers run it off the GUI thread.
class RunArchive
{
public:
    static constexpr int MaxRuns = 200;
    // `directory` empty: defaultDirectory().
    explicit RunArchive(const QString &directory = {});
    // <AppDataLocation>/runs.
    static QString defaultDirectory();
    QString directory() const { return m_directory; }

    // Writes `report` with the checksums of its migrations; returns the file's path, or empty
    // with `error` set. A run that ran no migration is not archived (empty path, no error).
    QString save(const RunReport &report, const QHash<QString, QByteArray> &checksums,
                 QString *error = nullptr) const;
    // The latest archived run (by file name, which starts with the time it was archived) whose
    // migrations are exactly the same ids with the same checksums as `now`'s; `exclude` is a
    // file to skip (the run itself when it was saved first).
    RunComparison compareWithLatest(const RunReport &now,
                                    const QHash<QString, QByteArray> &checksums,
                                    const QString &exclude = {}) const;

private:
    QString m_directory;
};

// Exports: one row (CSV) or object (JSON "steps") per step, with the comparison's columns.
QByteArray runCsv(const RunReport &report, const RunComparison &comparison);
// Report::runJson plus a "comparison" object when an earlier run was found.
QJsonObject runExportJson(const RunReport &report, const RunComparison &comparison);
// Writes runCsv (a name ending in .csv) or runExportJson (any other) to `fileName` whole or not
// at all; false with `error` when it could not.
bool writeRunExport(const QString &fileName, const RunReport &report,
                    const RunComparison &comparison, QString *error);
