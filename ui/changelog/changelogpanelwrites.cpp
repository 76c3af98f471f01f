// ChangelogPanel's writes and long runs: revert and restore (preview, confirm, write through
// the audited apply path) and the CSV export. The rest of the class is in changelogpanel.cpp.
#include "changelog/changelogpanel.h"

#include "changelog/changelogmodel.h"
#include "changelog/revertdialog.h"
#include "shell/messagebanner.h"

#include <QLocale>
#include <QProgressDialog>

void ChangelogPanel::startRevert(const RevertTarget &target)
{
    if (!m_open || m_writeRequest >= 0 || m_revertDialog)
        return;
    if (connection().readOnly) {
        showError(tr("This connection is read-only: nothing can be reverted here."));
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
