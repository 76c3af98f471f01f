// STUB — branch agents-panel only. A minimal, read-only ParameterEditor so that the Agents
// panel builds and its tests run before the real editor (branch `parameters`) is merged.
// Drop this file (and its line in ui/CMakeLists.txt) at merge.
#include "parametereditor.h"

#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {
struct StubState
{
    AgentWorker *worker = nullptr;
    QString algorithmId;
    int request = -1; // none on its way
    QTableWidget *table = nullptr;
};
// The header has no private members: the stub keeps its state beside it.
QHash<const ParameterEditor *, StubState> &states()
{
    static QHash<const ParameterEditor *, StubState> map;
    return map;
}
} // namespace

ParameterEditor::ParameterEditor(AgentWorker *worker, QWidget *parent)
    : QWidget(parent)
{
    StubState &state = states()[this];
    state.worker = worker;
    state.table = new QTableWidget(0, 6, this);
    state.table->setObjectName(QStringLiteral("parametersView"));
    state.table->setHorizontalHeaderLabels(
        {tr("Parameter"), tr("Type"), tr("Current"), tr("Default"), tr("Min"), tr("Max")});
    state.table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    state.table->verticalHeader()->hide();
    state.table->horizontalHeader()->setStretchLastSection(true);
    auto *note = new QLabel(tr("Parameters (read-only preview: editing comes with the "
                               "parameter editor)"),
                            this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(note);
    layout->addWidget(state.table);
    connect(worker, &AgentWorker::parametersLoaded, this,
            [this](int request, const Agent &agent, const QList<Parameter> &parameters,
                   const ConfigDrift &drift, const DbError &error) {
                StubState &s = states()[this];
                if (request != s.request)
                    return;
                s.request = -1;
                Q_EMIT busyChanged(false, {});
                if (error.isError()) {
                    Q_EMIT messagePosted(error.toString());
                    if (error.isConnectionLoss())
                        Q_EMIT connectionLost(error);
                    return;
                }
                s.table->setRowCount(int(parameters.size()));
                for (int row = 0; row < parameters.size(); ++row) {
                    const Parameter &p = parameters.at(row);
                    const QStringList cells{p.name,         p.type,     p.currentValue,
                                            p.defaultValue, p.minValue, p.maxValue};
                    for (int column = 0; column < cells.size(); ++column)
                        s.table->setItem(row, column, new QTableWidgetItem(cells.at(column)));
                }
                Q_EMIT parametersShown(agent, parameters, drift);
            });
}

ParameterEditor::~ParameterEditor()
{
    states().remove(this);
}

void ParameterEditor::setConnection(const ConnectionContext &context, const Privileges &privileges)
{
    Q_UNUSED(context);
    Q_UNUSED(privileges);
    // The worker drops what was queued for the previous connection without an answer.
    StubState &s = states()[this];
    if (s.request != -1) {
        s.request = -1;
        Q_EMIT busyChanged(false, {});
    }
}

void ParameterEditor::showAgent(const QString &algorithmId)
{
    StubState &s = states()[this];
    s.algorithmId = algorithmId;
    s.table->setRowCount(0);
    s.request = -1;
    reload();
}

QString ParameterEditor::algorithmId() const
{
    return states().value(this).algorithmId;
}

void ParameterEditor::reload()
{
    StubState &s = states()[this];
    if (s.algorithmId.isEmpty())
        return;
    s.request = s.worker->loadParameters(s.algorithmId);
    Q_EMIT busyChanged(true, tr("Loading the parameters of %1…").arg(s.algorithmId));
}

int ParameterEditor::pendingCount() const
{
    return 0;
}

bool ParameterEditor::confirmDiscard(const QString &what)
{
    Q_UNUSED(what);
    return true;
}

bool ParameterEditor::isBusy() const
{
    return states().value(this).request != -1;
}

QList<QAction *> ParameterEditor::editorActions() const
{
    return {};
}
