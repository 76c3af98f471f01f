#pragma once

#include <libpq-fe.h>

// Stops the statement a libpq connection is running, from any thread: made on the connection's
// own thread (PQgetCancel), it may then be used elsewhere and may outlive the connection (the
// cancel then reaches nobody). cancel() opens a short connection of its own to the server
// (PQcancel); it never waits for the statement itself.
class StatementCanceller
{
public:
    explicit StatementCanceller(PGconn *connection)
        : m_cancel(connection ? PQgetCancel(connection) : nullptr)
    {}
    ~StatementCanceller()
    {
        if (m_cancel)
            PQfreeCancel(m_cancel);
    }
    StatementCanceller(const StatementCanceller &) = delete;
    StatementCanceller &operator=(const StatementCanceller &) = delete;

    // Whether the server took the request (the statement then fails with SQLSTATE 57014, unless
    // it finished first).
    bool cancel() const
    {
        char message[256];
        return m_cancel && PQcancel(m_cancel, message, sizeof message) == 1;
    }

private:
    PGcancel *m_cancel;
};
