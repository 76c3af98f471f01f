#include "repositories/chatrepository.h"

#include "db/sqldatabase.h"
#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

#include <QSqlQuery>
#include <QVariant>

namespace {

constexpr char kFirstPage[] =
    "SELECT id, algorithm_id, user_id, message, response, created_at::text AS created_at_text"
    " FROM algorithm_chat_history WHERE algorithm_id = ?"
    " ORDER BY created_at DESC, id DESC LIMIT ?";
constexpr char kNextPage[] =
    "SELECT id, algorithm_id, user_id, message, response, created_at::text AS created_at_text"
    " FROM algorithm_chat_history WHERE algorithm_id = ?"
    " AND (created_at, id) < (?::timestamp, ?)"
    " ORDER BY created_at DESC, id DESC LIMIT ?";
// kFirstPage's and kNextPage's select list, in order.
enum ChatColumn
{
    ChatId,
    ChatAlgorithmId,
    ChatUserId,
    ChatMessageText,
    ChatResponse,
    ChatCreatedAtText
};

} // namespace

ChatRepository::ChatRepository(const QSqlDatabase &database)
    : m_database(database)
{}

ChatRepository::~ChatRepository() = default;

std::optional<ChatPage> ChatRepository::page(const QString &algorithmId,
                                             const std::optional<ChatCursor> &after, int limit,
                                             DbError *error)
{
    std::shared_ptr<QSqlQuery> &slot = after ? m_next : m_first;
    if (!slot) {
        auto query = std::make_shared<QSqlQuery>(m_database);
        query->setForwardOnly(true);
        if (!query->prepare(QString::fromLatin1(after ? kNextPage : kFirstPage))) {
            RepositorySupport::report(
                SqlDatabase::toDbError(m_database, query->lastError(),
                                       QStringLiteral("prepare the chat page query")),
                error);
            return std::nullopt;
        }
        slot = query;
    }
    QSqlQuery &q = *slot;
    int n = 0;
    q.bindValue(n++, algorithmId);
    if (after) {
        q.bindValue(n++, after->createdAt);
        q.bindValue(n++, after->id);
    }
    q.bindValue(n++, qMax(0, limit));
    if (!q.exec()) {
        RepositorySupport::report(SqlDatabase::toDbError(m_database, q.lastError(),
                                                         QStringLiteral("read a page of chat")),
                                  error);
        return std::nullopt;
    }
    ChatPage result;
    while (q.next()) {
        ChatMessage m;
        m.id = q.value(ChatId).toString();
        m.algorithmId = q.value(ChatAlgorithmId).toString();
        if (!q.isNull(ChatUserId))
            m.userId = q.value(ChatUserId).toInt();
        m.message = q.isNull(ChatMessageText) ? QString() : q.value(ChatMessageText).toString();
        m.response = q.isNull(ChatResponse) ? QString() : q.value(ChatResponse).toString();
        m.createdAtText = q.value(ChatCreatedAtText).toString();
        m.createdAt = SqlTimestamp::fromSql(m.createdAtText);
        result.messages.append(m);
    }
    q.finish();
    if (limit > 0 && result.messages.size() == limit)
        result.next =
            ChatCursor{result.messages.constLast().createdAtText, result.messages.constLast().id};
    return result;
}
