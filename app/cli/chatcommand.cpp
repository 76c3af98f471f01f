#include "cli/cli.h"
#include "cli/clisupport.h"
#include "cli/historycommands.h"
#include "db/sqldatabase.h"
#include "repositories/chatmarkdown.h"
#include "repositories/chatrepository.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Cli {

namespace {

constexpr int DefaultLimit = 20;
constexpr int PageSize = 500;

QJsonObject messageJson(const ChatMessage &m)
{
    QJsonObject json;
    json.insert(QStringLiteral("id"), m.id);
    json.insert(QStringLiteral("agent"), m.algorithmId);
    json.insert(QStringLiteral("user_id"), m.userId ? QJsonValue(*m.userId) : QJsonValue());
    json.insert(QStringLiteral("created_at"),
                m.createdAt.isValid()
                    ? QJsonValue(m.createdAt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")))
                    : QJsonValue());
    json.insert(QStringLiteral("message"),
                m.message.isNull() ? QJsonValue() : QJsonValue(m.message));
    json.insert(QStringLiteral("response"),
                m.response.isNull() ? QJsonValue() : QJsonValue(m.response));
    return json;
}

// Every line of `text` indented by four spaces.
QString indented(const QString &text)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString &line : lines)
        line.prepend(QStringLiteral("    "));
    return lines.join(QLatin1Char('\n'));
}

QString messageText(const ChatMessage &m)
{
    return ChatMarkdown::time(m.createdAt) + QStringLiteral("  ") + ChatMarkdown::user(m.userId) +
           QStringLiteral("\n  message:\n") +
           indented(m.message.isNull() ? QStringLiteral("(none)") : m.message) +
           QStringLiteral("\n  response:\n") +
           indented(m.response.isNull() ? QStringLiteral("(none)") : m.response) +
           QStringLiteral("\n");
}

} // namespace

Command chatCommand()
{
    return {QStringLiteral("chat"),
            QStringLiteral("chat [-d CONN] AGENT [--search TEXT] [--limit N] [--json]"),
            QStringLiteral(
                "Prints an agent's conversations, newest first: the time (UTC), the user, the\n"
                "message and the response of each exchange. --search keeps the exchanges whose\n"
                "message or response contains TEXT (any case). --limit N prints at most N\n"
                "(default 20; 0 for all). --json prints an array of objects (id, agent,\n"
                "user_id, created_at, message, response). An unknown AGENT exits with 2.")};
}

int runChat(const QStringList &arguments)
{
    const QString command = QStringLiteral("chat");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addPositionalArgument(QStringLiteral("AGENT"),
                                 QStringLiteral("The agent's algorithm_id (A7)."));
    parser.addOption({QStringLiteral("search"),
                      QStringLiteral("Only exchanges whose message or response contains TEXT."),
                      QStringLiteral("TEXT")});
    parser.addOption({QStringLiteral("limit"),
                      QStringLiteral("At most N exchanges (default 20; 0: all)."),
                      QStringLiteral("N")});
    parser.addOption(jsonOption());
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    int exitCode = Ok;
    qint64 limit = DefaultLimit;
    if (!intOption(parser, QStringLiteral("limit"), 0, &limit, &exitCode, command))
        return exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(positional.isEmpty() ? QStringLiteral("chat: which agent?")
                                               : QStringLiteral("chat: one agent at a time"),
                          command);
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    const bool json = parser.isSet(QStringLiteral("json"));

    const QString name = QStringLiteral("algoadmin-cli-chat");
    DbError error;
    int result = Ok;
    QString unknown; // the agent named is not there: why
    {
        QSqlDatabase database = SqlDatabase::open(connection, name, &error);
        if (!database.isOpen()) {
            err() << "error: " << error.toString() << '\n';
            err().flush();
            return Failed;
        }
        ChatRepository chat(database);
        const QList<ChatAgent> agents = chat.agents(&error);
        QStringList ids;
        for (const ChatAgent &agent : agents)
            ids.append(agent.algorithmId);
        if (error.isError()) {
            result = Failed;
        } else if (!ids.contains(positional.constFirst())) {
            unknown =
                QStringLiteral("chat: there is no agent %1; the agents are: %2")
                    .arg(positional.constFirst(),
                         ids.isEmpty() ? QStringLiteral("(none)") : ids.join(QStringLiteral(", ")));
        } else {
            ChatFilter filter;
            filter.algorithmId = positional.constFirst();
            filter.text = parser.value(QStringLiteral("search"));
            // Page by page, printed as they come: --limit 0 of a long conversation stays flat.
            std::optional<ChatCursor> cursor;
            qint64 printed = 0;
            if (json)
                out() << "[";
            for (;;) {
                const int want =
                    limit == 0 ? PageSize : int(qMin<qint64>(PageSize, limit - printed));
                const auto page = chat.page(filter, cursor, want, &error);
                if (!page) {
                    result = Failed;
                    break;
                }
                for (const ChatMessage &m : page->messages) {
                    if (json) {
                        out() << (printed > 0 ? ",\n  " : "\n  ")
                              << QJsonDocument(messageJson(m)).toJson(QJsonDocument::Compact);
                    } else {
                        out() << (printed > 0 ? "\n" : "") << messageText(m);
                    }
                    ++printed;
                }
                out().flush();
                if (!page->next || (limit > 0 && printed >= limit))
                    break;
                cursor = page->next;
            }
            if (json)
                out() << (printed > 0 ? "\n]\n" : "]\n");
            else if (printed == 0 && result == Ok)
                err() << "No exchanges.\n";
            out().flush();
        }
    }
    SqlDatabase::close(name);
    if (!unknown.isEmpty())
        return usageError(unknown, command);
    if (result != Ok) {
        err() << "error: " << error.toString() << '\n';
        err().flush();
    }
    return result;
}

} // namespace Cli
