#pragma once

#include "db/dberror.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

// One row of algorithm_chat_history.
struct ChatMessage
{
    QString id;
    QString algorithmId;
    std::optional<int> userId;
    QString message;
    QString response;
    QDateTime createdAt;   // UTC spec (see sqltimestamp.h)
    QString createdAtText; // the server's exact text, for cursors
};

struct ChatCursor
{
    QString createdAt; // the server's text of the row's created_at
    QString id;
};

// Which messages a page holds. Every part is optional; together they narrow (AND).
struct ChatFilter
{
    QString algorithmId;       // one agent's; empty: every agent's (a search)
    std::optional<int> userId; // only this user's
    QDateTime from;            // created_at >= from (UTC spec); invalid: no lower bound
    QDateTime to;              // created_at < to; invalid: no upper bound
    QString text;              // a substring of message or response, any case; empty: any
};

// An agent with how many messages it has.
struct ChatAgent
{
    QString algorithmId;
    QString name;
    qint64 messageCount = 0;
};

struct ChatPage
{
    QList<ChatMessage> messages;
    std::optional<ChatCursor> next; // set when the page was full
};

// Reads an algorithm's conversations, newest first, on one named Qt Sql connection: one round
// trip of an unnamed statement per page (works through a pooler in transaction pooling).
class ChatRepository
{
public:
    explicit ChatRepository(const QSqlDatabase &database);
    ~ChatRepository();
    ChatRepository(const ChatRepository &) = delete;
    ChatRepository &operator=(const ChatRepository &) = delete;

    // Up to `limit` messages ordered by (created_at DESC, id DESC), strictly after `after`.
    std::optional<ChatPage> page(const QString &algorithmId, const std::optional<ChatCursor> &after,
                                 int limit, DbError *error);
    // The same for the messages `filter` matches (of every agent when its algorithmId is
    // empty). Never counts: a page is one index walk of at most `limit` matches.
    std::optional<ChatPage> page(const ChatFilter &filter, const std::optional<ChatCursor> &after,
                                 int limit, DbError *error);
    // Every agent of algorithm_agents in natural order (A2 before A10) with its number of
    // messages (0 for none), in one round trip. Messages naming no agent are not counted.
    QList<ChatAgent> agents(DbError *error);
    // `text` as an ILIKE pattern matching it anywhere, literally (% _ \ escaped).
    static QString containsPattern(const QString &text);

private:
    QSqlDatabase m_database;
};
