#pragma once

#include <QString>

// A failure reported by core as a value: what failed, where, and the server's own words.
// ui/ and the command line decide how to show it.
struct DbError
{
    QString what;     // the operation that failed, e.g. "migration 003_bounds, step 4"
    QString where;    // file:line of the statement, or host:port of a connection
    QString message;  // the server's (or libpq's) primary message
    QString sqlState; // five-character SQLSTATE, empty for client-side failures
    QString detail;   // the server's DETAIL, if any
    QString hint;     // the server's HINT or our advice on what to do, if any

    bool isError() const { return !message.isEmpty(); }
    // True when the connection is gone (SQLSTATE class 08, an administrator's shutdown, or
    // libpq's own "server closed the connection"/"no connection" without a SQLSTATE), as
    // opposed to a request the server refused.
    bool isConnectionLoss() const;
    // One readable paragraph: "what (where): message [SQLSTATE]\nDETAIL…\nHINT…".
    QString toString() const;
};
