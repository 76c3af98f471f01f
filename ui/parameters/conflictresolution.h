#pragma once

#include "editing/pendingedits.h"
#include "repositories/parameterrepository.h"

#include <QObject>
#include <QPointer>

class AgentWorker;
class ConflictDialog;
class ParameterTableModel;

// The conflict-resolution flow of the parameter editor: the conflict dialog of a refused
// apply, kept current while it is open (newer values and who wrote them), and the user's
// decisions, which wait for the reload in flight before they move the edits' bases.
class ConflictResolution : public QObject
{
    Q_OBJECT

public:
    // The dialog opens over `editor`; the latest changes are read through `worker`.
    ConflictResolution(AgentWorker *worker, ParameterTableModel *model, QWidget *editor);

    // Shows the conflicts of a refused apply (an earlier dialog closes).
    void open(const QList<ParameterConflict> &conflicts);
    // Rows of `algorithmId` were reloaded: an open dialog shows the newest values, and who
    // changed them is read from the changelog.
    void rowsReloaded(const QString &algorithmId);
    // Takes the accepted dialog's decisions for `algorithmId`'s rows; they wait for finish().
    // False when no dialog is open.
    bool takeDecisions(const QString &algorithmId);
    // Decisions are waiting (the edits' bases are about to move).
    bool isWaiting() const { return !m_resolutions.isEmpty(); }
    // Drops the waiting decisions (another agent is shown).
    void clear() { m_resolutions.clear(); }
    // Carries the waiting decisions out on the newest rows; returns the message (HTML) that
    // says what was done. The caller clears the undo stack: the bases moved.
    QString finish();

Q_SIGNALS:
    // The user accepted the dialog.
    void accepted();
    void messagePosted(const QString &message);

private:
    void latestChangesLoaded(int request, const QList<ParameterConflict> &changes,
                             const DbError &error);

    // A decision of the conflict dialog: re-apply (or keep theirs) for the value it showed.
    struct Resolution
    {
        QString name;
        bool reapply = false;
        QString seenTheirs;
    };

    AgentWorker *m_worker;
    ParameterTableModel *m_model;
    QWidget *m_editor;
    QList<Resolution> m_resolutions;
    int m_latestRequest = 0; // who changed a conflict's value again (0 = none in flight)
    QPointer<ConflictDialog> m_dialog;
};
