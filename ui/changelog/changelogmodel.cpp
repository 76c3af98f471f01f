#include "changelog/changelogmodel.h"

#include "db/sqltimestamp.h"
#include "shell/colours.h"

#include <QFont>

#include <algorithm>

namespace {

QString nullText()
{
    return QStringLiteral("NULL");
}

// The first line of a long text, for a cell (the tooltip and the detail show all of it).
QString firstLine(const QString &text)
{
    const qsizetype end = text.indexOf(QLatin1Char('\n'));
    QString line = end < 0 ? text : text.left(end) + QStringLiteral(" …");
    if (line.size() > 200)
        line = line.left(200) + QStringLiteral("…");
    return line;
}

} // namespace

ChangelogModel::ChangelogModel(ChangelogWorker *worker, QObject *parent)
    : QAbstractTableModel(parent)
    , m_worker(worker)
{
    connect(m_worker, &ChangelogWorker::pageLoaded, this, &ChangelogModel::pageLoaded);
}

int ChangelogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ChangelogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ChangelogModel::columnName(int column)
{
    switch (column) {
    case Time:
        return tr("Time");
    case Agent:
        return tr("Agent");
    case Parameter:
        return tr("Parameter");
    case Change:
        return tr("Old → new");
    case User:
        return tr("User");
    case Role:
        return tr("Role");
    case Source:
        return tr("Source");
    case Reason:
        return tr("Reason");
    case ChangeSet:
        return tr("Change set");
    default:
        return {};
    }
}

QVariant ChangelogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole)
        return columnName(section);
    if (role == Qt::ToolTipRole && section == Time)
        return tr("Click to sort newest or oldest first (the rows come in time order only)");
    return {};
}

// The cell's value as stored: a null QString for SQL NULL.
static QString rawValue(const ChangelogEntry &e, int column)
{
    switch (column) {
    case ChangelogModel::Time:
        return e.modifiedAtText;
    case ChangelogModel::Agent:
        return e.algorithmId;
    case ChangelogModel::Parameter:
        return e.parameterName;
    case ChangelogModel::User:
        return e.userId ? QString::number(*e.userId) : QString();
    case ChangelogModel::Role:
        return e.dbRole;
    case ChangelogModel::Source:
        return e.source;
    case ChangelogModel::Reason:
        return e.reason;
    case ChangelogModel::ChangeSet:
        return e.changeSet;
    default:
        return {};
    }
}

QVariant ChangelogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ChangelogEntry &e = m_rows.at(index.row());
    const int column = index.column();
    if (column == Change) {
        switch (role) {
        case Qt::DisplayRole:
            return QStringLiteral("%1 → %2").arg(
                e.oldValue.isNull() ? nullText() : firstLine(e.oldValue),
                e.newValue.isNull() ? nullText() : firstLine(e.newValue));
        case Qt::ToolTipRole:
            return tr("Old: %1\nNew: %2")
                .arg(e.oldValue.isNull() ? nullText() : e.oldValue.left(2000),
                     e.newValue.isNull() ? nullText() : e.newValue.left(2000));
        case ValuesRole:
            return QStringList{e.oldValue, e.newValue};
        default:
            return {};
        }
    }
    const QString value = rawValue(e, column);
    const bool isNull = value.isNull();
    switch (role) {
    case Qt::DisplayRole:
        if (isNull)
            return nullText();
        if (column == Time)
            return e.modifiedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (column == ChangeSet)
            return value.left(8);
        return firstLine(value);
    case Qt::ToolTipRole:
        if (isNull)
            return column == Time ? tr("No time recorded (a row from before the audit columns)")
                                  : tr("NULL: not recorded");
        return value.left(2000);
    case Qt::ForegroundRole:
        return isNull ? QVariant(Colours::muted()) : QVariant();
    case Qt::FontRole:
        if (isNull) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case IsNullRole:
        return isNull;
    default:
        return {};
    }
}

QString ChangelogModel::text(const QModelIndex &index) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ChangelogEntry &e = m_rows.at(index.row());
    if (index.column() == Change)
        return e.oldValue + QStringLiteral(" → ") + e.newValue;
    return rawValue(e, index.column());
}

bool ChangelogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_open && m_moreBelow && m_pending == Pending::None;
}

void ChangelogModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent) || m_rows.isEmpty())
        return;
    request(Pending::Below, ChangelogCursor::after(m_rows.constLast()), m_order);
}

void ChangelogModel::fetchAbove()
{
    if (!canFetchAbove() || m_rows.isEmpty())
        return;
    // The rows before the first one, nearest first: the reverse order from the first row.
    request(Pending::Above, ChangelogCursor::after(m_rows.constFirst()), reversed(m_order));
}

void ChangelogModel::setWindow(int pageSize, int pages)
{
    m_pageSize = std::max(1, pageSize);
    m_maxRows = m_pageSize * std::max(2, pages);
}

void ChangelogModel::reset(const ChangelogFilter &filter, ChangelogOrder order, bool fromOldest)
{
    beginResetModel();
    m_rows.clear();
    m_filter = filter;
    m_order = order;
    m_open = true;
    m_moreAbove = false;
    m_moreBelow = false;
    m_fromOldest = fromOldest;
    m_firstIndex = fromOldest ? -1 : 0;
    endResetModel();
    request(Pending::Reset, std::nullopt, fromOldest ? reversed(order) : order);
}

