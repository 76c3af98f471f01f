#include "schemapanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

void MigrationStatusModel::setMigrations(const QList<MigrationStatus> &migrations)
{
    beginResetModel();
    m_migrations = migrations;
    endResetModel();
}

int MigrationStatusModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_migrations.size());
}

int MigrationStatusModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MigrationStatusModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_migrations.size())
        return {};
    const MigrationStatus &m = m_migrations.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Version:
            return m.version;
        case Name:
            return m.name;
        case State:
            return m.kind == QLatin1String("baseline") ? m.stateName() + tr(" (baseline)")
                                                       : m.stateName();
        case AppliedAt:
            return m.appliedAt.isValid()
                       ? QLocale().toString(m.appliedAt.toLocalTime(), QLocale::ShortFormat)
                       : QString();
        case AppliedBy:
            return m.appliedBy;
        case Milliseconds:
            return m.appliedAt.isValid() ? QString::number(m.totalMs, 'f', 1) : QString();
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == Milliseconds)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == State) {
        switch (m.state) {
        case MigrationStatus::State::Applied:
            return QColor(0x2e, 0x7d, 0x32);
        case MigrationStatus::State::Pending:
            return QColor(0xb2, 0x6a, 0x00);
        case MigrationStatus::State::Changed:
        case MigrationStatus::State::Missing:
            return QColor(0xc6, 0x28, 0x28);
        }
    }
    return {};
}

QVariant MigrationStatusModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    default:
        return {};
    }
}

SchemaPanel::SchemaPanel(QWidget *parent)
    : Panel(parent)
    , m_model(new MigrationStatusModel(this))
    , m_table(new QTableView(this))
    , m_summary(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(MigrationStatusModel::Name,
                                                      QHeaderView::Stretch);
    layout->addWidget(m_table);
    connect(&m_status, &QFutureWatcher<StatusReport>::finished, this, &SchemaPanel::statusLoaded);
}

SchemaPanel::~SchemaPanel()
{
    m_status.waitForFinished();
}

void SchemaPanel::setConnection(const ConnectionContext &context)
{
    storeConnection(context);
    if (context.isValid())
        refresh();
    else
        setBusy(tr("Not connected"));
}

void SchemaPanel::setBusy(const QString &message)
{
    m_summary->setText(message);
}

void SchemaPanel::showError(const QString &message)
{
    m_summary->setText(QStringLiteral("<b>%1</b><br>%2")
                           .arg(tr("Error"), message.toHtmlEscaped().replace(
                                                 QLatin1Char('\n'), QLatin1String("<br>"))));
}

void SchemaPanel::refresh()
{
    if (m_status.isRunning())
        return;
    setBusy(tr("Reading the migration history…"));
    Q_EMIT busyChanged(true, tr("Reading the migration history…"));
    const ConnectionOptions connection = Panel::connection().options;
    m_status.setFuture(QtConcurrent::run([connection] {
        MigrationEngine engine(connection, MigrationSet::bundled());
        return engine.status();
    }));
}

void SchemaPanel::statusLoaded()
{
    const StatusReport report = m_status.result();
    Q_EMIT busyChanged(false, {});
    if (report.error.isError()) {
        showError(report.error.toString());
    } else {
        int applied = 0;
        int pending = 0;
        for (const MigrationStatus &m : report.migrations) {
            applied += m.state == MigrationStatus::State::Applied;
            pending += m.state == MigrationStatus::State::Pending;
        }
        m_summary->setText(tr("<b>Bundled migrations</b> on %1: %2 applied, %3 pending")
                               .arg(report.target.toHtmlEscaped())
                               .arg(applied)
                               .arg(pending));
    }
    m_model->setMigrations(report.migrations);
    m_table->resizeColumnsToContents();
    Q_EMIT loaded();
}
