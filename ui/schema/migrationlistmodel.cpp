#include "migrationlistmodel.h"

#include "shell/colours.h"

#include <QColor>
#include <QLocale>

void MigrationListModel::setMigrations(const QList<MigrationStatus> &migrations,
                                       const MigrationSet &set)
{
    beginResetModel();
    m_migrations = migrations;
    m_steps.clear();
    for (const Migration &migration : set.migrations)
        m_steps.insert(migration.version, int(migration.statements.size()));
    endResetModel();
}

int MigrationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_migrations.size());
}

int MigrationListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString MigrationListModel::stateText(const MigrationStatus &migration)
{
    switch (migration.state) {
    case MigrationStatus::State::Applied:
        return migration.kind == QLatin1String("baseline") ? tr("applied (baseline)")
                                                           : tr("applied");
    case MigrationStatus::State::Partial:
        return tr("partial: %1 of %2").arg(migration.statementsDone).arg(migration.statementsTotal);
    case MigrationStatus::State::Pending:
        return tr("pending");
    case MigrationStatus::State::Changed:
        return tr("changed on disk");
    case MigrationStatus::State::Missing:
        break;
    }
    return tr("missing on disk");
}

QVariant MigrationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MigrationStatus &m = m_migrations.at(index.row());
    const bool applied = m.appliedAt.isValid();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Version:
            return m.version;
        case Name:
            return m.name;
        case State:
            return stateText(m);
        case AppliedAt:
            return applied ? QLocale().toString(m.appliedAt.toLocalTime(), QLocale::ShortFormat)
                           : QString();
        case AppliedBy:
            return m.appliedBy;
        case Milliseconds:
            return applied && m.state != MigrationStatus::State::Partial
                       ? QLocale().toString(m.totalMs, 'f', 1)
                       : QString();
        case Steps:
            return m_steps.contains(m.version) ? QVariant(m_steps.value(m.version)) : QVariant();
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Milliseconds || index.column() == Steps)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (index.column() != State)
            return {};
        switch (m.state) {
        case MigrationStatus::State::Applied:
            return Colours::success();
        case MigrationStatus::State::Partial:
        case MigrationStatus::State::Pending:
            return Colours::caution();
        case MigrationStatus::State::Changed:
        case MigrationStatus::State::Missing:
            return Colours::failure();
        }
        return {};
    case Qt::ToolTipRole:
        if (m.state == MigrationStatus::State::Partial)
            return tr("%1 runs without a transaction and stopped midway: %2. Migrate resumes "
                      "after the committed statements.")
                .arg(m.fileName, m.progressText());
        if (m.state == MigrationStatus::State::Changed && m.statementsDone > 0)
            return tr("%1 stopped midway (%2), and its committed statements differ in the file "
                      "on disk now (or it no longer runs without a transaction). Migrate "
                      "refuses to run until they are restored.")
                .arg(m.fileName, m.progressText());
        if (m.state == MigrationStatus::State::Changed)
            return tr("%1 was applied, but the file on disk no longer has the checksum it was "
                      "applied with. Migrate refuses to run until it is restored.")
                .arg(m.fileName);
        if (m.state == MigrationStatus::State::Missing)
            return tr("Recorded as applied, but no file of this version is in the set.");
        return m.fileName;
    }
    return {};
}

QVariant MigrationListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Version:
        return tr("Version");
    case Name:
        return tr("Migration");
    case State:
        return tr("State");
    case AppliedAt:
        return tr("Applied at");
    case AppliedBy:
        return tr("Applied by");
    case Milliseconds:
        return tr("ms");
    case Steps:
        return tr("Steps");
    }
    return {};
}
