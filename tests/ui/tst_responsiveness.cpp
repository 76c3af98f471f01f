// Through algoadmin-delayproxy at 200 ms of round trip, the GUI thread never stalls: a timer
// probe on it sees no gap over 100 ms (busy or blocked, not waiting for a CPU) while the window
// connects, panels load, a migration runs from the schema panel and the connection is tested from
// the dialog.
#include "agents/agentspanel.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogpanel.h"
#include "changelog/changelogview.h"
#include "changelog/entrydetailview.h"
#include "chat/chatpanel.h"
#include "connection/connectiondialog.h"
#include "db/connectionprofile.h"
#include "db/passwordstore.h"
#include "latencyproxy.h"
#include "mainwindow.h"
#include "metrics/metricchartview.h"
#include "metrics/metricspanel.h"
#include "panel.h"
#include "panelids.h"
#include "parameters/parametereditor.h"
#include "sandbox/sandbox.h"
#include "stallprobe.h"
#include "testdatabase.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

constexpr qint64 StallLimitMs = stallLimitMs(100); // four times that under ThreadSanitizer

class TstResponsiveness : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("algoadmin-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_responsiveness"));
    }
    void neverStallsAt200msRoundTrip();
};

void TstResponsiveness::neverStallsAt200msRoundTrip()
{
    TestDatabase db(QStringLiteral("responsive"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    LatencyProxy proxy;
    QVERIFY2(proxy.start(200), qPrintable(proxy.error()));

    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("far away");
    startup.target.options = proxy.options(db.name());
    startup.panel = QStringLiteral("schema");
    MainWindow window(startup);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::qWait(50); // the first layout and paint are not the network's doing

    Panel *schema = window.panel(QStringLiteral("schema"));
    QSignalSpy loaded(schema, &Panel::loaded);
    StallProbe probe;
    probe.start(QStringLiteral("connecting and loading the schema panel"));
    QElapsedTimer clock;
    clock.start();
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
    // It really went over the slow link: connect and status cost several round trips.
    QVERIFY2(clock.elapsed() >= 600, qPrintable(QString::number(clock.elapsed())));

    probe.setPhase(QStringLiteral("switching panels"));
    for (const QString &id : PanelIds::all()) {
        window.showPanel(id);
        QTest::qWait(20);
    }

    probe.setPhase(QStringLiteral("migrating from the schema panel"));
    loaded.clear();
    auto *busy = window.findChild<QProgressBar *>(QStringLiteral("busyIndicator"));
    QVERIFY(busy);
    QVERIFY(schema->runAction(QStringLiteral("migrate")));
    QTRY_VERIFY_WITH_TIMEOUT(busy->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!schema->isBusy(), 30000);
    QCOMPARE(value(db, "SELECT count(*) FROM algoadmin_schema_history"),
             QString::number(MigrationSet::bundled().migrations.size()));

    probe.pause();
    {
        // Demo data, written directly (not the GUI's work), then the Agents panel over the slow
        // link: the list, then three agents selected one after the other.
        PgConnection seeder;
        DbError error;
        QVERIFY2(seeder.open(db.options(), &error), qPrintable(error.toString()));
        DemoSeedOptions options;
        options.changelogRows = 1000; // five pages of the changelog
        options.metricRows = 100;
        options.chatRows = 10;
        QVERIFY2(runDemoSeed(seeder, options, nullptr, &error), qPrintable(error.toString()));
    }
    probe.resume();
    probe.setPhase(QStringLiteral("loading agents and their parameters"));
    auto *agents = qobject_cast<AgentsPanel *>(window.panel(QStringLiteral("agents")));
    QVERIFY(agents);
    window.showPanel(QStringLiteral("agents"));
    QSignalSpy agentsLoaded(agents, &Panel::loaded);
    agents->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!agentsLoaded.isEmpty(), 30000);
    QSignalSpy shown(agents->parameterEditor(), &ParameterEditor::parametersShown);
    for (const QString &id : {QStringLiteral("A1"), QStringLiteral("A2"), QStringLiteral("A3")}) {
        shown.clear();
        QTRY_VERIFY_WITH_TIMEOUT(agents->selectAgent(id), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 30000);
    }

    probe.setPhase(QStringLiteral("scrolling the changelog"));
    auto *changelog = qobject_cast<ChangelogPanel *>(window.panel(QStringLiteral("changelog")));
    QVERIFY(changelog);
    window.showPanel(QStringLiteral("changelog"));
    changelog->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(changelog->model()->rowCount() > 0, 30000);
    // Down to the oldest row page by page, as the scroll bar asks for them.
    QTRY_VERIFY_WITH_TIMEOUT((changelog->view()->scrollToBottom(),
                              changelog->model()->atBottom() && !changelog->model()->isFetching()),
                             60000);
    changelog->view()->setCurrentIndex(changelog->model()->index(0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(changelog->detail()->changeSetRows() >= 0 && !changelog->isBusy(),
                             30000);

    probe.setPhase(QStringLiteral("opening the chat"));
    auto *chat = qobject_cast<ChatPanel *>(window.panel(QStringLiteral("chat")));
    QVERIFY(chat);
    window.showPanel(QStringLiteral("chat"));
    chat->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(chat->selectAgent(QStringLiteral("A2")), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!chat->isBusy() && chat->shownAgent() == QLatin1String("A2"), 30000);

    probe.setPhase(QStringLiteral("zooming the metrics and switching metrics"));
    auto *metrics = qobject_cast<MetricsPanel *>(window.panel(QStringLiteral("metrics")));
    QVERIFY(metrics);
    window.showPanel(QStringLiteral("metrics"));
    metrics->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(metrics->selectAgent(QStringLiteral("A2")), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!metrics->isBusy() && !metrics->metric().isEmpty(), 30000);
    metrics->setPreset(MetricsPanel::Preset::All);
    QTRY_VERIFY_WITH_TIMEOUT(!metrics->isBusy(), 30000);
    for (int step = 0; step < 3; ++step) // each step a new request over the slow link
        metrics->chart()->zoomBy(2);
    metrics->chart()->panBy(-0.25);
    QTRY_VERIFY_WITH_TIMEOUT(!metrics->isBusy(), 30000);
    QVERIFY(metrics->back());
    auto *metricBox = metrics->findChild<QComboBox *>(QStringLiteral("metricBox"));
    QVERIFY(metricBox && metricBox->count() > 1);
    metricBox->setCurrentIndex((metricBox->currentIndex() + 1) % metricBox->count());
    QTRY_VERIFY_WITH_TIMEOUT(!metrics->isBusy(), 30000);
    window.showPanel(QStringLiteral("schema"));

    probe.setPhase(QStringLiteral("refreshing"));
    loaded.clear();
    schema->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
    QTest::qWait(50);

    probe.setPhase(QStringLiteral("testing the connection from the dialog"));
    ProfileStore profiles;
    PasswordStore passwords;
    ConnectionDialog dialog(&profiles, &passwords);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("newButton")), Qt::LeftButton);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("nameEdit")),
                     QStringLiteral("far"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("hostEdit")),
                     QStringLiteral("127.0.0.1"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("portEdit")),
                     QString::number(proxy.port()));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("databaseEdit")), db.name());
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("userEdit")),
                     QStringLiteral("postgres"));
    auto *result = dialog.findChild<QLabel *>(QStringLiteral("testResult"));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("testButton")),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QLatin1String("Connected")), 30000);
    QVERIFY2(result->text().contains(QLatin1String("round trip")), qPrintable(result->text()));
    dialog.close();

    qInfo("longest GUI-thread stall: %lld ms (while %s)", probe.longestMs(),
          qPrintable(probe.during()));
    QVERIFY2(probe.longestMs() <= StallLimitMs,
             qPrintable(QStringLiteral("the GUI thread stalled %1 ms while %2")
                            .arg(probe.longestMs())
                            .arg(probe.during())));
}

QTEST_MAIN(TstResponsiveness)
#include "tst_responsiveness.moc"
