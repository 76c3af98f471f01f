// The schema panel on the offscreen platform against the test cluster: real buttons clicked,
// the engine on the panel's worker thread, every model checked by QAbstractItemModelTester
// while it fills.
#include "latencyproxy.h"
#include "migrations/migrationengine.h"
#include "schema/lockholdermodel.h"
#include "schema/migrationlistmodel.h"
#include "schema/runchartview.h"
#include "schema/schemapanel.h"
#include "schema/stepmodel.h"
#include "schema/verifytreemodel.h"
#include "stallprobe.h"
#include "testdatabase.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using Tester = QAbstractItemModelTester;

class TstSchemaPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init();
    void cleanup();
    void modelsPassTheTester();
    void showsStatusOfADatabase();
    void showsAnErrorForAnUnreachableServer();
    void migrateFillsStepsLiveAndExports();
    void idleMeansEveryRunButtonIsReady();
    void rehearseLeavesNothingAndComparesWithThePreviousRun();
    void cancelStopsALongStepAndLeavesTheDatabaseUnchanged();
    void showsWhoHoldsALockAStepWaitsFor();
    void verifyShowsDifferencesAsATree();
    void verifyOfAnEmptyDatabaseSaysNothingIsAppliedYet();
    void failureShowsSqlStateFileLineAndStateAfter();
    void failureShowsTheServersContext();
    void brokenDirectoryDisablesTheRunButtons();
    void baselineAdoptsExistingTables();
    void aLostConnectionIsReported();
    void staysResponsiveAt200MsRoundTrips();
    void aSetThatLacksAppliedMigrationsWarnsFirst();
    void chartNamesItsColoursAndTicks_data();
    void chartNamesItsColoursAndTicks();

private:
    // A shown panel on `db` whose first status has arrived, its models under testers.
    bool openPanel(TestDatabase &db, const QString &directory = {}, EngineSettings settings = {});
    bool click(const char *button);
    QAbstractItemModel *model(const char *view) const;
    QStringList column(const char *view, int column) const;
    QString errorText() const;

    std::unique_ptr<QTemporaryDir> m_archive;
    std::unique_ptr<SchemaPanel> m_panel;
    QList<std::shared_ptr<Tester>> m_testers;
};

void TstSchemaPanel::init()
{
    m_archive = std::make_unique<QTemporaryDir>();
    m_panel = std::make_unique<SchemaPanel>();
    m_panel->setRunArchiveDirectory(m_archive->path());
    m_panel->resize(1100, 720);
    for (const char *view : {"migrationsView", "stepsView", "lockView", "verifyView"})
        m_testers.append(
            std::make_shared<Tester>(model(view), Tester::FailureReportingMode::QtTest));
}

void TstSchemaPanel::cleanup()
{
    m_testers.clear();
    m_panel.reset();
    m_archive.reset();
}

static ConnectionContext contextFor(const ConnectionOptions &options)
{
    ConnectionContext context;
    context.profileName = QStringLiteral("test");
    context.options = options;
    return context;
}

bool TstSchemaPanel::openPanel(TestDatabase &db, const QString &directory, EngineSettings settings)
{
    settings.useExpectedSchemaCache = false;
    m_panel->setEngineSettings(settings);
    if (!directory.isEmpty())
        m_panel->setMigrationsDirectory(directory);
    m_panel->show();
    if (!QTest::qWaitForWindowExposed(m_panel.get()))
        return false;
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setConnection(contextFor(db.options()));
    return loaded.wait(20000) && !m_panel->isBusy();
}

bool TstSchemaPanel::click(const char *name)
{
    auto *button = m_panel->findChild<QPushButton *>(QLatin1String(name));
    if (!button || !button->isEnabled() || !button->isVisible())
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}

QAbstractItemModel *TstSchemaPanel::model(const char *view) const
{
    auto *v = m_panel->findChild<QAbstractItemView *>(QLatin1String(view));
    return v ? v->model() : nullptr;
}

QStringList TstSchemaPanel::column(const char *view, int column) const
{
    QStringList values;
    QAbstractItemModel *m = model(view);
    for (int row = 0; row < m->rowCount(); ++row)
        values.append(m->index(row, column).data().toString());
    return values;
}

QString TstSchemaPanel::errorText() const
{
    auto *view = m_panel->findChild<QTextBrowser *>(QStringLiteral("errorView"));
    return view->isVisible() ? view->toPlainText() : QString();
}

// ---------------------------------------------------------------------------------------------

