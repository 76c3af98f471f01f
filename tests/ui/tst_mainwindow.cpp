// The main window on the offscreen platform against the test cluster: the status bar shows the
// connection, a lost connection raises the banner and comes back by itself, production
// profiles are marked, the window remembers its geometry and panel, --screenshot works.
#include "agents/agentspanel.h"
#include "changelog/changelogfilterbar.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogpanel.h"
#include "changelog/changelogview.h"
#include "connection/connectiondialog.h"
#include "db/connectionmonitor.h"
#include "mainwindow.h"
#include "metrics/metricchartview.h"
#include "metrics/metricspanel.h"
#include "panel.h"
#include "panelids.h"
#include "parameters/parametereditor.h"
#include "parameters/parametertablemodel.h"
#include "repositoryfixture.h"
#include "shell/aboutdialog.h"
#include "shell/connectionstatus.h"
#include "testdatabase.h"
#include "version.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

class TstMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void statusBarShowsTheConnection();
    void aboutNamesTheVersionsAndTheServer();
    void aboutSaysWhenNotConnected();
    void quittingDuringAMigrationAsksFirst();
    void aRunsSummaryStaysInTheStatusBar();
    void windowSidebarAndActionsHaveIcons();
    void connectsThroughTheDialog();
    void productionProfilesAreMarked();
    void aLostConnectionShowsTheBannerAndComesBack();
    void geometryAndLastPanelAreRemembered();
    void screenshotWritesAPngOnceThePanelLoaded();
    void linksBetweenPanelsAndSharedKeys();
    void badWindowOptionsAreRefused_data();
    void badWindowOptionsAreRefused();

private:
    MainWindow::Startup startupFor(const TestDatabase &db, const QString &applicationName) const;
    static QString labelText(QWidget *window, const char *name);
    QString showAbout(MainWindow *window, const char *grabName = nullptr);
};

void TstMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("algoadmin-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
}

void TstMainWindow::init()
{
    QSettings().clear();
}

MainWindow::Startup TstMainWindow::startupFor(const TestDatabase &db,
                                              const QString &applicationName) const
{
    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("test database");
    startup.target.options = db.options();
    startup.target.options.applicationName = applicationName;
    return startup;
}

// With ALGOADMIN_GRAB_DIR set, saves what the window looks like, to look at by eye.
static void grabFor(QWidget *window, const char *name)
{
    const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR");
    if (!dir.isEmpty())
        window->grab().save(dir + QLatin1Char('/') + QLatin1String(name) + QStringLiteral(".png"));
}

