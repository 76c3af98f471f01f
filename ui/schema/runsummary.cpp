#include "runsummary.h"

#include "shell/colours.h"

#include <QLabel>
#include <QLocale>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <algorithm>

RunSummary::RunSummary(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_errorView(new QTextBrowser(this))
{
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorView->setObjectName(QStringLiteral("errorView"));
    m_errorView->setStyleSheet(QStringLiteral("QTextBrowser { border: 1px solid %1; }")
                                   .arg(Colours::css(Colours::failure())));
    m_errorView->hide();
    // Two rows of the panel's layout, as if they were in it.
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_errorView);
}

void RunSummary::showStatus(const StatusReport &report)
{
    int applied = 0, pending = 0, changed = 0;
    for (const MigrationStatus &m : report.migrations) {
        applied += m.state == MigrationStatus::State::Applied;
        pending += m.state == MigrationStatus::State::Pending ||
                   m.state == MigrationStatus::State::Partial;
        changed += m.state == MigrationStatus::State::Changed ||
                   m.state == MigrationStatus::State::Missing;
    }
    QString text = tr("<b>%1</b>: %2 applied, %3 pending")
                       .arg(report.target.toHtmlEscaped())
                       .arg(applied)
                       .arg(pending);
    if (changed > 0)
        text += tr(", <span style='color:%1'><b>%n changed or missing on disk</b></span>", nullptr,
                   changed)
                    .arg(Colours::css(Colours::failure()));
    m_summary->setText(text);
}

void RunSummary::showStatusUnreadable(const QString &database)
{
    m_summary->setText(tr("<span style='color:%1'>The migration history of %2 could "
                          "not be read.</span>")
                           .arg(Colours::css(Colours::failure()), database.toHtmlEscaped()));
}

void RunSummary::clear()
{
    m_summary->clear();
}

void RunSummary::showFailure(const QString &html)
{
    m_errorView->setHtml(html);
    m_errorView->setVisible(!html.isEmpty());
    if (html.isEmpty())
        return;
    // As tall as the text, up to a limit: the lists below keep their room.
    m_errorView->document()->setTextWidth(m_errorView->viewport()->width());
    const int height =
        int(m_errorView->document()->size().height()) + 2 * m_errorView->frameWidth();
    m_errorView->setFixedHeight(std::clamp(height, 60, 200));
}

QString RunSummary::runMessage(const RunReport &report, const RunComparison &comparison,
                               const QString &nothingToDo)
{
    const int applied = int(std::count_if(
        report.migrations.cbegin(), report.migrations.cend(),
        [](const MigrationOutcome &m) { return m.state == MigrationOutcome::State::Applied; }));
    QString message;
    if (report.outcome == RunReport::Outcome::Ok && report.migrations.isEmpty())
        message = nothingToDo + QLatin1Char('.');
    else if (report.outcome == RunReport::Outcome::Ok)
        message = report.rehearsal
                      ? tr("Rehearsal of %n migration(s) finished and rolled back; nothing was "
                           "committed.",
                           nullptr, int(report.migrations.size()))
                      : tr("Applied %n migration(s)", nullptr, applied) +
                            tr(" in %1 s.").arg(QLocale().toString(report.wallMs / 1000, 'f', 1));
    else if (report.outcome == RunReport::Outcome::Cancelled)
        message = tr("Cancelled; the interrupted migration was rolled back.");
    else
        message =
            tr("%1 failed: %2")
                .arg(report.rehearsal ? tr("Rehearsal") : tr("Migration"), report.error.message);
    if (comparison.flaggedCount() > 0)
        message += QLatin1Char(' ') + tr("%n step(s) much slower than the previous run.", nullptr,
                                         comparison.flaggedCount());
    return message;
}

QString RunSummary::nothingToDo(bool rehearsal, int count)
{
    return rehearsal ? tr("Nothing to rehearse: all %n applied", nullptr, count)
                     : tr("Nothing to migrate: all %n applied", nullptr, count);
}

QString RunSummary::busyText(MigrationWorker::Operation operation, int finishedSteps,
                             int totalSteps)
{
    using Operation = MigrationWorker::Operation;
    switch (operation) {
    case Operation::Migrate:
        return tr("Migrating… %1/%2 steps").arg(finishedSteps).arg(totalSteps);
    case Operation::Rehearse:
        return tr("Rehearsing… %1/%2 steps").arg(finishedSteps).arg(totalSteps);
    case Operation::Status:
        return tr("Reading the migration history…");
    case Operation::Verify:
        return tr("Verifying the schema…");
    case Operation::Baseline:
        return tr("Recording the baseline…");
    }
    return {};
}

QString RunSummary::interruptQuestion(MigrationWorker::Operation operation)
{
    using Operation = MigrationWorker::Operation;
    switch (operation) {
    case Operation::Migrate:
        return tr("A migration is running: quit and roll it back?");
    case Operation::Rehearse:
        return tr("A rehearsal is running: quit and stop it? (It changes nothing either way.)");
    case Operation::Verify:
        return tr("Verify is running: quit and stop it?");
    case Operation::Baseline:
        return tr("A baseline is being recorded: quit and roll it back?");
    case Operation::Status:
        break; // a short read
    }
    return {};
}
