#include "changelog/configatmodel.h"

#include "shell/colours.h"

#include <QFont>

int ConfigAtModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_config.entries.size());
}

int ConfigAtModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfigAtModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Key:
        return tr("Key");
    case Then:
        return tr("Then");
    case Now:
        return tr("Now");
    case State:
        return tr("Since then");
    default:
        return {};
    }
}

QString ConfigAtModel::stateText(const ConfigAtEntry &e)
{
    if (!e.existedThen && e.existsNow)
        return tr("created since");
    if (e.existedThen && !e.existsNow)
        return tr("gone since");
    return e.changedSince() ? tr("changed") : QString();
}

void ConfigAtModel::setConfig(const ConfigAt &config)
{
    beginResetModel();
    m_config = config;
    // What differs first, each group by name.
    std::stable_sort(m_config.entries.begin(), m_config.entries.end(),
                     [](const ConfigAtEntry &a, const ConfigAtEntry &b) {
                         return a.changedSince() && !b.changedSince();
                     });
    endResetModel();
}

int ConfigAtModel::changedCount() const
{
    return int(std::count_if(m_config.entries.cbegin(), m_config.entries.cend(),
                             [](const ConfigAtEntry &e) { return e.changedSince(); }));
}

QVariant ConfigAtModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_config.entries.size())
        return {};
    const ConfigAtEntry &e = m_config.entries.at(index.row());
    const auto valueText = [](const QString &value, bool exists) {
        if (!exists)
            return tr("(did not exist)");
        return value.isNull() ? QStringLiteral("NULL") : value;
    };
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Key:
            return e.name;
        case Then:
            return valueText(e.valueThen, e.existedThen);
        case Now:
            return valueText(e.valueNow, e.existsNow);
        case State:
            return stateText(e);
        default:
            return {};
        }
    case Qt::BackgroundRole:
        return e.changedSince() ? QVariant(Colours::of(Colours::Tone::Warning).background)
                                : QVariant();
    case Qt::FontRole:
        if (e.changedSince() && index.column() == Key) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ForegroundRole:
        if ((index.column() == Then && (!e.existedThen || e.valueThen.isNull())) ||
            (index.column() == Now && (!e.existsNow || e.valueNow.isNull())))
            return Colours::muted();
        return {};
    default:
        return {};
    }
}
