// algoadmin-delayproxy: a loopback-only TCP proxy that adds a fixed round-trip time between a
// PostgreSQL client and a server on this machine. Benchmarks and tests use it to see how
// AlgoAdmin behaves over a "remote" link (how many round trips an action costs) without needing
// a remote server.
//
// Usage:
//   algoadmin-delayproxy --target-unix /dir/.s.PGSQL.5432 [--listen-port N] [--rtt-ms MS]
//   algoadmin-delayproxy --target-port N [--target-host 127.0.0.1] [--listen-port N] [--rtt-ms MS]
//
// With --drop-answer-after TEXT, a SIGUSR1 arms a one-shot fault: the next chunk from a client
// that contains TEXT (e.g. COMMIT) is delivered to the server, and then that client's
// connection is cut before any answer comes back, the server's side closed after what was
// delivered: a commit that happened, whose answer was lost.
//
// Once listening it prints exactly one line, "listening 127.0.0.1 <port>", so that a parent
// process started with --listen-port 0 can learn which port it got.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QLocalSocket>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace {

// How many bytes one direction may hold (delayed in our queue plus not yet written to the
// sink) before we stop reading from its source. Without a cap a fast producer would make us
// buffer a whole large result set; with it the kernel socket buffers fill up and TCP flow
// control slows the producer down, like a real link with this bandwidth-delay product.
constexpr qint64 MaxBacklog = 4 * 1024 * 1024;

// Qt's own per-socket read buffer. It has to be bounded as well, otherwise Qt keeps draining
// the kernel buffer while we are not reading and the backlog cap never reaches TCP.
constexpr qint64 ReadBufferSize = 256 * 1024;

// Upper bounds only guard against typos; QTimer takes int milliseconds.
constexpr int MaxRttMs = 60 * 1000;

// --drop-answer-after, and whether SIGUSR1 armed it (set from the signal handler).
QByteArray g_dropAfter;
volatile sig_atomic_t g_dropArmed = 0;
constexpr int MaxMaxSeconds = 7 * 24 * 3600;

struct Target
{
    QString unixPath;  // non-empty: connect to this Unix domain socket file
    QHostAddress host; // otherwise TCP to host:port; always a loopback address
    quint16 port = 0;

    QString name() const
    {
        if (!unixPath.isEmpty())
            return unixPath;
        return QStringLiteral("%1 port %2").arg(host.toString()).arg(port);
    }
};

// One end of a proxied connection. QTcpSocket and QLocalSocket share only QIODevice, which
// has neither a connection state nor a graceful close, so keep the concrete pointer as well.
struct Side
{
    QIODevice *io = nullptr;
    QTcpSocket *tcp = nullptr;
    QLocalSocket *local = nullptr;
    bool connected = false;
    bool closing = false; // we asked for a close; wait for the Unconnected state
    bool ended = false;   // gone for good: nothing more to read, nothing can be written

    // Graceful when connected (Qt writes out what is still buffered, then closes); abort
    // otherwise, because a connection attempt nobody will use is not worth finishing.
    void close()
    {
        if (closing || ended)
            return;
        closing = true;
        if (tcp) {
            if (connected)
                tcp->disconnectFromHost();
            else
                tcp->abort();
        } else {
            if (connected)
                local->disconnectFromServer();
            else
                local->abort();
        }
    }
};

struct Chunk
{
    QDeadlineTimer due;
    QByteArray bytes;
};

// Bytes travelling one way, each chunk held back until its due time. One FIFO per direction
// keeps the byte order; one timer per direction (armed for the head chunk) avoids both
// sleeping and a timer per chunk.
struct Direction
{
    Side *from = nullptr;
    Side *to = nullptr;
    std::deque<Chunk> queue;
    qint64 queuedBytes = 0;
    bool sourceEnded = false; // close `to` once the queue has been delivered
    QTimer timer;
};