void TstSchemaPanel::modelsPassTheTester()
{
    MigrationListModel list;
    Tester listTester(&list, Tester::FailureReportingMode::QtTest);
    MigrationStatus applied;
    applied.version = QStringLiteral("001");
    applied.name = QStringLiteral("a");
    applied.state = MigrationStatus::State::Applied;
    applied.appliedAt = QDateTime::currentDateTime();
    MigrationStatus changed = applied;
    changed.version = QStringLiteral("002");
    changed.state = MigrationStatus::State::Changed;
    MigrationStatus pending;
    pending.version = QStringLiteral("003");
    MigrationStatus partial = applied;
    partial.version = QStringLiteral("004");
    partial.state = MigrationStatus::State::Partial;
    partial.statementsDone = 2;
    partial.statementsTotal = 4;
    partial.running = 3;
    list.setMigrations({applied, changed, pending, partial});
    QCOMPARE(list.index(1, MigrationListModel::State).data().toString(),
             QStringLiteral("changed on disk"));
    QVERIFY(list.index(2, MigrationListModel::AppliedAt).data().toString().isEmpty());
    // A partial migration: how far it got, no total time, and what the running one means.
    QCOMPARE(list.index(3, MigrationListModel::State).data().toString(),
             QStringLiteral("partial: 2 of 4"));
    QVERIFY(list.index(3, MigrationListModel::Milliseconds).data().toString().isEmpty());
    QVERIFY2(list.index(3, MigrationListModel::State)
                 .data(Qt::ToolTipRole)
                 .toString()
                 .contains(QStringLiteral("statement 3 was running")),
             qPrintable(list.index(3, MigrationListModel::State).data(Qt::ToolTipRole).toString()));

    StepModel steps;
    Tester stepTester(&steps, Tester::FailureReportingMode::QtTest);
    StepReport step;
    step.migration = QStringLiteral("001_a");
    step.fileName = QStringLiteral("001_a.sql");
    step.step = 1;
    step.line = 3;
    step.state = StepReport::State::Running;
    steps.updateStep(step);
    step.state = StepReport::State::Done;
    step.ms = 42;
    steps.updateStep(step);
    QCOMPARE(steps.rowCount(), 1);
    QCOMPARE(steps.index(0, StepModel::Location).data().toString(), QStringLiteral("001_a.sql:3"));
    RunComparison comparison;
    comparison.found = true;
    comparison.steps.append({QStringLiteral("001_a"), 1, 10, 42, true});
    steps.setComparison(comparison);
    QVERIFY(steps.index(0, StepModel::VersusPrevious)
                .data()
                .toString()
                .contains(QStringLiteral("slower")));
    steps.clear();

    LockHolderModel holders;
    Tester holderTester(&holders, Tester::FailureReportingMode::QtTest);
    LockHolder a{11,
                 QStringLiteral("postgres"),
                 QStringLiteral("psql"),
                 QStringLiteral("idle"),
                 QStringLiteral("LOCK t"),
                 QDateTime::currentDateTime()};
    LockHolder b = a;
    b.pid = 12;
    holders.setHolders({a, b});
    holders.setHolders({b});
    QCOMPARE(holders.rowCount(), 1);
    QCOMPARE(holders.index(0, LockHolderModel::Pid).data().toInt(), 12);

    VerifyTreeModel tree;
    Tester treeTester(&tree, Tester::FailureReportingMode::QtTest);
    SchemaDifference missingColumn;
    missingColumn.change = SchemaDifference::Change::Missing;
    missingColumn.expected = {QStringLiteral("column"),
                              QStringLiteral("t"),
                              QStringLiteral("c"),
                              QStringLiteral("integer"),
                              {}};
    SchemaDifference extraTable;
    extraTable.change = SchemaDifference::Change::Unexpected;
    extraTable.found = {QStringLiteral("table"), QStringLiteral("u"), QStringLiteral("u"), {}, {}};
    tree.setDifferences({missingColumn, extraTable});
    QCOMPARE(tree.rowCount(), 2);
    QCOMPARE(tree.rowCount(tree.index(0, 0)), 1);
    QCOMPARE(tree.index(0, 0, tree.index(0, 0)).data().toString(), QStringLiteral("column c"));
    QCOMPARE(tree.differenceCount(), 2);
}

void TstSchemaPanel::showsStatusOfADatabase()
{
    TestDatabase db(QStringLiteral("schemapanel"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    // 001 applied, every later bundled migration pending
    QTemporaryDir dir;
    QVERIFY(QFile::copy(sourceDir() + QStringLiteral("/sql/001_algorithm_tables.sql"),
                        dir.filePath(QStringLiteral("001_algorithm_tables.sql"))));
    const RunReport run = migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path()));
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    const QStringList versions = migrationVersions(MigrationSet::bundled());

    QVERIFY(openPanel(db));
    QCOMPARE(column("migrationsView", MigrationListModel::Version), versions);
    const QStringList states = column("migrationsView", MigrationListModel::State);
    QCOMPARE(states.first(), QStringLiteral("applied"));
    QCOMPARE(states.count(QStringLiteral("pending")), versions.size() - 1);
    QCOMPARE(column("migrationsView", MigrationListModel::AppliedBy).first(),
             QStringLiteral("postgres"));
    auto *summary = m_panel->findChild<QLabel *>(QStringLiteral("summaryLabel"));
    QVERIFY2(
        summary->text().contains(QStringLiteral("1 applied, %1 pending").arg(versions.size() - 1)),
        qPrintable(summary->text()));
    QVERIFY(errorText().isEmpty());
}

