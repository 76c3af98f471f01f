#include "agentlistfilter.h"

#include "agenttablemodel.h"
#include "shell/colours.h"
#include "shell/icons.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

// The search box reloads this long after the last key, not on every key.
static constexpr int SearchDebounceMs = 200;

AgentListFilter::AgentListFilter(QTableView *table, QWidget *panel)
    : QObject(panel)
    , m_panel(panel)
    , m_table(table)
    , m_debounce(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(SearchDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &AgentListFilter::changed);

    m_findAction = new QAction(tr("&Find agent"), panel);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setIcon(Icons::action(QStringLiteral("find")));
    m_findAction->setToolTip(tr("Search the agents by id, name or description"));
    connect(m_findAction, &QAction::triggered, this, [this] {
        if (!m_panel->isVisible())
            return;
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    m_sortAction = new QAction(tr("&Sort by the current column"), panel);
    m_sortAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_sortAction->setIcon(Icons::action(QStringLiteral("sort")));
    m_sortAction->setToolTip(
        tr("Sort the agents by the column of the current cell; again to reverse"));
    connect(m_sortAction, &QAction::triggered, this, &AgentListFilter::sortByCurrentColumn);

    m_search = new QLineEdit(panel);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(
        tr("Search id, name or description (%1)")
            .arg(m_findAction->shortcut().toString(QKeySequence::NativeText)));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_debounce->start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        Q_EMIT changed();
    });
    m_typeFilter = new QComboBox(panel);
    m_typeFilter->setObjectName(QStringLiteral("typeFilter"));
    m_typeFilter->setToolTip(tr("Only agents of this algorithm_type"));
    m_typeFilter->setMinimumContentsLength(14);
    m_typeFilter->addItem(tr("All types"), QString());
    connect(m_typeFilter, &QComboBox::currentIndexChanged, this, &AgentListFilter::changed);
    m_activeOnly = new QCheckBox(tr("Active &only"), panel);
    m_activeOnly->setObjectName(QStringLiteral("activeOnly"));
    m_activeOnly->setToolTip(tr("Only agents with is_active = true"));
    connect(m_activeOnly, &QCheckBox::toggled, this, &AgentListFilter::changed);
    m_count = new QLabel(panel);
    m_count->setObjectName(QStringLiteral("countLabel"));
    m_count->setMinimumWidth(panel->fontMetrics().horizontalAdvance(QStringLiteral("000 agents")));

    // Said in the table itself when nothing matches, not only by the count.
    m_noMatch = new QLabel(table->viewport());
    m_noMatch->setObjectName(QStringLiteral("noMatchLabel"));
    m_noMatch->setAlignment(Qt::AlignCenter);
    m_noMatch->setStyleSheet(
        QStringLiteral("QLabel { color: %1; padding: 24px; }").arg(Colours::css(Colours::muted())));
    m_noMatch->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_noMatch->hide();
    (new QVBoxLayout(table->viewport()))->addWidget(m_noMatch);
    QHeaderView *header = table->horizontalHeader();
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(m_sortColumn, m_sortOrder);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &AgentListFilter::headerSortChanged);
}

AgentFilter AgentListFilter::filter() const
{
    AgentFilter filter;
    filter.text = m_search->text().trimmed();
    filter.type = m_typeFilter->currentData().toString();
    filter.activeOnly = m_activeOnly->isChecked();
    AgentFilter::Sort sort = AgentFilter::ByAlgorithmId;
    if (AgentTableModel::serverSort(m_sortColumn, &sort)) {
        filter.sort = sort;
        filter.descending = m_sortOrder == Qt::DescendingOrder;
    }
    return filter;
}

bool AgentListFilter::isUnfiltered() const
{
    return m_search->text().trimmed().isEmpty() &&
           m_typeFilter->currentData().toString().isEmpty() && !m_activeOnly->isChecked();
}

void AgentListFilter::stopDebounce()
{
    m_debounce->stop();
}

void AgentListFilter::showResult(const QList<Agent> &agents)
{
    const bool unfiltered = isUnfiltered();
    updateTypes(agents, unfiltered);
    m_count->setText(agents.size() == 1 ? tr("1 agent") : tr("%1 agents").arg(agents.size()));
    m_noMatch->setVisible(agents.isEmpty());
    m_noMatch->setText(unfiltered ? tr("This database has no agents yet.")
                                  : tr("No agent matches the search and filters."));
}

void AgentListFilter::reset()
{
    m_types.clear();
    updateTypes({}, true);
}

void AgentListFilter::clearCount()
{
    m_count->clear();
}

void AgentListFilter::updateTypes(const QList<Agent> &agents, bool complete)
{
    // A filtered list does not hold every type: then the known ones stay and new ones join.
    QStringList types = complete ? QStringList() : m_types;
    for (const Agent &agent : agents)
        if (!agent.algorithmType.isEmpty() && !types.contains(agent.algorithmType))
            types.append(agent.algorithmType);
    const QString chosen = m_typeFilter->currentData().toString();
    if (!chosen.isEmpty() && !types.contains(chosen))
        types.append(chosen); // the filter in use stays selectable
    std::sort(types.begin(), types.end());
    if (types == m_types && m_typeFilter->count() == types.size() + 1)
        return;
    m_types = types;
    const QSignalBlocker blocker(m_typeFilter);
    m_typeFilter->clear();
    m_typeFilter->addItem(tr("All types"), QString());
    for (const QString &type : std::as_const(m_types))
        m_typeFilter->addItem(type, type);
    m_typeFilter->setCurrentIndex(std::max(0, m_typeFilter->findData(chosen)));
}

// ---------------------------------------------------------------------------------------------
// Sort

void AgentListFilter::headerSortChanged(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= AgentTableModel::ColumnCount)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    Q_EMIT sortChanged(column, order);
}

void AgentListFilter::sortByCurrentColumn()
{
    if (!m_panel->isVisible())
        return;
    const QModelIndex current = m_table->currentIndex();
    const int column = current.isValid() ? current.column() : AgentTableModel::AlgorithmId;
    QHeaderView *header = m_table->horizontalHeader();
    Qt::SortOrder order = Qt::AscendingOrder;
    if (header->sortIndicatorSection() == column)
        order = header->sortIndicatorOrder() == Qt::AscendingOrder ? Qt::DescendingOrder
                                                                   : Qt::AscendingOrder;
    header->setSortIndicator(column, order); // → headerSortChanged
}
