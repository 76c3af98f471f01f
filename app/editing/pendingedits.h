#pragma once

#include "repositories/parameterrepository.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// One parameter the user has changed but not applied: set `to` where the stored value was
// `from` (null = SQL NULL) when the edit began.
struct PendingEdit
{
    QString from;
    QString to;
    bool operator==(const PendingEdit &other) const = default;
};

// Equal as stored values: both NULL, or the same text (an empty text is not NULL).
bool sameStoredValue(const QString &a, const QString &b);

// Why `reason` is not enough to apply with (empty when it is): required, at least 3 words or
// 10 characters once trimmed, so that the changelog says why.
QString reasonProblem(const QString &reason);

// The pending edits of one agent, keyed by parameter name (sorted, so that the changes are
// built in a stable order). Pure: no SQL, no widgets.
class PendingEdits
{
public:
    int count() const { return int(m_edits.size()); }
    bool isEmpty() const { return m_edits.isEmpty(); }
    bool contains(const QString &name) const { return m_edits.contains(name); }
    std::optional<PendingEdit> edit(const QString &name) const;
    QStringList names() const { return m_edits.keys(); }
    void clear() { m_edits.clear(); }

    // Sets (or, with nullopt, removes) the edit of `name` exactly as given: undo/redo.
    void setEdit(const QString &name, const std::optional<PendingEdit> &edit);
    // The user set `name` to `to` while the stored value is `stored`: an edit from `stored`
    // (an existing edit keeps its `from`); an edit back to its `from` is no edit and is removed.
    // The resulting edit, or nullopt when there is none.
    std::optional<PendingEdit> edited(const QString &name, const QString &stored,
                                      const QString &to) const;

    // True when `name` has an edit whose `from` is no longer the stored value: someone else
    // changed it since the edit began.
    bool isConflicting(const QString &name, const QString &stored) const;
    // The names conflicting with the stored values of `parameters` (a parameter that no longer
    // exists conflicts too).
    QStringList conflicting(const QList<Parameter> &parameters) const;

    // After a conflict: keep theirs drops the edit; re-apply makes their value the new `from`
    // so that the next apply overwrites it knowingly (an edit that now changes nothing goes).
    void keepTheirs(const QString &name) { m_edits.remove(name); }
    void rebase(const QString &name, const QString &theirs);

    // The changes to send for `algorithmId`, by name.
    QList<ParameterChange> changes(const QString &algorithmId) const;

private:
    QMap<QString, PendingEdit> m_edits;
};
