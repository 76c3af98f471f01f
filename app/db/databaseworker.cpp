#include "db/databaseworker.h"

#include "db/sqldatabase.h"
#include "db/statementcanceller.h"

#include <QThread>

#include <libpq-fe.h>

#include <memory>
#include <thread>

DatabaseWorker::DatabaseWorker(const QString &name)
    : m_thread(new QThread)
    , m_connectionName(QStringLiteral("%1-%2").arg(name).arg(quintptr(this), 0, 16))
{
    m_thread->setObjectName(name + QStringLiteral(" worker"));
}

DatabaseWorker::~DatabaseWorker()
{
    // Never started: the thread was never handed its own deletion.
    if (m_thread && !m_thread->isRunning() && !m_thread->isFinished())
        delete m_thread;
    closeConnection();
}

void DatabaseWorker::start()
{
    moveToThread(m_thread);
    // Both go once the thread has ended, which may be after the panel is gone.
    connect(m_thread, &QThread::finished, this, &QObject::deleteLater);
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_thread->start();
}

void DatabaseWorker::shutdown(QDeadlineTimer deadline)
{
    cancel();
    // No more answers: the receivers may be going away as well.
    ++m_generation;
    QThread *thread = m_thread;
    if (!thread->isRunning() && !thread->isFinished()) {
        delete this; // never started
        return;
    }
    // After what is queued: each of those answers as dropped at once (or, like a run's
    // archiving, finishes its local work), then the thread ends.
    QMetaObject::invokeMethod(this, [thread] { thread->quit(); });
    thread->wait(deadline);
}

void DatabaseWorker::setConnection(const ConnectionOptions &options)
{
    const int generation = ++m_generation;
    QMetaObject::invokeMethod(this, [this, options, generation] {
        if (generation != m_generation)
            return;
        m_options = options;
        m_hasOptions = true;
        open();
    });
}

void DatabaseWorker::clearConnection()
{
    const int generation = ++m_generation;
    QMetaObject::invokeMethod(this, [this, generation] {
        if (generation != m_generation)
            return;
        m_hasOptions = false;
        closeConnection();
    });
}

bool DatabaseWorker::overtaken(const char *latestWins, int request)
{
    if (!latestWins)
        return false;
    std::lock_guard lock(m_latestMutex);
    return m_latest.value(latestWins) != request;
}

DbError DatabaseWorker::droppedError(const QString &what)
{
    DbError error;
    error.what = what;
    error.message = QStringLiteral("not sent: the connection was changed before it ran");
    return error;
}

DbError DatabaseWorker::prepareConnection(const QSqlDatabase &database)
{
    Q_UNUSED(database);
    return {};
}

void DatabaseWorker::closeConnection()
{
    setCanceller({});
    if (m_database.isValid())
        releaseConnection();
    if (m_database.isValid()) {
        m_database = QSqlDatabase();
        SqlDatabase::close(m_connectionName);
    }
}

void DatabaseWorker::open()
{
    closeConnection();
    DbError error;
    m_database = SqlDatabase::open(m_options, m_connectionName, &error);
    if (error.isError() || !m_database.isOpen()) {
        m_database = QSqlDatabase();
        SqlDatabase::close(m_connectionName);
        Q_EMIT connectionFailed(error);
        return;
    }
    if (PGconn *handle = SqlDatabase::nativeHandle(m_database)) {
        // The shared pointer keeps the canceller alive until a cancel in flight has gone.
        auto canceller = std::make_shared<StatementCanceller>(handle);
        setCanceller([canceller] { canceller->cancel(); });
    }
    error = prepareConnection(m_database);
    if (error.isError()) {
        // Half open is not open: the next request tries again from the start.
        closeConnection();
        Q_EMIT connectionFailed(error);
    }
}

bool DatabaseWorker::ensureOpen(DbError *error, const char *what)
{
    if (m_database.isOpen())
        return true;
    if (!m_hasOptions) {
        error->what = QString::fromLatin1(what);
        error->message = QStringLiteral("not connected");
        error->sqlState = QStringLiteral("08003");
        return false;
    }
    // The connection was lost earlier: one attempt to open it again for this request.
    open();
    if (m_database.isOpen())
        return true;
    error->what = QString::fromLatin1(what);
    error->message = QStringLiteral("no connection to the server");
    error->sqlState = QStringLiteral("08006");
    return false;
}

void DatabaseWorker::noteFailure(const DbError &error)
{
    if (!error.isConnectionLoss())
        return;
    // The next request reconnects (and prepareConnection() makes its objects anew); the panel
    // hears of the loss now.
    setCanceller({});
    m_database.close();
    Q_EMIT connectionLost(error);
}

void DatabaseWorker::setCanceller(std::function<void()> cancel)
{
    std::lock_guard lock(m_cancelMutex);
    m_cancel = std::move(cancel);
}

void DatabaseWorker::cancel()
{
    std::function<void()> cancel;
    {
        std::lock_guard lock(m_cancelMutex);
        cancel = m_cancel;
    }
    if (!cancel)
        return;
    // A cancel opens a connection to the server: never on the caller's (GUI) thread.
    std::thread(std::move(cancel)).detach();
}

DatabaseWorker::CancelScope::CancelScope(DatabaseWorker *worker, std::function<void()> cancel)
    : m_worker(worker)
{
    std::lock_guard lock(worker->m_cancelMutex);
    m_previous = std::exchange(worker->m_cancel, std::move(cancel));
}

DatabaseWorker::CancelScope::~CancelScope()
{
    m_worker->setCanceller(std::move(m_previous));
}
