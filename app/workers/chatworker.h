#pragma once

#include "db/databaseworker.h"
#include "db/dberror.h"
#include "repositories/chatrepository.h"

#include <QObject>

#include <atomic>
#include <memory>

// The database work of the Chat panel on a DatabaseWorker (a thread of its own with one named
// QPSQL connection). start() it, setConnection(), then call the requests from the GUI thread:
// each returns at once with a request id and is answered exactly once by its signal, carrying
// value structs.
class ChatWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    ChatWorker();

    // The agents with their message counts → agentsLoaded; the latest wins.
    int loadAgents();
    // A page of `filter`'s messages after `after` → pageLoaded; the latest page request wins
    // (a new filter overtakes the next page of the old one).
    int loadPage(const ChatFilter &filter, const std::optional<ChatCursor> &after, int limit);
    // Writes `filter`'s messages, newest first, as Markdown to `path` (replaced only when the
    // whole export succeeded), page by page: exportProgress after each page, exportFinished at
    // the end. `title` is the file's first line (ChatMarkdown::title).
    int exportConversation(const ChatFilter &filter, const QString &path, const QString &title);
    // Any thread: stops the export that runs (after its current page; the file is not written).
    void cancelExport();

    static constexpr int ExportPageSize = 500;

Q_SIGNALS:
    void connectionOpened();
    void agentsLoaded(int request, const QList<ChatAgent> &agents, const DbError &error);
    void pageLoaded(int request, const ChatPage &page, const DbError &error);
    void exportProgress(int request, qint64 rows);
    // `rows` written; an error (what "cancelled" when cancelled) means no file was written.
    void exportFinished(int request, qint64 rows, const DbError &error);

protected:
    DbError prepareConnection(const QSqlDatabase &database) override;
    void releaseConnection() override;

private:
    void runExport(int request, const ChatFilter &filter, const QString &path,
                   const QString &title);

    std::unique_ptr<ChatRepository> m_chat; // worker thread
    std::atomic<bool> m_cancelExport{false};
};
