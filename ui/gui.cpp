#include "gui.h"

#include "cli/cli.h"
#include "mainwindow.h"
#include "panelids.h"
#include "version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>

#include <sys/socket.h>
#include <unistd.h>

namespace Gui {

namespace {

int g_quitPipe[2] = {-1, -1};

// Ctrl-C in the terminal (or SIGTERM) closes the window like File > Quit, so that a sandbox
// the window started is stopped too. The handler only writes a byte (async-signal-safe); the
// event loop does the rest.
void quitOnSignals(QObject *context)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_quitPipe) != 0)
        return;
    struct sigaction action = {};
    action.sa_handler = [](int) {
        const char byte = 1;
        [[maybe_unused]] const ssize_t written = ::write(g_quitPipe[0], &byte, 1);
    };
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    auto *notifier = new QSocketNotifier(g_quitPipe[1], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [] {
        char byte;
        [[maybe_unused]] const ssize_t read = ::read(g_quitPipe[1], &byte, 1);
        QApplication::closeAllWindows();
        QApplication::quit();
    });
}

} // namespace

int run(int &argc, char **argv)
{
    QCommandLineParser parser;
    Cli::addConnectionOptions(parser);
    parser.addOption({{QStringLiteral("?"), QStringLiteral("help")}, QStringLiteral("Show help.")});
    parser.addOption({QStringLiteral("local"),
                      QStringLiteral("Open the private local PostgreSQL (the default when no "
                                     "connection is given).")});
    parser.addOption({QStringLiteral("demo"),
                      QStringLiteral("With --local: fill an empty sandbox with demo data.")});
    parser.addOption({QStringLiteral("data-dir"),
                      QStringLiteral("With --local: where the sandbox cluster lives."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("screenshot"),
                      QStringLiteral("Write a PNG of the window once its data has loaded, then "
                                     "exit."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("panel"),
                      QStringLiteral("The panel to show first: %1 (default: the last one used).")
                          .arg(PanelIds::all().join(QStringLiteral(", "))),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("run"),
                      QStringLiteral("With --screenshot: start this action of the panel once it "
                                     "has loaded (schema: migrate, rehearse, verify, baseline) "
                                     "and grab the window when it has finished."),
                      QStringLiteral("ACTION")});
    parser.addOption({QStringLiteral("screenshot-delay"),
                      QStringLiteral("With --screenshot: grab MS milliseconds after the panel "
                                     "loaded (or after --run started) instead."),
                      QStringLiteral("MS")});
    parser.addOption({QStringLiteral("migrations"),
                      QStringLiteral("Schema panel: use the migrations in DIR instead of the "
                                     "bundled ones."),
                      QStringLiteral("DIR")});
    QTextStream err(stderr);
    // --help needs no display: it is answered before QApplication exists.
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "--help" || argument == "-?") {
            QString help = parser.helpText();
            help = help.mid(help.indexOf(QStringLiteral("Options:")) + 8);
            QTextStream(stdout) << Cli::usage() << "\nWindow options:" << help;
            return Cli::Ok;
        }
    }
    // Without a display Qt would abort inside QApplication; say what to do instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        err << "algoadmin: no display (DISPLAY and WAYLAND_DISPLAY are unset).\n"
               "Run it in a desktop session, under xvfb-run, or with\n"
               "QT_QPA_PLATFORM=offscreen and --screenshot FILE; the command-line\n"
               "commands need no display (algoadmin --help).\n";
        return Cli::Usage;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("algoadmin"));
    QApplication::setApplicationDisplayName(QStringLiteral("AlgoAdmin"));
    QApplication::setApplicationVersion(Version::program());
    QApplication::setOrganizationName(QStringLiteral("algoadmin"));
    // The desktop entry (resources/algoadmin.desktop): docks and task bars match the window to it.
    QApplication::setDesktopFileName(QStringLiteral("algoadmin"));

    // QApplication has taken its own options (-platform, -style …) out of these.
    QStringList arguments = QApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("gui"))
        arguments.removeAt(1);
    if (!parser.parse(arguments)) {
        err << "algoadmin: " << parser.errorText() << '\n' << Cli::usage();
        return Cli::Usage;
    }
    MainWindow::Startup startup;
    ConnectionTarget &target = startup.target;
    target.options = Cli::connectionOptions(parser);
    const QString problem = target.options.validate();
    if (!problem.isEmpty()) {
        err << "algoadmin: malformed connection string: " << problem << '\n';
        return Cli::Usage;
    }
    const bool anyConnection = !target.options.database.isEmpty() ||
                               !target.options.host.isEmpty() || !target.options.port.isEmpty() ||
                               !target.options.user.isEmpty();
    target.local = parser.isSet(QStringLiteral("local")) || !anyConnection;
    target.name = target.local ? QObject::tr("Local sandbox") : target.options.displayName();
    target.demo = parser.isSet(QStringLiteral("demo"));
    target.dataDir = parser.value(QStringLiteral("data-dir"));
    startup.screenshot = parser.value(QStringLiteral("screenshot"));
    startup.panel = parser.value(QStringLiteral("panel"));
    if (!startup.panel.isEmpty() && !PanelIds::all().contains(startup.panel)) {
        err << "algoadmin: unknown panel \"" << startup.panel << "\" ("
            << PanelIds::all().join(QStringLiteral(", ")) << ")\n";
        return Cli::Usage;
    }
    startup.runAction = parser.value(QStringLiteral("run"));
    startup.migrationsDir = parser.value(QStringLiteral("migrations"));
    if (parser.isSet(QStringLiteral("screenshot-delay"))) {
        bool ok = false;
        startup.screenshotDelayMs = parser.value(QStringLiteral("screenshot-delay")).toInt(&ok);
        if (!ok || startup.screenshotDelayMs < 0) {
            err << "algoadmin: --screenshot-delay wants milliseconds, not \""
                << parser.value(QStringLiteral("screenshot-delay")) << "\"\n";
            return Cli::Usage;
        }
    }
    if ((!startup.runAction.isEmpty() || parser.isSet(QStringLiteral("screenshot-delay"))) &&
        startup.screenshot.isEmpty()) {
        err << "algoadmin: --run and --screenshot-delay go with --screenshot FILE\n";
        return Cli::Usage;
    }

    quitOnSignals(&app);
    MainWindow window(startup);
    window.show();
    window.start();
    return QApplication::exec();
}

} // namespace Gui
