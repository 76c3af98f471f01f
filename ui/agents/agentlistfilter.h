#pragma once

#include "agenttablemodel.h"

#include <QObject>
#include <QStringList>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;
class QWidget;

// What of the agents the list shows, and in which order: the search box (reloading a moment
// after the last key, at once on Return) and its Find action, the type filter, the active-only
// toggle, the sort of the table's header and its Sort action, the count of listed agents and
// the "no match" note over the table. The server filters and, where it has a key, sorts
// (AgentFilter); the panel loads the list when changed() says so. The widgets and actions are
// children of `panel`, for it to lay out; the actions act only while it is visible.
class AgentListFilter : public QObject
{
    Q_OBJECT

public:
    // `table` shows the list: its header carries the sort, its viewport the "no match" note.
    AgentListFilter(QTableView *table, QWidget *panel);

    QAction *findAction() const { return m_findAction; } // Ctrl+F: into the search box
    QAction *sortAction() const { return m_sortAction; } // Ctrl+Shift+S: by the current column
    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *typeFilter() const { return m_typeFilter; }
    QCheckBox *activeOnly() const { return m_activeOnly; }
    QLabel *countLabel() const { return m_count; }

    // The request for the server: search text, type, active only and the server's sort key.
    AgentFilter filter() const;
    // No search text, type or active-only: the list holds every agent.
    bool isUnfiltered() const;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    // A load is on its way: the search typed so far need not wait any longer.
    void stopDebounce();
    // A list arrived: the known types, the count and the "no match" note follow it.
    void showResult(const QList<Agent> &agents);
    // Another database: its types are not known yet; the count goes.
    void reset();
    void clearCount();

Q_SIGNALS:
    // The search, type or active-only changed: the list is to be loaded again.
    void changed();
    // The header's sort changed (a valid column).
    void sortChanged(int column, Qt::SortOrder order);

private:
    // Sorts by the column of the table's current cell; again on the same column reverses.
    void sortByCurrentColumn();
    void updateTypes(const QList<Agent> &agents, bool complete);
    void headerSortChanged(int column, Qt::SortOrder order);

    QWidget *m_panel = nullptr;
    QTableView *m_table = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_sortAction = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_typeFilter = nullptr;
    QCheckBox *m_activeOnly = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_noMatch = nullptr; // over the table when no agent matches
    QTimer *m_debounce = nullptr;

    QStringList m_types;
    int m_sortColumn = AgentTableModel::AlgorithmId;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};
