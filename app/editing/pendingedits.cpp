#include "editing/pendingedits.h"

#include <QRegularExpression>

bool sameStoredValue(const QString &a, const QString &b)
{
    return a.isNull() == b.isNull() && a == b;
}

QString reasonProblem(const QString &reason)
{
    const QString text = reason.simplified();
    if (text.isEmpty())
        return QStringLiteral("A reason is required: it is written to the changelog.");
    // Either rule is enough: "raise cache ttl" says why in 3 words, "CVE-2026-1" in 10 chars.
    const qsizetype words = text.split(u' ', Qt::SkipEmptyParts).size();
    if (words < 3 && text.size() < 10)
        return QStringLiteral("Say why in at least 3 words or 10 characters.");
    return {};
}

std::optional<PendingEdit> PendingEdits::edit(const QString &name) const
{
    const auto it = m_edits.constFind(name);
    if (it == m_edits.constEnd())
        return std::nullopt;
    return *it;
}

void PendingEdits::setEdit(const QString &name, const std::optional<PendingEdit> &edit)
{
    if (edit)
        m_edits.insert(name, *edit);
    else
        m_edits.remove(name);
}

std::optional<PendingEdit> PendingEdits::edited(const QString &name, const QString &stored,
                                                const QString &to) const
{
    // The `from` is what the user saw when the first edit of the row began, so that a later
    // edit of the same row still detects a change made by someone else in between.
    const QString from = contains(name) ? m_edits.value(name).from : stored;
    if (sameStoredValue(from, to))
        return std::nullopt;
    return PendingEdit{from, to};
}

bool PendingEdits::isConflicting(const QString &name, const QString &stored) const
{
    const auto it = m_edits.constFind(name);
    return it != m_edits.constEnd() && !sameStoredValue(it->from, stored);
}

QStringList PendingEdits::conflicting(const QList<Parameter> &parameters) const
{
    QStringList result;
    for (auto it = m_edits.constBegin(); it != m_edits.constEnd(); ++it) {
        const Parameter *found = nullptr;
        for (const Parameter &p : parameters)
            if (p.name == it.key()) {
                found = &p;
                break;
            }
        if (!found || !sameStoredValue(it->from, found->currentValue))
            result.append(it.key());
    }
    return result;
}

void PendingEdits::rebase(const QString &name, const QString &theirs)
{
    auto it = m_edits.find(name);
    if (it == m_edits.end())
        return;
    if (sameStoredValue(it->to, theirs))
        m_edits.erase(it);
    else
        it->from = theirs;
}

QList<ParameterChange> PendingEdits::changes(const QString &algorithmId) const
{
    QList<ParameterChange> result;
    for (auto it = m_edits.constBegin(); it != m_edits.constEnd(); ++it)
        result.append({algorithmId, it.key(), it->from, it->to});
    return result;
}
