#include "cli/cli.h"
#include "cli/historycommands.h"
#include "db/sqldatabase.h"
#include "repositories/changelogrepository.h"
#include "repositories/timeexpression.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <unistd.h>

namespace Cli {

namespace {

const QString kCommand = QStringLiteral("changelog");
const QString kConnectionName = QStringLiteral("algoadmin-cli-changelog");
constexpr int kDefaultLimit = 50;
constexpr int kPageSize = 1000; // --limit 0 reads keyset pages of this many: memory stays flat

// A value as one table cell: NULL spelt out, line breaks and tabs visible, long text cut.
QString cell(const QString &value, int width)
{
    if (value.isNull())
        return QStringLiteral("NULL");
    QString text = value;
    text.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    text.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    text.replace(QLatin1Char('\t'), QLatin1String("\\t"));
    if (width > 0 && text.size() > width)
        text = text.left(width - 1) + QChar(0x2026);
    return text;
}

QString tableHeader()
{
    return QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
        .arg(QStringLiteral("TIME"), -26)
        .arg(QStringLiteral("AGENT"), -5)
        .arg(QStringLiteral("PARAMETER"), -24)
        .arg(QStringLiteral("OLD \u2192 NEW"), -31)
        .arg(QStringLiteral("USER"), -6)
        .arg(QStringLiteral("ROLE"), -12)
        .arg(QStringLiteral("REASON"));
}

QString tableRow(const ChangelogEntry &e)
{
    const QString time = e.modifiedAtText.isNull() ? QStringLiteral("(no time)") : e.modifiedAtText;
    const QString change = cell(e.oldValue, 14) + QStringLiteral(" \u2192 ") + cell(e.newValue, 14);
    return QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
        .arg(time, -26)
        .arg(cell(e.algorithmId, 5), -5)
        .arg(cell(e.parameterName, 24), -24)
        .arg(change, -31)
        .arg(e.userId ? QString::number(*e.userId) : QStringLiteral("NULL"), -6)
        .arg(cell(e.dbRole, 12), -12)
        .arg(cell(e.reason, 60));
}

QJsonValue nullable(const QString &value)
{
    return value.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QJsonObject entryJson(const ChangelogEntry &e)
{
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("algorithm_id"), nullable(e.algorithmId)},
            {QStringLiteral("user_id"),
             e.userId ? QJsonValue(*e.userId) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("parameter_name"), nullable(e.parameterName)},
            {QStringLiteral("old_value"), nullable(e.oldValue)},
            {QStringLiteral("new_value"), nullable(e.newValue)},
            {QStringLiteral("reason"), nullable(e.reason)},
            {QStringLiteral("modified_at"), nullable(e.modifiedAtText)},
            {QStringLiteral("db_role"), nullable(e.dbRole)},
            {QStringLiteral("source"), nullable(e.source)},
            {QStringLiteral("change_set"), nullable(e.changeSet)}};
}

// "A1, A2, A3" or, for many, "A1…A30 (30 agents)".
QString agentList(const QStringList &agents)
{
    if (agents.isEmpty())
        return QStringLiteral("there are no agents");
    if (agents.size() <= 8)
        return QStringLiteral("the agents are ") + agents.join(QStringLiteral(", "));
    return QStringLiteral("the agents are %1\u2026%2 (%3 agents)")
        .arg(agents.constFirst(), agents.constLast())
        .arg(agents.size());
}

int failed(const DbError &error)
{
    err() << "error: " << error.toString() << '\n';
    err().flush();
    return Failed;
}

// The filter the options describe; false with *exitCode set after a usage error.
bool readFilter(const QCommandLineParser &parser, ChangelogFilter *filter, int *exitCode)
{
    auto text = [&](const char *name, std::optional<QString> *member) {
        if (parser.isSet(QLatin1String(name)))
            *member = parser.value(QLatin1String(name));
    };
    text("agent", &filter->algorithmId);
    text("parameter", &filter->parameterName);
    text("role", &filter->dbRole);
    text("reason", &filter->reasonText);
    text("change-set", &filter->changeSet);
    if (parser.isSet(QStringLiteral("user"))) {
        bool ok = false;
        const int user = parser.value(QStringLiteral("user")).toInt(&ok);
        if (!ok) {
            *exitCode = usageError(QStringLiteral("--user takes a user id (a whole number), "
                                                  "not \"%1\"")
                                       .arg(parser.value(QStringLiteral("user"))),
                                   kCommand);
            return false;
        }
        filter->userId = user;
    }
    // The stored times are the server's wall clock; servers run in UTC as a rule.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const char *name : {"since", "until"}) {
        if (!parser.isSet(QLatin1String(name)))
            continue;
        const QString value = parser.value(QLatin1String(name));
        const QDateTime time = TimeExpression::parse(value, now);
        if (!time.isValid()) {
            *exitCode =
                usageError(QStringLiteral("--%1: \"%2\" is not a time; use %3")
                               .arg(QLatin1String(name), value, TimeExpression::expectedForms()),
                           kCommand);
            return false;
        }
        (qstrcmp(name, "since") == 0 ? filter->from : filter->to) = time;
    }
    return true;
}

int exportCsv(ChangelogRepository &repository, const ChangelogFilter &filter, const QString &path)
{
    QFile file;
    const bool opened = path == QLatin1String("-")
                            ? file.open(stdout, QIODevice::WriteOnly)
                            : (file.setFileName(path), file.open(QIODevice::WriteOnly));
    if (!opened) {
        err() << "algoadmin: cannot write " << path << ": " << file.errorString() << '\n';
        err().flush();
        return Failed;
    }
    const bool terminal = isatty(fileno(stderr));
    DbError error;
    const qint64 written = repository.exportCsv(
        filter, &file,
        [&](qint64 rows) {
            if (terminal) {
                err() << "\rexported " << rows << " rows";
                err().flush();
            }
            return true;
        },
        &error);
    if (terminal) {
        err() << '\n';
        err().flush();
    }
    file.close();
    if (written < 0)
        return failed(error);
    return Ok;
}

} // namespace