void TstSchemaPanel::showsAnErrorForAnUnreachableServer()
{
    ConnectionOptions nowhere;
    nowhere.database = QStringLiteral("host=127.0.0.1 port=1 dbname=x connect_timeout=3");
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->show();
    m_panel->setConnection(contextFor(nowhere));
    QVERIFY(loaded.wait(20000));
    QVERIFY2(errorText().contains(QLatin1String("127.0.0.1")), qPrintable(errorText()));
    QCOMPARE(model("migrationsView")->rowCount(), 0);
    QVERIFY(!m_panel->isBusy());
    // disconnected: nothing can run
    m_panel->setConnection({});
    QVERIFY(!m_panel->findChild<QPushButton *>(QStringLiteral("migrateButton"))->isEnabled());
}

void TstSchemaPanel::migrateFillsStepsLiveAndExports()
{
    TestDatabase db(QStringLiteral("schemapanel_migrate"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(openPanel(db));
    const MigrationSet set = MigrationSet::bundled();
    const int statements = statementCount(set);
    QSignalSpy inserted(model("stepsView"), &QAbstractItemModel::rowsInserted);
    QSignalSpy busy(m_panel.get(), &Panel::busyChanged);
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QVERIFY(m_panel->isBusy());
    QVERIFY(!m_panel->findChild<QPushButton *>(QStringLiteral("migrateButton"))->isEnabled());
    QVERIFY(loaded.wait(60000));
    QVERIFY(!m_panel->isBusy());

    // one row per statement, each appended live as its step started
    QCOMPARE(inserted.size(), statements);
    QCOMPARE(model("stepsView")->rowCount(), statements);
    QCOMPARE(column("stepsView", StepModel::State),
             QStringList(statements, QStringLiteral("done")));
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"),
             QString::number(set.migrations.size()));
    QCOMPARE(column("migrationsView", MigrationListModel::State),
             QStringList(set.migrations.size(), QStringLiteral("applied")));
    auto *progress = m_panel->findChild<QProgressBar *>(QStringLiteral("progressBar"));
    QCOMPARE(progress->value(), statements);
    QCOMPARE(progress->maximum(), statements);
    QVERIFY(busy.size() >= 2);
    QCOMPARE(busy.first().at(0).toBool(), true);
    QVERIFY2(busy.first().at(1).toString().startsWith(QLatin1String("Migrating")),
             qPrintable(busy.first().at(1).toString()));
    QCOMPARE(busy.last().at(0).toBool(), false);
    QVERIFY(m_panel->findChild<QLabel *>(QStringLiteral("roundTripsLabel"))
                ->text()
                .contains(QString::number(m_panel->lastRun().roundTrips)));
    QVERIFY(m_panel->findChild<QLabel *>(QStringLiteral("elapsedLabel"))
                ->text()
                .endsWith(QLatin1String(" s")));
    auto *chart = m_panel->findChild<RunChartView *>(QStringLiteral("chartView"));
    QCOMPARE(chart->categories().size(), std::min(statements, RunChartView::maxSteps()));
    QCOMPARE(chart->barSetCount(), 1);
    // Red bars are named in the legend in their own colour (issue 10).
    QVERIFY(chart->legend().contains(
        std::pair(QStringLiteral("The three slowest"), QColor(0xd3, 0x2f, 0x2f))));
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_migrated.png")));

    // export through the dialog, as a user would
    QTemporaryDir out;
    for (const QString &name : {QStringLiteral("report.csv"), QStringLiteral("report.json")}) {
        QVERIFY(click("exportButton"));
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY(dialog = m_panel->findChild<QFileDialog *>(QStringLiteral("exportDialog")));
        dialog->selectFile(out.filePath(name));
        static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept, as Save does
        QTRY_VERIFY(QFile::exists(out.filePath(name)));
        QTRY_VERIFY(!m_panel->findChild<QFileDialog *>(QStringLiteral("exportDialog")));
    }
    QFile csv(out.filePath(QStringLiteral("report.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + statements);
    QVERIFY(lines.at(1).startsWith(set.migrations.first().id().toUtf8() + ",1,"));
    QFile json(out.filePath(QStringLiteral("report.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject report = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(report.value(QStringLiteral("steps")).toArray().size(), statements);
    QCOMPARE(report.value(QStringLiteral("outcome")).toString(), QStringLiteral("ok"));

    // Migrate and Rehearse again: nothing pending, and the progress says so (issue 10).
    for (const auto &[button, text] :
         {std::pair{"migrateButton", QStringLiteral("Nothing to migrate: all %1 applied")},
          std::pair{"rehearseButton", QStringLiteral("Nothing to rehearse: all %1 applied")}}) {
        QSignalSpy again(m_panel.get(), &Panel::loaded);
        QVERIFY(click(button));
        QVERIFY(again.wait(60000));
        QCOMPARE(progress->text(), text.arg(set.migrations.size()));
        QCOMPARE(progress->value(), progress->maximum());
    }
}

void TstSchemaPanel::idleMeansEveryRunButtonIsReady()
{
    // Whenever the panel says it is not busy, what it offers can be started: a caller (the
    // window, a script, a test) that waits for "not busy" and then runs Verify gets it run.
    // A migrate, its archiving and the status read after it are one piece of work: the panel
    // is busy from the click to the reloaded list, says so when it posts the run's summary,
    // and becomes idle once, at the end, with every run button ready.
    TestDatabase db(QStringLiteral("schemapanel_idle"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(openPanel(db));
    QList<QPushButton *> buttons;
    for (const char *name : {"migrateButton", "rehearseButton", "verifyButton", "baselineButton"}) {
        buttons.append(m_panel->findChild<QPushButton *>(QLatin1String(name)));
        QVERIFY2(buttons.last(), name);
    }
    const auto anyDisabled = [&] {
        return std::any_of(buttons.cbegin(), buttons.cend(),
                           [](const QPushButton *b) { return !b->isEnabled(); });
    };
    // Each message with whether the panel was busy then; at every turn of the event loop,
    // whether it was idle with a button disabled.
    QStringList messages;
    connect(m_panel.get(), &Panel::messagePosted, this, [&](const QString &text) {
        messages.append((m_panel->isBusy() ? u"busy: "_s : u"idle: "_s) + text);
    });
    QStringList contradictions;
    int samples = 0;
    QTimer sampler;
    sampler.setInterval(0);
    connect(&sampler, &QTimer::timeout, this, [&] {
        ++samples;
        if (!m_panel->isBusy() && anyDisabled() && contradictions.size() < 5)
            contradictions.append(u"sample %1: idle, a run button disabled"_s.arg(samples));
    });
    QSignalSpy busy(m_panel.get(), &Panel::busyChanged);
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    sampler.start();
    // loaded() comes once, with the list read after the run.
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 60000);
    sampler.stop();
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Ok);
    QVERIFY(!m_panel->isBusy());
    QVERIFY(!anyDisabled());
    QVERIFY2(contradictions.isEmpty(), qPrintable(contradictions.join(u'\n')));
    QVERIFY(samples > 10);
    // The run's summary was posted while the panel was still busy (it reads the list next).
    const auto summary = std::find_if(messages.cbegin(), messages.cend(),
                                      [](const QString &m) { return m.contains(u"Applied "_s); });
    QVERIFY2(summary != messages.cend(), qPrintable(messages.join(u'\n')));
    QVERIFY2(summary->startsWith(u"busy: "_s), qPrintable(messages.join(u'\n')));
    QStringList changes;
    int idles = 0;
    for (const QList<QVariant> &change : std::as_const(busy)) {
        idles += change.at(0).toBool() ? 0 : 1;
        changes.append(change.at(0).toString() + u' ' + change.at(1).toString());
    }
    QVERIFY2(idles == 1 && !busy.last().at(0).toBool(), qPrintable(changes.join(u'\n')));
    QVERIFY(m_panel->runAction(QStringLiteral("verify")));
    QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isBusy(), 60000);
}

void TstSchemaPanel::rehearseLeavesNothingAndComparesWithThePreviousRun()
{
    TestDatabase db(QStringLiteral("schemapanel_rehearse"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(openPanel(db));
    const int statements = statementCount(MigrationSet::bundled());
    for (int round = 1; round <= 2; ++round) {
        QSignalSpy loaded(m_panel.get(), &Panel::loaded);
        QVERIFY(click("rehearseButton"));
        QVERIFY(loaded.wait(60000));
        QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Ok);
        QVERIFY(m_panel->lastRun().rehearsal);
        QCOMPARE(model("stepsView")->rowCount(), statements);
        QCOMPARE(value(db, "SELECT to_regclass('algoadmin_schema_history') IS NULL"),
                 QStringLiteral("t"));
        QCOMPARE(value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                 QStringLiteral("0"));
        QVERIFY(column("migrationsView", MigrationListModel::State)
                    .startsWith(QStringLiteral("pending")));
    }
    // the second rehearsal of the same files is compared with the first
    auto *chart = m_panel->findChild<RunChartView *>(QStringLiteral("chartView"));
    QCOMPARE(chart->barSetCount(), 2);
    const QStringList versus = column("stepsView", StepModel::VersusPrevious);
    QVERIFY2(!versus.first().isEmpty(), qPrintable(versus.join(QLatin1Char('|'))));
    QCOMPARE(QDir(m_archive->path()).entryList(QDir::Files).size(), 2);
}

void TstSchemaPanel::cancelStopsALongStepAndLeavesTheDatabaseUnchanged()
{
    TestDatabase db(QStringLiteral("schemapanel_cancel"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(
                 dir, {{QStringLiteral("001_sleep.sql"), "CREATE TABLE before_sleep (x int);\n"
                                                         "SELECT pg_sleep(30);\n"}})
                 .isEmpty());
    QVERIFY(openPanel(db, dir.path()));
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db, "SELECT count(*) FROM pg_stat_activity"
                  " WHERE datname = current_database() AND query = 'SELECT pg_sleep(30)'"),
        QStringLiteral("1"), 15000);
    QTRY_VERIFY(column("stepsView", StepModel::State).contains(QStringLiteral("running")));
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_running.png")));
    QVERIFY(click("cancelButton"));
    QVERIFY(loaded.wait(15000));
    QVERIFY(!m_panel->isBusy());
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Cancelled);
    QCOMPARE(value(db, "SELECT to_regclass('before_sleep') IS NULL"), QStringLiteral("t"));
    QCOMPARE(value(db, "SELECT count(*) FROM pg_stat_activity"
                       " WHERE datname = current_database()"
                       " AND query = 'SELECT pg_sleep(30)' AND state = 'active'"),
             QStringLiteral("0"));
    QVERIFY2(errorText().contains(QLatin1String("cancelled")), qPrintable(errorText()));
    QVERIFY2(errorText().contains(QLatin1String("nothing committed")), qPrintable(errorText()));
    // The user's cancel is no failure: the step is where it stopped, with its statement.
    QVERIFY2(errorText().contains(QLatin1String("Stopped at")), qPrintable(errorText()));
    QVERIFY2(!errorText().contains(QLatin1String("Failed")), qPrintable(errorText()));
    QVERIFY2(errorText().contains(QLatin1String("Statement\nSELECT pg_sleep(30)")),
             qPrintable(errorText()));
    QCOMPARE(column("migrationsView", MigrationListModel::State),
             QStringList{QStringLiteral("pending")});
}

void TstSchemaPanel::showsWhoHoldsALockAStepWaitsFor()
{
    TestDatabase db(QStringLiteral("schemapanel_lock"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{QStringLiteral("001_table.sql"), "CREATE TABLE locked (x int);\n"}})
             .isEmpty());
    QCOMPARE(migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path())).outcome,
             RunReport::Outcome::Ok);
    QVERIFY(writeFile(dir.filePath(QStringLiteral("002_alter.sql")),
                      "ALTER TABLE locked ADD COLUMN y int;\n"));
    EngineSettings settings;
    settings.lockTimeoutMs = 30000;
    QVERIFY(openPanel(db, dir.path(), settings));

    QVERIFY(db.exec("BEGIN").ok());
    QVERIFY(db.exec("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE").ok());
    const QString pid = db.scalar("SELECT pg_backend_pid()");
    QVERIFY(!pid.isEmpty());
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QTRY_VERIFY_WITH_TIMEOUT(column("lockView", LockHolderModel::Pid).contains(pid), 15000);
    auto *tabs = m_panel->findChild<QTabWidget *>();
    QCOMPARE(tabs->currentWidget()->findChild<QTableView *>(QStringLiteral("lockView")) != nullptr,
             true);
    auto *label = m_panel->findChild<QLabel *>(QStringLiteral("lockWaitLabel"));
    QVERIFY2(label->text().contains(QLatin1String("Gives up in")), qPrintable(label->text()));
    QVERIFY2(label->text().contains(QLatin1String("002_alter")), qPrintable(label->text()));
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_lock.png")));
    QVERIFY(m_panel->isBusy());

    QVERIFY(db.exec("ROLLBACK").ok());
    QVERIFY(loaded.wait(30000));
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Ok);
    QCOMPARE(model("lockView")->rowCount(), 0);
    QCOMPARE(value(db, "SELECT count(*) FROM information_schema.columns"
                       " WHERE table_name = 'locked' AND column_name = 'y'"),
             QStringLiteral("1"));
}

void TstSchemaPanel::verifyShowsDifferencesAsATree()
{
    TestDatabase db(QStringLiteral("schemapanel_verify"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!designMigrationsDir(dir).isEmpty());
    QCOMPARE(migrateDatabase(db.options(), MigrationSet::fromDirectory(dir.path())).outcome,
             RunReport::Outcome::Ok);
    const QString index = value(db, "SELECT indexname FROM pg_indexes"
                                    " WHERE tablename = 'algorithm_changelog'"
                                    " AND indexdef LIKE '%(user_id)'");
    QVERIFY(!index.isEmpty() && !index.startsWith(QLatin1String("error")));
    QVERIFY(db.exec("DROP INDEX " + index.toUtf8()).ok());
    QVERIFY(db.exec("ALTER TABLE algorithm_chat_history DROP COLUMN response").ok());
    QVERIFY(openPanel(db, dir.path()));

    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("verifyButton"));
    QVERIFY(loaded.wait(60000));
    QAbstractItemModel *tree = model("verifyView");
    const QStringList tables = column("verifyView", VerifyTreeModel::Object);
    QVERIFY2(tables.contains(QStringLiteral("algorithm_changelog")) &&
                 tables.contains(QStringLiteral("algorithm_chat_history")),
             qPrintable(tables.join(QLatin1Char('|')) + QStringLiteral(" / ") + errorText()));
    const QModelIndex chat =
        tree->index(int(tables.indexOf(QStringLiteral("algorithm_chat_history"))), 0);
    QCOMPARE(tree->rowCount(chat), 1);
    QCOMPARE(tree->index(0, VerifyTreeModel::Object, chat).data().toString(),
             QStringLiteral("column response"));
    QCOMPARE(tree->index(0, VerifyTreeModel::Change, chat).data().toString(),
             QStringLiteral("missing"));
    QCOMPARE(tree->index(0, VerifyTreeModel::Expected, chat).data().toString(),
             QStringLiteral("text"));
    const QModelIndex changelog =
        tree->index(int(tables.indexOf(QStringLiteral("algorithm_changelog"))), 0);
    QCOMPARE(tree->index(0, VerifyTreeModel::Object, changelog).data().toString(),
             QStringLiteral("index ") + index);
    QVERIFY(m_panel->findChild<QTreeView *>(QStringLiteral("verifyView"))->isVisible());
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_verify.png")));
}

// Issue 12: a database where nothing is applied yet is not "every object missing".
void TstSchemaPanel::verifyOfAnEmptyDatabaseSaysNothingIsAppliedYet()
{
    TestDatabase db(QStringLiteral("schemapanel_verify_empty"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!designMigrationsDir(dir).isEmpty());
    QVERIFY(openPanel(db, dir.path()));
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QSignalSpy messages(m_panel.get(), &Panel::messagePosted);
    QVERIFY(click("verifyButton"));
    QVERIFY(loaded.wait(60000));
    QCOMPARE(model("verifyView")->rowCount(), 0);
    const QString summary = m_panel->findChild<QLabel *>(QStringLiteral("verifySummary"))->text();
    QVERIFY2(summary.contains(QStringLiteral("Nothing is applied yet")) &&
                 summary.contains(QStringLiteral("Migrate (Ctrl+M)")),
             qPrintable(summary));
    QVERIFY(!messages.isEmpty());
    QCOMPARE(messages.last().at(0).toString(),
             QStringLiteral("Verify: nothing is applied yet; Migrate creates the schema."));
    // and nothing was created by looking
    QCOMPARE(value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
             QStringLiteral("0"));
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_verify_empty.png")));
}

void TstSchemaPanel::failureShowsSqlStateFileLineAndStateAfter()
{
    TestDatabase db(QStringLiteral("schemapanel_failure"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(
        !writeMigrations(dir, {{QStringLiteral("001_ok.sql"), "CREATE TABLE ok_table (x int);\n"},
                               {QStringLiteral("002_bad.sql"), "CREATE TABLE bad_table (x int);\n"
                                                               "\n"
                                                               "SELECT 1/0;\n"}})
             .isEmpty());
    QVERIFY(openPanel(db, dir.path()));
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QVERIFY(loaded.wait(30000));
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Failed);
    const QString text = errorText();
    QVERIFY2(text.contains(QLatin1String("22012")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("002_bad.sql:3")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("division by zero")), qPrintable(text));
    // The state after says each fact once, none contradicting another (issue 10), and the
    // failing statement's text is shown.
    QVERIFY2(text.contains(QStringLiteral("State after: nothing committed of migration 002_bad: it "
                                          "rolled back; this run committed 001_ok before it.")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Statement\nSELECT 1/0")), qPrintable(text));
    QVERIFY(column("stepsView", StepModel::State).contains(QStringLiteral("failed")));
    QCOMPARE(value(db, "SELECT to_regclass('ok_table') IS NOT NULL"), QStringLiteral("t"));
    QCOMPARE(value(db, "SELECT to_regclass('bad_table') IS NULL"), QStringLiteral("t"));
    QCOMPARE(column("migrationsView", MigrationListModel::State),
             (QStringList{QStringLiteral("applied"), QStringLiteral("pending")}));
    m_panel->grab().save(QDir::temp().filePath(QStringLiteral("tst_schemapanel_failure.png")));
}

// Issue 12: an error raised in a trigger comes with DETAIL, HINT and CONTEXT, all shown.
void TstSchemaPanel::failureShowsTheServersContext()
{
    TestDatabase db(QStringLiteral("schemapanel_context"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_trigger.sql"), TriggerFailureMigration}})
                 .isEmpty());
    QVERIFY(openPanel(db, dir.path()));
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QVERIFY(loaded.wait(30000));
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Failed);
    const QString text = errorText();
    const qsizetype detail = text.indexOf(QLatin1String("x was 42"));
    const qsizetype hint = text.indexOf(QLatin1String("Insert elsewhere."));
    const qsizetype context =
        text.indexOf(QLatin1String("PL/pgSQL function refuse() line 3 at RAISE"));
    QVERIFY2(detail > 0 && hint > detail && context > hint, qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("Context")), qPrintable(text));
}

void TstSchemaPanel::brokenDirectoryDisablesTheRunButtons()
{
    TestDatabase db(QStringLiteral("schemapanel_broken"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("first.sql"), "SELECT 1;\n"}}).isEmpty());
    QVERIFY(openPanel(db));
    m_panel->setMigrationsDirectory(dir.path());
    QVERIFY2(errorText().contains(QLatin1String("first.sql")), qPrintable(errorText()));
    for (const char *name : {"migrateButton", "rehearseButton", "verifyButton", "baselineButton"})
        QVERIFY(!m_panel->findChild<QPushButton *>(QLatin1String(name))->isEnabled());
    QVERIFY(!m_panel->runAction(QStringLiteral("migrate")));
    QVERIFY(click("bundledButton"));
    QTRY_VERIFY(m_panel->findChild<QPushButton *>(QStringLiteral("migrateButton"))->isEnabled());
    QVERIFY(!m_panel->runAction(QStringLiteral("no-such-action")));
}

void TstSchemaPanel::baselineAdoptsExistingTables()
{
    TestDatabase db(QStringLiteral("schemapanel_baseline"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!designMigrationsDir(dir).isEmpty());
    // the old application's tables, created without the history
    const MigrationSet set = MigrationSet::fromDirectory(dir.path());
    QVERIFY(set.ok());
    for (const SqlStatement &statement : set.migrations.first().statements)
        QVERIFY(db.exec(statement.text.toUtf8()).ok());
    QVERIFY(openPanel(db, dir.path()));
    QCOMPARE(column("migrationsView", MigrationListModel::State).first(),
             QStringLiteral("pending"));
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(m_panel->runAction(QStringLiteral("baseline")));
    QVERIFY(loaded.wait(60000));
    QVERIFY2(errorText().isEmpty(), qPrintable(errorText()));
    QCOMPARE(column("migrationsView", MigrationListModel::State).first(),
             QStringLiteral("applied (baseline)"));
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"
                       " WHERE version = '001' AND kind = 'baseline'"),
             QStringLiteral("1"));
}

void TstSchemaPanel::aLostConnectionIsReported()
{
    TestDatabase db(QStringLiteral("schemapanel_lost"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(dir, {{QStringLiteral("001_sleep.sql"), "SELECT pg_sleep(30);\n"}})
                 .isEmpty());
    QVERIFY(openPanel(db, dir.path()));
    QSignalSpy lost(m_panel.get(), &Panel::connectionLost);
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QString pid;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(pid = db.scalar("SELECT pid FROM pg_stat_activity"
                          " WHERE datname = current_database() AND query = 'SELECT pg_sleep(30)'"))
             .isEmpty(),
        15000);
    QCOMPARE(db.scalar("SELECT pg_terminate_backend($1::int)", {pid.toUtf8()}),
             QStringLiteral("t"));
    QVERIFY(lost.wait(15000));
    QVERIFY(lost.first().first().value<DbError>().isConnectionLoss());
    QTRY_VERIFY(!m_panel->isBusy());
    QVERIFY(loaded.size() >= 1);
    QVERIFY(!errorText().isEmpty());
}

// The GUI thread never waits on the network: behind a 200 ms round-trip proxy, a 10 ms timer
// on the GUI thread keeps firing through status, migrate and verify. A single blocking round
// trip would leave a gap of at least 200 ms.
void TstSchemaPanel::staysResponsiveAt200MsRoundTrips()
{
    TestDatabase db(QStringLiteral("schemapanel_latency"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(200), qPrintable(proxy.error()));
    const ConnectionOptions delayed = proxy.options(db.name());

    QElapsedTimer sinceLastTick;
    qint64 longestGap = 0;
    QTimer probe;
    probe.setInterval(10);
    connect(&probe, &QTimer::timeout, this,
            [&] { longestGap = std::max(longestGap, sinceLastTick.restart()); });
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    sinceLastTick.start();
    probe.start();

    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setConnection(contextFor(delayed));
    QVERIFY(loaded.wait(30000));
    QVERIFY2(errorText().isEmpty(), qPrintable(errorText()));
    QVERIFY(click("migrateButton"));
    QVERIFY(loaded.wait(60000));
    QCOMPARE(m_panel->lastRun().outcome, RunReport::Outcome::Ok);
    QVERIFY(click("verifyButton"));
    QVERIFY(loaded.wait(60000));
    QVERIFY2(errorText().isEmpty(), qPrintable(errorText()));
    probe.stop();
    QVERIFY2(longestGap < stallLimitMs(200), // four times that under ThreadSanitizer
             qPrintable(QStringLiteral("the GUI thread stalled %1 ms").arg(longestGap)));
}

// A chosen directory that lacks what the database has applied (issue 10): running it asks
// first (No runs nothing), and results of the other set do not stay on screen.
void TstSchemaPanel::aSetThatLacksAppliedMigrationsWarnsFirst()
{
    TestDatabase db(QStringLiteral("schemapanel_foreign"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(migrateDatabase(db.options()).outcome == RunReport::Outcome::Ok);
    QTemporaryDir dir;
    QVERIFY(!writeMigrations(
                 dir, {{QStringLiteral("101_walk_table.sql"), "CREATE TABLE walk (x int);\n"}})
                 .isEmpty());
    QVERIFY(db.exec("CREATE TABLE drifted (x int)").ok()); // something for verify to report
    QVERIFY(openPanel(db)); // the bundled set: verify it, so that there is a result to go
    QSignalSpy verified(m_panel.get(), &Panel::loaded);
    QVERIFY(click("verifyButton"));
    QVERIFY(verified.wait(60000));
    QVERIFY(model("verifyView")->rowCount() > 0);

    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setMigrationsDirectory(dir.path());
    QVERIFY(loaded.wait(20000));
    QCOMPARE(model("verifyView")->rowCount(), 0); // the bundled set's result went
    QVERIFY(column("migrationsView", MigrationListModel::State)
                .contains(QStringLiteral("missing on disk")));

    // Migrate: the warning names what is missing; No runs nothing.
    QString warning;
    QTimer answerer;
    answerer.setInterval(20);
    QMessageBox::StandardButton answer = QMessageBox::No;
    connect(&answerer, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (box && box->objectName() == QLatin1String("foreignSetWarning")) {
            warning = box->text();
            box->button(answer)->click();
        }
    });
    answerer.start();
    QVERIFY(click("migrateButton"));
    QTRY_VERIFY(!warning.isEmpty());
    QVERIFY2(warning.contains(QStringLiteral("001_algorithm_tables")), qPrintable(warning));
    QVERIFY(!m_panel->isBusy());
    QCOMPARE(value(db, "SELECT to_regclass('walk') IS NULL"), QStringLiteral("t"));
    // Yes runs it.
    warning.clear();
    answer = QMessageBox::Yes;
    QSignalSpy ran(m_panel.get(), &Panel::loaded);
    QVERIFY(click("migrateButton"));
    QVERIFY(ran.wait(60000));
    QVERIFY(!warning.isEmpty());
    QCOMPARE(value(db, "SELECT to_regclass('walk') IS NOT NULL"), QStringLiteral("t"));
    QVERIFY(model("stepsView")->rowCount() > 0);
    // Back to the bundled set: the directory's run does not stay on screen.
    QSignalSpy back(m_panel.get(), &Panel::loaded);
    QVERIFY(click("bundledButton"));
    QVERIFY(back.wait(20000));
    QCOMPARE(model("stepsView")->rowCount(), 0);
}

// The chart of a run (issue 10): tick labels that differ, red only where there is something to
// single out, and a legend whose swatches are the bars' colours.
void TstSchemaPanel::chartNamesItsColoursAndTicks_data()
{
    QTest::addColumn<QList<double>>("stepMs");
    QTest::addColumn<bool>("red");
    QTest::newRow("one 1.7 ms step") << QList<double>{1.7} << false;
    QTest::newRow("three small steps") << QList<double>{0.2, 0.4, 0.3} << false;
    QTest::newRow("five steps") << QList<double>{12, 3, 40, 7, 1} << true;
    QTest::newRow("sub-millisecond") << QList<double>{0.05, 0.08, 0.02, 0.01, 0.03} << true;
}

void TstSchemaPanel::chartNamesItsColoursAndTicks()
{
    QFETCH(QList<double>, stepMs);
    QFETCH(bool, red);
    RunReport report;
    for (int i = 0; i < stepMs.size(); ++i) {
        StepReport step;
        step.migration = QStringLiteral("001_x");
        step.step = i + 1;
        step.summary = QStringLiteral("CREATE TABLE t%1").arg(i);
        step.ms = stepMs.at(i);
        step.state = StepReport::State::Done;
        report.steps.append(step);
    }
    RunChartView chart;
    chart.resize(600, 400);
    chart.setRun(report, {});
    const QStringList ticks = chart.tickLabels();
    QVERIFY(ticks.size() >= 2);
    QCOMPARE(QSet<QString>(ticks.cbegin(), ticks.cend()).size(), ticks.size());
    const QString title = chart.chart()->title();
    QCOMPARE(title.contains(QStringLiteral("red")), red);
    const auto legend = chart.legend();
    QCOMPARE(legend.size(), red ? 2 : 1);
    QCOMPARE(legend.first(), std::pair(QStringLiteral("This run (ms)"), QColor(0x42, 0x7d, 0xc4)));
    if (red)
        QCOMPARE(legend.last(),
                 std::pair(QStringLiteral("The three slowest"), QColor(0xd3, 0x2f, 0x2f)));
}

QTEST_MAIN(TstSchemaPanel)
#include "tst_schemapanel.moc"
