#include "verifytreemodel.h"

#include "shell/colours.h"

#include <QColor>
#include <QFont>
#include <QMap>

// Children carry their table's row + 1 as internal id; tables carry 0.

void VerifyTreeModel::setDifferences(const QList<SchemaDifference> &differences)
{
    beginResetModel();
    m_tables.clear();
    QMap<QString, Table> tables;
    for (const SchemaDifference &d : differences) {
        const SchemaObject &o = d.object();
        const QString name = o.table.isEmpty() ? tr("(functions)") : o.table;
        Table &table = tables[name];
        table.name = name;
        if (o.kind == QLatin1String("table")) {
            table.hasSelf = true;
            table.self = d;
        } else {
            table.objects.append(d);
        }
    }
    m_tables = tables.values();
    endResetModel();
}

int VerifyTreeModel::differenceCount() const
{
    int count = 0;
    for (const Table &t : m_tables)
        count += int(t.objects.size()) + (t.hasSelf ? 1 : 0);
    return count;
}

QModelIndex VerifyTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_tables.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_tables.size())
        return {};
    if (row >= m_tables.at(parent.row()).objects.size())
        return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex VerifyTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int VerifyTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_tables.size());
    if (parent.internalId() != 0 || parent.column() != 0)
        return 0;
    return int(m_tables.at(parent.row()).objects.size());
}

int VerifyTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

static QColor changeColor(SchemaDifference::Change change)
{
    switch (change) {
    case SchemaDifference::Change::Missing:
        return Colours::failure();
    case SchemaDifference::Change::Unexpected:
        return Colours::caution();
    case SchemaDifference::Change::Differs:
        break;
    }
    return Colours::changed();
}

QVariant VerifyTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == 0) {
        const Table &t = m_tables.at(index.row());
        if (role == Qt::DisplayRole) {
            switch (index.column()) {
            case Object:
                return t.name;
            case Change:
                return t.hasSelf ? tr("table %1").arg(t.self.changeName())
                                 : tr("%n difference(s)", nullptr, int(t.objects.size()));
            case Expected:
                return t.hasSelf ? t.self.expected.definition : QString();
            case Found:
                return t.hasSelf ? t.self.found.definition : QString();
            }
        }
        if (role == Qt::FontRole && index.column() == Object) {
            QFont font;
            font.setBold(true);
            return font;
        }
        if (role == Qt::ForegroundRole && index.column() == Change && t.hasSelf)
            return changeColor(t.self.change);
        return {};
    }
    const Table &t = m_tables.at(int(index.internalId() - 1));
    const SchemaDifference &d = t.objects.at(index.row());
    const SchemaObject &o = d.object();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Object:
            return QStringLiteral("%1 %2").arg(o.kind, o.name);
        case Change:
            return d.changeName();
        case Expected:
            return d.expected.definition.isEmpty() ? tr("—") : d.expected.definition;
        case Found:
            return d.found.definition.isEmpty() ? tr("—") : d.found.definition;
        }
        return {};
    case Qt::ToolTipRole:
        return d.describe();
    case Qt::ForegroundRole:
        if (index.column() == Change)
            return changeColor(d.change);
        return {};
    }
    return {};
}

QVariant VerifyTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Object:
        return tr("Table / object");
    case Change:
        return tr("Change");
    case Expected:
        return tr("Expected (migrations)");
    case Found:
        return tr("Found (database)");
    }
    return {};
}