class Connection : public QObject
{
public:
    Connection(QTcpSocket *client, const Target &target, std::chrono::nanoseconds oneWay,
               QObject *parent)
        : QObject(parent)
        , m_targetName(target.name())
        , m_oneWay(oneWay)
    {
        m_up.from = &m_client;
        m_up.to = &m_server;
        m_down.from = &m_server;
        m_down.to = &m_client;
        for (Direction *d : {&m_up, &m_down}) {
            d->timer.setSingleShot(true);
            d->timer.setTimerType(Qt::PreciseTimer);
            connect(&d->timer, &QTimer::timeout, this, [this, d] {
                pump(*d);
                // Delivering made room in the backlog; read what the source has meanwhile.
                pull(*d);
            });
        }

        client->setParent(this);
        client->setReadBufferSize(ReadBufferSize);
        // Nagle would hold back small writes (most protocol messages) waiting for an ACK and
        // add latency on top of the one we are simulating.
        client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_client.io = client;
        m_client.tcp = client;
        m_client.connected = true;
        watchTcp(m_client);

        // Both socket kinds may report success or failure synchronously from the connect
        // call, so every signal is wired up before connecting.
        if (!target.unixPath.isEmpty()) {
            auto *server = new QLocalSocket(this);
            server->setReadBufferSize(ReadBufferSize);
            m_server.io = server;
            m_server.local = server;
            watchLocal(m_server);
            server->connectToServer(target.unixPath);
        } else {
            auto *server = new QTcpSocket(this);
            server->setReadBufferSize(ReadBufferSize);
            m_server.io = server;
            m_server.tcp = server;
            watchTcp(m_server);
            server->connectToHost(target.host, target.port);
        }
    }

private:
    Direction &outgoing(const Side &side) { return &side == &m_client ? m_up : m_down; }
    Direction &incoming(const Side &side) { return &side == &m_client ? m_down : m_up; }

    void watchIo(Side &side)
    {
        connect(side.io, &QIODevice::readyRead, this, [this, &side] { pull(outgoing(side)); });
        // The sink drained some of its write buffer: there may be room to read again.
        connect(side.io, &QIODevice::bytesWritten, this, [this, &side] { pull(incoming(side)); });
    }

    void watchTcp(Side &side)
    {
        watchIo(side);
        // stateChanged rather than connected/disconnected: a failed connection attempt goes
        // to Unconnected without ever emitting disconnected().
        connect(side.tcp, &QAbstractSocket::stateChanged, this,
                [this, &side](QAbstractSocket::SocketState state) {
                    if (state == QAbstractSocket::ConnectedState)
                        onConnected(side);
                    else if (state == QAbstractSocket::UnconnectedState)
                        onEnded(side);
                });
        if (&side == &m_server) {
            connect(side.tcp, &QAbstractSocket::errorOccurred, this,
                    [this, &side](QAbstractSocket::SocketError error) {
                        if (error != QAbstractSocket::RemoteHostClosedError && !side.closing)
                            reportTargetError(side.tcp->errorString());
                    });
        }
    }

    void watchLocal(Side &side)
    {
        watchIo(side);
        connect(side.local, &QLocalSocket::stateChanged, this,
                [this, &side](QLocalSocket::LocalSocketState state) {
                    if (state == QLocalSocket::ConnectedState)
                        onConnected(side);
                    else if (state == QLocalSocket::UnconnectedState)
                        onEnded(side);
                });
        connect(side.local, &QLocalSocket::errorOccurred, this,
                [this, &side](QLocalSocket::LocalSocketError error) {
                    if (error != QLocalSocket::PeerClosedError && !side.closing)
                        reportTargetError(side.local->errorString());
                });
    }

    void reportTargetError(const QString &message)
    {
        // Only the first error: a failing connection tends to report the same thing twice.
        if (m_reportedError)
            return;
        m_reportedError = true;
        std::fprintf(stderr, "algoadmin-delayproxy: %s: %s\n", qPrintable(m_targetName),
                     qPrintable(message));
    }

    void onConnected(Side &side)
    {
        if (side.ended)
            return;
        side.connected = true;
        if (side.tcp)
            side.tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // The client may have sent its startup packet while we were still connecting.
        pump(incoming(side));
    }

    void onEnded(Side &side)
    {
        if (side.ended)
            return;
        Direction &out = outgoing(side);
        // Whatever Qt still has buffered arrived before the close and belongs to the peer
        // (a FATAL error message right before the server hangs up, for example).
        pull(out, true);
        side.ended = true;
        side.connected = false;

        Direction &in = incoming(side);
        in.timer.stop();
        in.queue.clear();
        in.queuedBytes = 0;

        // Closing the peer right away would cut off what is still on its way; pump() closes
        // it once the queue is delivered, after the same delay as everything else.
        out.sourceEnded = true;
        pump(out);

        if (m_client.ended && m_server.ended && !m_finished) {
            m_finished = true;
            deleteLater();
        }
    }

    // The armed fault: the client loses its connection now, nothing more reaches it. The
    // server keeps its side for a while, its answers read and dropped, so that it runs what
    // it was given to the end (closing at once would make it fail writing its first answer
    // and roll back); then it gets the end of the connection.
    void cutAnswers()
    {
        m_holdServer = true;
        m_dropAnswers = true;
        m_down.queue.clear();
        m_down.queuedBytes = 0;
        m_down.timer.stop();
        // The rest of the batch (the client may have written it in pieces) still goes to the
        // server for a moment; no answer comes back from now on.
        QTimer::singleShot(300, this, [this] {
            if (!m_client.ended)
                m_client.tcp->abort();
        });
        QTimer::singleShot(2000, this, [this] {
            m_holdServer = false;
            m_server.close();
        });
    }

