// The schema panel on the offscreen platform: it loads the migration status off the GUI
// thread and shows one row per migration with its state.
#include "migrationengine.h"
#include "schema/schemapanel.h"
#include "testdatabase.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

class TstSchemaPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void modelPassesTester();
    void showsStatusOfADatabase();
    void showsAnErrorForAnUnreachableServer();
};

void TstSchemaPanel::modelPassesTester()
{
    MigrationStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    MigrationStatus applied;
    applied.version = QStringLiteral("001");
    applied.name = QStringLiteral("a");
    applied.state = MigrationStatus::State::Applied;
    applied.appliedAt = QDateTime::currentDateTime();
    MigrationStatus pending;
    pending.version = QStringLiteral("002");
    pending.name = QStringLiteral("b");
    model.setMigrations({applied, pending});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, MigrationStatusModel::State).data().toString(),
             QStringLiteral("applied"));
    QCOMPARE(model.index(1, MigrationStatusModel::State).data().toString(),
             QStringLiteral("pending"));
    QVERIFY(model.index(1, MigrationStatusModel::AppliedAt).data().toString().isEmpty());
    model.setMigrations({});
    QCOMPARE(model.rowCount(), 0);
}

void TstSchemaPanel::showsStatusOfADatabase()
{
    TestDatabase db(QStringLiteral("schemapanel"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // 001 applied, every later bundled migration pending
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(QFile::copy(sourceDir() + QStringLiteral("/sql/001_algorithm_tables.sql"),
                        dir.filePath(QStringLiteral("001_algorithm_tables.sql"))));
    const RunReport run = migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path()));
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    const QStringList versions = migrationVersions(MigrationSet::bundled());
    QVERIFY(versions.size() >= 2);
    QCOMPARE(versions.first(), QStringLiteral("001"));

    SchemaPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy loaded(&panel, &SchemaPanel::loaded);
    panel.setConnection(db.options());
    panel.refresh();
    QVERIFY(loaded.wait(20000));
    auto *table = panel.findChild<QTableView *>();
    QVERIFY(table);
    QAbstractItemModel *model = table->model();
    QCOMPARE(model->rowCount(), versions.size());
    QCOMPARE(model->index(0, MigrationStatusModel::Version).data().toString(),
             QStringLiteral("001"));
    QCOMPARE(model->index(0, MigrationStatusModel::State).data().toString(),
             QStringLiteral("applied"));
    QCOMPARE(model->index(0, MigrationStatusModel::AppliedBy).data().toString(),
             QStringLiteral("postgres"));
    for (int row = 1; row < versions.size(); ++row) {
        QCOMPARE(model->index(row, MigrationStatusModel::Version).data().toString(),
                 versions.at(row));
        QCOMPARE(model->index(row, MigrationStatusModel::State).data().toString(),
                 QStringLiteral("pending"));
    }
    auto *summary = panel.findChild<QLabel *>();
    QVERIFY2(
        summary->text().contains(QStringLiteral("1 applied, %1 pending").arg(versions.size() - 1)),
        qPrintable(summary->text()));
}

void TstSchemaPanel::showsAnErrorForAnUnreachableServer()
{
    SchemaPanel panel;
    QSignalSpy loaded(&panel, &SchemaPanel::loaded);
    ConnectionOptions nowhere;
    nowhere.database = QStringLiteral("host=127.0.0.1 port=1 dbname=x connect_timeout=3");
    panel.setConnection(nowhere);
    panel.refresh();
    QVERIFY(loaded.wait(20000));
    auto *summary = panel.findChild<QLabel *>();
    QVERIFY2(summary->text().contains(QLatin1String("127.0.0.1")), qPrintable(summary->text()));
    QCOMPARE(panel.findChild<QTableView *>()->model()->rowCount(), 0);
}

QTEST_MAIN(TstSchemaPanel)
#include "tst_schemapanel.moc"
