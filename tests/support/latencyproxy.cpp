#include "latencyproxy.h"

#include "sandbox/localcluster.h"

#include <QFile>

#include <csignal>

LatencyProxy::~LatencyProxy()
{
    kill();
}

bool LatencyProxy::start(int rttMs, int listenPort)
{
    kill();
    const QString bin = qEnvironmentVariable("ALGOADMIN_DELAYPROXY_BIN");
    if (bin.isEmpty()) {
        m_error = QStringLiteral("ALGOADMIN_DELAYPROXY_BIN is not set");
        return false;
    }
    const LocalCluster cluster(qEnvironmentVariable("ALGOADMIN_TEST_CLUSTER_DIR"));
    m_process.start(bin, {QStringLiteral("--target-unix"),
                          cluster.socketDir() + QStringLiteral("/.s.PGSQL.%1").arg(cluster.port()),
                          QStringLiteral("--listen-port"), QString::number(listenPort),
                          QStringLiteral("--rtt-ms"), QString::number(rttMs),
                          QStringLiteral("--max-seconds"), QStringLiteral("1800"),
                          QStringLiteral("--drop-answer-after"), QStringLiteral("COMMIT")});
    if (!m_process.waitForStarted(10000) || !m_process.waitForReadyRead(10000)) {
        m_error = QStringLiteral("the delay proxy did not start: ") + m_process.errorString() +
                  QString::fromUtf8(m_process.readAllStandardError());
        return false;
    }
    m_port =
        QString::fromUtf8(m_process.readLine()).trimmed().section(QLatin1Char(' '), 2, 2).toInt();
    if (m_port == 0) {
        m_error = QStringLiteral("the delay proxy did not say its port");
        return false;
    }
    return true;
}

void LatencyProxy::kill()
{
    if (m_process.state() != QProcess::NotRunning) {
        resume();
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool LatencyProxy::pause()
{
    return m_process.processId() > 0 && ::kill(pid_t(m_process.processId()), SIGSTOP) == 0;
}

bool LatencyProxy::loseNextCommitAnswer()
{
    return m_process.processId() > 0 && ::kill(pid_t(m_process.processId()), SIGUSR1) == 0;
}

bool LatencyProxy::resume()
{
    return m_process.processId() > 0 && ::kill(pid_t(m_process.processId()), SIGCONT) == 0;
}

QString LatencyProxy::describe()
{
    const qint64 pid = m_process.processId();
    QString text;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid > 0 && stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        text = QStringLiteral("proxy %1 running (state %2)")
                   .arg(pid)
                   .arg(QString::fromLatin1(line.mid(line.lastIndexOf(')') + 2, 1)));
    } else {
        m_process.waitForFinished(1000);
        text = QStringLiteral("proxy gone: %1, exit code %2")
                   .arg(m_process.exitStatus() == QProcess::CrashExit ? QStringLiteral("crashed")
                                                                      : QStringLiteral("exited"))
                   .arg(m_process.exitCode());
    }
    const QByteArray err = m_process.readAllStandardError();
    if (!err.isEmpty())
        text += QStringLiteral("; stderr: ") + QString::fromUtf8(err).trimmed();
    return text;
}

ConnectionOptions LatencyProxy::options(const QString &database) const
{
    ConnectionOptions options;
    options.database = QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3 sslmode=disable")
                           .arg(m_port)
                           .arg(database, LocalCluster::superuser());
    options.applicationName = QStringLiteral("algoadmin-test");
    return options;
}
