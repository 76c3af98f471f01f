#include "agenttoggle.h"

#include "agentspanel.h"
#include "agenttablemodel.h"
#include "reasondialog.h"
#include "shell/auditidentity.h"
#include "shell/icons.h"
#include "shell/messagebanner.h"

#include <QAction>
#include <QPushButton>
#include <QTableView>

AgentToggle::AgentToggle(AgentsPanel *panel, AgentWorker *worker, AgentTableModel *model,
                         QTableView *table)
    : QObject(panel)
    , m_panel(panel)
    , m_worker(worker)
    , m_model(model)
    , m_table(table)
{
    m_action = new QAction(tr("&Toggle active"), panel);
    m_action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_action->setIcon(Icons::action(QStringLiteral("toggle-active")));
    connect(m_action, &QAction::triggered, this, &AgentToggle::toggleSelected);
    m_button = new QPushButton(m_action->icon(), tr("Toggle active"), panel);
    m_button->setObjectName(QStringLiteral("toggleActiveButton"));
    connect(m_button, &QPushButton::clicked, m_action, &QAction::trigger);
    m_note = new MessageBanner(panel);
    m_note->setObjectName(QStringLiteral("readOnlyNote"));

    connect(m_worker, &AgentWorker::activeSet, this, &AgentToggle::activeSet);
    // Queued: the reason dialog opens after the click on the checkbox has been handled, not
    // in the middle of the view's mouse event.
    connect(m_model, &AgentTableModel::activeToggleRequested, this, &AgentToggle::request,
            Qt::QueuedConnection);
}

bool AgentToggle::isAllowed() const
{
    return m_open && m_privileges.canToggleAgents && !m_panel->connection().readOnly;
}

void AgentToggle::updateState(bool open, const Privileges &privileges)
{
    m_open = open;
    m_privileges = privileges;
    const bool allowed = isAllowed();
    m_model->setTogglable(allowed);
    const QModelIndex current = m_table->currentIndex();
    const bool selected = current.isValid();
    m_action->setEnabled(allowed && selected);
    m_button->setEnabled(m_action->isEnabled());
    const QString shortcut = m_action->shortcut().toString(QKeySequence::NativeText);
    const ConnectionContext &connection = m_panel->connection();
    QString why;
    if (connection.isValid() && m_open) {
        if (connection.readOnly)
            why = tr("Read-only connection: %1. Agents cannot be switched on or off.")
                      .arg(connection.whyReadOnly());
        else if (!m_privileges.canToggleAgents)
            why = tr("Role \"%1\" may not switch agents on or off: that needs UPDATE on "
                     "algorithm_agents.is_active and INSERT on algorithm_changelog. Ask an "
                     "administrator for the privileges, or connect with another role.")
                      .arg(m_privileges.role);
    }
    m_note->showMessage(MessageBanner::Tone::Information, why);
    if (!why.isEmpty())
        m_button->setToolTip(why);
    else if (selected)
        m_button->setToolTip(
            tr("Switch %1 on or off; asks for a reason, written to the changelog (%2)")
                .arg(m_model->agent(current.row()).algorithmId, shortcut));
    else
        m_button->setToolTip(tr("Select an agent to switch it on or off (%1)").arg(shortcut));
    m_action->setToolTip(m_button->toolTip());
}

void AgentToggle::toggleSelected()
{
    if (!m_panel->isVisible())
        return;
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const Agent &agent = m_model->agent(current.row());
    request(agent.algorithmId, !agent.isActive);
}

void AgentToggle::request(const QString &algorithmId, bool active)
{
    if (!isAllowed()) {
        Q_EMIT messagePosted(m_note->text());
        return;
    }
    for (const Toggle &toggle : std::as_const(m_toggles))
        if (toggle.algorithmId == algorithmId)
            return; // one at a time per agent
    // The checkbox of another row: that agent becomes the selected one first, so that the
    // question is asked about what the user sees (pending edits of the shown one ask first;
    // keeping them cancels the toggle).
    if (algorithmId != m_panel->shownAgent() && !m_panel->selectAgent(algorithmId))
        return;
    // Without an audit user id the changelog would record no user: asked once, before.
    ConnectionContext context = m_panel->connection();
    if (!AuditIdentity::confirm(m_panel, &context,
                                active ? tr("switch %1 on").arg(algorithmId)
                                       : tr("switch %1 off").arg(algorithmId)))
        return;
    m_panel->storeConnection(context);
    const int row = m_model->rowOf(algorithmId);
    const QString name = row >= 0 ? m_model->agent(row).name : QString();
    const QString label = name.isEmpty() ? algorithmId : tr("%1 (%2)").arg(algorithmId, name);
    ActiveReasonDialog dialog(
        active ? tr("Activate %1").arg(algorithmId) : tr("Deactivate %1").arg(algorithmId),
        active ? tr("Why switch %1 on?").arg(label) : tr("Why switch %1 off?").arg(label), m_panel);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!m_panel->confirmWrite(active ? tr("switch agent %1 on").arg(algorithmId)
                                      : tr("switch agent %1 off").arg(algorithmId)))
        return;
    if (!isAllowed())
        return; // the connection went while the dialog was open
    const int request = m_worker->setActive(algorithmId, active, dialog.reason(),
                                            m_panel->connection().auditUser());
    m_toggles.insert(request, {algorithmId, active});
    m_model->setToggling(algorithmId, true);
    Q_EMIT sent();
}

void AgentToggle::activeSet(int request, const QString &algorithmId, bool active,
                            const DbError &error)
{
    if (!m_toggles.contains(request)) {
        Q_EMIT busyChanged(); // of an earlier connection, or of the editor
        return;
    }
    const Toggle toggle = m_toggles.take(request);
    m_model->setToggling(toggle.algorithmId.isEmpty() ? algorithmId : toggle.algorithmId, false);
    if (error.isError()) {
        // The checkbox shows the stored state again (the row never changed).
        QString text = tr("Could not switch %1 %2: %3")
                           .arg(algorithmId, active ? tr("on") : tr("off"), error.toString());
        if (error.sqlState == QLatin1String("42501"))
            text +=
                QLatin1Char('\n') +
                tr("Role \"%1\" lacks the privilege; nothing was changed.").arg(m_privileges.role);
        Q_EMIT failed(text);
        Q_EMIT messagePosted(tr("%1 was not changed").arg(algorithmId));
        if (error.isConnectionLoss())
            Q_EMIT connectionLost(error);
        Q_EMIT busyChanged();
        return;
    }
    Q_EMIT messagePosted(active ? tr("%1 switched on").arg(algorithmId)
                                : tr("%1 switched off").arg(algorithmId));
    Q_EMIT switched();
}

QString AgentToggle::busyText() const
{
    if (m_toggles.isEmpty())
        return {};
    const Toggle &toggle = *m_toggles.cbegin();
    return toggle.active ? tr("Switching %1 on…").arg(toggle.algorithmId)
                         : tr("Switching %1 off…").arg(toggle.algorithmId);
}

void AgentToggle::forget()
{
    for (const Toggle &toggle : std::as_const(m_toggles))
        m_model->setToggling(toggle.algorithmId, false);
    m_toggles.clear();
}
