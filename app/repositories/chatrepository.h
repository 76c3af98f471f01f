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

private:
    QSqlDatabase m_database;
};
