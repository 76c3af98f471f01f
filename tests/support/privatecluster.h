#pragma once

#include "sandbox/localcluster.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

// A cluster of a test's own, for the tests that stop, kill or reconfigure their server (the
// suite's shared one must stay up for the others): in a temporary directory the server may
// enter (as root it runs as postgres), with an initdb cache of its own. Stopped in the
// destructor.
class PrivateCluster
{
public:
    PrivateCluster() = default;
    ~PrivateCluster();

    // Creates and starts it; empty on success, else why not.
    QString start();
    // CREATE DATABASE `name` (a plain identifier); empty on success, else why not.
    QString createDatabase(const QString &name);
    LocalCluster &cluster() { return *m_cluster; }
    const LocalCluster &cluster() const { return *m_cluster; }
    LocalCluster *operator->() { return m_cluster.get(); }
    const LocalCluster *operator->() const { return m_cluster.get(); }

private:
    QTemporaryDir m_parent;
    QTemporaryDir m_cache;
    std::unique_ptr<LocalCluster> m_cluster;
};
