#include "cli/cli.h"
#include "cli/metricscommands.h"
#include "db/sqldatabase.h"
#include "repositories/changelogrepository.h"
#include "repositories/metricsrepository.h"
#include "repositories/timeexpression.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>

namespace Cli {

namespace {

const QString kCommand = QStringLiteral("impact");
const QString kConnectionName = QStringLiteral("algoadmin-cli-impact");
const QString kDefaultWindow = QStringLiteral("24h");
constexpr int kMaxChangeSetEntries = 10000; // read to learn the change set's agents

QJsonValue jsonNumber(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue nullable(const QString &value)
{
    return value.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QJsonObject entryJson(const ChangelogEntry &e)
{
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("algorithm_id"), nullable(e.algorithmId)},
            {QStringLiteral("parameter_name"), nullable(e.parameterName)},
            {QStringLiteral("old_value"), nullable(e.oldValue)},
            {QStringLiteral("new_value"), nullable(e.newValue)},
            {QStringLiteral("modified_at"), nullable(e.modifiedAtText)},
            {QStringLiteral("change_set"), nullable(e.changeSet)}};
}

QString verdictText(MetricImpact::Verdict verdict)
{
    switch (verdict) {
    case MetricImpact::Verdict::Moved:
        return QStringLiteral("moved");
    case MetricImpact::Verdict::WithinNoise:
        return QStringLiteral("within noise");
    case MetricImpact::Verdict::NoData:
        break;
    }
    return QStringLiteral("no data");
}

QString verdictJson(MetricImpact::Verdict verdict)
{
    switch (verdict) {
    case MetricImpact::Verdict::Moved:
        return QStringLiteral("moved");
    case MetricImpact::Verdict::WithinNoise:
        return QStringLiteral("within_noise");
    case MetricImpact::Verdict::NoData:
        break;
    }
    return QStringLiteral("no_data");
}

QString percent(double relative)
{
    if (!std::isfinite(relative))
        return QStringLiteral("-");
    return QStringLiteral("%1%2 %").arg(relative >= 0 ? QStringLiteral("+") : QString(),
                                        QString::number(relative * 100, 'f', 1));
}

QString pText(double p)
{
    if (std::isnan(p))
        return QStringLiteral("-");
    return p < 0.0001 ? QStringLiteral("<0.0001") : QString::number(p, 'f', 4);
}

QString describe(const ChangelogEntry &e)
{
    auto value = [](const QString &v) { return v.isNull() ? QStringLiteral("NULL") : v; };
    return QStringLiteral("%1 %2 %3 \u2192 %4 at %5 (%6)")
        .arg(e.algorithmId, e.parameterName, value(e.oldValue), value(e.newValue),
             e.modifiedAtText.isNull() ? QStringLiteral("(no time)") : e.modifiedAtText, e.id);
}

void printTable(const QList<MetricImpact> &impacts, bool withAgent)
{
    out() << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9  %10")
                 .arg(QStringLiteral("METRIC"), -24)
                 .arg(QStringLiteral("BEFORE MEAN"), 12)
                 .arg(QStringLiteral("MEDIAN"), 12)
                 .arg(QStringLiteral("N"), 6)
                 .arg(QStringLiteral("AFTER MEAN"), 12)
                 .arg(QStringLiteral("MEDIAN"), 12)
                 .arg(QStringLiteral("N"), 6)
                 .arg(QStringLiteral("CHANGE"), 9)
                 .arg(QStringLiteral("P"), 8)
                 .arg(QStringLiteral("VERDICT"))
          << '\n';
    auto mean = [](double value, qint64 count) {
        return count > 0 ? metricNumber(value) : QStringLiteral("-");
    };
    for (const MetricImpact &m : impacts) {
        const QString name = withAgent ? m.algorithmId + QLatin1Char(' ') + m.metric : m.metric;
        out() << QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9  %10")
                     .arg(name, -24)
                     .arg(mean(m.meanBefore, m.countBefore), 12)
                     .arg(mean(m.medianBefore, m.countBefore), 12)
                     .arg(m.countBefore, 6)
                     .arg(mean(m.meanAfter, m.countAfter), 12)
                     .arg(mean(m.medianAfter, m.countAfter), 12)
                     .arg(m.countAfter, 6)
                     .arg(percent(m.relativeChange), 9)
                     .arg(pText(m.pValue), 8)
                     .arg(verdictText(m.verdict()))
              << '\n';
    }
    for (const MetricImpact &m : impacts) {
        if (m.excludedBefore + m.excludedAfter > 0)
            out() << "note: " << m.metric << ": " << m.excludedBefore << " before and "
                  << m.excludedAfter
                  << " after were NaN, Infinity, -Infinity or NULL and were left out\n";
    }
}

// Each other change in the window once (every metric of an agent lists the same ones).
QList<ChangelogEntry> othersOf(const QList<MetricImpact> &impacts)
{
    QList<ChangelogEntry> others;
    QSet<QString> seen;
    for (const MetricImpact &m : impacts) {
        for (const ChangelogEntry &e : m.othersInWindow) {
            if (!seen.contains(e.id)) {
                seen.insert(e.id);
                others.append(e);
            }
        }
    }
    return others;
}

} // namespace

Command impactCommand()
{
    return {kCommand,
            QStringLiteral("impact [-d CONN] (ENTRY_ID | --change-set ID) [--metric M] "
                           "[--window 24h] [--json]"),
            QStringLiteral(
                "Shows what a change did to its agent's metrics: for each metric (or each\n"
                "--metric M, repeatable) the mean, median and count of its values in the window\n"
                "before the change and in the window after it (default 24h each; 1h, 6h, 3d,\n"
                "90m, 1w ...), the relative change of the mean, and a two-sided Mann-Whitney U\n"
                "test's p-value computed by the server: \"moved\" when p < 0.05, \"within\n"
                "noise\" otherwise, \"no data\" with fewer than 8 values on a side. NaN,\n"
                "Infinity and NULL values are left out and counted. Other changes of the\n"
                "agent inside the window are listed as warnings: they may explain the move.\n"
                "--change-set ID takes a change set's time and agent instead of an entry's.\n"
                "--json prints an object (null for a number that is not there). An unknown\n"
                "entry, change set or metric, or a malformed option, exits 2 before the\n"
                "metrics are read.")};
}

int runImpact(const QStringList &arguments)
{
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addPositionalArgument(QStringLiteral("ENTRY_ID"),
                                 QStringLiteral("The changelog entry's id."));
    parser.addOptions({
        {QStringLiteral("change-set"), QStringLiteral("The change set ID instead of an entry."),
         QStringLiteral("ID")},
        {QStringLiteral("metric"),
         QStringLiteral("Only metric M (repeatable; default: every metric of the agent)."),
         QStringLiteral("M")},
        {QStringLiteral("window"),
         QStringLiteral("Each side's width: 1h, 6h, 24h (default), 3d ..."),
         QStringLiteral("DURATION")},
        jsonOption(),
    });
    if (const int code = parse(parser, arguments, kCommand); code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    const bool bySet = parser.isSet(QStringLiteral("change-set"));
    if (positional.size() > 1 || (bySet && !positional.isEmpty()))
        return usageError(QStringLiteral("unexpected argument \"%1\"").arg(positional.constLast()),
                          kCommand);
    if (!bySet && positional.isEmpty())
        return usageError(QStringLiteral("which change? give an ENTRY_ID or --change-set ID"),
                          kCommand);
    const QString window = parser.isSet(QStringLiteral("window"))
                               ? parser.value(QStringLiteral("window"))
                               : kDefaultWindow;
    const qint64 windowSeconds = TimeExpression::durationSeconds(window);
    if (windowSeconds < 0)
        return usageError(QStringLiteral("--window: \"%1\" is not a duration; use a whole "
                                         "number and s, m, h, d or w, such as 1h, 6h, 24h, 3d")
                              .arg(window),
                          kCommand);
    const QStringList metrics = parser.values(QStringLiteral("metric"));
    const bool json = parser.isSet(QStringLiteral("json"));
    int exitCode = Ok;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, kCommand))
        return exitCode;

