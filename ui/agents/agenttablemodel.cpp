#include "agenttablemodel.h"

#include <QLocale>

#include <algorithm>

static QString layersText(const QList<int> &layers)
{
    QStringList parts;
    for (int layer : layers)
        parts.append(QString::number(layer));
    return parts.join(QStringLiteral(", "));
}

static QString timeText(const QDateTime &when)
{
    return when.isValid() ? when.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                          : QString();
}

int AgentTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_agents.size());
}

int AgentTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AgentTableModel::text(const QModelIndex &index) const
{
    if (!index.isValid() || index.row() >= m_agents.size())
        return {};
    const Agent &a = m_agents.at(index.row());
    switch (index.column()) {
    case AlgorithmId:
        return a.algorithmId;
    case Name:
        return a.name;
    case Type:
        return a.algorithmType;
    case Active:
        return a.isActive ? QStringLiteral("true") : QStringLiteral("false");
    case ImpactScore:
        return a.hasImpactScore ? QString::number(a.impactScore) : QString();
    case EsaLayers:
        return layersText(a.esaLayers);
    case Version:
        return a.version;
    case LastModifiedBy:
        return a.hasLastModifiedBy ? QString::number(a.lastModifiedBy) : QString();
    case LastModifiedAt:
        return timeText(a.lastModifiedAt);
    }
    return {};
}

QVariant AgentTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.parent().isValid())
        return {};
    const Agent &a = m_agents.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return column == Active ? QVariant() : QVariant(text(index));
    case Qt::CheckStateRole:
        if (column != Active)
            return {};
        if (m_toggling.contains(a.algorithmId))
            return Qt::PartiallyChecked;
        return a.isActive ? Qt::Checked : Qt::Unchecked;
    case Qt::TextAlignmentRole:
        if (column == ImpactScore || column == LastModifiedBy)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (column == Active)
            return int(Qt::AlignCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (column == Active)
            return m_toggling.contains(a.algorithmId)
                       ? tr("Being changed…")
                       : (a.isActive ? tr("Active") : tr("Inactive"));
        if (column == Name && !a.description.isEmpty())
            return a.description;
        if (column == LastModifiedAt && a.lastModifiedAt.isValid())
            return QLocale().toString(a.lastModifiedAt.toLocalTime(), QLocale::LongFormat);
        return {};
    case Qt::UserRole:
        return a.algorithmId;
    }
    return {};
}

QVariant AgentTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const char *const titles[ColumnCount] = {
            QT_TR_NOOP("ID"),      QT_TR_NOOP("Name"),        QT_TR_NOOP("Type"),
            QT_TR_NOOP("Active"),  QT_TR_NOOP("Impact"),      QT_TR_NOOP("ESA layers"),
            QT_TR_NOOP("Version"), QT_TR_NOOP("Modified by"), QT_TR_NOOP("Modified at")};
        return tr(titles[section]);
    }
    if (role == Qt::InitialSortOrderRole)
        // The most impactful and the most recently changed first.
        return section == ImpactScore || section == LastModifiedAt ? Qt::DescendingOrder
                                                                   : Qt::AscendingOrder;
    if (role == Qt::ToolTipRole) {
        static const char *const tips[ColumnCount] = {
            QT_TR_NOOP("algorithm_id (sorted naturally: A2 before A10)"),
            QT_TR_NOOP("name"),
            QT_TR_NOOP("algorithm_type"),
            QT_TR_NOOP("is_active: changing it asks for a reason and is audited"),
            QT_TR_NOOP("impact_score (0–100)"),
            QT_TR_NOOP("esa_layers"),
            QT_TR_NOOP("version"),
            QT_TR_NOOP("last_modified_by: the audit user id of the last change"),
            QT_TR_NOOP("last_modified_at")};
        return tr(tips[section]);
    }
    return {};
}

Qt::ItemFlags AgentTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.parent().isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == Active && m_togglable &&
        !m_toggling.contains(m_agents.at(index.row()).algorithmId))
        flags |= Qt::ItemIsUserCheckable;
    return flags;
}

bool AgentTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.model() != this || index.parent().isValid() ||
        index.column() != Active || role != Qt::CheckStateRole || !m_togglable)
        return false;
    const Agent &a = m_agents.at(index.row());
    const bool active = value.toInt() == Qt::Checked;
    if (active == a.isActive || m_toggling.contains(a.algorithmId))
        return false;
    // The stored state stays until the database has it: the request goes out, the row does
    // not change here.
    Q_EMIT activeToggleRequested(a.algorithmId, active);
    return false;
}

bool AgentTableModel::serverSort(int column, AgentFilter::Sort *sort)
{
    AgentFilter::Sort key;
    switch (column) {
    case AlgorithmId:
        key = AgentFilter::ByAlgorithmId;
        break;
    case Name:
        key = AgentFilter::ByName;
        break;
    case Type:
        key = AgentFilter::ByType;
        break;
    case ImpactScore:
        key = AgentFilter::ByImpactScore;
        break;
    case LastModifiedAt:
        key = AgentFilter::ByLastModified;
        break;
    default:
        return false;
    }
    if (sort)
        *sort = key;
    return true;
}

void AgentTableModel::setAgents(const QList<Agent> &agents, int clientSortColumn,
                                Qt::SortOrder order)
{
    beginResetModel();
    m_agents = agents;
    if (clientSortColumn >= 0 && !serverSort(clientSortColumn, nullptr)) {
        auto key = [clientSortColumn](const Agent &a) -> QVariant {
            switch (clientSortColumn) {
            case Active:
                return a.isActive;
            case EsaLayers:
                return layersText(a.esaLayers);
            case Version:
                return a.version;
            case LastModifiedBy:
                return a.hasLastModifiedBy ? QVariant(a.lastModifiedBy) : QVariant();
            }
            return {};
        };
        // Empty values last whichever the direction, as the server sorts NULLs.
        std::stable_sort(m_agents.begin(), m_agents.end(), [&](const Agent &l, const Agent &r) {
            const QVariant a = key(l), b = key(r);
            const bool aNull = !a.isValid() || a.toString().isEmpty();
            const bool bNull = !b.isValid() || b.toString().isEmpty();
            if (aNull != bNull)
                return bNull;
            if (aNull)
                return false;
            const QPartialOrdering c = QVariant::compare(a, b);
            if (c == QPartialOrdering::Equivalent || c == QPartialOrdering::Unordered)
                return false;
            return order == Qt::AscendingOrder ? c == QPartialOrdering::Less
                                               : c == QPartialOrdering::Greater;
        });
    }
    QSet<QString> listed;
    for (const Agent &a : std::as_const(m_agents))
        listed.insert(a.algorithmId);
    m_toggling.intersect(listed);
    endResetModel();
}

int AgentTableModel::rowOf(const QString &algorithmId) const
{
    for (int row = 0; row < m_agents.size(); ++row)
        if (m_agents.at(row).algorithmId == algorithmId)
            return row;
    return -1;
}

void AgentTableModel::setTogglable(bool togglable)
{
    if (m_togglable == togglable)
        return;
    m_togglable = togglable;
    if (!m_agents.isEmpty())
        Q_EMIT dataChanged(index(0, Active), index(rowCount() - 1, Active), {Qt::CheckStateRole});
}

void AgentTableModel::setToggling(const QString &algorithmId, bool toggling)
{
    if (toggling)
        m_toggling.insert(algorithmId);
    else
        m_toggling.remove(algorithmId);
    const int row = rowOf(algorithmId);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, Active), index(row, Active),
                           {Qt::CheckStateRole, Qt::ToolTipRole});
}
