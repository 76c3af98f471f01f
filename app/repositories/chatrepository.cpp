#include "repositories/chatrepository.h"

#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

namespace {

constexpr char kFirstPage[] =
    "SELECT id, algorithm_id, user_id, message, response, created_at::text AS created_at_text"
    " FROM algorithm_chat_history WHERE algorithm_id = $1"
    " ORDER BY created_at DESC, id DESC LIMIT $2::int";
constexpr char kNextPage[] =
    "SELECT id, algorithm_id, user_id, message, response, created_at::text AS created_at_text"
    " FROM algorithm_chat_history WHERE algorithm_id = $1"
    " AND (created_at, id) < ($2::timestamp, $3)"
    " ORDER BY created_at DESC, id DESC LIMIT $4::int";
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
    const QString what = QStringLiteral("read a page of chat");
    QList<QByteArray> values = {RepositorySupport::text(algorithmId)};
    if (after) {
        values.append(after->createdAt.toUtf8());
        values.append(after->id.toUtf8());
    }
    values.append(QByteArray::number(qMax(0, limit)));
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{after ? kNextPage : kFirstPage, values}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(std::optional<ChatPage>(), failure, error);
    const PgResult &q = batch.results.constFirst();
    ChatPage result;
    result.messages.reserve(q.rows());
    for (int row = 0; row < q.rows(); ++row) {
        ChatMessage m;
        m.id = q.value(row, ChatId);
        m.algorithmId = q.value(row, ChatAlgorithmId);
        if (!q.isNull(row, ChatUserId))
            m.userId = q.value(row, ChatUserId).toInt();
        m.message = q.value(row, ChatMessageText); // a null QString for NULL
        m.response = q.value(row, ChatResponse);
        m.createdAtText = q.value(row, ChatCreatedAtText);
        m.createdAt = SqlTimestamp::fromSql(m.createdAtText);
        result.messages.append(m);
    }
    if (limit > 0 && result.messages.size() == limit)
        result.next =
            ChatCursor{result.messages.constLast().createdAtText, result.messages.constLast().id};
    return RepositorySupport::reported(std::optional<ChatPage>(result), {}, error);
}
