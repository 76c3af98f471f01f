#pragma once

#include "editing/pendingedits.h"
#include "repositories/parameterrepository.h"

#include <QList>
#include <QString>
#include <QStringList>

// An apply whose answer was lost with the connection may or may not have committed. Applying
// the same edits again then meets the values that apply wrote as "conflicts" (their `from` no
// longer matches). This tells those apart from real ones. Pure: no SQL, no widgets.
class LostApply
{
public:
    // The connection went during an apply of `sent` (the changes of one agent) written as
    // change set `changeSet`.
    void remember(const QString &changeSet, const QList<ParameterChange> &sent);
    void clear();
    bool isEmpty() const { return m_changeSet.isEmpty(); }
    const QString &changeSet() const { return m_changeSet; }

    struct Sorted
    {
        QList<ParameterConflict> conflicts; // real: someone else wrote them
        QStringList alreadyApplied;         // ours: the lost apply did commit, in conflict order
    };
    // Sorts an apply's conflicts: one written by the lost apply's change set, of a parameter it
    // sent, still holding the value the pending edit (`edits`) wants, is already applied; every
    // other conflict is real.
    Sorted sort(const QList<ParameterConflict> &conflicts, const PendingEdits &edits) const;

private:
    QString m_changeSet;
    QList<ParameterChange> m_sent;
};
