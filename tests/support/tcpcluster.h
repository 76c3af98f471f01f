#pragma once

#include "db/connectionoptions.h"
#include "privatecluster.h"

#include <QString>

// A private cluster of a test's own that also listens on TCP, at 127.0.0.N with N picked at
// random (the port stays the one its Unix socket is named after, so clashes are unlikely),
// for what needs a network path: TLS, password authentication. Stopped in the destructor.
class TcpCluster
{
public:
    // Creates and starts it. `files` are copied into the data directory, readable by the
    // server only (certificates); `settings` go into postgresql.conf; `hba` lines come before
    // the one that trusts every other TCP connection from 127.0.0.0/8. Empty on success.
    QString start(const QStringList &files = {}, const QString &settings = {},
                  const QString &hba = {});
    QString address() const { return m_address; }
    int port() const { return m_cluster->port(); }
    // `database` as `user` over TCP: host `host` (a name; hostaddr is the address), plus
    // `keywords` ("sslmode=…").
    ConnectionOptions options(const QString &host, const QString &keywords,
                              const QString &user = QStringLiteral("postgres"),
                              const QString &database = QStringLiteral("postgres")) const;
    // The superuser over the Unix socket, for setting up.
    ConnectionOptions adminOptions(const QString &database = QStringLiteral("postgres")) const;

private:
    PrivateCluster m_cluster;
    QString m_address;
};
