// The algoadmin executable: picks the command line or the GUI, nothing else.
#include "cli/cli.h"
#include "gui.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    if (Cli::wantsGui(arguments))
        return Gui::run(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("algoadmin"));
    return Cli::run(QCoreApplication::arguments());
}
