#include "migrations/report.h"

#include <QJsonArray>

namespace Report {

static QString ms(double value)
{
    return value < 0 ? QStringLiteral("-") : QString::number(value, 'f', value < 100 ? 2 : 1);
}

static QString fit(const QString &text, int width)
{
    return text.size() <= width ? text.leftJustified(width) : text.left(width - 1) + QChar(0x2026);
}

QString stepHeader()
{
    return QStringLiteral("%1 %2 %3 %4 %5")
        .arg(fit(QStringLiteral("migration"), 26), QStringLiteral("step"),
             fit(QStringLiteral("statement"), 52), fit(QStringLiteral("file:line"), 34),
             QStringLiteral("ms").rightJustified(9));
}

QString stepRow(const StepReport &step)
{
    QString row = QStringLiteral("%1 %2 %3 %4 %5")
                      .arg(fit(step.migration, 26))
                      .arg(step.step, 4)
                      .arg(fit(step.summary, 52),
                           fit(QStringLiteral("%1:%2").arg(step.fileName).arg(step.line), 34),
                           ms(step.ms).rightJustified(9));
    if (step.state != StepReport::State::Done)
        row += QLatin1Char(' ') + step.stateName();
    return row;
}

QString runTotals(const RunReport &report)
{
    int applied = 0;
    // A rehearsal's migrations all end rolled back; a migrate's count only when committed.
    const MigrationOutcome::State counted =
        report.rehearsal ? MigrationOutcome::State::RolledBack : MigrationOutcome::State::Applied;
    for (const MigrationOutcome &m : report.migrations)
        applied += m.state == counted;
    QString what;
    if (report.migrations.isEmpty() && report.outcome != RunReport::Outcome::Ok)
        what = QStringLiteral("no migration ran");
    else if (report.migrations.isEmpty())
        what = QStringLiteral("nothing to do: %1 migration(s) already applied")
                   .arg(report.alreadyApplied.size());
    else if (report.rehearsal)
        what = QStringLiteral("rehearsed %1 of %2 pending migration(s), %3 statement(s); "
                              "everything rolled back")
                   .arg(applied)
                   .arg(report.migrations.size())
                   .arg(report.steps.size());
    else
        what = QStringLiteral("applied %1 of %2 pending migration(s), %3 statement(s)")
                   .arg(applied)
                   .arg(report.migrations.size())
                   .arg(report.steps.size());
    return QStringLiteral("%1\nwall time %2 ms, server time %3 ms, round trips %4 "
                          "(plus connection set-up)")
        .arg(what, ms(report.wallMs), ms(report.serverMs))
        .arg(report.roundTrips);
}

QString runFailure(const RunReport &report)
{
    if (report.outcome == RunReport::Outcome::Ok)
        return {};
    QString text = QStringLiteral("error: ") + report.error.toString();
    for (const LockHolder &holder : report.lockHolders)
        text += QStringLiteral("\nlock held by ") + holder.describe();
    if (report.outcome == RunReport::Outcome::LockTimeout && report.lockHolders.isEmpty())
        text += QStringLiteral("\n(the holder released the lock before it could be observed)");
    QStringList committed;
    QStringList partly;
    QStringList notCommitted;
    for (const MigrationOutcome &m : report.migrations) {
        if (m.state == MigrationOutcome::State::Applied)
            committed.append(m.id);
        else if (m.committedStatements > 0 && !report.rehearsal)
            partly.append(QStringLiteral("%1 (statements 1-%2 of %3; migrate resumes at %4)")
                              .arg(m.id)
                              .arg(m.committedStatements)
                              .arg(m.steps)
                              .arg(m.committedStatements + 1));
        else
            notCommitted.append(m.id);
    }
    if (!report.migrations.isEmpty()) {
        if (!committed.isEmpty())
            text += QStringLiteral("\ncommitted: ") + committed.join(QStringLiteral(", "));
        if (!partly.isEmpty())
            text += QStringLiteral("\npartly committed: ") + partly.join(QStringLiteral(", "));
        if (!notCommitted.isEmpty())
            text += QStringLiteral("\nnot committed: ") + notCommitted.join(QStringLiteral(", "));
    }
    return text;
}

QString statusTable(const StatusReport &report)
{
    QStringList lines;
    lines << QStringLiteral("%1 %2 %3 %4 %5 %6")
                 .arg(fit(QStringLiteral("version"), 8), fit(QStringLiteral("name"), 32),
                      fit(QStringLiteral("state"), 13), fit(QStringLiteral("applied at"), 20),
                      fit(QStringLiteral("by"), 14), QStringLiteral("ms").rightJustified(9));
    for (const MigrationStatus &m : report.migrations) {
        const bool applied = m.appliedAt.isValid();
        QString state = m.stateName();
        if (m.kind == QLatin1String("baseline"))
            state += QStringLiteral(" (baseline)");
        lines << QStringLiteral("%1 %2 %3 %4 %5 %6")
                     .arg(fit(m.version, 8), fit(m.name, 32), fit(state, 13),
                          fit(applied ? m.appliedAt.toLocalTime().toString(
                                            QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                      : QString(),
                              20),
                          fit(m.appliedBy, 14),
                          (applied && m.statementsTotal == 0 ? ms(m.totalMs) : QString())
                              .rightJustified(9));
        // A partial migration: how far it got, under its row.
        if (m.statementsTotal > 0)
            lines << QString(9, QLatin1Char(' ')) + m.progressText();
    }
    for (const MigrationGap &gap : report.gaps)
        lines << QStringLiteral("gap: %1 and never applied; migrate refuses to run until the "
                                "file is restored (or the files renumbered)")
                     .arg(gap.describe());
    if (!report.historyExists)
        lines << QStringLiteral("(no algoadmin_schema_history table yet: nothing applied)");
    return lines.join(QLatin1Char('\n'));
}

QString verifyText(const VerifyReport &report)
{
    QStringList lines;
    for (const MigrationStatus &m : report.migrations) {
        if (m.state == MigrationStatus::State::Changed)
            lines << QStringLiteral("changed file: %1 differs from the applied version")
                         .arg(m.fileName);
        else if (m.state == MigrationStatus::State::Pending)
            lines << QStringLiteral("pending: %1 (not applied; not part of the comparison)")
                         .arg(m.fileName);
        else if (m.state == MigrationStatus::State::Partial)
            lines << QStringLiteral("partial: %1 (%2; compared up to there)")
                         .arg(m.fileName, m.progressText());
        else if (m.state == MigrationStatus::State::Missing)
            lines << QStringLiteral("missing file: %1 is applied but not on disk").arg(m.fileName);
    }
    for (const SchemaDifference &difference : report.differences)
        lines << QStringLiteral("drift: ") + difference.describe();
    if (report.nothingApplied)
        lines << QStringLiteral("nothing applied yet: no migration history and none of the "
                                "migrations' tables; run `algoadmin migrate`");
    else if (report.clean())
        lines << QStringLiteral("schema matches the migrations (%1 tables)")
                     .arg(report.expectedTables);
    lines << QStringLiteral("%1 difference(s); expected schema %2; %3 catalog queries, "
                            "%4 round trips, %5 ms")
                 .arg(report.differences.size())
                 .arg(report.nothingApplied      ? QStringLiteral("not needed")
                      : report.expectedFromCache ? QStringLiteral("from the cache")
                                                 : QStringLiteral("replayed in a scratch database"))
                 .arg(report.catalogQueries)
                 .arg(report.roundTrips)
                 .arg(ms(report.wallMs));
    return lines.join(QLatin1Char('\n'));
}

QString baselineText(const BaselineReport &report)
{
    QStringList lines;
    for (const QString &id : report.adopted)
        lines
            << QStringLiteral("baselined: %1 (already present, recorded without running)").arg(id);
    for (const QString &id : report.alreadyApplied)
        lines << QStringLiteral("applied:   %1").arg(id);
    for (const QString &id : report.pending)
        lines << QStringLiteral("pending:   %1 (not present; run migrate)").arg(id);
    if (report.adopted.isEmpty())
        lines << QStringLiteral("nothing to baseline");
    lines << QStringLiteral("%1 round trips, %2 ms").arg(report.roundTrips).arg(ms(report.wallMs));
    return lines.join(QLatin1Char('\n'));
}

QJsonObject errorJson(const DbError &error)
{
    if (!error.isError())
        return {};
    return {
        {QStringLiteral("what"), error.what},       {QStringLiteral("where"), error.where},
        {QStringLiteral("message"), error.message}, {QStringLiteral("sqlstate"), error.sqlState},
        {QStringLiteral("detail"), error.detail},   {QStringLiteral("hint"), error.hint},
        {QStringLiteral("context"), error.context}};
}

static QJsonArray holdersJson(const QList<LockHolder> &holders)
{
    QJsonArray array;
    for (const LockHolder &h : holders)
        array.append(QJsonObject{{QStringLiteral("pid"), h.pid},
                                 {QStringLiteral("role"), h.role},
                                 {QStringLiteral("application"), h.application},
                                 {QStringLiteral("state"), h.state},
                                 {QStringLiteral("query"), h.query},
                                 {QStringLiteral("since"), h.since.toString(Qt::ISODateWithMs)}});
    return array;
}

static QString outcomeName(RunReport::Outcome outcome)
{
    switch (outcome) {
    case RunReport::Outcome::Ok:
        return QStringLiteral("ok");
    case RunReport::Outcome::Failed:
        return QStringLiteral("failed");
    case RunReport::Outcome::LockTimeout:
        return QStringLiteral("lock_timeout");
    case RunReport::Outcome::ChangedFiles:
        return QStringLiteral("changed_files");
    case RunReport::Outcome::Cancelled:
        return QStringLiteral("cancelled");
    case RunReport::Outcome::BadInput:
        break;
    }
    return QStringLiteral("bad_input");
}

QJsonObject runJson(const RunReport &report)
{
    QJsonArray migrations;
    for (const MigrationOutcome &m : report.migrations) {
        QJsonObject item{
            {QStringLiteral("id"), m.id},         {QStringLiteral("version"), m.version},
            {QStringLiteral("file"), m.fileName}, {QStringLiteral("state"), m.stateName()},
            {QStringLiteral("steps"), m.steps},   {QStringLiteral("ms"), m.ms}};
        if (m.committedStatements > 0)
            item.insert(QStringLiteral("statements_committed"), m.committedStatements);
        migrations.append(item);
    }
    QJsonArray steps;
    for (const StepReport &s : report.steps)
        steps.append(QJsonObject{{QStringLiteral("migration"), s.migration},
                                 {QStringLiteral("step"), s.step},
                                 {QStringLiteral("statement"), s.summary},
                                 {QStringLiteral("file"), s.fileName},
                                 {QStringLiteral("line"), s.line},
                                 {QStringLiteral("ms"), s.ms},
                                 {QStringLiteral("state"), s.stateName()}});
    QJsonObject json{
        {QStringLiteral("command"),
         report.rehearsal ? QStringLiteral("rehearse") : QStringLiteral("migrate")},
        {QStringLiteral("target"), report.target},
        {QStringLiteral("outcome"), outcomeName(report.outcome)},
        {QStringLiteral("already_applied"), QJsonArray::fromStringList(report.alreadyApplied)},
        {QStringLiteral("changed"), QJsonArray::fromStringList(report.changed)},
        {QStringLiteral("migrations"), migrations},
        {QStringLiteral("steps"), steps},
        {QStringLiteral("wall_ms"), report.wallMs},
        {QStringLiteral("server_ms"), report.serverMs},
        {QStringLiteral("round_trips"), report.roundTrips}};
    if (report.error.isError())
        json.insert(QStringLiteral("error"), errorJson(report.error));
    if (!report.lockHolders.isEmpty())
        json.insert(QStringLiteral("lock_holders"), holdersJson(report.lockHolders));
    return json;
}

static QJsonArray statusArray(const QList<MigrationStatus> &migrations)
{
    QJsonArray array;
    for (const MigrationStatus &m : migrations) {
        QJsonObject item{{QStringLiteral("version"), m.version},
                         {QStringLiteral("name"), m.name},
                         {QStringLiteral("file"), m.fileName},
                         {QStringLiteral("state"), m.stateName()}};
        if (m.statementsTotal > 0) {
            item.insert(QStringLiteral("statements_committed"), m.statementsDone);
            item.insert(QStringLiteral("statements_total"), m.statementsTotal);
            if (m.running > 0)
                item.insert(QStringLiteral("statement_running_when_stopped"), m.running);
        }
        if (m.statementsTotal > 0 && m.appliedAt.isValid()) {
            item.insert(QStringLiteral("progress_at"), m.appliedAt.toString(Qt::ISODateWithMs));
            item.insert(QStringLiteral("progress_by"), m.appliedBy);
        } else if (m.appliedAt.isValid()) {
            item.insert(QStringLiteral("applied_at"), m.appliedAt.toString(Qt::ISODateWithMs));
            item.insert(QStringLiteral("applied_by"), m.appliedBy);
            item.insert(QStringLiteral("total_ms"), m.totalMs);
            item.insert(QStringLiteral("kind"), m.kind);
        }
        array.append(item);
    }
    return array;
}

QJsonObject statusJson(const StatusReport &report)
{
    QJsonObject json{{QStringLiteral("command"), QStringLiteral("status")},
                     {QStringLiteral("target"), report.target},
                     {QStringLiteral("history_exists"), report.historyExists},
                     {QStringLiteral("migrations"), statusArray(report.migrations)},
                     {QStringLiteral("round_trips"), report.roundTrips},
                     {QStringLiteral("wall_ms"), report.wallMs}};
    if (!report.gaps.isEmpty()) {
        QJsonArray gaps;
        for (const MigrationGap &gap : report.gaps)
            gaps.append(QJsonObject{{QStringLiteral("version"), gap.version},
                                    {QStringLiteral("after_file"), gap.before},
                                    {QStringLiteral("before_file"), gap.after}});
        json.insert(QStringLiteral("gaps"), gaps);
    }
    if (report.error.isError())
        json.insert(QStringLiteral("error"), errorJson(report.error));
    return json;
}

QJsonObject verifyJson(const VerifyReport &report)
{
    QJsonArray differences;
    for (const SchemaDifference &d : report.differences) {
        const SchemaObject &o = d.object();
        differences.append(QJsonObject{{QStringLiteral("change"), d.changeName()},
                                       {QStringLiteral("kind"), o.kind},
                                       {QStringLiteral("table"), o.table},
                                       {QStringLiteral("name"), o.name},
                                       {QStringLiteral("expected"), d.expected.definition},
                                       {QStringLiteral("found"), d.found.definition}});
    }
    QJsonObject json{{QStringLiteral("command"), QStringLiteral("verify")},
                     {QStringLiteral("target"), report.target},
                     {QStringLiteral("clean"), report.clean()},
                     {QStringLiteral("migrations"), statusArray(report.migrations)},
                     {QStringLiteral("differences"), differences},
                     {QStringLiteral("expected_tables"), report.expectedTables},
                     {QStringLiteral("expected_from_cache"), report.expectedFromCache},
                     {QStringLiteral("nothing_applied"), report.nothingApplied},
                     {QStringLiteral("catalog_queries"), report.catalogQueries},
                     {QStringLiteral("round_trips"), report.roundTrips},
                     {QStringLiteral("wall_ms"), report.wallMs}};
    if (report.error.isError())
        json.insert(QStringLiteral("error"), errorJson(report.error));
    return json;
}

} // namespace Report
