#pragma once

#include "db/connectionoptions.h"

#include <QCommandLineParser>
#include <QStringList>

// The command line: the same engine as the GUI, psql-style connection options.
// Exit codes: 0 success; 1 failed (nothing of a failing migration committed); 2 bad usage or
// input; 3 drift or a changed migration file; 4 gave up waiting for a lock; 5 a revert or
// restore found a value changed since (nothing written).
namespace Cli {

enum ExitCode
{
    Ok = 0,
    Failed = 1,
    Usage = 2,
    Drift = 3,
    LockTimeout = 4,
    Conflict = 5 // revert/restore: a value changed since the entry; nothing written
};

// True when the arguments ask for the GUI (no command, or `gui`), so main() can make a
// QApplication instead of a QCoreApplication.
bool wantsGui(const QStringList &arguments);

// Runs a command-line command (arguments as QCoreApplication::arguments()); returns the exit code.
int run(const QStringList &arguments);

// -d/-h/-p/-U, shared with the GUI's own parser.
void addConnectionOptions(QCommandLineParser &parser);
ConnectionOptions connectionOptions(const QCommandLineParser &parser);

// The overall usage text (`algoadmin --help`).
QString usage();

} // namespace Cli
