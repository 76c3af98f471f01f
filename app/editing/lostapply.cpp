#include "editing/lostapply.h"

#include <algorithm>

void LostApply::remember(const QString &changeSet, const QList<ParameterChange> &sent)
{
    m_changeSet = changeSet;
    m_sent = sent;
}

void LostApply::clear()
{
    m_changeSet.clear();
    m_sent.clear();
}

LostApply::Sorted LostApply::sort(const QList<ParameterConflict> &conflicts,
                                  const PendingEdits &edits) const
{
    Sorted sorted;
    for (const ParameterConflict &conflict : conflicts) {
        const auto edit = edits.edit(conflict.name);
        const bool sentThen = std::any_of(m_sent.cbegin(), m_sent.cend(), [&](const auto &c) {
            return c.algorithmId == conflict.algorithmId && c.name == conflict.name;
        });
        // Our own write: the change set that lost its answer, with the value we still want.
        const bool ours = !m_changeSet.isEmpty() && conflict.changeSet == m_changeSet &&
                          !conflict.missing && sentThen && edit &&
                          sameStoredValue(edit->to, conflict.actual);
        if (ours)
            sorted.alreadyApplied.append(conflict.name);
        else
            sorted.conflicts.append(conflict);
    }
    return sorted;
}
