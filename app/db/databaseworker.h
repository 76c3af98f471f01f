#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMetaObject>
#include <QObject>
#include <QSqlDatabase>

#include <atomic>
#include <functional>
#include <mutex>

class QThread;

// The one way the app does database work off the GUI thread (KDAB hotspot's JobTracker is the
// model): a thread of its own with one named QPSQL connection opened on it. A panel's worker
// derives from it and adds only its typed requests (AgentWorker, MigrationWorker).
//
// Call the public methods from the GUI thread. Every request returns at once with an id and is
// answered exactly once, by a signal the subclass emits (queued to the receiver's thread):
// either by running, or, when a newer connection or a newer request of the same kind overtook
// it before it ran, by its `dropped` answer. A connection lost during a request is reported
// (connectionLost) and reopened by the next one. cancel() stops the running statement from any
// thread without waiting on the network.
class DatabaseWorker : public QObject
{
    Q_OBJECT

public:
    // `name` names the thread and, made unique, the connection ("agents").
    explicit DatabaseWorker(const QString &name);
    ~DatabaseWorker() override; // closes the connection; see shutdown()

    // Moves onto a thread of its own and starts it.
    void start();
    // Stops the running statement and ends the thread, waiting for it until `deadline` (over a
    // dead link even the cancel cannot get through: the thread then ends on its own rather
    // than holding the window's exit). The worker deletes itself once its thread has ended:
    // call this instead of delete, and use the worker no more.
    void shutdown(QDeadlineTimer deadline = QDeadlineTimer(1000));

    // Opens the connection for `options` (dropping an earlier one and whatever was queued for
    // it); answered by the subclass's "opened" signal or connectionFailed.
    void setConnection(const ConnectionOptions &options);
    // Closes the connection; queued requests are answered as dropped.
    void clearConnection();
    // Thread-safe, never waits on the network: asks the server to stop what runs now (PQcancel
    // from a helper thread); the request then answers with its error (SQLSTATE 57014).
    void cancel();

    // The options of the connection (worker thread).
    const ConnectionOptions &connectionOptions() const { return m_options; }

Q_SIGNALS:
    void connectionFailed(const DbError &error);
    // A request failed because the connection is gone (also reported in its own answer).
    void connectionLost(const DbError &error);

protected:
    // Worker thread: the connection has just opened; set up what the requests use
    // (repositories, a change feed) and announce it. An error closes the connection again and
    // is reported as connectionFailed.
    virtual DbError prepareConnection(const QSqlDatabase &database);
    // Worker thread: the connection is about to close; drop what prepareConnection() made.
    virtual void releaseConnection() {}

    // Queues `work(request)` on the worker's thread; `dropped(request)` answers instead when a
    // setConnection()/clearConnection() came in between, or, with a `latestWins` key, when a
    // newer request of that key was queued meanwhile (a reload whose answer nobody wants).
    template <typename Work, typename Dropped>
    int enqueue(Work work, Dropped dropped, const char *latestWins = nullptr)
    {
        const int request = ++m_nextRequest;
        const int generation = m_generation;
        if (latestWins) {
            std::lock_guard lock(m_latestMutex);
            m_latest.insert(latestWins, request);
        }
        QMetaObject::invokeMethod(this, [this, work, dropped, request, generation, latestWins] {
            if (generation == m_generation && !overtaken(latestWins, request))
                work(request);
            else
                dropped(request);
        });
        return request;
    }

    // A read on the worker's connection: opens it (or reopens it after a loss), runs
    // `run(&error)`, notes a lost connection and answers once through
    // `answer(request, result, error)`; a request overtaken by a newer one of kind `latest`
    // (or by a new connection) answers with Result{} and droppedError(what) instead.
    template <typename Result, typename Run, typename Answer>
    int read(const char *what, const char *latest, Run run, Answer answer)
    {
        return enqueue(
            [this, run, answer, what](int id) {
                DbError error;
                Result result{};
                if (ensureOpen(&error, what))
                    result = run(&error);
                noteFailure(error);
                answer(id, result, error);
            },
            [answer, what](int id) {
                answer(id, Result{}, droppedError(QString::fromLatin1(what)));
            },
            latest);
    }

    // Worker thread: whether the connection is open, opening it again after a loss (one
    // attempt); otherwise `error` says why.
    bool ensureOpen(DbError *error, const char *what);
    // Worker thread, after a request: a lost connection is closed (the next request reopens
    // it) and reported.
    void noteFailure(const DbError &error);
    bool isOpen() const { return m_database.isOpen(); }

    // Worker thread: while one exists, cancel() runs `cancel` (e.g. a migration engine's,
    // which has connections of its own) instead of cancelling this worker's connection.
    class CancelScope
    {
    public:
        CancelScope(DatabaseWorker *worker, std::function<void()> cancel);
        ~CancelScope();
        CancelScope(const CancelScope &) = delete;
        CancelScope &operator=(const CancelScope &) = delete;

    private:
        DatabaseWorker *m_worker;
        std::function<void()> m_previous;
    };

    // What a request that never ran answers.
    static DbError droppedError(const QString &what);

private:
    bool overtaken(const char *latestWins, int request);
    void open();
    void closeConnection();
    void setCanceller(std::function<void()> cancel);

    QThread *m_thread = nullptr;
    std::atomic<int> m_nextRequest{0};
    // Bumped by setConnection()/clearConnection(): queued work of older ones is dropped.
    std::atomic<int> m_generation{0};
    std::mutex m_latestMutex;
    QHash<const char *, int> m_latest; // key → newest request of that kind
    // Worker-thread state.
    ConnectionOptions m_options;
    bool m_hasOptions = false;
    QString m_connectionName;
    QSqlDatabase m_database;
    // For cancel() from any thread: what stops the running statement.
    std::mutex m_cancelMutex;
    std::function<void()> m_cancel;
};
