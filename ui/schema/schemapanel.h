#pragma once

#include "connectionoptions.h"
#include "migrationengine.h"
#include "panel.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QTableView;

// The migrations and their state: applied (when, by whom, how long), pending, changed.
class MigrationStatusModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Version,
        Name,
        State,
        AppliedAt,
        AppliedBy,
        Milliseconds,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;
    void setMigrations(const QList<MigrationStatus> &migrations);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<MigrationStatus> m_migrations;
};

class SchemaPanel : public Panel
{
    Q_OBJECT

public:
    explicit SchemaPanel(QWidget *parent = nullptr);
    ~SchemaPanel() override;

    QString panelId() const override { return QStringLiteral("schema"); }
    QString panelTitle() const override { return tr("Schema"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override {}
    bool isBusy() const override { return m_status.isRunning(); }
    void setMigrationsDirectory(const QString &) {}
    void setBusy(const QString &message);
    void showError(const QString &message);

private:
    void statusLoaded();

    MigrationStatusModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QFutureWatcher<StatusReport> m_status;
};
