#include "configdiffmodel.h"

#include "shell/colours.h"

#include <QBrush>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

// Green for a key only the current config has, red for one it lost, amber for a new value.
static Colours::Tone toneOf(ConfigDiffModel::State state)
{
    switch (state) {
    case ConfigDiffModel::State::Added:
        return Colours::Tone::Positive;
    case ConfigDiffModel::State::Removed:
        return Colours::Tone::Error;
    case ConfigDiffModel::State::Changed:
    case ConfigDiffModel::State::Same:
        break;
    }
    return Colours::Tone::Warning;
}

QString ConfigDiffModel::jsonText(const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    // QJsonDocument holds only arrays and objects: wrap the value, then drop the brackets.
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QList<ConfigDiffModel::Row> ConfigDiffModel::diff(const QJsonObject &defaults,
                                                  const QJsonObject &current)
{
    QStringList keys = defaults.keys();
    for (const QString &key : current.keys())
        if (!defaults.contains(key))
            keys.append(key);
    std::sort(keys.begin(), keys.end());
    QList<Row> rows;
    rows.reserve(keys.size());
    for (const QString &key : std::as_const(keys)) {
        Row row;
        row.key = key;
        const bool inDefault = defaults.contains(key);
        const bool inCurrent = current.contains(key);
        if (inDefault)
            row.defaultValue = jsonText(defaults.value(key));
        if (inCurrent)
            row.currentValue = jsonText(current.value(key));
        if (!inDefault)
            row.state = State::Added;
        else if (!inCurrent)
            row.state = State::Removed;
        else if (defaults.value(key) != current.value(key))
            row.state = State::Changed;
        rows.append(row);
    }
    return rows;
}

void ConfigDiffModel::setConfigs(const QJsonObject &defaults, const QJsonObject &current)
{
    beginResetModel();
    m_rows = diff(defaults, current);
    endResetModel();
}

void ConfigDiffModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int ConfigDiffModel::changedCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [](const Row &r) { return r.state != State::Same; }));
}

int ConfigDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConfigDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfigDiffModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.parent().isValid())
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Key:
            return row.key;
        case Default:
            return row.state == State::Added ? tr("—") : row.defaultValue;
        case Current:
            return row.state == State::Removed ? tr("—") : row.currentValue;
        case Change:
            switch (row.state) {
            case State::Same:
                return QString();
            case State::Added:
                return tr("added");
            case State::Removed:
                return tr("removed");
            case State::Changed:
                return tr("changed");
            }
        }
        return {};
    case Qt::BackgroundRole:
        if (row.state == State::Same)
            return {};
        return QBrush(Colours::of(toneOf(row.state)).background);
    case Qt::ForegroundRole:
        if (row.state != State::Same && index.column() != Key)
            return QBrush(Colours::of(toneOf(row.state)).text);
        return {};
    case Qt::FontRole:
        if (index.column() == Default || index.column() == Current) {
            QFont font(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            if (row.state != State::Same && index.column() == Current)
                font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole: {
        // The values whole and how they differ (a narrow pane drops the Change column).
        QStringList lines;
        switch (row.state) {
        case State::Same:
            lines.append(tr("%1 is the same in both").arg(row.key));
            break;
        case State::Added:
            lines.append(tr("%1 is only in current_config").arg(row.key));
            break;
        case State::Removed:
            lines.append(tr("%1 is only in default_config").arg(row.key));
            break;
        case State::Changed:
            lines.append(tr("%1 differs").arg(row.key));
            break;
        }
        if (row.state != State::Added)
            lines.append(tr("default: %1").arg(row.defaultValue));
        if (row.state != State::Removed)
            lines.append(tr("current: %1").arg(row.currentValue));
        return lines.join(QLatin1Char('\n'));
    }
    }
    return {};
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const bool tip = role == Qt::ToolTipRole;
    switch (section) {
    case Key:
        return tip ? tr("The configuration key") : tr("Key");
    case Default:
        return tip ? tr("default_config, as JSON") : tr("Default");
    case Current:
        return tip ? tr("current_config, as JSON") : tr("Current");
    case Change:
        return tip ? tr("How current_config differs from default_config") : tr("Change");
    }
    return {};
}
