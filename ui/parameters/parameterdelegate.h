#pragma once

#include "editing/parameterinput.h"
#include "editing/parametervalidation.h"

#include <QStyledItemDelegate>

#include <utility>

// The editor of a parameter's current value, by the type the model reports (KindRole):
// integer and decimal a QLineEdit that keeps every character typed, read by
// interpretParameterInput (a 64-bit integer or an exact decimal never passes through int or
// double; "1e-1" is shown as stored as 0.1 before it becomes pending); boolean a combo of
// true/false; string a plain QLineEdit. The bounds come from the model (RuleRole) and the check
// is validateParameterValue: a refused value is never committed — Enter/Tab keep the editor
// open and valueChecked() says why, quoting what was typed, with the allowed range.
// An editor is filled once (a live reload does not overwrite what is being typed), a new edit
// starts from the stored value shown when the editor opened, and leaving an editor unchanged
// makes no edit.
class ParameterDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model,
                      const QModelIndex &index) const override;

    // The text an editor holds (the combo's choice for a boolean).
    static QString editorText(const QWidget *editor);
    // True once after an editor was closed by leaving the cell with a refused value (which
    // was dropped): the caller keeps the message up then.
    bool takeDropped() const { return std::exchange(m_dropped, false); }

Q_SIGNALS:
    // Each time the edited text changes, and when a value is refused (`refused` true: Enter,
    // Tab or leaving the cell with it). `rule` names the parameter and its bounds; `typed` is
    // the editor's text and `stored` what the database would store (null when it is no value
    // of the type; different from `typed` when the input is normalised, as 010 → 10).
    void valueChecked(const ParameterRule &rule, const QString &typed, const QString &stored,
                      const Validation &validation, bool refused) const;

protected:
    bool eventFilter(QObject *object, QEvent *event) override;

private:
    static ParameterInput interpret(const QWidget *editor);
    Validation check(const QWidget *editor, bool refused) const;
    mutable bool m_dropped = false;
};
