#pragma once

#include <QString>

struct pg_conn; // libpq's PGconn

// A failure reported by core as a value: what failed, where, and the server's own words.
// ui/ and the command line decide how to show it.
struct DbError
{
    QString what;      // the operation that failed, e.g. "migration 003_bounds, step 4"
    QString where;     // file:line of the statement, or host:port of a connection
    QString message;   // the server's (or libpq's) primary message
    QString sqlState;  // five-character SQLSTATE, empty for client-side failures
    QString detail;    // the server's DETAIL, if any
    QString hint;      // the server's HINT or our advice on what to do, if any
    QString context{}; // the server's CONTEXT: the call stack (PL/pgSQL function, trigger, SQL)
    // libpq said CONNECTION_BAD for the connection the failure came from; false also when the
    // code that took the error did not have that connection (see noteConnection()).
    bool connectionBad = false;

    bool isError() const { return !message.isEmpty(); }
    // True when the connection is gone, as opposed to a request the server refused. Decided by
    // libpq's status of the connection (connectionBad), else by the SQLSTATE
    // (isConnectionLossState()); only an error that carries neither is judged by libpq's words
    // ("server closed the connection unexpectedly", "no connection to the server", …).
    bool isConnectionLoss() const;
    // Sets connectionBad from libpq's status of `conn`, the connection the error came from
    // (a null `conn` leaves it as it is).
    void noteConnection(const pg_conn *conn);
    // SQLSTATEs that end the session: class 08 (connection exception), 57P01-57P05
    // (administrator or crash shutdown, cannot connect now, database dropped, idle session
    // timeout) and 25P03 (idle-in-transaction timeout).
    static bool isConnectionLossState(const QString &sqlState);
    // One readable paragraph in psql's order: "what (where): message [SQLSTATE]\nDetail: …
    // \nHint: …\nContext: …".
    QString toString() const;
};
