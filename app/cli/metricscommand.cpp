#include "cli/cli.h"
#include "cli/metricscommands.h"
#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/metricsrepository.h"
#include "repositories/timeexpression.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace Cli {

namespace {

const QString kCommand = QStringLiteral("metrics");
const QString kConnectionName = QStringLiteral("algoadmin-cli-metrics");
constexpr qint64 kDefaultPoints = 200;
constexpr qint64 kMaxPoints = 100000;
constexpr qint64 kDefaultRangeSeconds = 24 * 3600;

QJsonValue jsonNumber(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QString tableHeader()
{
    return QStringLiteral("%1  %2  %3  %4  %5  %6")
        .arg(QStringLiteral("TIME"), -23)
        .arg(QStringLiteral("MIN"), 12)
        .arg(QStringLiteral("AVG"), 12)
        .arg(QStringLiteral("MAX"), 12)
        .arg(QStringLiteral("COUNT"), 8)
        .arg(QStringLiteral("EXCLUDED"), 8);
}

QString tableRow(const MetricBucket &b)
{
    return QStringLiteral("%1  %2  %3  %4  %5  %6")
        .arg(SqlTimestamp::toSql(b.start), -23)
        .arg(metricNumber(b.min), 12)
        .arg(metricNumber(b.avg), 12)
        .arg(metricNumber(b.max), 12)
        .arg(b.count, 8)
        .arg(b.excluded, 8);
}

QString csvRow(const MetricBucket &b)
{
    return QStringList{SqlTimestamp::toSql(b.start), SqlTimestamp::toSql(b.end),
                       metricNumber(b.min, {}, 17),  metricNumber(b.avg, {}, 17),
                       metricNumber(b.max, {}, 17),  QString::number(b.count),
                       QString::number(b.excluded)}
        .join(QLatin1Char(','));
}

QJsonObject bucketJson(const MetricBucket &b)
{
    return {{QStringLiteral("start"), SqlTimestamp::toSql(b.start)},
            {QStringLiteral("end"), SqlTimestamp::toSql(b.end)},
            {QStringLiteral("min"), jsonNumber(b.min)},
            {QStringLiteral("avg"), jsonNumber(b.avg)},
            {QStringLiteral("max"), jsonNumber(b.max)},
            {QStringLiteral("count"), b.count},
            {QStringLiteral("excluded"), b.excluded}};
}

// --from and --to; false with *exitCode set after a usage error.
bool readRange(const QCommandLineParser &parser, QDateTime *from, QDateTime *to, int *exitCode)
{
    // The stored times are the server's wall clock; servers run in UTC as a rule.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime times[2];
    const char *names[2] = {"from", "to"};
    for (int i = 0; i < 2; ++i) {
        if (!parser.isSet(QLatin1String(names[i])))
            continue;
        const QString value = parser.value(QLatin1String(names[i]));
        times[i] = TimeExpression::parse(value, now);
        if (!times[i].isValid()) {
            *exitCode = usageError(
                QStringLiteral("--%1: \"%2\" is not a time; use %3")
                    .arg(QLatin1String(names[i]), value, TimeExpression::expectedForms()),
                kCommand);
            return false;
        }
    }
    *to = times[1].isValid() ? times[1] : now;
    *from = times[0].isValid() ? times[0] : to->addSecs(-kDefaultRangeSeconds);
    if (*from >= *to) {
        *exitCode = usageError(QStringLiteral("--from (%1) must be before --to (%2)")
                                   .arg(SqlTimestamp::toSql(*from), SqlTimestamp::toSql(*to)),
                               kCommand);
        return false;
    }
    return true;
}

} // namespace

QString metricNumber(double value, const QString &blank, int digits)
{
    return std::isfinite(value) ? QString::number(value, 'g', digits) : blank;
}

Command metricsCommand()
{
    return {kCommand,
            QStringLiteral(
                "metrics [-d CONN] AGENT METRIC [--from T] [--to T] [--points N] [--json | --csv]"),
            QStringLiteral(
                "Prints a metric of an agent over time in at most N buckets of equal width\n"
                "(default 200), aggregated by the server: each bucket's start, min, average,\n"
                "max, the count of values and the count of rows left out (NaN, Infinity,\n"
                "-Infinity or NULL); a bucket of such rows only shows - for its numbers.\n"
                "Buckets without rows are not listed. The range is [--from, --to), by default\n"
                "the last 24 hours; T as for changelog (2026-11-03, 2026-11-03T10:00, or a time\n"
                "ago such as 90m, 2h, 3d, 1w). --json prints an object with the buckets (null\n"
                "for a number that is not there); --csv prints CSV to stdout (start, end, min,\n"
                "avg, max, count, excluded). An unknown agent or metric, or a malformed option,\n"
                "exits 2 before anything is read.")};
}

int runMetrics(const QStringList &arguments)
{
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addPositionalArgument(QStringLiteral("AGENT"),
                                 QStringLiteral("The agent's algorithm_id (A7)."));
    parser.addPositionalArgument(QStringLiteral("METRIC"), QStringLiteral("The metric's name."));
    parser.addOptions({
        {QStringLiteral("from"), QStringLiteral("From T (inclusive; default: 24 h before --to)."),
         QStringLiteral("T")},
        {QStringLiteral("to"), QStringLiteral("To T (exclusive; default: now)."),
         QStringLiteral("T")},
        {QStringLiteral("points"), QStringLiteral("At most N buckets (default 200)."),
         QStringLiteral("N")},
        jsonOption(),
        {QStringLiteral("csv"), QStringLiteral("Print CSV.")},
    });
    if (const int code = parse(parser, arguments, kCommand); code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(positional.size() < 2
                              ? QStringLiteral("metrics takes an agent and a metric")
                              : QStringLiteral("unexpected argument \"%1\"").arg(positional.at(2)),
                          kCommand);
    const QString agent = positional.at(0);
    const QString metric = positional.at(1);
    const bool json = parser.isSet(QStringLiteral("json"));
    const bool csv = parser.isSet(QStringLiteral("csv"));
    if (json && csv)
        return usageError(QStringLiteral("--json and --csv exclude each other"), kCommand);
    int exitCode = Ok;
    qint64 points = kDefaultPoints;
    if (!intOption(parser, QStringLiteral("points"), 1, &points, &exitCode, kCommand))
        return exitCode;
    if (points > kMaxPoints)
        return usageError(QStringLiteral("--points: at most %1").arg(kMaxPoints), kCommand);
    QDateTime from, to;
    if (!readRange(parser, &from, &to, &exitCode))
        return exitCode;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, kCommand))
        return exitCode;