    // Moves bytes from the source's read buffer into the delay queue, as far as the backlog
    // cap allows. `force` ignores the cap, for the final drain of a source that has ended.
    void pull(Direction &d, bool force = false)
    {
        if (d.sourceEnded)
            return;
        QIODevice *source = d.from->io;
        if (d.to->ended || (&d == &m_down && m_dropAnswers)) {
            // Nobody left to deliver to; discard so the source does not stall on us before
            // its own close arrives.
            source->readAll();
            return;
        }
        bool queued = false;
        while (source->bytesAvailable() > 0) {
            qint64 maxSize = source->bytesAvailable();
            if (!force) {
                const qint64 pending = d.to->connected ? d.to->io->bytesToWrite() : 0;
                const qint64 room = MaxBacklog - d.queuedBytes - pending;
                if (room <= 0)
                    break;
                maxSize = std::min(maxSize, room);
            }
            QByteArray bytes = source->read(maxSize);
            if (bytes.isEmpty())
                break;
            d.queuedBytes += bytes.size();
            // A default QDeadlineTimer has already expired, so --rtt-ms 0 forwards at once.
            QDeadlineTimer due;
            if (m_oneWay.count() > 0)
                due = QDeadlineTimer(m_oneWay, Qt::PreciseTimer);
            d.queue.push_back(Chunk{due, std::move(bytes)});
            queued = true;
        }
        if (queued)
            pump(d);
    }

