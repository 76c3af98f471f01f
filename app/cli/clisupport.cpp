#include "cli/clisupport.h"

#include "cli/cli.h"

#include <QJsonDocument>

#include <cstdio>

namespace Cli {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int usageError(const QString &message, const QString &command)
{
    err() << "algoadmin: " << message << '\n';
    for (const Command &c : commands()) {
        if (c.name == command) {
            err() << "usage: algoadmin " << c.synopsis << '\n';
            err() << "(algoadmin " << command << " --help for more)\n";
            err().flush();
            return Usage;
        }
    }
    err() << usage();
    err().flush();
    return Usage;
}

void printJson(const QJsonObject &json)
{
    out() << QJsonDocument(json).toJson(QJsonDocument::Indented);
    out().flush();
}

// Parses a command's options; returns -1 to go on, or an exit code.
int parse(QCommandLineParser &parser, const QStringList &arguments, const QString &command)
{
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOption(
        {{QStringLiteral("?"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    if (!parser.parse(arguments))
        return usageError(parser.errorText(), command);
    if (parser.isSet(QStringLiteral("help"))) {
        for (const Command &c : commands()) {
            if (c.name == command) {
                out() << "usage: algoadmin " << c.synopsis << "\n\n" << c.description << "\n\n";
                QString help = parser.helpText();
                help = help.mid(help.indexOf(QStringLiteral("Options:")));
                out() << help;
                out().flush();
            }
        }
        return Ok;
    }
    return -1;
}

bool intOption(const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 *value,
               int *exitCode, const QString &command)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const qint64 parsed = parser.value(name).toLongLong(&ok);
    if (!ok || parsed < minimum) {
        *exitCode =
            usageError(QStringLiteral("--%1 takes a whole number of at least %2, not \"%3\"")
                           .arg(name)
                           .arg(minimum)
                           .arg(parser.value(name)),
                       command);
        return false;
    }
    *value = parsed;
    return true;
}

// Connection options valid? Else exit 2 with usage.
bool checkConnection(const ConnectionOptions &options, int *exitCode, const QString &command)
{
    bool numeric = false;
    if (!options.port.isEmpty() && (options.port.toUInt(&numeric), !numeric)) {
        *exitCode = usageError(
            QStringLiteral("-p takes a port number, not \"%1\"").arg(options.port), command);
        return false;
    }
    const QString problem = options.validate();
    if (problem.isEmpty())
        return true;
    *exitCode = usageError(QStringLiteral("malformed connection string: %1").arg(problem), command);
    return false;
}

QCommandLineOption jsonOption()
{
    return {QStringLiteral("json"), QStringLiteral("Print the report as JSON.")};
}

} // namespace Cli
