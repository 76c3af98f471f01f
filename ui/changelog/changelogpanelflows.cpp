// ChangelogPanel beyond loading rows: revert and restore (preview, confirm, write through the
// audited apply path), the CSV export, new changes from the feed, and links from other panels.
// The rest of the class is in changelogpanel.cpp.
#include "changelog/changelogpanel.h"

#include "changelog/changelogfilterbar.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogview.h"
#include "changelog/revertdialog.h"
#include "shell/messagebanner.h"

#include <QLocale>
#include <QProgressDialog>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>

namespace {

// "N new changes" counts up to this many, then says "N+".
constexpr int NewerLimit = 500;

} // namespace

void ChangelogPanel::startRevert(const RevertTarget &target)
{
    if (!m_open || m_writeRequest >= 0 || m_revertDialog)
        return;
    if (connection().readOnly) {
        showError(tr("Read-only connection: %1. Nothing can be reverted here.")
                      .arg(connection().whyReadOnly()));
        return;
    }
    QString title;
    switch (target.kind) {
    case RevertTarget::Kind::Entry:
        title = tr("Revert this change");
        break;
    case RevertTarget::Kind::ChangeSet:
        title = tr("Revert change set %1").arg(target.id.left(8));
        break;
    case RevertTarget::Kind::Restore:
        title = tr("Restore %1 to %2")
                    .arg(target.id, target.moment.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        break;
    }
    m_revertTarget = target;
    m_revertDialog =
        new RevertDialog(title, connection().profileName, connection().production, this);
    m_revertDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_revertDialog, &QObject::destroyed, this, [this] {
        m_revertDialog = nullptr;
        m_previewRequest = -1;
        updateBusy();
    });
    const int user = connection().auditUser();
    connect(m_revertDialog, &RevertDialog::previewRequested, this, [this, user](bool override) {
        m_previewRequest = m_worker->revert(m_revertTarget, {}, user, {override}, true);
        updateBusy();
    });
    connect(m_revertDialog, &RevertDialog::confirmed, this,
            [this, user](const QString &reason, bool override) {
                m_writeRequest = m_worker->revert(m_revertTarget, reason, user, {override}, false);
                updateBusy();
            });
    m_previewRequest = m_worker->revert(target, {}, user, {}, true);
    updateBusy();
    m_revertDialog->open();
}

void ChangelogPanel::reverted(int request, bool simulated, const SimulateResult &preview,
                              const ApplyResult &result, const DbError &error)
{
    if (simulated) {
        if (request != m_previewRequest)
            return;
        m_previewRequest = -1;
        if (m_revertDialog)
            m_revertDialog->setPreview(preview, error);
        if (error.isConnectionLoss())
            Q_EMIT connectionLost(error);
        updateBusy();
        return;
    }
    if (request != m_writeRequest)
        return;
    m_writeRequest = -1;
    if (error.isError() || !result.ok) {
        QString text = tr("Nothing was reverted: %1").arg(error.toString().toHtmlEscaped());
        for (const ParameterConflict &c : result.conflicts)
            text += QStringLiteral("<br>") + c.toString().toHtmlEscaped();
        if (result.retryable && !result.changeSet.isEmpty())
            text += tr("<br>The connection failed on the way; whether change set %1 committed "
                       "shows in the changelog once connected again.")
                        .arg(result.changeSet.toHtmlEscaped());
        showError(text);
        if (error.isConnectionLoss())
            Q_EMIT connectionLost(error);
    } else {
        clearError();
        m_error->showMessage(MessageBanner::Tone::Positive,
                             tr("Reverted: %n change(s) written as change set %1.", nullptr,
                                int(result.changes.size()))
                                 .arg(result.changeSet.left(8).toHtmlEscaped()));
        Q_EMIT messagePosted(tr("Reverted %n change(s)", nullptr, int(result.changes.size())));
        reload(); // the new rows show at the top
    }
    updateBusy();
}

void ChangelogPanel::exportCsv(const QString &path)
{
    if (!m_open || m_exportRequest >= 0)
        return;
    m_exportProgress =
        new QProgressDialog(tr("Exporting the changelog…"), tr("Cancel"), 0, 0, this);
    m_exportProgress->setObjectName(QStringLiteral("exportProgress"));
    m_exportProgress->setWindowTitle(tr("Export"));
    m_exportProgress->setMinimumDuration(300);
    connect(m_exportProgress, &QProgressDialog::canceled, this,
            [this] { m_worker->cancelExport(); });
    m_exportRequest = m_worker->exportCsv(m_model->filter(), path);
    updateBusy();
}

// ---------------------------------------------------------------------------------------------
// Live

void ChangelogPanel::changeReceived()
{
    if (m_open)
        m_liveDebounce->start();
}

void ChangelogPanel::lookForNewer()
{
    const std::optional<ChangelogCursor> newest = m_model->newestCursor();
    if (!newest) {
        // Nothing shown yet, or the window is away from the newest end: new rows cannot be
        // placed without a jump; an empty list simply reloads.
        if (m_model->rowCount() == 0 && !m_model->isFetching())
            reload();
        else if (m_model->rowCount() > 0) {
            m_moreNew = true;
            m_newRows.clear();
            m_newChanges->setText(tr("New changes: show them"));
            m_newChanges->show();
        }
        return;
    }
    m_newerRequest = m_worker->loadNewer(m_model->filter(), *newest, NewerLimit);
    m_timelineDebounce->start(); // the estimate and timeline follow, less eagerly
}

void ChangelogPanel::newerLoaded(int request, const ChangelogPage &page, const DbError &error)
{
    if (request != m_newerRequest)
        return;
    m_newerRequest = -1;
    if (error.isError() || page.entries.isEmpty())
        return;
    m_newRows = page.entries;
    m_moreNew = page.next.has_value();
    // At the top with nothing selected the rows simply show; elsewhere the count waits for a
    // click, and nothing the user looks at moves.
    const bool atTop = m_view->verticalScrollBar()->value() == 0 &&
                       !m_view->selectionModel()->hasSelection() &&
                       m_model->order() == ChangelogOrder::NewestFirst;
    if (atTop && !m_moreNew) {
        showNewChanges();
        return;
    }
    const QString count = QLocale().toString(qsizetype(m_newRows.size())) +
                          (m_moreNew ? QStringLiteral("+") : QString());
    m_newChanges->setText(tr("%1 new change(s): show", nullptr, int(m_newRows.size())).arg(count));
    m_newChanges->show();
}

void ChangelogPanel::showNewChanges()
{
    m_newChanges->hide();
    if (m_moreNew || m_newRows.isEmpty() || !m_model->newestCursor()) {
        m_newRows.clear();
        m_moreNew = false;
        jumpToStart();
        if (m_model->order() == ChangelogOrder::OldestFirst)
            jumpToEnd();
        return;
    }
    m_model->addNewer(m_newRows);
    m_newRows.clear();
    updateHeader();
}

// ---------------------------------------------------------------------------------------------
// Links

bool ChangelogPanel::showLink(const PanelLink &link)
{
    if (!m_open) {
        m_pendingLink = link; // shown once the connection is open
        return connection().isValid();
    }
    ChangelogFilter filter;
    if (!link.algorithmId.isEmpty())
        filter.algorithmId = link.algorithmId;
    if (!link.parameterName.isEmpty())
        filter.parameterName = link.parameterName;
    if (!link.changeSet.isEmpty())
        filter.changeSet = link.changeSet;
    m_filters->setFilter(filter);
    m_view->setFocus(Qt::OtherFocusReason);
    return true;
}
