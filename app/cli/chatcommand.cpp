#include "cli/historycommands.h"

namespace Cli {

Command chatCommand()
{
    return {QStringLiteral("chat"),
            QStringLiteral("chat [-d CONN] AGENT [--search TEXT] [--limit N] [--json]"),
            QStringLiteral("Prints an agent's conversations, newest first.")};
}

int runChat(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    return usageError(QStringLiteral("chat: not built yet"), QStringLiteral("chat"));
}

} // namespace Cli
