#include "repositories/chatrepository.h"

#include "db/sqltimestamp.h"
#include "repositories/repositorysupport.h"

namespace {

// Every part of the filter is a bound value that is NULL when unused: the server plans an
// unnamed statement with its values, so the unused parts fold away and the index on
// (algorithm_id, created_at DESC) serves one agent's pages.
// $1 algorithm_id, $2 user_id, $3 from, $4 to, $5 ILIKE pattern, $6/$7 the cursor, $8 limit.
constexpr char kPage[] =
    "SELECT id, algorithm_id, user_id, message, response, created_at::text AS created_at_text"
    " FROM algorithm_chat_history"
    " WHERE ($1::text IS NULL OR algorithm_id = $1::text)"
    " AND ($2::int IS NULL OR user_id = $2::int)"
    " AND ($3::timestamp IS NULL OR created_at >= $3::timestamp)"
    " AND ($4::timestamp IS NULL OR created_at < $4::timestamp)"
    " AND ($5::text IS NULL OR message ILIKE $5::text OR response ILIKE $5::text)"
    " AND ($6::timestamp IS NULL OR (created_at, id) < ($6::timestamp, $7::text))"
    " ORDER BY created_at DESC, id DESC LIMIT $8::int";
// kPage's select list, in order.
enum ChatColumn
{
    ChatId,
    ChatAlgorithmId,
    ChatUserId,
    ChatMessageText,
    ChatResponse,
    ChatCreatedAtText
};

// The counts are grouped first (an index-only walk of the (algorithm_id, created_at) index
// when the visibility map allows), then joined to every agent.
constexpr char kAgents[] =
    "SELECT a.algorithm_id, a.name, coalesce(c.n, 0)"
    " FROM algorithm_agents a"
    " LEFT JOIN (SELECT algorithm_id, count(*) AS n FROM algorithm_chat_history"
    "            GROUP BY algorithm_id) c ON c.algorithm_id = a.algorithm_id"
    " ORDER BY regexp_replace(a.algorithm_id, '[0-9]+$', ''),"
    " nullif(substring(a.algorithm_id from '[0-9]+$'), '')::numeric NULLS FIRST, a.algorithm_id";
enum AgentColumn
{
    AgentAlgorithmId,
    AgentName,
    AgentMessageCount
};

QByteArray nullable(const QString &value)
{
    return value.isEmpty() ? QByteArray() : value.toUtf8();
}

} // namespace

ChatRepository::ChatRepository(const QSqlDatabase &database)
    : m_database(database)
{}

ChatRepository::~ChatRepository() = default;

QString ChatRepository::containsPattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

std::optional<ChatPage> ChatRepository::page(const QString &algorithmId,
                                             const std::optional<ChatCursor> &after, int limit,
                                             DbError *error)
{
    if (algorithmId.isEmpty()) // no agent has that id; the filter would mean every agent
        return RepositorySupport::reported(std::optional<ChatPage>(ChatPage()), {}, error);
    ChatFilter filter;
    filter.algorithmId = algorithmId;
    return page(filter, after, limit, error);
}

std::optional<ChatPage> ChatRepository::page(const ChatFilter &filter,
                                             const std::optional<ChatCursor> &after, int limit,
                                             DbError *error)
{
    const QString what = QStringLiteral("read a page of chat");
    const QList<QByteArray> values = {
        nullable(filter.algorithmId),
        filter.userId ? QByteArray::number(*filter.userId) : QByteArray(),
        nullable(SqlTimestamp::toSql(filter.from)),
        nullable(SqlTimestamp::toSql(filter.to)),
        filter.text.isEmpty() ? QByteArray() : containsPattern(filter.text).toUtf8(),
        after ? after->createdAt.toUtf8() : QByteArray(),
        after ? after->id.toUtf8() : QByteArray(),
        QByteArray::number(qMax(0, limit))};
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{kPage, values}}, what);
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

QList<ChatAgent> ChatRepository::agents(DbError *error)
{
    const QString what = QStringLiteral("count the messages of each agent");
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(m_database, {{kAgents, {}}}, what);
    const DbError failure = RepositorySupport::firstError(batch, what);
    if (failure.isError())
        return RepositorySupport::reported(QList<ChatAgent>(), failure, error);
    const PgResult &q = batch.results.constFirst();
    QList<ChatAgent> result;
    result.reserve(q.rows());
    for (int row = 0; row < q.rows(); ++row) {
        ChatAgent agent;
        agent.algorithmId = q.value(row, AgentAlgorithmId);
        agent.name = q.value(row, AgentName);
        agent.messageCount = q.value(row, AgentMessageCount).toLongLong();
        result.append(agent);
    }
    return RepositorySupport::reported(result, {}, error);
}
