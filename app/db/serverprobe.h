#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"

#include <QString>

#include <functional>

// What the status bar and the connection dialog show of a server.
struct ServerInfo
{
    DbError error;         // set when the connection or the query failed (libpq's reason)
    QString target;        // user@host:port/database, never a password
    QString serverVersion; // "15.5"
    QString role;          // current_user
    QString database;
    bool readOnly = false; // hot standby, default_transaction_read_only, or no UPDATE on parameters
    QString readOnlyReason;     // why, for the badge's tooltip
    bool schemaPresent = false; // algorithm_parameters exists
    QString tls;                // the TLS protocol ("TLSv1.3"), empty when not encrypted
    QString tlsCipher;          // "TLS_AES_256_GCM_SHA384"
    QString host;               // libpq's host: a name, an address or a socket directory
    bool remote = false;        // the host is not on this machine (isLocalHost)
    double connectMs = -1;      // opening the connection (TCP, TLS, authentication)
    double roundTripMs = -1;    // the fastest of the pings: the network's round trip
    bool ok() const { return !error.isError(); }
};

// Connects, reads everything above in one query and measures the round trip with `pings`
// empty queries. Blocking: run it off the GUI thread. libpq's connect_timeout bounds a dead host;
// `abandoned` ends the connect sooner (PgConnection::open).
ServerInfo probeServer(const ConnectionOptions &options, int pings = 3,
                       const std::function<bool()> &abandoned = {});