void ChangelogModel::resetAt(const ChangelogFilter &filter, ChangelogOrder order,
                             const QDateTime &moment)
{
    beginResetModel();
    m_rows.clear();
    m_filter = filter;
    m_order = order;
    m_open = true;
    m_moreAbove = true;
    m_moreBelow = false;
    m_fromOldest = false;
    m_firstIndex = -1;
    endResetModel();
    // Strictly after (moment, "") in the order: newest first that is before the moment, oldest
    // first from the moment on.
    request(Pending::Below, ChangelogCursor{SqlTimestamp::toSql(moment), QStringLiteral("")},
            order);
}

void ChangelogModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_open = false;
    m_moreAbove = false;
    m_moreBelow = false;
    m_pending = Pending::None;
    m_request = -1;
    m_firstIndex = 0;
    endResetModel();
}

void ChangelogModel::request(Pending kind, const std::optional<ChangelogCursor> &after,
                             ChangelogOrder order)
{
    m_pending = kind;
    m_request = m_worker->loadPage({m_filter, after, order, m_pageSize});
}

void ChangelogModel::pageLoaded(int request, const ChangelogPage &page, const DbError &error)
{
    if (request != m_request)
        return; // an older filter's page, or one from before clear()
    // m_pending stays set while the rows go in: a view (or QAbstractItemModelTester) that asks
    // for more from inside the insertion signals would otherwise page from the old last row.
    const Pending kind = m_pending;
    m_request = -1;
    if (error.isError()) {
        m_pending = Pending::None;
        Q_EMIT pageArrived(error);
        return;
    }
    const bool full = page.next.has_value();
    const int count = int(page.entries.size());
    if (kind == Pending::Reset) {
        QList<ChangelogEntry> rows = page.entries;
        if (m_fromOldest) {
            std::reverse(rows.begin(), rows.end());
            m_moreAbove = full;
            if (!full)
                m_firstIndex = 0; // the oldest page is also the newest: the whole result
        } else {
            m_moreBelow = full;
        }
        if (count > 0) {
            beginInsertRows({}, 0, count - 1);
            m_rows = rows;
            endInsertRows();
        }
    } else if (kind == Pending::Below) {
        m_moreBelow = full;
        if (count > 0) {
            trimAbove(count);
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + count - 1);
            m_rows.append(page.entries);
            endInsertRows();
        }
    } else if (kind == Pending::Above) {
        m_moreAbove = full;
        if (count > 0) {
            trimBelow(count);
            QList<ChangelogEntry> rows = page.entries;
            std::reverse(rows.begin(), rows.end());
            beginInsertRows({}, 0, count - 1);
            m_rows = rows + m_rows;
            endInsertRows();
            if (m_firstIndex >= 0)
                m_firstIndex = std::max<qint64>(0, m_firstIndex - count);
            Q_EMIT rowsAddedAbove(count);
        }
        if (!m_moreAbove)
            m_firstIndex = 0;
    }
    m_pending = Pending::None;
    Q_EMIT pageArrived({});
}

void ChangelogModel::trimAbove(int incoming)
{
    const int excess = std::min(int(m_rows.size()), int(m_rows.size()) + incoming - m_maxRows);
    if (excess <= 0)
        return;
    beginRemoveRows({}, 0, excess - 1);
    m_rows.remove(0, excess);
    endRemoveRows();
    m_moreAbove = true;
    if (m_firstIndex >= 0)
        m_firstIndex += excess;
    Q_EMIT rowsDroppedAbove(excess);
}

void ChangelogModel::trimBelow(int incoming)
{
    const int excess = std::min(int(m_rows.size()), int(m_rows.size()) + incoming - m_maxRows);
    if (excess <= 0)
        return;
    const int first = int(m_rows.size()) - excess;
    beginRemoveRows({}, first, int(m_rows.size()) - 1);
    m_rows.remove(first, excess);
    endRemoveRows();
    m_moreBelow = true;
}

ChangelogOrder ChangelogModel::reversed(ChangelogOrder order)
{
    return order == ChangelogOrder::NewestFirst ? ChangelogOrder::OldestFirst
                                                : ChangelogOrder::NewestFirst;
}

int ChangelogModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return row;
    }
    return -1;
}

std::optional<ChangelogCursor> ChangelogModel::newestCursor() const
{
    if (m_rows.isEmpty())
        return std::nullopt;
    if (m_order == ChangelogOrder::NewestFirst)
        return atTop() ? std::optional(ChangelogCursor::after(m_rows.constFirst())) : std::nullopt;
    return atBottom() ? std::optional(ChangelogCursor::after(m_rows.constLast())) : std::nullopt;
}

void ChangelogModel::addNewer(const QList<ChangelogEntry> &rowsOldestFirst)
{
    const int count = int(rowsOldestFirst.size());
    if (count == 0)
        return;
    if (m_order == ChangelogOrder::NewestFirst) {
        QList<ChangelogEntry> rows = rowsOldestFirst;
        std::reverse(rows.begin(), rows.end());
        trimBelow(count);
        beginInsertRows({}, 0, count - 1);
        m_rows = rows + m_rows;
        endInsertRows();
        Q_EMIT rowsAddedAbove(count);
    } else {
        trimAbove(count);
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + count - 1);
        m_rows.append(rowsOldestFirst);
        endInsertRows();
    }
}
