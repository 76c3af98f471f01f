// The window through the faults a user meets with edits pending (issue 15, items 3 and 7): the
// server restarted under it, and a network path that goes silent (a proxy that stops forwarding
// without closing). Each time the banner says the connection is lost, the GUI thread never
// stalls, the pending edits stay exactly as typed, and once the server answers again the banner
// goes by itself and the same Apply commits them. The restarted server is a private cluster of
// the test's own, since it is the one stopped.
#include "agents/agentspanel.h"
#include "faulttable.h"
#include "latencyproxy.h"
#include "mainwindow.h"
#include "parameters/applydialog.h"
#include "parameters/parametereditor.h"
#include "parameters/parametertablemodel.h"
#include "privatecluster.h"
#include "repositoryfixture.h"
#include "stallprobe.h"
#include "testdatabase.h"

#include <QApplication>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// The reason the Apply gives.
constexpr char Reason[] = "kept through the fault";

// An agent with two integer parameters that have both bounds: the ones edited.
QString editableAgent(PgConnection &connection)
{
    return value(connection,
                 "SELECT algorithm_id FROM algorithm_parameters WHERE parameter_type = 'integer'"
                 " AND nullif(min_value, '') IS NOT NULL AND nullif(max_value, '') IS NOT NULL"
                 " GROUP BY algorithm_id HAVING count(*) >= 2 ORDER BY algorithm_id LIMIT 1");
}

// The GUI thread never stalls longer than this. Unloaded it is about 15 ms; with both cores
// busy elsewhere (ctest -j4, a build) it has reached 106 ms. tst_responsiveness holds the
// window to 100 ms at a 200 ms round trip; here the point is that no fault freezes it.
constexpr qint64 StallLimitMs = stallLimitMs(250); // four times that under ThreadSanitizer

// The banner shows after a heartbeat goes unanswered for the monitor's timeout (10 s) or fails;
// heartbeats are 5 s apart.
constexpr int BannerMs = 30000;

AgentsPanel *agentsPanel(MainWindow &window)
{
    return qobject_cast<AgentsPanel *>(window.panel(u"agents"_s));
}

QWidget *banner(MainWindow &window)
{
    return window.findChild<QWidget *>(u"connectionBanner"_s);
}

// The editor's values as shown, one "parameter=value" per row: pending edits included.
QStringList shownValues(ParameterEditor *editor)
{
    QStringList values;
    const ParameterTableModel *model = editor->model();
    for (int row = 0; row < model->rowCount(); ++row)
        values.append(model->index(row, ParameterTableModel::Name).data().toString() + u'=' +
                      model->index(row, ParameterTableModel::Current).data().toString());
    return values;
}

} // namespace

class TstWindowFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void aServerRestartKeepsThePendingEditsAndApplies();
    void aSilentPathKeepsTheWindowAnsweringAndTheEdits();

private:
    // Opens the window, shows `agent` and types two edits as a user would (F2, the value,
    // Return): "parameter=value" of each, or one line saying what went wrong.
    QStringList openAndEdit(MainWindow &window, const QString &agent);
    // Ctrl+Return, a reason, Apply: as a user applies.
    void apply(MainWindow &window);
    // The changelog rows the Apply wrote, "parameter=value", through `connection`.
    static QStringList appliedRows(PgConnection &connection);

    PrivateCluster m_cluster;
    FaultTable m_table{2};
    qint64 m_restartStallMs = -1;
    qint64 m_silentStallMs = -1;
};

void TstWindowFaults::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"algoadmin-tests"_s);
    QCoreApplication::setApplicationName(u"tst_windowfaults"_s);
    const QString started = m_cluster.start();
    QVERIFY2(started.isEmpty(), qPrintable(started));
}

void TstWindowFaults::cleanupTestCase()
{
    m_table.print(u"the server restarted (pg_ctl stop, start) with the window open and two "
                  u"edits pending"_s,
                  "tst_windowfaults",
                  u"the banner within a heartbeat; it goes by itself once the server is back; "
                  u"the GUI thread never stalls (longest %1 ms); the same Apply then commits "
                  u"both edits"_s.arg(m_restartStallMs));
    m_table.print(u"the path goes silent with the window open, two edits pending and a reload "
                  u"in flight"_s,
                  "tst_windowfaults",
                  u"the banner; the reload gives up and the panel is usable; the GUI thread "
                  u"never stalls (longest %1 ms); after the path comes back the banner goes and "
                  u"Apply commits the edits"_s.arg(m_silentStallMs));
}

