#include "cli/historycommands.h"

namespace Cli {

Command revertCommand()
{
    return {QStringLiteral("revert"),
            QStringLiteral("revert [-d CONN] (ENTRY_ID | --change-set ID) --reason TEXT "
                           "[--dry-run]"),
            QStringLiteral("Reverts a changelog entry or a whole change set.")};
}

int runRevert(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    return usageError(QStringLiteral("revert: not built yet"), QStringLiteral("revert"));
}

Command restoreCommand()
{
    return {QStringLiteral("restore"),
            QStringLiteral("restore [-d CONN] AGENT --as-of TIME --reason TEXT [--dry-run]"),
            QStringLiteral("Restores an agent's parameters to what they were at a moment.")};
}

int runRestore(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    return usageError(QStringLiteral("restore: not built yet"), QStringLiteral("restore"));
}

} // namespace Cli