    DbError error;
    QString unknown; // the agent or metric named is not there: why
    std::optional<QList<MetricBucket>> buckets;
    {
        QSqlDatabase database = SqlDatabase::open(connection, kConnectionName, &error);
        if (database.isOpen()) {
            MetricsRepository repository(database);
            const auto agents = repository.agentIds(&error);
            const auto names = agents && agents->contains(agent)
                                   ? repository.metricNames(agent, &error)
                                   : std::nullopt;
            if (agents && !agents->contains(agent)) {
                unknown = QStringLiteral("no agent %1; the agents are: %2")
                              .arg(agent, agents->isEmpty() ? QStringLiteral("(none)")
                                                            : agents->join(QStringLiteral(", ")));
            } else if (names && !names->contains(metric)) {
                unknown = QStringLiteral("agent %1 has no metric %2; its metrics are: %3")
                              .arg(agent, metric,
                                   names->isEmpty() ? QStringLiteral("(none)")
                                                    : names->join(QStringLiteral(", ")));
            } else if (names) {
                buckets = repository.series(agent, metric, from, to, int(points), &error);
            }
        }
    }
    SqlDatabase::close(kConnectionName);
    if (!unknown.isEmpty())
        return usageError(unknown, kCommand);
    if (!buckets) {
        err() << "error: " << error.toString() << '\n';
        err().flush();
        return Failed;
    }
    if (json) {
        QJsonArray array;
        for (const MetricBucket &b : *buckets)
            array.append(bucketJson(b));
        printJson({{QStringLiteral("agent"), agent},
                   {QStringLiteral("metric"), metric},
                   {QStringLiteral("from"), SqlTimestamp::toSql(from)},
                   {QStringLiteral("to"), SqlTimestamp::toSql(to)},
                   {QStringLiteral("points"), points},
                   {QStringLiteral("buckets"), array}});
    } else if (csv) {
        out() << "start,end,min,avg,max,count,excluded\n";
        for (const MetricBucket &b : *buckets)
            out() << csvRow(b) << '\n';
    } else {
        out() << tableHeader() << '\n';
        for (const MetricBucket &b : *buckets)
            out() << tableRow(b) << '\n';
        if (buckets->isEmpty())
            err() << "No values of " << metric << " between " << SqlTimestamp::toSql(from)
                  << " and " << SqlTimestamp::toSql(to) << ".\n";
    }
    out().flush();
    err().flush();
    return Ok;
}

} // namespace Cli
