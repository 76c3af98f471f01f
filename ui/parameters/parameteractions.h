#pragma once

#include <QObject>

class ParameterTableModel;
class QAction;
class QFrame;
class QLabel;
class QPushButton;
class QTableView;
class QUndoStack;
class QWidget;

// The parameter editor's actions (undo, redo, reset row, reset agent, preview, apply, discard,
// copy) with their shortcuts and icons, the pending bar ("N pending changes" with Discard,
// Preview and Apply), their enabled state, and the edits they make on the undo stack.
// The editor connects the triggers and decides when each may run.
class ParameterActions : public QObject
{
    Q_OBJECT

public:
    enum Kind
    {
        Undo,
        Redo,
        ResetRow,
        ResetAgent,
        Preview,
        Apply,
        Discard,
        Copy
    };

    // The actions belong to `editor` and act inside it (its table, cell editors and bar).
    ParameterActions(ParameterTableModel *model, QUndoStack *undo, QWidget *editor);

    QAction *action(Kind kind) const { return m_actions[kind]; }
    // Every action, in Kind order (the panel's menu).
    QList<QAction *> actions() const;
    // The table whose current row Reset row and Copy act on.
    void setTable(QTableView *table) { m_table = table; }
    // The pending bar; made once, by the editor's layout.
    QFrame *createBar(QWidget *parent);
    void setPendingText(const QString &html);
    QString pendingText() const; // plain text
    // Enables actions and buttons: `count` pending edits, `editable` rows, an apply running,
    // pending edits that may be sent (previewed or applied).
    void update(int count, bool editable, bool applying, bool canSend);

    // The edits of the actions, pushed on the undo stack; messageShown says why nothing was.
    void resetRow();
    void resetAgent(const QString &algorithmId);
    void discard();
    void copySelection();

Q_SIGNALS:
    // A message for the row under the table (HTML; empty clears it).
    void messageShown(const QString &html, bool error);

private:
    ParameterTableModel *m_model;
    QUndoStack *m_undo;
    QTableView *m_table = nullptr;
    QAction *m_actions[Copy + 1] = {};
    QLabel *m_pendingLabel = nullptr;
    QPushButton *m_previewButton = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_discardButton = nullptr;
};