QString TstMainWindow::labelText(QWidget *window, const char *name)
{
    auto *label = window->findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

void TstMainWindow::statusBarShowsTheConnection()
{
    TestDatabase db(QStringLiteral("mainwindow_status"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MainWindow window(startupFor(db, QStringLiteral("mainwindow-status")));
    window.show();
    QSignalSpy schemaLoaded(window.panel(QStringLiteral("schema")), &Panel::loaded);
    window.start();
    // While it connects, what is happening is said once — by the busy indicator — and the
    // Agents panel says "Connecting…", not "Not connected" with a banner (issue 10).
    QCOMPARE(labelText(&window, "busyText"), QStringLiteral("Connecting to test database…"));
    QCOMPARE(labelText(&window, "profileLabel"), QString());
    QCOMPARE(window.statusBar()->currentMessage(), QString());
    QCOMPARE(labelText(&window, "detailTitle"), QStringLiteral("Connecting…"));
    QVERIFY(labelText(&window, "detailDescription").startsWith(QLatin1String("Connecting to")));
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("readOnlyBanner"))->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(&window, "serverLabel").startsWith(QLatin1String("PostgreSQL 15")), 15000);
    QVERIFY(labelText(&window, "profileLabel").contains(QLatin1String("test database")));
    // The title names the profile; Qt adds "— AlgoAdmin" once (issue 10: it said it twice).
    QCOMPARE(window.windowTitle(), QStringLiteral("test database"));
    QCOMPARE(labelText(&window, "roleLabel"), QStringLiteral("role postgres"));
    QVERIFY2(labelText(&window, "roundTripLabel").startsWith(QLatin1String("RTT ")),
             qPrintable(labelText(&window, "roundTripLabel")));
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("readOnlyBadge"))->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!schemaLoaded.isEmpty(), 15000);
    // Every panel got the connection.
    const auto panels = window.findChildren<Panel *>();
    QCOMPARE(panels.size(), 5);
    for (Panel *panel : panels)
        QCOMPARE(panel->connection().profileName, QStringLiteral("test database"));
    // Not production: no strip, no confirmation.
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("productionStrip"))->isVisible());

    // In the narrowest window the busy text no longer covers a message (issue 10): while one
    // shows, the server and role, then the busy text, step aside into tooltips.
    auto *status = window.findChild<ConnectionStatus *>();
    QVERIFY(status);
    // Every panel done loading: none of them resets the busy text set below.
    for (Panel *panel : panels)
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isBusy(), 15000);
    window.resize(window.minimumSizeHint().width(), 600);
    status->setBusy(
        true, QStringLiteral("Loading the parameters of A12 — Warehouse Slotting Optimizer…"));
    const QString message = QStringLiteral("Applied 4 changes to A12 (change set 1a2b3c4d)");
    window.statusBar()->showMessage(message, 20000);
    const int messageWidth = window.statusBar()->fontMetrics().horizontalAdvance(message);
    // (Both once the window has been laid out at its new width.)
    QTRY_VERIFY2(status->compactness() > 0 && status->x() - 8 >= messageWidth,
                 qPrintable(QStringLiteral("window %1, level %2, message to %3 of %4")
                                .arg(window.width())
                                .arg(status->compactness())
                                .arg(status->x() - 8)
                                .arg(messageWidth)));
    grabFor(&window, "mainwindow-narrow-status");
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("serverLabel"))->isVisible());
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("profileLabel"))
                ->toolTip()
                .contains(QLatin1String("PostgreSQL 15")));
    QVERIFY(window.findChild<QProgressBar *>(QStringLiteral("busyIndicator"))
                ->toolTip()
                .startsWith(QLatin1String("Loading the parameters of A12")));
    // Without the message, or in a wide window, everything is back.
    window.statusBar()->clearMessage();
    window.resize(1400, 760);
    QTRY_COMPARE(status->compactness(), 0);
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("serverLabel"))->isVisible());
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("busyText"))->isVisible());
    status->setBusy(false, {});
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("busyText"))->isVisible());
}

// Opens Help > About through its menu action and returns what the dialog shows (with
// ALGOADMIN_GRAB_DIR set, saves it as `grabName`.png), or a reason it could not.
QString TstMainWindow::showAbout(MainWindow *window, const char *grabName)
{
    QAction *about = nullptr;
    for (QAction *menu : window->menuBar()->actions()) {
        for (QAction *action : menu->menu()->actions()) {
            if (action->text() == QLatin1String("&About AlgoAdmin"))
                about = action;
        }
    }
    if (!about)
        return QStringLiteral("<no About action in the menus>");
    QString shown = QStringLiteral("<the About dialog did not open>");
    QTimer reader;
    reader.setInterval(20);
    connect(&reader, &QTimer::timeout, this, [&] {
        if (auto *dialog = qobject_cast<AboutDialog *>(QApplication::activeModalWidget())) {
            shown = dialog->detailsText();
            if (grabName)
                grabFor(dialog, grabName);
            dialog->reject();
        }
    });
    reader.start();
    about->trigger(); // modal: returns once the reader has closed it
    return shown;
}