    DbError error;
    QString unknown; // the entry, change set or metric named is not there: why
    std::optional<QList<MetricImpact>> impacts;
    QList<ChangelogEntry> changes; // the entry, or the change set's entries
    {
        QSqlDatabase database = SqlDatabase::open(connection, kConnectionName, &error);
        if (database.isOpen()) {
            MetricsRepository repository(database);
            bool found = false;
            if (bySet) {
                ChangelogFilter filter;
                filter.changeSet = parser.value(QStringLiteral("change-set"));
                const auto page = ChangelogRepository(database).page(filter, std::nullopt,
                                                                     kMaxChangeSetEntries, &error);
                if (page && page->entries.isEmpty())
                    unknown = QStringLiteral("no change set %1").arg(*filter.changeSet);
                else if (page)
                    changes = page->entries;
                found = page && !page->entries.isEmpty();
            } else {
                const auto entry = repository.changelogEntry(positional.constFirst(), &error);
                if (!entry && error.sqlState == QLatin1String("P0002"))
                    unknown = QStringLiteral("no changelog entry %1").arg(positional.constFirst());
                else if (entry)
                    changes = {*entry};
                found = entry.has_value();
            }
            QStringList agents;
            for (const ChangelogEntry &e : std::as_const(changes)) {
                if (!agents.contains(e.algorithmId))
                    agents.append(e.algorithmId);
            }
            for (const QString &agent : std::as_const(agents)) {
                if (!found || metrics.isEmpty())
                    break;
                const auto names = repository.metricNames(agent, &error);
                found = names.has_value();
                for (const QString &metric : metrics) {
                    if (names && !names->contains(metric) && unknown.isEmpty()) {
                        unknown = QStringLiteral("agent %1 has no metric %2; its metrics are: %3")
                                      .arg(agent, metric,
                                           names->isEmpty() ? QStringLiteral("(none)")
                                                            : names->join(QStringLiteral(", ")));
                        found = false;
                    }
                }
            }
            if (found && bySet)
                impacts = repository.changeSetImpacts(parser.value(QStringLiteral("change-set")),
                                                      metrics, windowSeconds, &error);
            else if (found)
                impacts = repository.impacts(changes.constFirst(), metrics, windowSeconds, &error);
        }
    }
    SqlDatabase::close(kConnectionName);
    if (!unknown.isEmpty())
        return usageError(unknown, kCommand);
    if (!impacts) {
        err() << "error: " << error.toString() << '\n';
        err().flush();
        return Failed;
    }
    const QList<ChangelogEntry> others = othersOf(*impacts);
    if (json) {
        QJsonArray list;
        for (const MetricImpact &m : *impacts) {
            list.append(QJsonObject{
                {QStringLiteral("metric"), m.metric},
                {QStringLiteral("algorithm_id"), m.algorithmId},
                {QStringLiteral("before"),
                 QJsonObject{{QStringLiteral("mean"),
                              m.countBefore ? jsonNumber(m.meanBefore) : QJsonValue()},
                             {QStringLiteral("median"),
                              m.countBefore ? jsonNumber(m.medianBefore) : QJsonValue()},
                             {QStringLiteral("count"), m.countBefore},
                             {QStringLiteral("excluded"), m.excludedBefore}}},
                {QStringLiteral("after"),
                 QJsonObject{{QStringLiteral("mean"),
                              m.countAfter ? jsonNumber(m.meanAfter) : QJsonValue()},
                             {QStringLiteral("median"),
                              m.countAfter ? jsonNumber(m.medianAfter) : QJsonValue()},
                             {QStringLiteral("count"), m.countAfter},
                             {QStringLiteral("excluded"), m.excludedAfter}}},
                {QStringLiteral("relative_change"), jsonNumber(m.relativeChange)},
                {QStringLiteral("p_value"), jsonNumber(m.pValue)},
                {QStringLiteral("verdict"), verdictJson(m.verdict())}});
        }
        QJsonArray changeArray, otherArray;
        for (const ChangelogEntry &e : std::as_const(changes))
            changeArray.append(entryJson(e));
        for (const ChangelogEntry &e : others)
            otherArray.append(entryJson(e));
        printJson({{QStringLiteral("changes"), changeArray},
                   {QStringLiteral("window_seconds"), windowSeconds},
                   {QStringLiteral("impacts"), list},
                   {QStringLiteral("others_in_window"), otherArray}});
        return Ok;
    }
    if (bySet)
        out() << "Change set " << parser.value(QStringLiteral("change-set")) << " ("
              << changes.size() << (changes.size() == 1 ? " entry" : " entries") << "), from "
              << describe(changes.constFirst()) << "; " << window << " before against " << window
              << " after.\n";
    else
        out() << "Change " << describe(changes.constFirst()) << "; " << window << " before against "
              << window << " after.\n";
    QStringList agents;
    for (const MetricImpact &m : std::as_const(*impacts)) {
        if (!agents.contains(m.algorithmId))
            agents.append(m.algorithmId);
    }
    printTable(*impacts, agents.size() > 1);
    if (impacts->isEmpty())
        err() << "The agent has no metrics.\n";
    for (const ChangelogEntry &e : others)
        out() << "warning: another change inside the window: " << describe(e) << '\n';
    out().flush();
    err().flush();
    return Ok;
}

} // namespace Cli
