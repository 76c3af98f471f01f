#include "cli/cli.h"
#include "cli/historycommands.h"
#include "db/sqldatabase.h"
#include "repositories/parameterrepository.h"
#include "repositories/repositorysupport.h"

#include <QRegularExpression>

namespace Cli {

namespace {

const QString ConnectionName = QStringLiteral("algoadmin-cli-revert");

QString shown(const QString &value)
{
    return value.isNull() ? QStringLiteral("NULL") : value;
}

// --reason, --dry-run, --force and --user, shared by revert and restore.
void addWriteOptions(QCommandLineParser &parser, const QString &forceHelp)
{
    parser.addOption({QStringLiteral("reason"),
                      QStringLiteral("Why (required; written on every changelog row)."),
                      QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("dry-run"),
                      QStringLiteral("Print the preview (checked by the database, rolled back) "
                                     "and write nothing.")});
    parser.addOption({QStringLiteral("force"), forceHelp});
    parser.addOption({QStringLiteral("user"),
                      QStringLiteral("The application user id written as the changelog's user_id "
                                     "(default: none, NULL)."),
                      QStringLiteral("N")});
}

// The write options checked; -1 to go on, else the exit code (after a usage error).
int checkWriteOptions(const QCommandLineParser &parser, const QString &command, int *userId)
{
    if (parser.value(QStringLiteral("reason")).trimmed().isEmpty())
        return usageError(QStringLiteral("%1: --reason TEXT is required").arg(command), command);
    qint64 user = RepositorySupport::NoUserId;
    int exitCode = Ok;
    if (!intOption(parser, QStringLiteral("user"), 0, &user, &exitCode, command))
        return exitCode;
    *userId = int(qMin<qint64>(user, std::numeric_limits<int>::max()));
    return -1;
}

void printChanges(const QList<AppliedChange> &changes, const QStringList &skipped)
{
    for (const AppliedChange &change : changes)
        out() << QStringLiteral("  %1  %2: %3 → %4\n")
                     .arg(change.algorithmId, change.name, shown(change.oldValue),
                          shown(change.newValue));
    for (const QString &line : skipped)
        out() << QStringLiteral("  left alone: %1\n").arg(line);
    if (changes.isEmpty())
        out() << QStringLiteral("  nothing to change\n");
    out().flush();
}

int printConflicts(const QList<ParameterConflict> &conflicts, const QString &command)
{
    for (const ParameterConflict &conflict : conflicts)
        err() << "conflict: " << conflict.toString() << '\n';
    err() << QStringLiteral("nothing was written; --force %1 anyway\n")
                 .arg(command == QLatin1String("revert") ? QStringLiteral("reverts")
                                                         : QStringLiteral("restores"));
    err().flush();
    return Conflict;
}

int printError(const DbError &error)
{
    err() << "error: " << error.toString() << '\n';
    err().flush();
    return Failed;
}

// The shared flow: the preview first (an unknown entry or agent, an out-of-bounds value or a
// conflict stops there, before anything is written), then, unless --dry-run, the write.
int previewThenWrite(
    const QCommandLineParser &parser, const QString &command,
    const std::function<SimulateResult(ParameterRepository &, const RevertOptions &, DbError *)>
        &preview,
    const std::function<ApplyResult(ParameterRepository &, const RevertOptions &, DbError *)>
        &write)
{
    int exitCode = Ok;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    DbError error;
    {
        QSqlDatabase database = SqlDatabase::open(connection, ConnectionName, &error);
        if (!database.isOpen())
            return printError(error);
        ParameterRepository repository(database);
        RevertOptions options;
        options.overrideConflicts = parser.isSet(QStringLiteral("force"));
        const SimulateResult simulated = preview(repository, options, &error);
        if (error.sqlState == QLatin1String("P0002")) {
            exitCode = usageError(QStringLiteral("%1: %2").arg(command, error.message), command);
        } else if (error.isError() && simulated.conflicts.isEmpty()) {
            exitCode = printError(error);
        } else if (!simulated.conflicts.isEmpty()) {
            if (!simulated.changes.isEmpty()) {
                out() << "would change, but for the conflicts:\n";
                printChanges(simulated.changes, simulated.skipped);
            }
            exitCode = printConflicts(simulated.conflicts, command);
        } else if (parser.isSet(QStringLiteral("dry-run"))) {
            out() << "would change (dry run, nothing was written):\n";
            printChanges(simulated.changes, simulated.skipped);
        } else {
            const ApplyResult written = write(repository, options, &error);
            if (!written.conflicts.isEmpty()) {
                exitCode = printConflicts(written.conflicts, command);
            } else if (error.isError()) {
                exitCode = printError(error);
            } else {
                out()
                    << (written.changes.isEmpty()
                            ? QStringLiteral("changed nothing:\n")
                            : QStringLiteral("changed (change set %1):\n").arg(written.changeSet));
                printChanges(written.changes, written.skipped);
            }
        }
    }
    SqlDatabase::close(ConnectionName);
    return exitCode;
}

// TIME as ISO 8601 (a date alone is its midnight), UTC unless it says otherwise; fractions
// beyond milliseconds are dropped. Invalid when malformed.
QDateTime parseMoment(const QString &text)
{
    QString iso = text.trimmed();
    static const QRegularExpression longFraction(QStringLiteral("(\\.\\d{3})\\d+"));
    iso.replace(longFraction, QStringLiteral("\\1"));
    QDateTime moment = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!moment.isValid()) {
        const QDate date = QDate::fromString(iso, Qt::ISODate);
        if (!date.isValid() || iso.size() != 10)
            return {};
        return QDateTime(date, QTime(0, 0), Qt::UTC);
    }
    if (moment.timeSpec() == Qt::LocalTime) // no zone given: the app's UTC wall clock
        return QDateTime(moment.date(), moment.time(), Qt::UTC);
    return moment.toUTC();
}

} // namespace