// Help > About: the program's version, Qt's and libpq's (as --version prints them), and the
// version of the server the window is connected to, read from the server itself.
void TstMainWindow::aboutNamesTheVersionsAndTheServer()
{
    TestDatabase db(QStringLiteral("mainwindow_about"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const QString serverVersion = db.scalar("SHOW server_version");
    QVERIFY2(!serverVersion.isEmpty(), qPrintable(db.error()));
    MainWindow window(startupFor(db, QStringLiteral("mainwindow-about")));
    window.show();
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(&window, "serverLabel").startsWith(QLatin1String("PostgreSQL 15")), 15000);

    const QString shown = showAbout(&window, "about");
    QVERIFY2(shown.startsWith(QStringLiteral("AlgoAdmin ") + Version::program()),
             qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("Qt: ") + QString::fromLatin1(qVersion())),
             qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("libpq: ") + Version::libpq()), qPrintable(shown));
    QVERIFY2(
        shown.contains(QStringLiteral("Server: PostgreSQL ") + serverVersion.section(u' ', 0, 0)),
        qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("test database")), qPrintable(shown));
}

// Not connected (yet), About says so rather than name a server.
void TstMainWindow::aboutSaysWhenNotConnected()
{
    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("nowhere"); // not started
    MainWindow window(startup);
    window.show();
    const QString shown = showAbout(&window);
    QVERIFY2(shown.contains(QStringLiteral("Server: not connected")), qPrintable(shown));
}

