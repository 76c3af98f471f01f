#include "parametertablemodel.h"

#include "shell/colours.h"

#include <QBrush>
#include <QFont>
#include <QMap>

ParameterTableModel::ParameterTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ParameterTableModel::setParameters(const QList<Parameter> &parameters)
{
    // A reload of the same rows keeps the view's selection and editor: only data changes.
    bool sameRows = parameters.size() == m_parameters.size();
    for (qsizetype i = 0; sameRows && i < parameters.size(); ++i)
        sameRows = parameters.at(i).name == m_parameters.at(i).name;
    if (sameRows) {
        m_parameters = parameters;
        if (!m_parameters.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_parameters = parameters;
    endResetModel();
}

const Parameter *ParameterTableModel::parameter(const QString &name) const
{
    const int row = rowOf(name);
    return row < 0 ? nullptr : &m_parameters.at(row);
}

int ParameterTableModel::rowOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_parameters.size(); ++i)
        if (m_parameters.at(i).name == name)
            return int(i);
    return -1;
}

void ParameterTableModel::rowChanged(int row)
{
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ParameterTableModel::setEdit(const QString &name, const std::optional<PendingEdit> &edit)
{
    m_edits.setEdit(name, edit);
    rowChanged(rowOf(name));
}

void ParameterTableModel::setEdits(const PendingEdits &edits)
{
    const QStringList before = m_edits.names();
    m_edits = edits;
    for (const QString &name : before)
        rowChanged(rowOf(name));
    for (const QString &name : m_edits.names())
        rowChanged(rowOf(name));
}

void ParameterTableModel::setApplied(const QString &name, const QString &to)
{
    m_edits.keepTheirs(name);
    const int row = rowOf(name);
    if (row >= 0)
        m_parameters[row].currentValue = to;
    rowChanged(row);
}

void ParameterTableModel::keepTheirs(const QString &name)
{
    m_edits.keepTheirs(name);
    rowChanged(rowOf(name));
}

void ParameterTableModel::rebase(const QString &name)
{
    const int row = rowOf(name);
    // A parameter gone since: nothing to re-apply over.
    if (row < 0) {
        m_edits.keepTheirs(name);
        return;
    }
    m_edits.rebase(name, m_parameters.at(row).currentValue);
    rowChanged(row);
}

void ParameterTableModel::setEditable(bool editable)
{
    if (m_editable == editable)
        return;
    m_editable = editable;
    if (!m_parameters.isEmpty())
        Q_EMIT dataChanged(index(0, Current), index(rowCount() - 1, Current));
}

bool ParameterTableModel::isEditableParameter(const Parameter &parameter)
{
    return parameter.kind != ParameterKind::Unknown && parameter.valueValid;
}

QString ParameterTableModel::count(int n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

QString ParameterTableModel::displayValue(const QString &value)
{
    return value.isNull() ? QStringLiteral("(unset)") : value;
}

int ParameterTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_parameters.size());
}

int ParameterTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ParameterTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Parameter &p = m_parameters.at(index.row());
    const std::optional<PendingEdit> edit = m_edits.edit(p.name);
    const bool conflicting = m_edits.isConflicting(p.name, p.currentValue);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case Name:
            return p.name;
        case Type:
            if (p.kind == ParameterKind::Unknown)
                return p.type.isNull() ? QStringLiteral("(no type)")
                                       : QStringLiteral("%1 (unknown type)").arg(p.type);
            return p.type;
        case Current:
            if (edit)
                return role == Qt::EditRole ? edit->to : displayValue(edit->to);
            if (role == Qt::DisplayRole && !p.valueValid)
                return QStringLiteral("%1 (invalid)").arg(displayValue(p.currentValue));
            return role == Qt::EditRole ? p.currentValue : displayValue(p.currentValue);
        case Default:
            return role == Qt::EditRole ? p.defaultValue : displayValue(p.defaultValue);
        case Min:
            return p.minValue.isEmpty() ? (role == Qt::EditRole ? QString() : QStringLiteral("—"))
                                        : p.minValue;
        case Max:
            return p.maxValue.isEmpty() ? (role == Qt::EditRole ? QString() : QStringLiteral("—"))
                                        : p.maxValue;
        case Description:
            return p.description;
        case Impact:
            return p.impactDescription;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Current) {
            if (conflicting)
                return tr("Changed by someone else: now %1 (your edit started from %2; yours: %3)")
                    .arg(displayValue(p.currentValue), displayValue(edit->from),
                         displayValue(edit->to));
            if (!p.valueValid)
                return tr("The stored value is invalid and cannot be edited here: %1")
                    .arg(p.problem);
            if (p.kind == ParameterKind::Unknown)
                return tr("Unknown type \"%1\": shown as stored, not editable").arg(p.type);
            if (edit)
                return tr("Pending: %1 → %2").arg(displayValue(edit->from), displayValue(edit->to));
        }
        if (index.column() == Type && p.kind == ParameterKind::Unknown)
            return tr("Unknown type: expected integer, float, number, decimal, boolean or string");
        if (index.column() == Description || index.column() == Impact)
            return data(index, Qt::DisplayRole);
        if (index.column() == Name) // all of it, also when a narrow window hides columns
            return tr("%1 (%2): default %3, min %4, max %5\n%6\nImpact: %7")
                .arg(p.name, p.type, displayValue(p.defaultValue),
                     p.minValue.isEmpty() ? tr("none") : p.minValue,
                     p.maxValue.isEmpty() ? tr("none") : p.maxValue,
                     p.description.isEmpty() ? tr("No description") : p.description,
                     p.impactDescription.isEmpty() ? tr("not described") : p.impactDescription);
        return {};
    case Qt::BackgroundRole:
        // A conflicting row in the error tone; a pending value's cell in the pale amber of the
        // warning tone, readable on light themes, in the table and in screenshots.
        if (conflicting)
            return QBrush(Colours::of(Colours::Tone::Error).background);
        if (edit && index.column() == Current)
            return QBrush(Colours::of(Colours::Tone::Warning).background);
        return {};
    case Qt::FontRole:
        if (edit && index.column() == Current) {
            QFont font;
            font.setBold(true);
            return font;
        }
        if (index.column() == Name) {
            QFont font;
            font.setFamily(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Current && !p.valueValid)
            return QBrush(Colours::failure());
        if ((index.column() == Type && p.kind == ParameterKind::Unknown) ||
            index.column() == Description || index.column() == Impact ||
            (index.column() == Current && !edit && p.currentValue.isNull()))
            return QBrush(Colours::muted());
        return {};
    case Qt::TextAlignmentRole:
        if ((index.column() >= Current && index.column() <= Max) &&
            (p.kind == ParameterKind::Integer || p.kind == ParameterKind::Decimal))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case KindRole:
        return int(p.kind);
    case RuleRole:
        return QVariant::fromValue(p.rule());
    case PendingRole:
        return edit.has_value();
    case ConflictRole:
        return conflicting;
    case StoredValueRole:
        return p.currentValue;
    }
    return {};
}

QVariant ParameterTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Parameter");
    case Type:
        return tr("Type");
    case Current:
        return tr("Current");
    case Default:
        return tr("Default");
    case Min:
        return tr("Min");
    case Max:
        return tr("Max");
    case Description:
        return tr("Description");
    case Impact:
        return tr("Impact");
    }
    return {};
}

Qt::ItemFlags ParameterTableModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Current && m_editable &&
        isEditableParameter(m_parameters.at(index.row())))
        f |= Qt::ItemIsEditable;
    return f;
}

bool ParameterTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return false;
    return setValue(index, value.toString(), m_parameters.at(index.row()).currentValue);
}

bool ParameterTableModel::setValue(const QModelIndex &index, const QString &value,
                                   const QString &from)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !(flags(index) & Qt::ItemIsEditable))
        return false;
    const Parameter &p = m_parameters.at(index.row());
    QString to = value;
    if (p.kind != ParameterKind::String)
        to = to.trimmed();
    if (!validateParameterValue(to, p.rule()).ok)
        return false;
    const std::optional<PendingEdit> before = m_edits.edit(p.name);
    if (p.kind == ParameterKind::Boolean) {
        // `yes`, `t` and `1` are stored spellings of true: choosing true over them is no edit.
        const QString base = before ? before->from : from;
        bool baseOk = false, toOk = false;
        const bool baseOn = parameterBoolean(base, &baseOk);
        const bool toOn = parameterBoolean(to, &toOk);
        if (baseOk && toOk && baseOn == toOn)
            to = base;
    }
    const std::optional<PendingEdit> after = m_edits.edited(p.name, from, to);
    if (before == after)
        return true;
    Q_EMIT valueEdited(p.name, before, after);
    return true;
}
