#pragma once

#include "db/connectionoptions.h"

#include <QString>

// The embedded default: a private PostgreSQL cluster in the user's data directory, created
// with initdb, listening only on a Unix socket in a private directory, started and stopped by
// us. As root, the server runs as the `postgres` system user (PostgreSQL refuses root).
class LocalCluster
{
public:
    // dataDir empty: the default, defaultDataDir().
    explicit LocalCluster(const QString &dataDir = {});

    // ~/.local/share/algoadmin/local for a normal user; /var/lib/algoadmin/local for root,
    // because the postgres user cannot reach into /root.
    static QString defaultDataDir();

    QString dataDir() const { return m_dataDir; }
    QString pgData() const;    // the cluster itself
    QString socketDir() const; // the private socket directory
    QString logFile() const;
    int port() const { return 5432; } // only names the socket file; nothing listens on TCP
    static QString superuser() { return QStringLiteral("postgres"); }
    static QString databaseName() { return QStringLiteral("algoadmin"); }

    // Creates the cluster if needed, starts it if it is not running, creates the database.
    // `startedNow` tells whether this call started the server (so the caller may stop it).
    bool start(QString *error, bool *startedNow = nullptr);
    bool stop(QString *error);
    bool isInitialised() const;
    bool isRunning() const;

    // How to reach it: a postgresql:// URI and the same as ConnectionOptions.
    QString url(const QString &database = databaseName()) const;
    ConnectionOptions connectionOptions(const QString &database = databaseName()) const;

    // Where the server binaries are (initdb, pg_ctl, postgres), or empty with a message naming
    // the Debian package to install.
    static QString findBinDir(QString *error);

private:
    bool runTool(const QString &tool, const QStringList &arguments, QString *output,
                 int timeoutMs) const;
    bool prepareDirectories(QString *error) const;
    bool ensureDatabase(QString *error) const;

    QString m_dataDir;
    mutable QString m_binDir; // found on first use
};
