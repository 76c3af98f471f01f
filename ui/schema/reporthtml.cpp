#include "reporthtml.h"

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

static QString errorRows(const DbError &e)
{
    return row(tr("Failed"), e.what) + row(tr("File:line / where"), e.where) +
           row(tr("SQLSTATE"), e.sqlState) + row(tr("Message"), e.message) +
           row(tr("Detail"), e.detail) + row(tr("Hint"), e.hint);
}

static QString document(const QString &heading, const QString &rows, const QString &after = {})
{
    QString html = QStringLiteral("<p style='color:#c62828'><b>%1</b></p><table>%2</table>")
                       .arg(heading.toHtmlEscaped(), rows);
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
    QString text;
    if (stopped.isEmpty()) {
        text = applied.isEmpty() ? tr("nothing committed.")
                                 : tr("the remaining migrations did not run.");
    } else {
        const Migration *migration = nullptr;
        for (const Migration &m : set.migrations) {
            if (m.id() == stopped)
                migration = &m;
        }
        text = migration && !migration->transactional
                   ? tr("migration %1 runs outside a transaction: its statements before the "
                        "failed one stay committed, the rest did not run.")
                         .arg(stopped)
                   : tr("nothing committed — migration %1 rolled back.").arg(stopped);
    }
    const int before = int(report.alreadyApplied.size() + applied.size());
    text += QLatin1Char(' ') + tr("%n earlier migration(s) stay applied", before) +
            (applied.isEmpty()
                 ? QString()
                 : QStringLiteral(" (%1 %2)")
                       .arg(tr("this run committed"), applied.join(QStringLiteral(", ")))) +
            QStringLiteral("; ") + tr("%n later migration(s) not run.", notRun);
    return text;
}

QString runFailure(const RunReport &report, const MigrationSet &set)
{
    if (report.outcome == RunReport::Outcome::Ok)
        return {};
    QString rows = errorRows(report.error) + holdersRows(report.lockHolders);
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
