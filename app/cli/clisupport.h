#pragma once

#include "db/connectionoptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTextStream>

// What every command of the command line shares: its streams, its usage errors (exit 2 with
// the command's synopsis), option parsing and JSON output. Each command lives in a file of its
// own and registers itself in cli.cpp's list (commands()).
namespace Cli {

struct Command
{
    QString name;
    QString synopsis;    // after "algoadmin ", as --help and usage errors print it
    QString description; // what `algoadmin COMMAND --help` prints above the options
};

// Every command, in the order `algoadmin --help` lists them (cli.cpp).
const QList<Command> &commands();

QTextStream &out();
QTextStream &err();

// Prints "algoadmin: message" and the command's synopsis (or the overall usage) to stderr;
// returns the exit code for bad usage (2).
int usageError(const QString &message, const QString &command = {});
void printJson(const QJsonObject &json);
// Adds -?/--help and parses; returns -1 to go on, or the exit code to return (help printed, or
// a usage error).
int parse(QCommandLineParser &parser, const QStringList &arguments, const QString &command);
// An option that must be a whole number ≥ minimum: true when unset (value untouched) or valid;
// else false with *exitCode set after a usage error.
bool intOption(const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 *value,
               int *exitCode, const QString &command);
// The connection options valid? Else false with *exitCode set after a usage error.
bool checkConnection(const ConnectionOptions &options, int *exitCode, const QString &command);
QCommandLineOption jsonOption();

} // namespace Cli
