#include "reporthtml.h"

#include "shell/colours.h"

#include <QCoreApplication>
#include <QLocale>

namespace ReportHtml {

static QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("ReportHtml", text, nullptr, n);
}

static QString row(const QString &label, const QString &value)
{
    if (value.isEmpty())
        return {};
    return QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>")
        .arg(label.toHtmlEscaped(),
             value.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>")));
}

static QString holdersRows(const QList<LockHolder> &holders)
{
    QString rows;
    for (const LockHolder &holder : holders)
        rows += row(tr("Lock held by"), holder.describe());
    return rows;
}

static QString errorRows(const DbError &e, const QString &whatLabel = tr("Failed"))
{
    return row(whatLabel, e.what) + row(tr("File:line / where"), e.where) +
           row(tr("SQLSTATE"), e.sqlState) + row(tr("Message"), e.message) +
           row(tr("Detail"), e.detail) + row(tr("Hint"), e.hint) + row(tr("Context"), e.context);
}

static QString document(const QString &heading, const QString &rows, const QString &after = {})
{
    QString html = QStringLiteral("<p style='color:%3'><b>%1</b></p><table>%2</table>")
                       .arg(heading.toHtmlEscaped(), rows, Colours::css(Colours::failure()));
    if (!after.isEmpty())
        html += QStringLiteral("<p><b>%1</b> %2</p>")
                    .arg(tr("State after:").toHtmlEscaped(), after.toHtmlEscaped());
    return html;
}

QString error(const QString &heading, const DbError &e)
{
    if (!e.isError())
        return {};
    return document(heading, errorRows(e));
}

static QString heading(const RunReport &report)
{
    switch (report.outcome) {
    case RunReport::Outcome::Ok:
        break;
    case RunReport::Outcome::Failed:
        return report.rehearsal ? tr("Rehearsal failed") : tr("Migration failed");
    case RunReport::Outcome::LockTimeout:
        return tr("Gave up waiting for a lock");
    case RunReport::Outcome::ChangedFiles:
        return tr("Refused: applied migration files changed on disk");
    case RunReport::Outcome::Cancelled:
        return report.rehearsal ? tr("Rehearsal cancelled") : tr("Migration cancelled");
    case RunReport::Outcome::BadInput:
        return tr("The migrations could not be run");
    }
    return {};
}

static QString stateAfter(const RunReport &report, const MigrationSet &set)
{
    if (report.outcome == RunReport::Outcome::ChangedFiles)
        return tr("nothing ran. Restore the changed files (%1) to the version that was applied, "
                  "or add a new migration instead of editing an applied one.")
            .arg(report.changed.join(QStringLiteral(", ")));
    if (report.rehearsal)
        return tr("nothing committed — the rehearsal rolled back every migration.");
    QStringList applied;
    QString stopped;
    int notRun = 0;
    for (const MigrationOutcome &m : report.migrations) {
        if (m.state == MigrationOutcome::State::Applied)
            applied.append(m.id);
        else if (stopped.isEmpty() && m.state != MigrationOutcome::State::NotRun)
            stopped = m.id;
        else
            ++notRun;
    }
    // One statement per fact, none contradicting another: what happened to the migration that
    // stopped, what this run committed before it, what was applied before, what did not run.
    QStringList parts;
    if (stopped.isEmpty()) {
        if (applied.isEmpty())
            parts.append(tr("nothing committed"));
    } else {
        const Migration *migration = set.find(stopped.section(QLatin1Char('_'), 0, 0));
        parts.append(migration && !migration->transactional
                         ? tr("migration %1 runs outside a transaction: its statements before "
                              "the one that stopped stay committed, the rest did not run")
                               .arg(stopped)
                         : tr("nothing committed of migration %1: it rolled back").arg(stopped));
    }
    if (!applied.isEmpty())
        parts.append((stopped.isEmpty() ? tr("this run committed %1")
                                        : tr("this run committed %1 before it"))
                         .arg(applied.join(QStringLiteral(", "))));
    if (!report.alreadyApplied.isEmpty())
        parts.append(tr("%n migration(s) applied before this run stay applied",
                        int(report.alreadyApplied.size())));
    if (notRun > 0)
        parts.append(tr("%n later migration(s) did not run", notRun));
    return parts.join(QStringLiteral("; ")) + QLatin1Char('.');
}

// The text of the statement that failed or was stopped, shortened for the box.
static QString failedStatement(const RunReport &report, const MigrationSet &set)
{
    for (const StepReport &step : report.steps) {
        if (step.state != StepReport::State::Failed)
            continue;
        const Migration *migration = set.find(step.migration.section(QLatin1Char('_'), 0, 0));
        if (!migration || step.step < 1 || step.step > migration->statements.size())
            return {};
        QString text = migration->statements.at(step.step - 1).text.trimmed();
        if (text.size() > 600)
            text = text.left(599) + QChar(0x2026);
        return text;
    }
    return {};
}

QString runFailure(const RunReport &report, const MigrationSet &set)
{
    if (report.outcome == RunReport::Outcome::Ok)
        return {};
    // A cancel is the user's: the step is where it stopped, not a failure.
    QString rows =
        errorRows(report.error, report.outcome == RunReport::Outcome::Cancelled ? tr("Stopped at")
                                                                                : tr("Failed")) +
        row(tr("Statement"), failedStatement(report, set)) + holdersRows(report.lockHolders);
    if (report.outcome == RunReport::Outcome::LockTimeout && report.lockHolders.isEmpty())
        rows += row(tr("Lock held by"),
                    tr("(the holder released the lock before it could be observed)"));
    return document(heading(report), rows, stateAfter(report, set));
}

QString baselineFailure(const BaselineReport &report)
{
    if (!report.error.isError() && !report.lockTimedOut)
        return {};
    return document(
        report.lockTimedOut ? tr("Baseline gave up waiting for a lock") : tr("Baseline failed"),
        errorRows(report.error) + holdersRows(report.lockHolders), tr("nothing recorded."));
}

} // namespace ReportHtml
