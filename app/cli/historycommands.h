#pragma once

#include "cli/clisupport.h"

#include <QStringList>

// The commands over the audit history and the conversations, one file each:
// changelogcommand.cpp, revertcommand.cpp (revert and restore), chatcommand.cpp.
namespace Cli {

Command changelogCommand();
int runChangelog(const QStringList &arguments);

Command revertCommand();
int runRevert(const QStringList &arguments);
Command restoreCommand();
int runRestore(const QStringList &arguments);

Command chatCommand();
int runChat(const QStringList &arguments);

} // namespace Cli
