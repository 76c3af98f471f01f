#pragma once

#include "db/dberror.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

// Time travel: an agent's configuration (its parameters and its is_active flag) as it was at a
// moment, rebuilt from algorithm_changelog on the server, beside today's.
//
// THE RULE. The value at moment T of a parameter (or of "is_active") is
//   1. the new_value of its last changelog entry at or before T; else
//   2. the old_value of its first changelog entry after T; else (no entries at all)
//   3. its current value.
// A parameter whose created_at is after T did not exist then (existedThen false, valueThen
// null). A name that is only in the changelog (the parameter was deleted since) is listed with
// existsNow false; nothing says when it was created, so it counts as existing then.
//
// ORDER. Entries are ordered by modified_at. Legacy rows with modified_at NULL cannot be
// placed in time: they count as older than every dated entry (as if at -infinity), so they
// are "at or before" every moment, and all of one parameter's NULL rows form one tied group.
//
// TIES. The rows one transaction writes share modified_at exactly (now() is the transaction's
// start) and ids are random, so neither gives their order. A group of tied entries of one
// parameter is ordered by its chain (each old_value is the previous new_value): its end is
// the new_value that arrives more often than it leaves (arrivals minus departures > 0; NULL
// is a value like any other), its start the old_value that leaves more often than it
// arrives. Both are exact for any consistent chain, whatever order the rows come in.
// AMBIGUITY. A group whose chain comes back to where it began (a cycle: 1→2, 2→1) has no such
// value; then its start and end are the value before it: the end of the parameter's previous
// group (by the same rule). When there is no previous group, or that one is a cycle too (or a
// group is not a chain at all: inconsistent legacy rows), the start is the parameter's current
// value if the group is its newest one and the current value is among the group's old values,
// else the old_value of the group's entry with the smallest id. Several candidate ends (an
// inconsistent group) take the one with the largest surplus, then the largest id.
//
// The moment is compared as the server's timestamp without time zone (the stored wall-clock
// value, see sqltimestamp.h); a QDateTime carries milliseconds, configAt(QString) takes the
// server's text with microseconds.
struct ConfigAtEntry
{
    QString name;      // a parameter name, or "is_active" for the agent's active flag
    QString valueThen; // null QString = NULL / did not exist then
    QString valueNow;
    bool existedThen =
        true; // false: the parameter was created after the moment (created_at > moment)
    bool existsNow = true; // false: only in the changelog (parameter deleted since)
    bool changedSince() const
    {
        return existedThen != existsNow || valueThen != valueNow ||
               valueThen.isNull() != valueNow.isNull();
    }
    QString
        lastChangeId; // the changelog entry that set valueThen (empty: no change before the moment)
};

struct ConfigAt
{
    QString algorithmId;
    QDateTime moment;             // invalid for "before all history" (a legacy entry's -infinity)
    QString momentText;           // the server's text of the moment (microseconds kept)
    QList<ConfigAtEntry> entries; // by name; is_active first
};

// Reads on one named Qt Sql connection (use it on that connection's thread); each call is one
// round trip through RepositorySupport::run, a plain SELECT. An unknown agent or entry is an
// error with SQLSTATE P0002 (no_data_found).
class TimeTravelRepository
{
public:
    explicit TimeTravelRepository(const QSqlDatabase &database);

    // The agent's parameters and is_active as they were at `moment` (UTC spec, see
    // sqltimestamp.h), beside today's; one round trip, computed on the server.
    std::optional<ConfigAt> configAt(const QString &algorithmId, const QDateTime &moment,
                                     DbError *error);
    // As above with the moment as the server's timestamp text ("2026-11-03 10:00:00.123456").
    std::optional<ConfigAt> configAt(const QString &algorithmId, const QString &momentText,
                                     DbError *error);
    // The same just before entry `entryId` was written: every entry of its transaction (same
    // modified_at) is excluded, as is a parameter created at that moment; one round trip.
    std::optional<ConfigAt> configBefore(const QString &entryId, DbError *error);

private:
    std::optional<ConfigAt> read(const QByteArray &sql, const QList<QByteArray> &params,
                                 const QString &what, DbError *error);
    QSqlDatabase m_database;
};