void TstWindowFaults::init()
{
    QSettings().clear();
}

QStringList TstWindowFaults::openAndEdit(MainWindow &window, const QString &agent)
{
    window.show();
    window.start();
    AgentsPanel *agents = agentsPanel(window);
    if (!agents)
        return {u"no agents panel"_s};
    window.showPanel(u"agents"_s);
    if (!QTest::qWaitFor([&] { return agents->selectAgent(agent); }, 20000))
        return {u"agent %1 never listed"_s.arg(agent)};
    ParameterEditor *editor = agents->parameterEditor();
    if (!QTest::qWaitFor(
            [&] {
                return editor->algorithmId() == agent && editor->model()->rowCount() > 0 &&
                       !editor->isBusy() && !agents->isBusy();
            },
            20000))
        return {u"the parameters of %1 never shown"_s.arg(agent)};
    QStringList typed;
    QTableView *table = editor->tableView();
    const ParameterTableModel *model = editor->model();
    for (int row = 0; row < model->rowCount() && typed.size() < 2; ++row) {
        if (model->index(row, ParameterTableModel::Type).data().toString() != u"integer"_s)
            continue;
        const QString max = model->index(row, ParameterTableModel::Max).data().toString();
        const QString min = model->index(row, ParameterTableModel::Min).data().toString();
        const QString current = model->index(row, ParameterTableModel::Current).data().toString();
        if (max.isEmpty() || min.isEmpty() || current.isEmpty())
            continue;
        const QString value = current == max ? min : max;
        table->setFocus();
        table->setCurrentIndex(model->index(row, ParameterTableModel::Current));
        QTest::keyClick(table, Qt::Key_F2);
        QWidget *input = QApplication::focusWidget();
        if (!qobject_cast<QLineEdit *>(input))
            return {u"no editor opened on F2"_s};
        QTest::keyClick(input, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(input, value);
        QTest::keyClick(input, Qt::Key_Return);
        typed.append(model->index(row, ParameterTableModel::Name).data().toString() + u'=' + value);
        if (!QTest::qWaitFor([&] { return editor->pendingCount() == typed.size(); }, 5000))
            return {u"the edit of %1 did not become pending"_s.arg(typed.last())};
    }
    return typed;
}

void TstWindowFaults::apply(MainWindow &window)
{
    ParameterEditor *editor = agentsPanel(window)->parameterEditor();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    editor->tableView()->setFocus();
    QTest::keyClick(editor->tableView(), Qt::Key_Return, Qt::ControlModifier);
    ApplyDialog *dialog = nullptr;
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (ApplyDialog *open : window.findChildren<ApplyDialog *>())
                if (open->isVisible())
                    dialog = open;
            return dialog != nullptr;
        },
        10000));
    auto *reason = dialog->findChild<QPlainTextEdit *>(u"reason"_s);
    auto *button = dialog->findChild<QPushButton *>(u"applyButton"_s);
    QVERIFY(reason && button);
    QTest::keyClicks(reason, QString::fromLatin1(Reason));
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
}

QStringList TstWindowFaults::appliedRows(PgConnection &connection)
{
    QStringList applied = rows(connection,
                               "SELECT parameter_name || '=' || new_value"
                               " FROM algorithm_changelog WHERE reason = $1",
                               {QByteArray(Reason)});
    applied.sort();
    return applied;
}

