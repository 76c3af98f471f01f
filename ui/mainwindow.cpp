#include "mainwindow.h"

#include "panelids.h"

#include "agents/agentspanel.h"
#include "changelog/changelogpanel.h"
#include "chat/chatpanel.h"
#include "connection/connectiondialog.h"
#include "db/connectionprofile.h"
#include "db/passwordstore.h"
#include "metrics/metricspanel.h"
#include "schema/schemapanel.h"
#include "shell/aboutdialog.h"
#include "shell/colours.h"
#include "shell/connectionbanner.h"
#include "shell/connectionstatus.h"
#include "shell/icons.h"
#include "shell/keyboard.h"
#include "shell/screenshot.h"
#include "shell/startuptrace.h"

#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

static const char GeometryKey[] = "window/geometry";
static const char StateKey[] = "window/state";
static const char LastPanelKey[] = "window/lastPanel";

MainWindow::MainWindow(Startup startup, QWidget *parent)
    : QMainWindow(parent)
    , m_startup(std::move(startup))
    , m_profiles(std::make_unique<ProfileStore>())
    , m_passwords(new PasswordStore(this))
    , m_connection(new ConnectionController(this))
    , m_sidebar(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_productionStrip(new QLabel(this))
    , m_banner(new ConnectionBanner(this))
    , m_status(new ConnectionStatus(this))
{
    setWindowTitle(QStringLiteral("AlgoAdmin"));
    setWindowIcon(Icons::application());
    resize(1200, 760);

    addPanel(new AgentsPanel(this));
    addPanel(new ChangelogPanel(this));
    addPanel(new MetricsPanel(this));
    addPanel(new ChatPanel(this));
    m_schema = new SchemaPanel(this);
    if (!m_startup.migrationsDir.isEmpty())
        m_schema->setMigrationsDirectory(m_startup.migrationsDir);
    addPanel(m_schema);

    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setFixedWidth(150);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->setIconSize(QSize(18, 18));
    m_sidebar->setStyleSheet(
        QStringLiteral("QListWidget { background: palette(window); font-size: 11pt; }"
                       " QListWidget::item { padding: 8px 12px; }"
                       " QListWidget::item:selected { background: palette(highlight);"
                       " color: palette(highlighted-text); }"));
    connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    // Panels share keys (Ctrl+F finds in each): only the shown one's actions keep theirs.
    connect(m_sidebar, &QListWidget::currentRowChanged, this, [this](int row) {
        for (int i = 0; i < m_panels.size(); ++i)
            Keyboard::parkShortcuts(m_panels.at(i)->panelActions(), i != row);
    });

    m_productionStrip->setObjectName(QStringLiteral("productionStrip"));
    m_productionStrip->setStyleSheet(
        QStringLiteral(
            "QLabel { background: %1; color: white; font-weight: bold; padding: 4px 10px; }")
            .arg(Colours::css(Colours::production())));
    m_productionStrip->hide();
    connect(m_banner, &ConnectionBanner::reconnectRequested, m_connection,
            &ConnectionController::reconnectNow);

    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);
    outer->addWidget(m_productionStrip);
    outer->addWidget(m_banner);
    auto *body = new QHBoxLayout;
    body->setSpacing(0);
    body->addWidget(m_sidebar);
    body->addWidget(m_stack, 1);
    outer->addLayout(body, 1);
    setCentralWidget(central);

    statusBar()->addPermanentWidget(m_status);
    m_status->makeRoomIn(statusBar());
    connect(m_status, &ConnectionStatus::cancelRequested, this, &MainWindow::cancelRequests);
    createMenus();

    connect(m_connection, &ConnectionController::opening, this, [this](const QString &what) {
        // Said once: by the busy indicator (the panels say "Connecting…").
        m_status->setConnecting({});
        m_banner->showReconnected(); // whatever was lost is no longer what we are on
        if (m_busyPanels.isEmpty())
            m_status->setBusy(true, what, false);
        statusBar()->clearMessage();
        ConnectionContext opening;
        opening.connecting = what;
        for (Panel *panel : std::as_const(m_panels))
            panel->setConnection(opening);
    });
    connect(m_connection, &ConnectionController::opened, this, &MainWindow::connectionOpened);
    connect(m_connection, &ConnectionController::openFailed, this, &MainWindow::connectionFailed);
    connect(m_connection, &ConnectionController::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    connect(m_connection, &ConnectionController::roundTripMeasured, m_status,
            &ConnectionStatus::setRoundTrip);
    connect(m_connection, &ConnectionController::lost, this,
            [this](const DbError &error, int retryInMs, int attempt) {
                m_banner->showLost(error, retryInMs, attempt);
                m_status->setLost(true);
            });
    connect(m_connection, &ConnectionController::reconnected, this, [this](const ServerInfo &info) {
        m_banner->showReconnected();
        m_status->setConnected(m_connection->context(), info);
        statusBar()->showMessage(tr("Reconnected"), 5000);
        // Same connection back: panels reload what they show and keep pending edits.
        for (Panel *panel : std::as_const(m_panels))
            panel->refresh();
    });

    QSettings settings;
    restoreGeometry(settings.value(QLatin1String(GeometryKey)).toByteArray());
    restoreState(settings.value(QLatin1String(StateKey)).toByteArray());
    const QString first =
        m_startup.panel.isEmpty()
            ? settings.value(QLatin1String(LastPanelKey), QStringLiteral("agents")).toString()
            : m_startup.panel;
    showPanel(panel(first) ? first : QStringLiteral("agents"));
    traceStartup(this, panel(first) ? panel(first) : m_schema);
    if (!m_startup.screenshot.isEmpty())
        new Screenshot(this, panel(first) ? panel(first) : m_schema, m_startup.screenshot,
                       m_startup.runAction, m_startup.screenshotDelayMs, this);
}

MainWindow::~MainWindow() = default;

void MainWindow::start()
{
    m_connection->open(m_startup.target);
}

Panel *MainWindow::panel(const QString &id) const
{
    for (Panel *panel : m_panels)
        if (panel->panelId() == id)
            return panel;
    return nullptr;
}

void MainWindow::showPanel(const QString &id)
{
    if (Panel *found = panel(id))
        m_sidebar->setCurrentRow(int(m_panels.indexOf(found)));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    for (Panel *panel : std::as_const(m_panels)) {
        if (!panel->confirmDiscardPending(tr("Quit"))) {
            event->ignore();
            return;
        }
        // A long action (a migration) is not dropped on one key press either.
        const QString question = panel->interruptQuestion();
        if (question.isEmpty())
            continue;
        QMessageBox box(QMessageBox::Question, tr("Quit"), question, QMessageBox::NoButton, this);
        box.setObjectName(QStringLiteral("quitWhileRunningQuestion"));
        QPushButton *quit = box.addButton(tr("&Quit"), QMessageBox::DestructiveRole);
        box.setDefaultButton(box.addButton(tr("&Keep running"), QMessageBox::RejectRole));
        box.exec();
        if (box.clickedButton() != quit) {
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(QLatin1String(GeometryKey), saveGeometry());
    settings.setValue(QLatin1String(StateKey), saveState());
    if (m_sidebar->currentRow() >= 0)
        settings.setValue(QLatin1String(LastPanelKey),
                          m_panels.at(m_sidebar->currentRow())->panelId());
    cancelRequests();
    event->accept();
}

void MainWindow::addPanel(Panel *panel)
{
    // In the order of the one list of ids (--panel, Ctrl+1 … Ctrl+5).
    Q_ASSERT(PanelIds::all().value(m_panels.size()) == panel->panelId());
    m_panels.append(panel);
    m_stack->addWidget(panel);
    m_sidebar->addItem(new QListWidgetItem(panel->panelIcon(), panel->panelTitle()));
    connect(panel, &Panel::busyChanged, this,
            [this, panel](bool busy, const QString &what) { panelBusyChanged(panel, busy, what); });
    connect(panel, &Panel::messagePosted, this,
            [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    connect(panel, &Panel::connectionLost, m_connection, &ConnectionController::checkNow);
    connect(panel, &Panel::linkActivated, this, [this](const PanelLink &link) {
        if (Panel *target = this->panel(link.panel)) {
            showPanel(link.panel);
            target->showLink(link);
        }
    });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *connectAction = file->addAction(Icons::action(QStringLiteral("connect")),
                                             tr("&Connect…"), QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(connectAction, &QAction::triggered, this, &MainWindow::showConnectionDialog);
    QAction *disconnectAction =
        file->addAction(Icons::action(QStringLiteral("disconnect")), tr("&Disconnect"));
    connect(disconnectAction, &QAction::triggered, this, [this] {
        if (!confirmLeavingBusyPanels(tr("Disconnect")))
            return;
        m_connection->close();
        m_banner->showReconnected();
        m_status->setDisconnected();
        setProductionLook(false, {});
        for (Panel *panel : std::as_const(m_panels))
            panel->setConnection({});
    });
    QAction *refresh = file->addAction(Icons::action(QStringLiteral("refresh")), tr("&Refresh"),
                                       QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, this, [this] {
        if (m_connection->context().isValid())
            m_panels.at(m_stack->currentIndex())->refresh();
    });
    file->addSeparator();
    // Ctrl+Q everywhere (README): QKeySequence::Quit is empty on some platforms' key schemes.
    QAction *quit = file->addAction(Icons::action(QStringLiteral("quit")), tr("&Quit"),
                                    QKeySequence(Qt::CTRL | Qt::Key_Q));
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_panels.size(); ++i) {
        Panel *panel = m_panels.at(i);
        QAction *show = view->addAction(panel->panelIcon(), panel->panelTitle(),
                                        QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(show, &QAction::triggered, this, [this, i] { m_sidebar->setCurrentRow(i); });
    }

    // Every panel with actions gets a menu of its own.
    for (Panel *panel : std::as_const(m_panels)) {
        const QList<QAction *> actions = panel->panelActions();
        if (actions.isEmpty())
            continue;
        QMenu *menu = menuBar()->addMenu(panel->panelTitle());
        menu->addActions(actions);
        addActions(actions); // shortcuts work whichever panel is shown
    }
    QMenu *requests = menuBar()->addMenu(tr("&Request"));
    m_cancel = requests->addAction(Icons::action(QStringLiteral("cancel")),
                                   tr("&Cancel running request"), QKeySequence(Qt::Key_Escape));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QAction::triggered, this, &MainWindow::cancelRequests);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *shortcuts = help->addAction(Icons::action(QStringLiteral("shortcuts")),
                                         tr("&Keyboard shortcuts"), QKeySequence::HelpContents);
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction *about =
        help->addAction(Icons::action(QStringLiteral("about")), tr("&About AlgoAdmin"));
    connect(about, &QAction::triggered, this, [this] {
        AboutDialog dialog(m_status->serverVersion(), m_status->profileName(),
                           m_status->serverRole(), this);
        dialog.exec();
    });
}

bool MainWindow::confirmLeavingBusyPanels(const QString &what)
{
    for (Panel *panel : std::as_const(m_panels)) {
        if (!panel->confirmDiscardPending(what))
            return false;
    }
    if (m_busyPanels.isEmpty())
        return true;
    // Leaving the connection cancels what runs on it: a migration is rolled back. Say so.
    return QMessageBox::question(
               this, what,
               tr("%1 is still running on %2. %3 cancels it (a migration is rolled back).\n\n"
                  "%3 anyway?")
                   .arg(m_busyPanels.first()->panelTitle(), m_connection->context().profileName,
                        what),
               QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
}

void MainWindow::showConnectionDialog()
{
    ConnectionDialog dialog(m_profiles.get(), m_passwords, this);
    dialog.selectProfile(m_connection->context().isValid() ? m_connection->context().profileName
                                                           : m_profiles->lastUsed());
    if (dialog.exec() != QDialog::Accepted || !confirmLeavingBusyPanels(tr("Connecting")))
        return;
    const ConnectionProfile profile = dialog.profile();
    ConnectionTarget target;
    target.name = profile.local ? ConnectionDialog::localSandboxName() : profile.name;
    target.local = profile.local;
    target.options = profile.options(dialog.password());
    target.auditUserId = profile.auditUserId;
    target.production = profile.production;
    target.demo = dialog.demoData();
    target.dataDir = m_startup.target.local ? m_startup.target.dataDir : QString();
    m_connection->open(target);
}

void MainWindow::connectionOpened(const ConnectionContext &context, const ServerInfo &info)
{
    if (m_busyPanels.isEmpty())
        m_status->setBusy(false, {});
    m_status->setConnected(context, info);
    statusBar()->showMessage(tr("Connected to %1").arg(context.profileName), 5000);
    setProductionLook(context.production, context.profileName);
    for (Panel *panel : std::as_const(m_panels))
        panel->setConnection(context);
}

void MainWindow::connectionFailed(const QString &name, const DbError &error)
{
    if (m_busyPanels.isEmpty())
        m_status->setBusy(false, {});
    m_status->setDisconnected(tr("Could not connect to %1").arg(name));
    statusBar()->clearMessage();
    QMessageBox box(QMessageBox::Critical, tr("Could not connect"),
                    tr("Could not connect to %1.").arg(name), QMessageBox::Ok, this);
    box.setInformativeText(error.toString());
    box.setObjectName(QStringLiteral("connectionFailedBox"));
    if (!m_startup.screenshot.isEmpty()) {
        // Nothing will load: say why on stderr rather than waiting on a dialog.
        qWarning("could not connect to %s: %s", qPrintable(name), qPrintable(error.toString()));
        QApplication::exit(1);
        return;
    }
    box.exec();
}

void MainWindow::panelBusyChanged(Panel *panel, bool busy, const QString &what)
{
    const bool wasBusy = m_busyPanels.removeAll(panel) > 0;
    if (busy)
        m_busyPanels.append(panel);
    m_cancel->setEnabled(!m_busyPanels.isEmpty());
    // Starting, the busy text says what is going on. A panel still busy with the next step of
    // the same work (a run's summary, then reading the list) keeps the message it just posted.
    if (busy && !wasBusy)
        statusBar()->clearMessage();
    m_status->setBusy(!m_busyPanels.isEmpty(), busy ? what : QString());
}

void MainWindow::cancelRequests()
{
    for (Panel *panel : std::as_const(m_busyPanels))
        panel->cancel();
}

void MainWindow::setProductionLook(bool production, const QString &profile)
{
    m_productionStrip->setVisible(production);
    m_productionStrip->setText(
        tr("PRODUCTION — %1: every write asks for confirmation").arg(profile));
    statusBar()->setStyleSheet(production ? QStringLiteral("QStatusBar { background: %1; }")
                                                .arg(Colours::css(Colours::productionTint()))
                                          : QString());
    // Qt appends the application's display name ("— AlgoAdmin") itself.
    setWindowTitle(production ? tr("%1 [PRODUCTION]").arg(profile) : profile);
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard shortcuts"),
                             Keyboard::shortcutTable(menuBar()->actions()));
}
