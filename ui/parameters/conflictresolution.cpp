#include "conflictresolution.h"

#include "conflictdialog.h"
#include "parametertablemodel.h"
#include "workers/agentworker.h"

#include <QWidget>
#include <utility>

ConflictResolution::ConflictResolution(AgentWorker *worker, ParameterTableModel *model,
                                       QWidget *editor)
    : QObject(editor)
    , m_worker(worker)
    , m_model(model)
    , m_editor(editor)
{
    // The worker lives on its own thread: queued to this (the GUI) thread.
    connect(m_worker, &AgentWorker::latestChangesLoaded, this,
            &ConflictResolution::latestChangesLoaded);
}

void ConflictResolution::open(const QList<ParameterConflict> &conflicts)
{
    if (m_dialog)
        m_dialog->close();
    auto *dialog = new ConflictDialog(conflicts, m_model->pendingEdits(), m_editor);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &ConflictResolution::accepted);
    m_dialog = dialog;
    dialog->open();
}

void ConflictResolution::latestChangesLoaded(int request, const QList<ParameterConflict> &changes,
                                             const DbError &error)
{
    if (request != m_latestRequest)
        return;
    m_latestRequest = 0;
    if (!m_dialog)
        return;
    if (error.isError()) // the row keeps saying it changed; the value is right
        Q_EMIT messagePosted(tr("Could not read who changed it again: %1").arg(error.message));
    for (const ParameterConflict &latest : changes)
        m_dialog->theirChangeExplained(latest);
}

void ConflictResolution::rowsReloaded(const QString &algorithmId)
{
    // An open conflict dialog shows the newest values before anything is decided.
    if (!m_dialog)
        return;
    QStringList moved;
    const QList<ParameterConflict> shown = m_dialog->conflicts();
    for (const ParameterConflict &conflict : shown) {
        const Parameter *p = m_model->parameter(conflict.name);
        if (p && conflict.algorithmId == algorithmId && !conflict.missing &&
            m_dialog->theirValueChanged(conflict.name, p->currentValue))
            moved.append(conflict.name);
    }
    // Who made the newer change, when and why: read from the changelog.
    if (!moved.isEmpty())
        m_latestRequest = m_worker->loadLatestChanges(algorithmId, moved);
}

bool ConflictResolution::takeDecisions(const QString &algorithmId)
{
    const ConflictDialog *dialog = m_dialog;
    if (!dialog)
        return false;
    m_resolutions.clear();
    for (const ParameterConflict &conflict : dialog->conflicts()) {
        if (conflict.algorithmId != algorithmId)
            continue;
        m_resolutions.append(
            {conflict.name,
             !conflict.missing && dialog->resolution(conflict.name) == ConflictDialog::ReapplyMine,
             conflict.actual});
    }
    return true;
}

QString ConflictResolution::finish()
{
    const auto esc = [](const QString &text) { return text.toHtmlEscaped(); };
    const QList<Resolution> resolutions = std::exchange(m_resolutions, {});
    QStringList kept, reapplied, movedAgain;
    for (const auto &[name, reapply, seen] : resolutions) {
        if (!m_model->pendingEdits().contains(name))
            continue;
        const Parameter *newest = m_model->parameter(name);
        if (reapply && newest && !sameStoredValue(newest->currentValue, seen)) {
            // Their value moved again after the user decided on the one shown: overwriting a
            // change nobody looked at is not what "re-apply mine" meant. Still a conflict.
            movedAgain.append(name);
            continue;
        }
        if (reapply && newest) {
            m_model->rebase(name);
            reapplied.append(name);
        } else {
            m_model->keepTheirs(name);
            kept.append(name);
        }
    }
    QStringList parts;
    if (!movedAgain.isEmpty())
        parts.append(tr("%1 changed again after you decided: still in conflict, look at the "
                        "newest value and Apply again to decide")
                         .arg(esc(movedAgain.join(QStringLiteral(", ")))));
    if (!kept.isEmpty())
        parts.append(tr("kept theirs for %1").arg(esc(kept.join(QStringLiteral(", ")))));
    if (!reapplied.isEmpty())
        parts.append(tr("your edits of %1 now start from their values: press Apply (Ctrl+Return) "
                        "to write them")
                         .arg(esc(reapplied.join(QStringLiteral(", ")))));
    return tr("Conflicts resolved: %1.").arg(parts.join(QStringLiteral("; ")));
}