void TstWindowFaults::aServerRestartKeepsThePendingEditsAndApplies()
{
    const QString database = u"restart"_s;
    const QString created = m_cluster.createDatabase(database);
    QVERIFY2(created.isEmpty(), qPrintable(created));
    const ConnectionOptions options = m_cluster->connectionOptions(database);
    const RunReport migrated = migrateDatabase(options);
    QVERIFY2(migrated.outcome == RunReport::Outcome::Ok, qPrintable(migrated.error.toString()));
    QString agent;
    {
        PgConnection seeder;
        DbError error;
        QVERIFY(seeder.open(options, &error));
        DemoSeedOptions seed;
        seed.changelogRows = 50;
        seed.metricRows = 10;
        seed.chatRows = 0;
        QVERIFY2(runDemoSeed(seeder, seed, nullptr, &error), qPrintable(error.toString()));
        agent = editableAgent(seeder);
    }

    MainWindow::Startup startup;
    startup.target.name = u"restarted server"_s;
    startup.target.options = options;
    startup.target.auditUserId = u"42"_s; // the Apply asks for none
    MainWindow window(startup);
    QStringList typed = openAndEdit(window, agent);
    QVERIFY2(typed.size() == 2, qPrintable(typed.join(u", "_s)));
    ParameterEditor *editor = agentsPanel(window)->parameterEditor();
    const QStringList before = shownValues(editor);

    // pg_ctl stop and start block this thread: the test's own work, not measured.
    StallProbe probe;
    probe.start(u"the server stopped"_s);
    probe.pause();
    QString error;
    QVERIFY2(m_cluster->stop(&error), qPrintable(error));
    probe.resume();
    QTRY_VERIFY_WITH_TIMEOUT(banner(window)->isVisible(), BannerMs);
    probe.setPhase(u"the server down"_s);
    QTest::qWait(2000); // the window's retries fail meanwhile
    QVERIFY(banner(window)->isVisible());
    QCOMPARE(editor->pendingCount(), 2);
    QCOMPARE(shownValues(editor), before);

    probe.pause();
    QVERIFY2(m_cluster->start(&error), qPrintable(error));
    probe.resume();
    probe.setPhase(u"the server back"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!banner(window)->isVisible(), BannerMs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor->isBusy() && !agentsPanel(window)->isBusy(), 20000);
    probe.pause();
    qInfo("longest GUI-thread stall: %lld ms (while %s)", probe.longestMs(),
          qPrintable(probe.during()));
    QVERIFY2(probe.longestMs() <= StallLimitMs, qPrintable(probe.during()));
    m_restartStallMs = probe.longestMs();
    QCOMPARE(editor->pendingCount(), 2);
    QCOMPARE(shownValues(editor), before);

    apply(window);
    QTRY_COMPARE_WITH_TIMEOUT(editor->pendingCount(), 0, 20000);
    PgConnection check;
    DbError checkError;
    QVERIFY(check.open(options, &checkError));
    typed.sort();
    QCOMPARE(appliedRows(check), typed);
    m_table.passed();
}

void TstWindowFaults::aSilentPathKeepsTheWindowAnsweringAndTheEdits()
{
    TestDatabase db(u"window_silent"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(0), qPrintable(proxy.error()));

    MainWindow::Startup startup;
    startup.target.name = u"silent path"_s;
    startup.target.options = proxy.options(db.name());
    startup.target.auditUserId = u"42"_s;
    MainWindow window(startup);
    PgConnection direct;
    DbError directError;
    QVERIFY(direct.open(db.options(), &directError));
    QStringList typed = openAndEdit(window, editableAgent(direct));
    QVERIFY2(typed.size() == 2, qPrintable(typed.join(u", "_s)));
    AgentsPanel *agents = agentsPanel(window);
    ParameterEditor *editor = agents->parameterEditor();
    const QStringList before = shownValues(editor);

    StallProbe probe;
    probe.start(u"the path going silent"_s);
    QVERIFY(proxy.pause());
    // A reload (F5) sent into the silence, and the heartbeat's.
    agents->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(banner(window)->isVisible(), BannerMs);
    probe.setPhase(u"the path silent"_s);
    // The reload gives up (LinkWatch); the panel is usable again and the edits are as typed.
    QTRY_VERIFY_WITH_TIMEOUT(!agents->isBusy(), 30000);
    QCOMPARE(editor->pendingCount(), 2);
    QCOMPARE(shownValues(editor), before);

    probe.setPhase(u"the path back"_s);
    QVERIFY(proxy.resume());
    QTRY_VERIFY_WITH_TIMEOUT(!banner(window)->isVisible(), BannerMs);
    QTRY_VERIFY_WITH_TIMEOUT(!editor->isBusy() && !agents->isBusy(), 20000);
    probe.pause();
    qInfo("longest GUI-thread stall: %lld ms (while %s)", probe.longestMs(),
          qPrintable(probe.during()));
    QVERIFY2(probe.longestMs() <= StallLimitMs, qPrintable(probe.during()));
    m_silentStallMs = probe.longestMs();
    QCOMPARE(editor->pendingCount(), 2);
    QCOMPARE(shownValues(editor), before);

    apply(window);
    QTRY_COMPARE_WITH_TIMEOUT(editor->pendingCount(), 0, 20000);
    PgConnection check;
    DbError error;
    QVERIFY(check.open(db.options(), &error));
    typed.sort();
    QCOMPARE(appliedRows(check), typed);
    m_table.passed();
}

QTEST_MAIN(TstWindowFaults)
#include "tst_windowfaults.moc"
