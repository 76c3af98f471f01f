#include "lockholdermodel.h"

#include <QLocale>

#include <algorithm>

void LockHolderModel::setHolders(const QList<LockHolder> &holders)
{
    // Remove the rows whose pid is gone, then update or append in the new order's terms.
    for (int row = int(m_holders.size()) - 1; row >= 0; --row) {
        const int pid = m_holders.at(row).pid;
        const bool kept = std::any_of(holders.cbegin(), holders.cend(),
                                      [pid](const LockHolder &h) { return h.pid == pid; });
        if (!kept) {
            beginRemoveRows({}, row, row);
            m_holders.removeAt(row);
            endRemoveRows();
        }
    }
    for (const LockHolder &holder : holders) {
        const auto it = std::find_if(m_holders.begin(), m_holders.end(),
                                     [&](const LockHolder &h) { return h.pid == holder.pid; });
        if (it != m_holders.end()) {
            *it = holder;
            const int row = int(it - m_holders.begin());
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
            continue;
        }
        const int row = int(m_holders.size());
        beginInsertRows({}, row, row);
        m_holders.append(holder);
        endInsertRows();
    }
}

int LockHolderModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_holders.size());
}

int LockHolderModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LockHolderModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LockHolder &h = m_holders.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Pid:
            return h.pid;
        case Role:
            return h.role;
        case Application:
            return h.application;
        case State:
            return h.state;
        case Since: {
            if (!h.since.isValid())
                return QString();
            const qint64 seconds = h.since.secsTo(QDateTime::currentDateTime());
            return tr("%1 (%2 s ago)")
                .arg(QLocale().toString(h.since.toLocalTime().time(), QLocale::LongFormat))
                .arg(std::max<qint64>(0, seconds));
        }
        case Query:
            return h.query.simplified();
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Query)
        return h.query;
    if (role == Qt::TextAlignmentRole && index.column() == Pid)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant LockHolderModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Pid:
        return tr("PID");
    case Role:
        return tr("Role");
    case Application:
        return tr("Application");
    case State:
        return tr("State");
    case Since:
        return tr("Since");
    case Query:
        return tr("Query");
    }
    return {};
}
