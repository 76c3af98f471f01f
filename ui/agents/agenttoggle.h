#pragma once

#include "db/dberror.h"
#include "repositories/privileges.h"

#include <QHash>
#include <QObject>

class AgentTableModel;
class AgentWorker;
class AgentsPanel;
class MessageBanner;
class QAction;
class QPushButton;
class QTableView;

// Switching agents on and off (issue 5): the Toggle active action and button, the note that
// says why they are not available, and the way of one switch: the audit user id, the reason,
// the production confirmation, the request to the worker and its answer. The row itself
// changes when the list is loaded again after a successful answer (switched()).
class AgentToggle : public QObject
{
    Q_OBJECT

public:
    // The dialogs open over `panel`; the selected agent is the current row of `table`, which
    // shows `model`. The widgets are children of `panel`, for it to lay out.
    AgentToggle(AgentsPanel *panel, AgentWorker *worker, AgentTableModel *model, QTableView *table);

    QAction *action() const { return m_action; }
    QPushButton *button() const { return m_button; }
    MessageBanner *note() const { return m_note; } // why switching is not possible, if so

    // The panel's connection is open (or not) with these privileges; also follows the
    // selected agent. Call after any of them changed.
    void updateState(bool open, const Privileges &privileges);
    // Whether the role and the connection allow switching agents on and off.
    bool isAllowed() const;

    bool isBusy() const { return !m_toggles.isEmpty(); }
    QString busyText() const; // empty while no switch is on its way
    // The connection changed: the switches on their way answer for the old one, unheard.
    void forget();

Q_SIGNALS:
    void sent();                      // a switch went to the worker
    void switched();                  // a switch was stored: the list is to be loaded again
    void failed(const QString &text); // a switch was refused or failed: nothing changed
    void busyChanged();               // busyText() may have changed
    void messagePosted(const QString &message);
    void connectionLost(const DbError &error);

private:
    struct Toggle
    {
        QString algorithmId;
        bool active = false;
    };

    // Switches the selected agent the other way, asking first (the action).
    void toggleSelected();
    // Asks for the switch of `algorithmId` to `active` and sends it (also the Active checkbox).
    void request(const QString &algorithmId, bool active);
    void activeSet(int request, const QString &algorithmId, bool active, const DbError &error);

    AgentsPanel *m_panel = nullptr;
    AgentWorker *m_worker = nullptr;
    AgentTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;

    QAction *m_action = nullptr;
    QPushButton *m_button = nullptr;
    MessageBanner *m_note = nullptr;

    bool m_open = false;
    Privileges m_privileges;
    QHash<int, Toggle> m_toggles; // by request id
};
