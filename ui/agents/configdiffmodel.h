#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

// An agent's current_config beside its default_config, one row per key (sorted), each value
// as compact JSON text, the keys only in one of them or with different values marked.
class ConfigDiffModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Key,
        Default,
        Current,
        Change,
        ColumnCount
    };
    enum class State
    {
        Same,
        Added,   // in current_config only
        Removed, // in default_config only
        Changed
    };
    struct Row
    {
        QString key;
        QString defaultValue; // compact JSON; null when absent
        QString currentValue;
        State state = State::Same;
    };

    using QAbstractTableModel::QAbstractTableModel;

    // The diff of two objects, keys sorted; values compared as JSON (1 and 1.0 are equal).
    static QList<Row> diff(const QJsonObject &defaults, const QJsonObject &current);
    // A JSON value as compact JSON text ("0.02", "\"text\"", "[1,2]", "null").
    static QString jsonText(const QJsonValue &value);

    void setConfigs(const QJsonObject &defaults, const QJsonObject &current);
    void clear();
    const QList<Row> &rows() const { return m_rows; }
    int changedCount() const; // rows not Same

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Row> m_rows;
};
