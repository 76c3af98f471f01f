#include "parametercommands.h"

#include "parametertablemodel.h"

PendingEditCommand::PendingEditCommand(ParameterTableModel *model, const QString &text,
                                       const QList<Step> &steps)
    : m_model(model)
    , m_steps(steps)
{
    setText(text);
}

void PendingEditCommand::undo()
{
    for (const Step &step : std::as_const(m_steps))
        m_model->setEdit(step.name, step.before);
}

void PendingEditCommand::redo()
{
    for (const Step &step : std::as_const(m_steps))
        m_model->setEdit(step.name, step.after);
}
