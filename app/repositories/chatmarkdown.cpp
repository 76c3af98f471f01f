#include "repositories/chatmarkdown.h"

#include <QStringList>

namespace ChatMarkdown {

QString time(const QDateTime &createdAt)
{
    if (!createdAt.isValid())
        return QStringLiteral("unknown time");
    return createdAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) +
           QStringLiteral(" UTC");
}

QString user(const std::optional<int> &userId)
{
    return userId ? QStringLiteral("user %1").arg(*userId) : QStringLiteral("no user");
}

QString exchange(const ChatMessage &message)
{
    QString text = QStringLiteral("### %1 · %2 · %3\n\n")
                       .arg(time(message.createdAt), message.algorithmId, user(message.userId));
    // Quoting every line keeps the message apart from the response, whatever it holds.
    QStringList quoted;
    const QString body =
        message.message.isNull() ? QStringLiteral("(no message)") : message.message;
    const QStringList lines = body.split(QLatin1Char('\n'));
    for (const QString &line : lines)
        quoted.append(line.isEmpty() ? QStringLiteral(">") : QStringLiteral("> ") + line);
    text += quoted.join(QLatin1Char('\n'));
    text += QStringLiteral("\n\n");
    text += message.response.isNull() ? QStringLiteral("*(no response)*") : message.response;
    if (!text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    return text;
}

QString title(const QString &algorithmId, const QString &name)
{
    return name.isEmpty() ? QStringLiteral("# Chat with %1\n").arg(algorithmId)
                          : QStringLiteral("# Chat with %1 (%2)\n").arg(algorithmId, name);
}

} // namespace ChatMarkdown