Command revertCommand()
{
    return {QStringLiteral("revert"),
            QStringLiteral("revert [-d CONN] (ENTRY_ID | --change-set ID) --reason TEXT "
                           "[--dry-run] [--force] [--user N]"),
            QStringLiteral(
                "Reverts a changelog entry or a whole change set (parameters and is_active):\n"
                "writes each old value back in one transaction and one new change set, audited\n"
                "like an edit; history is never rewritten. The preview runs first (rolled\n"
                "back, today's bounds checked by the database) and is printed. A value out of\n"
                "today's bounds exits 1; a parameter that no longer holds the entry's new value\n"
                "is a conflict: nothing is written, exit 5, unless --force. An unknown entry or\n"
                "change set exits 2.")};
}

int runRevert(const QStringList &arguments)
{
    const QString command = QStringLiteral("revert");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption({QStringLiteral("change-set"),
                      QStringLiteral("Revert every entry of this change set."),
                      QStringLiteral("ID")});
    addWriteOptions(parser, QStringLiteral("Write the old values over whatever the parameters "
                                           "hold now (the knowing override of a conflict)."));
    parser.addPositionalArgument(QStringLiteral("ENTRY_ID"),
                                 QStringLiteral("A changelog entry id."));
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    const QString changeSet = parser.value(QStringLiteral("change-set"));
    if (positional.size() > 1 || (positional.isEmpty() == changeSet.isEmpty()))
        return usageError(QStringLiteral("revert: give one ENTRY_ID or --change-set ID"), command);
    const QString target = changeSet.isEmpty() ? positional.constFirst() : changeSet;
    int userId = 0;
    if (const int code = checkWriteOptions(parser, command, &userId); code >= 0)
        return code;
    const QString reason = parser.value(QStringLiteral("reason"));
    return previewThenWrite(
        parser, command,
        [&](ParameterRepository &repository, const RevertOptions &options, DbError *error) {
            return repository.simulateRevert(target, options, error);
        },
        [&](ParameterRepository &repository, const RevertOptions &options, DbError *error) {
            return repository.revert(target, reason, userId, options, error);
        });
}

Command restoreCommand()
{
    return {QStringLiteral("restore"),
            QStringLiteral("restore [-d CONN] AGENT --as-of TIME --reason TEXT [--dry-run] "
                           "[--force] [--user N]"),
            QStringLiteral(
                "Restores an agent's parameters and is_active to what they were at TIME, as\n"
                "rebuilt from the changelog (time travel), in one transaction and one new change\n"
                "set. TIME is ISO 8601 in UTC (2026-11-03, 2026-11-03T10:00:00.123). Parameters\n"
                "created after TIME or deleted since are left alone and listed. The preview runs\n"
                "first (rolled back, checked by the database). Exit 1 for a value out of today's\n"
                "bounds, 5 for a value changed meanwhile (unless --force), 2 for an unknown agent\n"
                "or a malformed TIME.")};
}

int runRestore(const QStringList &arguments)
{
    const QString command = QStringLiteral("restore");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption({QStringLiteral("as-of"),
                      QStringLiteral("The moment to restore (ISO 8601, UTC)."),
                      QStringLiteral("TIME")});
    addWriteOptions(parser, QStringLiteral("Write even when a value changed between the read and "
                                           "the write."));
    parser.addPositionalArgument(QStringLiteral("AGENT"),
                                 QStringLiteral("The agent's algorithm_id."));
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(QStringLiteral("restore: give one AGENT"), command);
    if (!parser.isSet(QStringLiteral("as-of")))
        return usageError(QStringLiteral("restore: --as-of TIME is required"), command);
    const QDateTime moment = parseMoment(parser.value(QStringLiteral("as-of")));
    if (!moment.isValid())
        return usageError(QStringLiteral("restore: \"%1\" is not an ISO 8601 time "
                                         "(2026-11-03 or 2026-11-03T10:00:00.123)")
                              .arg(parser.value(QStringLiteral("as-of"))),
                          command);
    int userId = 0;
    if (const int code = checkWriteOptions(parser, command, &userId); code >= 0)
        return code;
    const QString agent = positional.constFirst();
    const QString reason = parser.value(QStringLiteral("reason"));
    return previewThenWrite(
        parser, command,
        [&](ParameterRepository &repository, const RevertOptions &, DbError *error) {
            return repository.simulateRestore(agent, moment, error);
        },
        [&](ParameterRepository &repository, const RevertOptions &options, DbError *error) {
            return repository.restore(agent, moment, reason, userId, options, error);
        });
}

} // namespace Cli
