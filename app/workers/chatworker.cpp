#include "workers/chatworker.h"

#include "repositories/chatmarkdown.h"

#include <QSaveFile>

ChatWorker::ChatWorker()
    : DatabaseWorker(QStringLiteral("chat"))
{}

DbError ChatWorker::prepareConnection(const QSqlDatabase &database)
{
    m_chat = std::make_unique<ChatRepository>(database);
    Q_EMIT connectionOpened();
    return {};
}

void ChatWorker::releaseConnection()
{
    m_chat.reset();
}

int ChatWorker::loadAgents()
{
    return enqueue(
        [this](int request) {
            DbError error;
            QList<ChatAgent> agents;
            if (ensureOpen(&error, "chat"))
                agents = m_chat->agents(&error);
            noteFailure(error);
            Q_EMIT agentsLoaded(request, agents, error);
        },
        [this](int request) {
            Q_EMIT agentsLoaded(request, {}, droppedError(QStringLiteral("count the messages")));
        },
        "agents");
}

int ChatWorker::loadPage(const ChatFilter &filter, const std::optional<ChatCursor> &after,
                         int limit)
{
    return enqueue(
        [this, filter, after, limit](int request) {
            DbError error;
            ChatPage page;
            if (ensureOpen(&error, "chat")) {
                if (const auto read = m_chat->page(filter, after, limit, &error))
                    page = *read;
            }
            noteFailure(error);
            Q_EMIT pageLoaded(request, page, error);
        },
        [this](int request) {
            Q_EMIT pageLoaded(request, {}, droppedError(QStringLiteral("read a page of chat")));
        },
        "page");
}

int ChatWorker::exportConversation(const ChatFilter &filter, const QString &path,
                                   const QString &title)
{
    m_cancelExport = false;
    return enqueue(
        [this, filter, path, title](int request) { runExport(request, filter, path, title); },
        [this](int request) {
            Q_EMIT exportFinished(request, 0, droppedError(QStringLiteral("export the chat")));
        });
}

void ChatWorker::cancelExport()
{
    m_cancelExport = true;
}

void ChatWorker::runExport(int request, const ChatFilter &filter, const QString &path,
                           const QString &title)
{
    const QString what = QStringLiteral("export the chat");
    DbError error;
    qint64 rows = 0;
    const auto finish = [&] {
        noteFailure(error);
        Q_EMIT exportFinished(request, rows, error);
    };
    if (!ensureOpen(&error, "chat"))
        return finish();
    // QSaveFile: a cancelled or failed export leaves whatever file was there untouched.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        error.what = what;
        error.message = file.errorString();
        return finish();
    }
    file.write(title.toUtf8());
    std::optional<ChatCursor> cursor;
    // Page by page: memory stays flat however long the conversation is.
    for (;;) {
        if (m_cancelExport) {
            error.what = what;
            error.message = QStringLiteral("cancelled");
            file.cancelWriting();
            return finish();
        }
        const auto page = m_chat->page(filter, cursor, ExportPageSize, &error);
        if (!page) {
            file.cancelWriting();
            return finish();
        }
        for (const ChatMessage &message : page->messages) {
            file.write("\n");
            file.write(ChatMarkdown::exchange(message).toUtf8());
        }
        rows += page->messages.size();
        Q_EMIT exportProgress(request, rows);
        if (!page->next)
            break;
        cursor = page->next;
    }
    if (!file.commit()) {
        error.what = what;
        error.message = file.errorString();
    }
    finish();
}
