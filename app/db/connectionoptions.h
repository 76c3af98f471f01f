#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// Where to connect, as psql takes it: -d is a database name, a key=value conninfo string or a
// postgresql:// URI; -h/-p/-U override what it says. Unset parts come from libpq's environment
// (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE, PGSSLMODE …) and ~/.pgpass.
struct ConnectionOptions
{
    QString database;               // -d: name, conninfo or URI
    QString host;                   // -h
    QString port;                   // -p
    QString user;                   // -U
    int connectTimeoutSeconds = 10; // used unless the conninfo or PGCONNECT_TIMEOUT says otherwise
    // Every statement on the connection runs under these (sent with the start-up packet, no
    // extra round trip); the user's own `options`/PGOPTIONS come after them and win. A pooler
    // (PgBouncer by default) refuses the start-up `options`: the connection is then opened
    // again without ours (see refusesStartupOptions()), and the engine and the repositories
    // (RepositorySupport::run) set the timeouts transaction-locally in each transaction instead.
    int lockTimeoutMs = 5000;
    int statementTimeoutMs = 300000;
    bool sendStartupOptions = true; // false: send only the user's own options, if any
    QString applicationName = QStringLiteral("algoadmin");
    // When set, the database to connect to instead of the one `database` names (whatever form
    // that takes): e.g. verify's private scratch database on the same server.
    QString databaseOverride;

    // Empty when the options are usable; otherwise libpq's reason the conninfo is malformed.
    QString validate() const;
    // keyword/value pairs for PQconnectdbParams with expand_dbname = 1, in override order.
    QList<QPair<QByteArray, QByteArray>> keywordValues() const;
    // The same as one conninfo string (values quoted), e.g. for QPSQL.
    QString toConninfo() const;
    // "user@host:port/database" for titles and status bars: never a password.
    QString displayName() const;

    // True when `serverMessage` (a failed connect's) says the server or a pooler in front of
    // it refused the start-up parameter `options`.
    static bool isRefusedStartupOptions(const QString &serverMessage);
    // Remembered for this process once a connect was refused for the start-up options, so
    // that later connections to the same target do not pay the failed attempt again.
    bool refusesStartupOptions() const;
    void noteRefusesStartupOptions() const;
    // The options to connect with: these, without our start-up options when the target is
    // known to refuse them.
    ConnectionOptions forConnect() const;
    // The advice for a refused `options` that were the user's own (conninfo or PGOPTIONS).
    static QString refusedOptionsHint();
    // Whether `host` (libpq's host: a name, an address, a Unix socket directory or a
    // comma-separated list of them; empty = libpq's default socket) stays on this machine:
    // a socket, localhost, 127.0.0.0/8 or ::1. Anything else crosses a network.
    static bool isLocalHost(const QString &host);
};