Command changelogCommand()
{
    return {kCommand,
            QStringLiteral("changelog [-d CONN] [--agent ID] [--parameter NAME] [--user N] "
                           "[--role R] [--since T] [--until T] [--reason TEXT] "
                           "[--change-set ID] [--limit N] [--json | --csv FILE]"),
            QStringLiteral(
                "Lists the audit history, newest first (rows without a time last), as a table,\n"
                "as JSON (an array of objects, NULL as null) or, with --csv FILE (- for\n"
                "stdout), as CSV of every matching row, written by the server as psql's \\copy\n"
                "has it (NULL an empty field, '' as \"\"), streamed (--limit does not apply).\n"
                "--limit N shows the newest N (default 50; 0 = all, read in pages).\n"
                "T is an ISO 8601 time (2026-11-03, 2026-11-03T10:00,\n"
                "2026-11-03 10:00:00.123456), read as the server's wall clock, or a time ago\n"
                "(90m, 2h, 3d, 1w; from this machine's UTC clock). --since is inclusive,\n"
                "--until exclusive; --reason matches part of the reason, any case. A malformed\n"
                "option or an unknown agent exits 2 before anything is read.")};
}

int runChangelog(const QStringList &arguments)
{
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOptions({
        {QStringLiteral("agent"), QStringLiteral("Only this agent's changes (A1, A2 ...)."),
         QStringLiteral("ID")},
        {QStringLiteral("parameter"),
         QStringLiteral("Only this parameter's changes (is_active for the agent's switch)."),
         QStringLiteral("NAME")},
        {QStringLiteral("user"), QStringLiteral("Only changes by this user id."),
         QStringLiteral("N")},
        {QStringLiteral("role"), QStringLiteral("Only changes by this database role."),
         QStringLiteral("R")},
        {QStringLiteral("since"), QStringLiteral("Changes at or after T."), QStringLiteral("T")},
        {QStringLiteral("until"), QStringLiteral("Changes before T."), QStringLiteral("T")},
        {QStringLiteral("reason"), QStringLiteral("Reason contains TEXT (any case)."),
         QStringLiteral("TEXT")},
        {QStringLiteral("change-set"), QStringLiteral("Only this change set."),
         QStringLiteral("ID")},
        {QStringLiteral("limit"), QStringLiteral("At most N rows (default 50, 0 = all)."),
         QStringLiteral("N")},
        jsonOption(),
        {QStringLiteral("csv"), QStringLiteral("Write CSV to FILE (- for stdout)."),
         QStringLiteral("FILE")},
    });
    if (const int code = parse(parser, arguments, kCommand); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument \"%1\"")
                              .arg(parser.positionalArguments().constFirst()),
                          kCommand);
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool csv = parser.isSet(QStringLiteral("csv"));
    if (json && csv)
        return usageError(QStringLiteral("--json and --csv exclude each other"), kCommand);
    if (csv && parser.isSet(QStringLiteral("limit")))
        return usageError(QStringLiteral("--csv exports every matching row; --limit does not "
                                         "apply"),
                          kCommand);
    int exitCode = Ok;
    qint64 limit = kDefaultLimit;
    if (!intOption(parser, QStringLiteral("limit"), 0, &limit, &exitCode, kCommand))
        return exitCode;
    ChangelogFilter filter;
    if (!readFilter(parser, &filter, &exitCode))
        return exitCode;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, kCommand))
        return exitCode;

    DbError error;
    int result = Ok;
    {
        QSqlDatabase database = SqlDatabase::open(connection, kConnectionName, &error);
        if (!database.isOpen())
            return failed(error);
        ChangelogRepository repository(database);
        if (filter.algorithmId) {
            const auto facets = repository.facets(&error);
            if (!facets) {
                result = failed(error);
            } else if (!facets->agents.contains(*filter.algorithmId)) {
                result = usageError(QStringLiteral("no agent %1; %2")
                                        .arg(*filter.algorithmId, agentList(facets->agents)),
                                    kCommand);
            }
        }
        if (result == Ok && csv) {
            result = exportCsv(repository, filter, parser.value(QStringLiteral("csv")));
        } else if (result == Ok) {
            // Keyset pages, each printed as it comes: memory stays flat with --limit 0.
            if (json)
                out() << '[';
            else
                out() << tableHeader() << '\n';
            qint64 printed = 0;
            std::optional<ChangelogCursor> cursor;
            for (;;) {
                const qint64 want =
                    limit == 0 ? kPageSize : qMin<qint64>(kPageSize, limit - printed);
                if (want <= 0)
                    break;
                const auto page = repository.page(filter, cursor, int(want), &error);
                if (!page) {
                    out().flush();
                    result = failed(error);
                    break;
                }
                for (const ChangelogEntry &e : page->entries) {
                    if (json)
                        out() << (printed ? ",\n" : "\n")
                              << QJsonDocument(entryJson(e)).toJson(QJsonDocument::Compact);
                    else
                        out() << tableRow(e) << '\n';
                    ++printed;
                }
                if (!page->next)
                    break;
                cursor = page->next;
            }
            if (json && result == Ok)
                out() << (printed ? "\n]\n" : "]\n");
            out().flush();
        }
    }
    SqlDatabase::close(kConnectionName);
    return result;
}

} // namespace Cli