// Ctrl+Q while a migration runs asks first; "Keep running" keeps it running, "Quit" closes the
// window and the migration is rolled back on the server.
void TstMainWindow::quittingDuringAMigrationAsksFirst()
{
    TestDatabase db(QStringLiteral("mainwindow_quit_migrating"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("001_sleep.sql")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("CREATE TABLE before_sleep (x int);\nSELECT pg_sleep(30);\n");
    file.close();
    MainWindow::Startup startup = startupFor(db, QStringLiteral("mainwindow-quit"));
    startup.migrationsDir = dir.path();
    startup.panel = QStringLiteral("schema");
    MainWindow window(startup);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    Panel *schema = window.panel(QStringLiteral("schema"));
    QSignalSpy loaded(schema, &Panel::loaded);
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
    QVERIFY(schema->runAction(QStringLiteral("migrate")));
    const char *sleeping = "SELECT count(*) FROM pg_stat_activity"
                           " WHERE datname = current_database()"
                           " AND query = 'SELECT pg_sleep(30)' AND state = 'active'";
    QTRY_COMPARE_WITH_TIMEOUT(db.scalar(sleeping), QStringLiteral("1"), 15000);

    // Answers the question with the button named `answer`, noting what it asked.
    QString asked;
    QString answer;
    QTimer answerer;
    answerer.setInterval(20);
    connect(&answerer, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QLatin1String("quitWhileRunningQuestion"))
            return;
        asked = box->text();
        for (QAbstractButton *button : box->buttons()) {
            if (button->text().remove(u'&') == answer)
                QTest::mouseClick(button, Qt::LeftButton);
        }
    });
    answerer.start();

    answer = QStringLiteral("Keep running");
    QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
    QCOMPARE(asked, QStringLiteral("A migration is running: quit and roll it back?"));
    QVERIFY(window.isVisible());
    QVERIFY(schema->isBusy());
    QCOMPARE(db.scalar(sleeping), QStringLiteral("1"));

    asked.clear();
    answer = QStringLiteral("Quit");
    window.activateWindow(); // back from the question (offscreen has no window manager)
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
    QCOMPARE(asked, QStringLiteral("A migration is running: quit and roll it back?"));
    QTRY_VERIFY(!window.isVisible());
    // Quitting cancelled the statement: nothing of the migration is left.
    QTRY_COMPARE_WITH_TIMEOUT(db.scalar(sleeping), QStringLiteral("0"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(db.scalar("SELECT to_regclass('before_sleep') IS NULL"),
                              QStringLiteral("t"), 10000);
}

void TstMainWindow::aRunsSummaryStaysInTheStatusBar()
{
    // A migrate from the Schema panel: when it is over (archived, the list read again), the
    // status bar says what it did. The list's reading came right after the summary and used to
    // wipe it, as the start of a new piece of work.
    TestDatabase db(QStringLiteral("mainwindow_run_summary"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MainWindow::Startup startup = startupFor(db, QStringLiteral("mainwindow-summary"));
    startup.panel = QStringLiteral("schema");
    MainWindow window(startup);
    window.show();
    Panel *schema = window.panel(QStringLiteral("schema"));
    QSignalSpy loaded(schema, &Panel::loaded);
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && !schema->isBusy(), 15000);
    QVERIFY(schema->runAction(QStringLiteral("migrate")));
    // Starting a piece of work clears the previous message: the busy text says what runs.
    QCOMPARE(window.statusBar()->currentMessage(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(loaded.size() == 2 && !schema->isBusy(), 60000);
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.startsWith(QLatin1String("Applied ")) &&
                 message.contains(QLatin1String(" s.")),
             qPrintable(message));
}

// The icons come from the resources compiled into the ui library and are drawn by Qt's SVG
// plugin: a missing plugin (libqt6svg6) or resource shows here as an empty icon.
void TstMainWindow::windowSidebarAndActionsHaveIcons()
{
    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("nowhere");
    MainWindow window(startup);
    const auto hasInk = [](const QIcon &icon, QIcon::Mode mode = QIcon::Normal) {
        const QImage image = icon.pixmap(QSize(24, 24), mode).toImage();
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                if (qAlpha(image.pixel(x, y)) > 128)
                    return true;
            }
        }
        return false;
    };
    QVERIFY(hasInk(window.windowIcon()));
    // Narrow enough for a laptop beside another window (issue 10: it could not go under
    // about 1,000 px).
    QVERIFY2(window.minimumSizeHint().width() <= 800,
             qPrintable(QString::number(window.minimumSizeHint().width())));
    auto *sidebar = window.findChild<QListWidget *>(QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    QCOMPARE(sidebar->count(), 5);
    // In the order of the one list of ids that --panel and the saved last panel use.
    QCOMPARE(PanelIds::all().size(), sidebar->count());
    for (int row = 0; row < sidebar->count(); ++row) {
        Panel *panel = window.panel(PanelIds::all().at(row));
        QVERIFY2(panel, qPrintable(PanelIds::all().at(row)));
        QCOMPARE(sidebar->item(row)->text(), panel->panelTitle());
    }
    for (int row = 0; row < sidebar->count(); ++row) {
        const QIcon icon = sidebar->item(row)->icon();
        QVERIFY2(hasInk(icon), qPrintable(sidebar->item(row)->text()));
        // Selected (on the highlight colour) the drawing turns white.
        const QImage selected = icon.pixmap(QSize(18, 18), QIcon::Selected).toImage();
        int white = 0;
        for (int y = 0; y < selected.height(); ++y) {
            for (int x = 0; x < selected.width(); ++x) {
                const QColor c = selected.pixelColor(x, y);
                if (c.alpha() > 128) {
                    QVERIFY2(c.lightness() > 200, qPrintable(sidebar->item(row)->text()));
                    ++white;
                }
            }
        }
        QVERIFY(white > 0);
    }
    // Every action with a shortcut in the menus has an icon too, except the View entries'
    // numbers (they carry the panels' icons).
    for (QAction *menu : window.menuBar()->actions()) {
        for (QAction *action : menu->menu()->actions()) {
            if (action->isSeparator() || action->text().isEmpty())
                continue;
            QVERIFY2(hasInk(action->icon()),
                     qPrintable(menu->text() + QStringLiteral(" > ") + action->text()));
        }
    }
}

void TstMainWindow::connectsThroughTheDialog()
{
    TestDatabase db(QStringLiteral("mainwindow_dialog"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(migrateDatabase(db.options()).outcome == RunReport::Outcome::Ok);
    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("nowhere"); // not started: File > Connect chooses
    MainWindow window(startup);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    Panel *schema = window.panel(QStringLiteral("schema"));
    QSignalSpy loaded(schema, &Panel::loaded);

    // The dialog is modal: fill it in once it is up.
    bool filled = false;
    QTimer filler;
    filler.setInterval(20);
    connect(&filler, &QTimer::timeout, this, [&] {
        auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
        if (!dialog || filled)
            return;
        filled = true;
        const ConnectionOptions options = db.options();
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("newButton")),
                          Qt::LeftButton);
        const auto type = [dialog](const char *name, const QString &text) {
            QTest::keyClicks(dialog->findChild<QLineEdit *>(QLatin1String(name)), text);
        };
        type("nameEdit", QStringLiteral("staging"));
        type("hostEdit", options.host);
        type("portEdit", options.port);
        type("databaseEdit", db.name());
        type("userEdit", options.user);
        type("auditUserEdit", QStringLiteral("7"));
        // The test cluster trusts local connections, so any password connects; it must not
        // end up in the settings file.
        type("passwordEdit", QStringLiteral("pw-4f1d9c-never-stored"));
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectButton")),
                          Qt::LeftButton);
    });
    filler.start();
    // Ctrl+K is File > Connect….
    QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
    QVERIFY(filled);
    QTRY_VERIFY_WITH_TIMEOUT(labelText(&window, "profileLabel").contains(QLatin1String("staging")),
                             15000);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
    QCOMPARE(schema->connection().profileName, QStringLiteral("staging"));
    QCOMPARE(schema->connection().auditUserId, QStringLiteral("7"));
    QVERIFY(window.windowTitle().contains(QLatin1String("staging")));
    // The profile was saved for next time, without a password.
    QSettings settings;
    QCOMPARE(settings.value(QStringLiteral("lastUsedProfile")).toString(),
             QStringLiteral("staging"));
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.contains("staging"));
    QVERIFY(!bytes.contains("pw-4f1d9c-never-stored"));
}

void TstMainWindow::productionProfilesAreMarked()
{
    TestDatabase db(QStringLiteral("mainwindow_production"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MainWindow::Startup startup = startupFor(db, QStringLiteral("mainwindow-production"));
    startup.target.name = QStringLiteral("prod-eu");
    startup.target.production = true;
    startup.target.auditUserId = QStringLiteral("alice");
    MainWindow window(startup);
    window.show();
    window.start();
    auto *strip = window.findChild<QLabel *>(QStringLiteral("productionStrip"));
    QTRY_VERIFY_WITH_TIMEOUT(strip->isVisible(), 15000);
    QVERIFY(strip->text().contains(QLatin1String("prod-eu")));
    grabFor(&window, "mainwindow-production");
    QVERIFY(window.windowTitle().contains(QLatin1String("PRODUCTION")));
    Panel *schema = window.panel(QStringLiteral("schema"));
    QVERIFY(schema->connection().production);
    QCOMPARE(schema->connection().auditUserId, QStringLiteral("alice"));
}

void TstMainWindow::aLostConnectionShowsTheBannerAndComesBack()
{
    TestDatabase db(QStringLiteral("mainwindow_lost"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MainWindow window(startupFor(db, QStringLiteral("mainwindow-lost")));
    window.show();
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(&window, "serverLabel").startsWith(QLatin1String("PostgreSQL")), 15000);
    auto *banner = window.findChild<QWidget *>(QStringLiteral("connectionBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());
    QTRY_COMPARE(value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                           " 'mainwindow-lost (monitor)'"),
                 QStringLiteral("1"));
    QCOMPARE(value(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                       " WHERE application_name = 'mainwindow-lost (monitor)'"),
             QStringLiteral("1"));
    // A panel that saw its request fail with a lost connection makes the window look now.
    Q_EMIT window.panel(QStringLiteral("schema"))
        ->connectionLost(
            DbError{{}, {}, QStringLiteral("server closed the connection"), {}, {}, {}});
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    QVERIFY(labelText(&window, "roundTripLabel").contains(QLatin1String("lost")));
    grabFor(&window, "mainwindow-lost");
    // The server is fine, so the first retry (after a second) brings it back.
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);
    QTRY_COMPARE(value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                           " 'mainwindow-lost (monitor)'"),
                 QStringLiteral("1"));
}

void TstMainWindow::geometryAndLastPanelAreRemembered()
{
    MainWindow::Startup startup;
    startup.target.name = QStringLiteral("nowhere");
    {
        MainWindow window(startup);
        window.show();
        // The very first start opens on the Agents panel (issue 10).
        QCOMPARE(window.findChild<QListWidget *>(QStringLiteral("sidebar"))->currentItem()->text(),
                 QStringLiteral("Agents"));
        window.resize(1137, 702);
        window.showPanel(QStringLiteral("metrics"));
        window.close();
    }
    MainWindow again(startup);
    again.show();
    auto *sidebar = again.findChild<QListWidget *>(QStringLiteral("sidebar"));
    QVERIFY(sidebar);
    QCOMPARE(sidebar->currentItem()->text(), QStringLiteral("Metrics"));
    QCOMPARE(again.size(), QSize(1137, 702));
    // --panel wins over the remembered one.
    startup.panel = QStringLiteral("chat");
    MainWindow chosen(startup);
    QCOMPARE(chosen.findChild<QListWidget *>(QStringLiteral("sidebar"))->currentItem()->text(),
             QStringLiteral("Chat"));
}

void TstMainWindow::screenshotWritesAPngOnceThePanelLoaded()
{
    TestDatabase db(QStringLiteral("mainwindow_shot"));
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QVERIFY(migrateDatabase(db.options()).outcome == RunReport::Outcome::Ok);
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("schema.png"));
    const ProcessResult result =
        runAlgoadmin({QStringLiteral("-d"), db.conninfo(), QStringLiteral("--panel"),
                      QStringLiteral("schema"), QStringLiteral("--screenshot"), png});
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 500);

    // An action that cannot start (two files claim version 001): exit 1, a message that says
    // so, and the picture of the panel showing why.
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("m")));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("m/001_a.sql")), "SELECT 1;\n"));
    QVERIFY(writeFile(dir.filePath(QStringLiteral("m/001_b.sql")), "SELECT 2;\n"));
    const QString broken = dir.filePath(QStringLiteral("broken.png"));
    const ProcessResult refused = runAlgoadmin(
        {QStringLiteral("-d"), db.conninfo(), QStringLiteral("--panel"), QStringLiteral("schema"),
         QStringLiteral("--migrations"), dir.filePath(QStringLiteral("m")), QStringLiteral("--run"),
         QStringLiteral("migrate"), QStringLiteral("--screenshot"), broken});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("could not start \"migrate\"")),
             qPrintable(refused.err));
    QVERIFY(!QImage(broken).isNull());
}

