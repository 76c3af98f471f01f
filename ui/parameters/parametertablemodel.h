#pragma once

#include "repositories/parameterrepository.h"
#include "editing/pendingedits.h"

#include <QAbstractTableModel>

// The parameters of one agent with the user's pending edits over them: the Current column
// shows (and edits) the pending value, marked; a pending edit whose `from` is no longer the
// stored value is marked as conflicting. Unknown types and stored values that fail the rule
// are shown as such and are not editable. Editing emits valueEdited() instead of changing the
// edits itself, so that the editor can make it an undo command (which calls setEdit()).
class ParameterTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Type,
        Current,
        Default,
        Min,
        Max,
        Description,
        Impact,
        ColumnCount
    };
    // What the delegate reads to build its editor and check a value (Qt's spinbox delegate
    // reads its bounds the same way).
    enum Role
    {
        KindRole = Qt::UserRole + 1, // int(ParameterKind)
        RuleRole,                    // QVariant::fromValue(ParameterRule)
        PendingRole,                 // bool: the row has a pending edit
        ConflictRole,                // bool: the pending edit's base moved
        StoredValueRole              // the stored current value (null = NULL)
    };

    explicit ParameterTableModel(QObject *parent = nullptr);

    // New rows (another agent, or a reload of the same one): the pending edits are kept.
    void setParameters(const QList<Parameter> &parameters);
    const QList<Parameter> &parameters() const { return m_parameters; }
    const Parameter *parameter(const QString &name) const;
    int rowOf(const QString &name) const;

    const PendingEdits &pendingEdits() const { return m_edits; }
    void setEdit(const QString &name, const std::optional<PendingEdit> &edit);
    void setEdits(const PendingEdits &edits);
    // An apply wrote `to` over `name`: its edit goes and the row shows `to` until the reload.
    void setApplied(const QString &name, const QString &to);
    // Keep theirs / re-apply of the conflict dialog (see PendingEdits). Neither writes a value
    // of the conflict into the rows (it may be older than the last reload): keep theirs drops
    // the edit, rebase makes the row's stored value as of the last reload the edit's `from`.
    void keepTheirs(const QString &name);
    void rebase(const QString &name);
    QStringList conflicting() const { return m_edits.conflicting(m_parameters); }

    // Nothing is editable while read-only (role, server) or while an apply runs.
    void setEditable(bool editable);
    bool isEditable() const { return m_editable; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Current column only: refuses (false) a value failing validateParameterValue; otherwise
    // emits valueEdited() and returns true.
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    // As setData, for an editor that opened over the stored value `from`: a new edit starts
    // from what the user saw, not from what a reload brought meanwhile (then it conflicts).
    bool setValue(const QModelIndex &index, const QString &value, const QString &from);

    // Whether the row's value may be edited at all (known type, valid stored value).
    static bool isEditableParameter(const Parameter &parameter);
    // "1 change", "3 changes": English plurals without a translator installed.
    static QString count(int n, const QString &one, const QString &many);
    // The shown text of a value: NULL as "(unset)".
    static QString displayValue(const QString &value);

Q_SIGNALS:
    // The user set `name` to `to`; `before`/`after` are its pending edit before and after.
    void valueEdited(const QString &name, const std::optional<PendingEdit> &before,
                     const std::optional<PendingEdit> &after);

private:
    void rowChanged(int row);
    QList<Parameter> m_parameters;
    PendingEdits m_edits;
    bool m_editable = true;
};
