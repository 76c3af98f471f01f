#include "mainwindow.h"

#include "localcluster.h"
#include "schema/schemapanel.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QtConcurrent>

MainWindow::MainWindow(Startup startup, QWidget *parent)
    : QMainWindow(parent)
    , m_startup(std::move(startup))
{
    setWindowTitle(QStringLiteral("AlgoAdmin"));
    resize(1100, 700);
    auto *tabs = new QTabWidget(this);
    m_schema = new SchemaPanel(tabs);
    tabs->addTab(m_schema, tr("Schema"));
    setCentralWidget(tabs);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *refresh = file->addAction(tr("&Refresh"), QKeySequence::Refresh);
    connect(refresh, &QAction::triggered, m_schema, &SchemaPanel::refresh);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_connectionLabel = new QLabel(tr("Not connected"), this);
    statusBar()->addPermanentWidget(m_connectionLabel);
    connect(m_schema, &SchemaPanel::loaded, this, &MainWindow::panelLoaded);
    connect(&m_sandbox, &QFutureWatcher<SandboxResult>::finished, this, &MainWindow::sandboxOpened);
}

MainWindow::~MainWindow()
{
    m_sandbox.waitForFinished();
    // Closed while the sandbox was still starting: finished() never arrived, so ask the result.
    if (m_sandbox.future().isValid() && m_sandbox.future().resultCount() > 0)
        m_stopSandboxOnExit = m_sandbox.result().startedCluster;
    if (m_stopSandboxOnExit) {
        // We started the private server, so we stop it; one started by `algoadmin local
        // start` is left running.
        QString error;
        LocalCluster(m_startup.dataDir).stop(&error);
    }
}

void MainWindow::start()
{
    if (!m_startup.local) {
        connectTo(m_startup.connection, m_startup.connection.displayName());
        return;
    }
    statusBar()->showMessage(m_startup.demo ? tr("Starting the local sandbox with demo data…")
                                            : tr("Starting the local sandbox…"));
    const QString dataDir = m_startup.dataDir;
    const bool demo = m_startup.demo;
    m_sandbox.setFuture(QtConcurrent::run([dataDir, demo] { return openSandbox(dataDir, demo); }));
}

void MainWindow::sandboxOpened()
{
    const SandboxResult result = m_sandbox.result();
    m_stopSandboxOnExit = result.startedCluster;
    if (!result.error.isEmpty()) {
        statusBar()->showMessage(tr("The local sandbox could not be opened: %1").arg(result.error));
        panelLoaded();
        return;
    }
    int applied = 0;
    for (const MigrationOutcome &migration : result.migration.migrations)
        applied += migration.state == MigrationOutcome::State::Applied;
    statusBar()->showMessage(
        result.seeded ? tr("Local sandbox ready: %n migration(s) applied, demo data "
                           "added",
                           nullptr, applied)
                      : tr("Local sandbox ready: %n migration(s) applied", nullptr, applied));
    connectTo(result.connection, tr("Local sandbox"));
}

void MainWindow::connectTo(const ConnectionOptions &connection, const QString &label)
{
    m_connectionLabel->setText(label);
    ConnectionContext context;
    context.profileName = label;
    context.options = connection;
    m_schema->setConnection(context);
}

void MainWindow::panelLoaded()
{
    if (m_startup.screenshot.isEmpty())
        return;
    // Let the layout settle before grabbing the window.
    QTimer::singleShot(200, this, [this] {
        const bool saved = grab().save(m_startup.screenshot);
        if (!saved)
            qWarning("could not write %s", qPrintable(m_startup.screenshot));
        QApplication::exit(saved ? 0 : 1);
    });
}
