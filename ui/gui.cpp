#include "gui.h"

#include "cli/cli.h"
#include "mainwindow.h"

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
    // Without a display Qt would abort inside QApplication; say what to do instead.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        QTextStream(stderr) << "algoadmin: no display (DISPLAY and WAYLAND_DISPLAY are unset).\n"
                               "Run it in a desktop session, under xvfb-run, or with\n"
                               "QT_QPA_PLATFORM=offscreen and --screenshot FILE; the command-line\n"
                               "commands need no display (algoadmin --help).\n";
        return Cli::Usage;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("algoadmin"));
    QApplication::setApplicationDisplayName(QStringLiteral("AlgoAdmin"));

    QStringList arguments = QApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("gui"))
        arguments.removeAt(1);
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
                      QStringLiteral("With --screenshot: the panel to show (schema)."),
                      QStringLiteral("NAME")});
    QTextStream err(stderr);
    if (!parser.parse(arguments)) {
        err << "algoadmin: " << parser.errorText() << '\n' << Cli::usage();
        return Cli::Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << Cli::usage();
        return Cli::Ok;
    }
    MainWindow::Startup startup;
    startup.connection = Cli::connectionOptions(parser);
    const QString problem = startup.connection.validate();
    if (!problem.isEmpty()) {
        err << "algoadmin: malformed connection string: " << problem << '\n';
        return Cli::Usage;
    }
    const bool anyConnection =
        !startup.connection.database.isEmpty() || !startup.connection.host.isEmpty() ||
        !startup.connection.port.isEmpty() || !startup.connection.user.isEmpty();
    startup.local = parser.isSet(QStringLiteral("local")) || !anyConnection;
    startup.demo = parser.isSet(QStringLiteral("demo"));
    startup.dataDir = parser.value(QStringLiteral("data-dir"));
    startup.screenshot = parser.value(QStringLiteral("screenshot"));
    startup.panel = parser.value(QStringLiteral("panel"));

    quitOnSignals(&app);
    MainWindow window(startup);
    window.show();
    window.start();
    return QApplication::exec();
}

} // namespace Gui
