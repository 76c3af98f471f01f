#pragma once

#include "editing/pendingedits.h"

#include <QList>
#include <QUndoCommand>

#include <optional>

class ParameterTableModel;

// One undoable change of the pending edits: an edit of a cell, a reset of a row or of the
// whole agent to defaults, a discard. It records each touched parameter's pending edit before
// and after, so that undo and redo restore exactly what was there.
class PendingEditCommand : public QUndoCommand
{
public:
    struct Step
    {
        QString name;
        std::optional<PendingEdit> before;
        std::optional<PendingEdit> after;
    };

    PendingEditCommand(ParameterTableModel *model, const QString &text, const QList<Step> &steps);

    void undo() override;
    void redo() override;

private:
    ParameterTableModel *m_model;
    QList<Step> m_steps;
};
