#include "cli/historycommands.h"

namespace Cli {

Command changelogCommand()
{
    return {QStringLiteral("changelog"),
            QStringLiteral("changelog [-d CONN] [--agent ID] [--parameter NAME] [--user N] "
                           "[--role R] [--since T] [--until T] [--reason TEXT] "
                           "[--change-set ID] [--limit N] [--json | --csv FILE]"),
            QStringLiteral("Lists the audit history, newest first.")};
}

int runChangelog(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    return usageError(QStringLiteral("changelog: not built yet"), QStringLiteral("changelog"));
}

} // namespace Cli
