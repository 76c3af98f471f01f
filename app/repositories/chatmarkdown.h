#pragma once

#include "repositories/chatrepository.h"

#include <QString>

// The one Markdown form of chat messages: what the Chat panel copies, the export writes and
// `algoadmin chat` prints. The user's message is quoted (it is plain text), the algorithm's
// response kept as it is (it is Markdown already).
namespace ChatMarkdown {

// "2026-05-01 12:00:03 UTC" (seconds; a null time gives "unknown time").
QString time(const QDateTime &createdAt);
// "user 42", or "no user".
QString user(const std::optional<int> &userId);
// One exchange: a heading with time, agent and user, the message quoted, the response.
QString exchange(const ChatMessage &message);
// The heading of an exported conversation ("# Chat with A7 (Name)").
QString title(const QString &algorithmId, const QString &name);

} // namespace ChatMarkdown
