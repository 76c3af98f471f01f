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
    QString applicationName = QStringLiteral("algoadmin");

    // Empty when the options are usable; otherwise libpq's reason the conninfo is malformed.
    QString validate() const;
    // keyword/value pairs for PQconnectdbParams with expand_dbname = 1, in override order.
    QList<QPair<QByteArray, QByteArray>> keywordValues() const;
    // The same as one conninfo string (values quoted), e.g. for QPSQL or display.
    QString toConninfo() const;
};
