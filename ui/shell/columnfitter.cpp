#include "columnfitter.h"

#include <QAction>
#include <QEvent>
#include <QHeaderView>
#include <QMenu>
#include <QSettings>
#include <QTableView>
#include <QVariant>

#include <algorithm>

ColumnFitter::ColumnFitter(QTableView *view, QList<int> stretchColumns, int stretchMinimum,
                           QList<int> dropOrder, const QString &settingsKey, int fallback)
    : QObject(view)
    , m_view(view)
    , m_viewport(view->viewport())
    , m_stretch(std::move(stretchColumns))
    , m_fallback(fallback)
    , m_stretchMinimum(stretchMinimum)
    , m_dropOrder(std::move(dropOrder))
    , m_settingsKey(settingsKey)
{
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    for (int column : std::as_const(m_stretch))
        header->setSectionResizeMode(column, QHeaderView::Stretch);
    const int columns = m_view->model()->columnCount();
    for (int column = 0; column < columns; ++column)
        m_widths.append(header->sectionSize(column));
    const QList<QVariant> hidden = QSettings().value(m_settingsKey).toList();
    for (const QVariant &column : hidden) {
        const int c = column.toInt();
        if (c >= 0 && c < columns && c != m_stretch.constFirst()) {
            m_userHidden.insert(c);
            header->hideSection(c);
        }
    }
    // A user's drag of a column's edge changes what fits.
    connect(header, &QHeaderView::sectionResized, this, [this](int column, int, int size) {
        if (!m_fitting && !m_stretch.contains(column) && size > 0 &&
            m_view->horizontalHeader()->sectionResizeMode(column) != QHeaderView::Stretch) {
            m_widths[column] = size;
            fit();
        }
    });
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, [this, header](const QPoint &at) {
        QMenu *menu = columnMenu(header);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(header->mapToGlobal(at));
    });
    m_view->viewport()->installEventFilter(this);
}

int ColumnFitter::widthOf(int column) const
{
    const QHeaderView *header = m_view->horizontalHeader();
    if (column == m_fallback && header->sectionResizeMode(column) == QHeaderView::Stretch)
        return m_widths.value(column); // stretched, it would seem to need everything
    const int size = header->sectionSize(column);
    return size > 0 ? size : m_widths.value(column);
}

int ColumnFitter::neededWidth() const
{
    const QHeaderView *header = m_view->horizontalHeader();
    int needed = 0;
    for (int column = 0; column < header->count(); ++column) {
        if (header->isSectionHidden(column))
            continue;
        needed += m_stretch.contains(column) ? m_stretchMinimum : widthOf(column);
    }
    return needed;
}

void ColumnFitter::fit()
{
    if (m_fitting)
        return;
    m_fitting = true;
    QHeaderView *header = m_view->horizontalHeader();
    const int available = m_view->viewport()->width();
    const QList<int> before = m_dropped;
    // Hide what does not fit, in the given order.
    const auto hideWhatDoesNotFit = [&] {
        for (int column : std::as_const(m_dropOrder)) {
            if (neededWidth() <= available)
                break;
            if (header->isSectionHidden(column))
                continue;
            m_widths[column] = header->sectionSize(column);
            header->hideSection(column);
            m_dropped.append(column);
        }
    };
    hideWhatDoesNotFit();
    // Bring back what fits again, the last hidden first.
    while (!m_dropped.isEmpty()) {
        const int column = m_dropped.constLast();
        const int width = m_stretch.contains(column) ? m_stretchMinimum : m_widths.value(column);
        if (neededWidth() + width > available)
            break;
        m_dropped.removeLast();
        header->showSection(column); // at the width it had, or was given while hidden
    }
    // A column given a new width while hidden (resized to its contents) may not fit after all.
    hideWhatDoesNotFit();
    // With every stretch column gone, the fallback (or the last one shown) takes the room they
    // leave.
    const bool noStretch = std::all_of(m_stretch.cbegin(), m_stretch.cend(),
                                       [header](int c) { return header->isSectionHidden(c); });
    if (m_fallback >= 0) {
        if (noStretch && header->sectionResizeMode(m_fallback) != QHeaderView::Stretch) {
            m_widths[m_fallback] = header->sectionSize(m_fallback);
            header->setSectionResizeMode(m_fallback, QHeaderView::Stretch);
        } else if (!noStretch && header->sectionResizeMode(m_fallback) == QHeaderView::Stretch) {
            header->setSectionResizeMode(m_fallback, QHeaderView::Interactive);
            header->resizeSection(m_fallback, m_widths.value(m_fallback));
        }
    } else {
        header->setStretchLastSection(noStretch);
    }
    m_fitting = false;
    if (m_dropped != before) {
        describeDropped();
        Q_EMIT droppedChanged(m_dropped);
    }
}

void ColumnFitter::describeDropped()
{
    QStringList names;
    for (int column : std::as_const(m_dropped))
        names.append(m_view->model()->headerData(column, Qt::Horizontal).toString());
    m_view->horizontalHeader()->setToolTip(
        names.isEmpty() ? tr("Right-click to choose the columns")
                        : tr("Hidden for lack of room: %1. Widen the table to see them; "
                             "right-click to choose the columns.")
                              .arg(names.join(QStringLiteral(", "))));
}

void ColumnFitter::setUserHidden(int column, bool hidden)
{
    if (column == m_stretch.constFirst() || column < 0 || column >= m_widths.size())
        return;
    QHeaderView *header = m_view->horizontalHeader();
    if (hidden) {
        m_userHidden.insert(column);
        if (!header->isSectionHidden(column))
            m_widths[column] = header->sectionSize(column);
        m_dropped.removeAll(column);
        header->hideSection(column);
    } else {
        m_userHidden.remove(column);
        m_dropped.removeAll(column);
        header->showSection(column);
    }
    QList<QVariant> list;
    for (int c : std::as_const(m_userHidden))
        list.append(c);
    std::sort(list.begin(), list.end(),
              [](const QVariant &a, const QVariant &b) { return a.toInt() < b.toInt(); });
    QSettings().setValue(m_settingsKey, list);
    fit();
    describeDropped();
}

QMenu *ColumnFitter::columnMenu(QWidget *parent)
{
    auto *menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("columnMenu"));
    for (int column = 0; column < m_widths.size(); ++column) {
        QString name = m_view->model()->headerData(column, Qt::Horizontal).toString();
        if (m_dropped.contains(column))
            name = tr("%1 (no room)").arg(name);
        QAction *action = menu->addAction(name);
        action->setCheckable(true);
        action->setChecked(!m_userHidden.contains(column));
        action->setEnabled(column != m_stretch.constFirst());
        connect(action, &QAction::toggled, this,
                [this, column](bool shown) { setUserHidden(column, !shown); });
    }
    return menu;
}

bool ColumnFitter::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_viewport && event->type() == QEvent::Resize)
        fit();
    return QObject::eventFilter(watched, event);
}
