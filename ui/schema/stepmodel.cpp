#include "stepmodel.h"

#include "shell/colours.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>

QString StepModel::keyOf(const StepReport &step)
{
    return step.migration + QLatin1Char('/') + QString::number(step.step);
}

void StepModel::clear()
{
    beginResetModel();
    m_steps.clear();
    m_rows.clear();
    m_comparison = {};
    endResetModel();
}

void StepModel::updateStep(const StepReport &step)
{
    const QString key = keyOf(step);
    const auto found = m_rows.constFind(key);
    if (found != m_rows.cend()) {
        m_steps[*found] = step;
        Q_EMIT dataChanged(index(*found, 0), index(*found, ColumnCount - 1));
        return;
    }
    const int row = int(m_steps.size());
    beginInsertRows({}, row, row);
    m_steps.append(step);
    m_rows.insert(key, row);
    endInsertRows();
}

void StepModel::setSteps(const QList<StepReport> &steps)
{
    beginResetModel();
    m_steps = steps;
    m_rows.clear();
    for (int row = 0; row < m_steps.size(); ++row)
        m_rows.insert(keyOf(m_steps.at(row)), row);
    endResetModel();
}

void StepModel::setComparison(const RunComparison &comparison)
{
    m_comparison = comparison;
    if (!m_steps.isEmpty())
        Q_EMIT dataChanged(index(0, VersusPrevious), index(rowCount() - 1, VersusPrevious));
}

int StepModel::finishedCount() const
{
    return int(std::count_if(m_steps.cbegin(), m_steps.cend(), [](const StepReport &s) {
        return s.state == StepReport::State::Done || s.state == StepReport::State::Failed;
    }));
}

int StepModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

int StepModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

static QString versusText(const StepComparison *c)
{
    if (!c || c->previousMs < 0 || c->nowMs < 0)
        return {};
    if (c->flagged)
        return c->previousMs > 0
                   ? StepModel::tr("%1× slower").arg(QLocale().toString(c->ratio(), 'f', 1))
                   : StepModel::tr("%1 ms slower")
                         .arg(QLocale().toString(c->nowMs - c->previousMs, 'f', 0));
    return StepModel::tr("was %1 ms").arg(QLocale().toString(c->previousMs, 'f', 1));
}

QVariant StepModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StepReport &s = m_steps.at(index.row());
    const StepComparison *c = m_comparison.found ? m_comparison.find(s.migration, s.step) : nullptr;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Migration:
            return s.migration;
        case Step:
            return s.step;
        case Statement:
            return s.summary;
        case Location:
            return QStringLiteral("%1:%2").arg(s.fileName).arg(s.line);
        case Milliseconds:
            if (s.state != StepReport::State::Done)
                return QString();
            return s.ms < 0 ? QStringLiteral("…") : QLocale().toString(s.ms, 'f', 1);
        case State:
            return s.stateName();
        case VersusPrevious:
            return versusText(c);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Step || index.column() == Milliseconds)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == VersusPrevious && c && c->flagged)
            return Colours::failure();
        if (index.column() != State)
            return {};
        switch (s.state) {
        case StepReport::State::Done:
            return Colours::success();
        case StepReport::State::Running:
            return Colours::running();
        case StepReport::State::Failed:
            return Colours::failure();
        case StepReport::State::Pending:
        case StepReport::State::Skipped:
        case StepReport::State::Committed:
            return Colours::muted();
        }
        return {};
    case Qt::FontRole:
        if ((index.column() == VersusPrevious && c && c->flagged) ||
            s.state == StepReport::State::Failed) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Milliseconds && s.state == StepReport::State::Done && s.ms < 0)
            return tr("Finished on the server; its time arrives with the next results.");
        if (index.column() == VersusPrevious && c && c->previousMs >= 0)
            return tr("Previous run: %1 ms, this run: %2 ms")
                .arg(QLocale().toString(c->previousMs, 'f', 1),
                     QLocale().toString(c->nowMs, 'f', 1));
        return {};
    }
    return {};
}

QVariant StepModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Migration:
        return tr("Migration");
    case Step:
        return tr("Step");
    case Statement:
        return tr("Statement");
    case Location:
        return tr("File:line");
    case Milliseconds:
        return tr("ms");
    case State:
        return tr("State");
    case VersusPrevious:
        return tr("vs previous run");
    }
    return {};
}