    // Writes every chunk that is due, then arms the timer for the next one. Closes the sink
    // when its source has ended and nothing is left to deliver.
    void pump(Direction &d)
    {
        Side &sink = *d.to;
        if (sink.ended) {
            d.timer.stop();
            d.queue.clear();
            d.queuedBytes = 0;
            return;
        }
        if (!sink.connected) {
            // Still connecting: onConnected() pumps again. But if the source is already gone
            // and there is nothing to send, finishing the connection serves no one.
            if (d.queue.empty() && d.sourceEnded && !holds(d))
                sink.close();
            return;
        }
        while (!d.queue.empty() && d.queue.front().due.hasExpired()) {
            Chunk chunk = std::move(d.queue.front());
            d.queue.pop_front();
            d.queuedBytes -= chunk.bytes.size();
            sink.io->write(chunk.bytes);
            // write() can end the sink synchronously (peer gone); onEnded() cleared the
            // queue then and nothing more is to be done here.
            if (sink.ended)
                return;
            if (&d == &m_up && g_dropArmed && !g_dropAfter.isEmpty() &&
                chunk.bytes.contains(g_dropAfter)) {
                g_dropArmed = 0;
                cutAnswers();
                return;
            }
        }
        if (!d.queue.empty()) {
            // Round up: a timer that fires a fraction of a millisecond early would only find
            // the head not yet due and have to be armed again.
            const qint64 ns = d.queue.front().due.remainingTimeNSecs();
            d.timer.start(int(std::max<qint64>(0, (ns + 999'999) / 1'000'000)));
        } else if (d.sourceEnded && !holds(d)) {
            sink.close();
        }
    }

    bool holds(const Direction &d) const { return m_holdServer && &d == &m_up; }

    QString m_targetName;
    std::chrono::nanoseconds m_oneWay;
    bool m_holdServer = false;  // cutAnswers(): the server's side stays open for now
    bool m_dropAnswers = false; // cutAnswers(): what the server says reaches no one
    Side m_client;
    Side m_server;
    Direction m_up;   // client to server
    Direction m_down; // server to client
    bool m_finished = false;
    bool m_reportedError = false;
};

// SIGTERM/SIGINT only write a byte here; the event loop notices it and quits normally, so
// connections are torn down properly and nothing is cut off mid-print.
int g_signalPipe[2] = {-1, -1};

void onArm(int)
{
    g_dropArmed = 1;
}

void onSignal(int)
{
    const int savedErrno = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
    errno = savedErrno;
}

bool installSignalHandlers(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return false;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [notifier] {
        notifier->setEnabled(false);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    struct sigaction arm = {};
    arm.sa_handler = onArm;
    sigemptyset(&arm.sa_mask);
    arm.sa_flags = SA_RESTART;
    return ::sigaction(SIGTERM, &action, nullptr) == 0 &&
           ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGUSR1, &arm, nullptr) == 0;
}

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "algoadmin-delayproxy: %s\n", qPrintable(message));
    std::exit(2);
}

int intOption(const QCommandLineParser &parser, const QString &name, int min, int max)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < min || value > max)
        fail(QStringLiteral("--%1 must be an integer from %2 to %3").arg(name).arg(min).arg(max));
    return value;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("algoadmin-delayproxy"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Loopback TCP proxy that delays every chunk by half the round-trip time "
                       "in each direction, to simulate a remote PostgreSQL server."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("target-unix"),
         QStringLiteral("Unix domain socket of the server, e.g. /dir/.s.PGSQL.5432."),
         QStringLiteral("path")},
        {QStringLiteral("target-host"),
         QStringLiteral("Loopback address of the server (default 127.0.0.1)."),
         QStringLiteral("address"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("target-port"), QStringLiteral("TCP port of the server."),
         QStringLiteral("port")},
        {QStringLiteral("listen-port"),
         QStringLiteral("Port to listen on at 127.0.0.1; 0 picks a free one (default)."),
         QStringLiteral("port"), QStringLiteral("0")},
        {QStringLiteral("rtt-ms"),
         QStringLiteral("Round-trip time to add; each direction gets half (default 0)."),
         QStringLiteral("ms"), QStringLiteral("0")},
        {QStringLiteral("drop-answer-after"),
         QStringLiteral("With SIGUSR1: cut the next client whose data contains this text once "
                        "it is delivered, before any answer (a lost COMMIT answer)."),
         QStringLiteral("text")},
        {QStringLiteral("max-seconds"),
         QStringLiteral("Exit after this many seconds, so a forgotten proxy does not linger "
                        "(default 3600)."),
         QStringLiteral("seconds"), QStringLiteral("3600")},
    });
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        fail(QStringLiteral("unexpected argument: %1").arg(parser.positionalArguments().first()));

    Target target;
    const bool hasUnix = parser.isSet(QStringLiteral("target-unix"));
    const bool hasPort = parser.isSet(QStringLiteral("target-port"));
    if (hasUnix == hasPort)
        fail(QStringLiteral("give exactly one of --target-unix and --target-port"));
    if (hasUnix) {
        if (parser.isSet(QStringLiteral("target-host")))
            fail(QStringLiteral("--target-host goes with --target-port, not --target-unix"));
        target.unixPath = parser.value(QStringLiteral("target-unix"));
        if (target.unixPath.isEmpty())
            fail(QStringLiteral("--target-unix must not be empty"));
    } else {
        const QString host = parser.value(QStringLiteral("target-host"));
        // Literal addresses only (plus "localhost"): resolving a name could lead off this
        // machine, and this tool must never talk to anything but loopback.
        if (host == QLatin1String("localhost"))
            target.host = QHostAddress(QHostAddress::LocalHost);
        else if (!target.host.setAddress(host))
            fail(QStringLiteral("--target-host must be a literal address: %1").arg(host));
        if (!target.host.isLoopback())
            fail(QStringLiteral("--target-host must be a loopback address: %1").arg(host));
        target.port = quint16(intOption(parser, QStringLiteral("target-port"), 1, 65535));
    }
    const auto listenPort = quint16(intOption(parser, QStringLiteral("listen-port"), 0, 65535));
    const int rttMs = intOption(parser, QStringLiteral("rtt-ms"), 0, MaxRttMs);
    const int maxSeconds = intOption(parser, QStringLiteral("max-seconds"), 1, MaxMaxSeconds);
    g_dropAfter = parser.value(QStringLiteral("drop-answer-after")).toUtf8();
    // Half the RTT each way, in nanoseconds so an odd --rtt-ms is not rounded down.
    const std::chrono::nanoseconds oneWay = std::chrono::milliseconds(rttMs) / 2;

    if (!installSignalHandlers(app))
        fail(QStringLiteral("cannot install signal handlers"));

    QTimer::singleShot(std::chrono::seconds(maxSeconds), &app, [] {
        std::fprintf(stderr, "algoadmin-delayproxy: --max-seconds reached, exiting\n");
        QCoreApplication::quit();
    });

    // Declared after app so that it, and with it every Connection, is destroyed first.
    QTcpServer server;
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, target, oneWay] {
        while (QTcpSocket *client = server.nextPendingConnection())
            new Connection(client, target, oneWay, &server); // deletes itself when done
    });
    if (!server.listen(QHostAddress(QHostAddress::LocalHost), listenPort))
        fail(QStringLiteral("cannot listen on 127.0.0.1:%1: %2")
                 .arg(listenPort)
                 .arg(server.errorString()));

    std::printf("listening 127.0.0.1 %u\n", unsigned(server.serverPort()));
    // stdout is a pipe when a parent reads the port, hence fully buffered: flush explicitly.
    std::fflush(stdout);

    return app.exec();
}