void TstMainWindow::linksBetweenPanelsAndSharedKeys()
{
    // Agents → Parameter history (Ctrl+H) opens the changelog filtered on the parameter;
    // Changelog → Show agent selects the agent back in Agents; Ctrl+F belongs to the shown
    // panel only (both panels have one).
    TestDatabase db(QStringLiteral("mainwindow_links"));
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    MainWindow window(startupFor(db, QStringLiteral("mainwindow-links")));
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto *agents = qobject_cast<AgentsPanel *>(window.panel(QStringLiteral("agents")));
    auto *changelog = qobject_cast<ChangelogPanel *>(window.panel(QStringLiteral("changelog")));
    QVERIFY(agents && changelog);
    window.showPanel(QStringLiteral("agents"));
    window.start();
    QTRY_VERIFY_WITH_TIMEOUT(agents->selectAgent(QStringLiteral("A3")), 20000);
    QTableView *parameters = agents->parameterEditor()->tableView();
    QTRY_VERIFY_WITH_TIMEOUT(parameters->model()->rowCount() > 0, 20000);
    parameters->setFocus();
    parameters->setCurrentIndex(parameters->model()->index(0, ParameterTableModel::Current));
    const QString parameter =
        parameters->model()->index(0, ParameterTableModel::Name).data().toString();
    QTest::keyClick(parameters, Qt::Key_H, Qt::ControlModifier);
    QTRY_VERIFY(changelog->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(
        changelog->model()->filter().parameterName == parameter && !changelog->isBusy(), 20000);
    QCOMPARE(changelog->model()->filter().algorithmId, QStringLiteral("A3"));
    QVERIFY(changelog->model()->rowCount() > 0);
    for (int row = 0; row < changelog->model()->rowCount(); ++row)
        QCOMPARE(changelog->model()->entry(row).parameterName, parameter);

    // Ctrl+F in the changelog focuses its reason box, not the agents' search.
    QTest::keyClick(changelog->view(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(changelog->filterBar()->reasonEdit()->hasFocus());

    // Show agent: back to the agents with A3 and the parameter selected.
    agents->selectAgent(QStringLiteral("A1"));
    changelog->view()->setCurrentIndex(changelog->model()->index(0, 0));
    auto *show = changelog->findChild<QPushButton *>(QStringLiteral("showAgent"));
    QVERIFY(show);
    QTRY_VERIFY(show->isEnabled());
    show->click();
    QTRY_VERIFY(agents->isVisible());
    QTRY_COMPARE(agents->shownAgent(), QStringLiteral("A3"));
    QTRY_COMPARE(
        parameters->currentIndex().siblingAtColumn(ParameterTableModel::Name).data().toString(),
        parameter);

    // Changelog → Show on chart: the Metrics panel on A3 around the change, its marker
    // selected; the marker's Show in changelog comes back to it.
    window.showPanel(QStringLiteral("changelog"));
    QTRY_VERIFY(!changelog->isBusy());
    changelog->view()->setCurrentIndex(changelog->model()->index(0, 0));
    const ChangelogEntry entry = changelog->model()->entry(0);
    auto *onChart = changelog->findChild<QPushButton *>(QStringLiteral("showOnChart"));
    QVERIFY(onChart);
    QTRY_VERIFY(onChart->isEnabled());
    onChart->click();
    auto *metrics = qobject_cast<MetricsPanel *>(window.panel(QStringLiteral("metrics")));
    QVERIFY(metrics);
    QTRY_VERIFY(metrics->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(metrics->agent() == QStringLiteral("A3") && !metrics->isBusy() &&
                                 metrics->selectedMarker() >= 0,
                             20000);
    bool found = false;
    for (const ChangelogEntry &e : metrics->markerGroups().at(metrics->selectedMarker()))
        found = found || e.id == entry.id;
    QVERIFY(found);
    QCOMPARE(metrics->chart()->rangeFrom(), entry.modifiedAt.addSecs(-12 * 3600));
}

void TstMainWindow::badWindowOptionsAreRefused_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown panel") << QStringList{QStringLiteral("--panel"), QStringLiteral("nope")}
                                   << QStringLiteral("unknown panel");
    QTest::newRow("run without screenshot")
        << QStringList{QStringLiteral("--run"), QStringLiteral("migrate")}
        << QStringLiteral("--screenshot FILE");
    QTest::newRow("bad delay") << QStringList{QStringLiteral("--screenshot"),
                                              QStringLiteral("/tmp/x.png"),
                                              QStringLiteral("--screenshot-delay"),
                                              QStringLiteral("soon")}
                               << QStringLiteral("milliseconds");
}

void TstMainWindow::badWindowOptionsAreRefused()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const ProcessResult result = runAlgoadmin(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
