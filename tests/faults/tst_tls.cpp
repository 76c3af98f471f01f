// TLS (issue 15, item 13) against a real server with a certificate from a test CA made here
// with openssl: sslmode=verify-full connects and says so (the status bar shows the protocol);
// a wrong CA, a wrong host name and a missing CA file are refused with libpq's reason and
// advice that never says to lower sslmode; a remote host without TLS gets the NOT ENCRYPTED
// badge, and a profile for one gets a warning in the connection dialog. The server is a
// private cluster of the test's own: listening on TCP with ssl on, at 127.0.0.N (N picked at
// random, so that the port the cluster's socket is named after stays free of clashes).
#include "connection/connectiondialog.h"
#include "db/connectionprofile.h"
#include "db/passwordstore.h"
#include "db/serverprobe.h"
#include "faulttable.h"
#include "mainwindow.h"
#include "tcpcluster.h"
#include "testdatabase.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// The name the server's certificate is issued for.
constexpr char ServerName[] = "db.algoadmin.test";

// openssl with `arguments` in `dir`; empty on success, else what it said.
QString openssl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(u"openssl"_s, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return u"openssl %1: %2%3"_s.arg(arguments.join(u' '), process.errorString(),
                                         QString::fromUtf8(process.readAllStandardError()));
    return {};
}

// A CA ("<name>.crt", "<name>.key") in `dir`.
QString makeCa(const QString &dir, const QString &name)
{
    return openssl(dir, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-days"_s,
                         u"2"_s, u"-subj"_s, u"/CN=%1"_s.arg(name), u"-keyout"_s, name + u".key"_s,
                         u"-out"_s, name + u".crt"_s});
}

// server.crt/server.key for ServerName, signed by CA `ca`.
QString makeServerCertificate(const QString &dir, const QString &ca)
{
    QFile extensions(dir + u"/server.ext"_s);
    if (!extensions.open(QIODevice::WriteOnly) ||
        extensions.write("subjectAltName = DNS:" + QByteArray(ServerName) + "\n") < 0)
        return u"cannot write server.ext"_s;
    extensions.close();
    if (QString e = openssl(dir, {u"req"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-subj"_s,
                                  u"/CN=%1"_s.arg(QLatin1String(ServerName)), u"-keyout"_s,
                                  u"server.key"_s, u"-out"_s, u"server.csr"_s});
        !e.isEmpty())
        return e;
    return openssl(dir, {u"x509"_s, u"-req"_s, u"-in"_s, u"server.csr"_s, u"-CA"_s, ca + u".crt"_s,
                         u"-CAkey"_s, ca + u".key"_s, u"-CAcreateserial"_s, u"-days"_s, u"2"_s,
                         u"-extfile"_s, u"server.ext"_s, u"-out"_s, u"server.crt"_s});
}

} // namespace

class TstTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void initTestCase();
    void verifyFullConnectsEncrypted();
    void aWrongCaOrHostIsRefusedWithTheReason_data();
    void aWrongCaOrHostIsRefusedWithTheReason();
    void theStatusBarShowsTheEncryption();
    void aRemoteProfileWithoutTlsIsWarnedAbout();

private:
    // The cluster over TCP as the certificate's host (or `host`), with `keywords` (sslmode …).
    ConnectionOptions tcpOptions(const QString &keywords, const QString &host = {}) const;

    QTemporaryDir m_certificates;
    TcpCluster m_cluster;
    FaultTable m_table{6};
};

void TstTls::cleanupTestCase()
{
    m_table.print(u"TLS with a test CA (openssl): verify-full; another CA, another host "
                  u"name, a missing CA file; a remote host without TLS"_s,
                  "tst_tls",
                  u"verify-full connects (the server's `pg_stat_ssl` agrees) and the status bar "
                  u"says *TLS 1.3*; each wrong certificate is refused with libpq's reason and "
                  u"advice that never says to lower sslmode (window and CLI); plain text to a "
                  u"remote host shows NOT ENCRYPTED, and the dialog warns for disable, allow, "
                  u"prefer and the default"_s,
                  u"nothing accepted"_s);
}

void TstTls::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"algoadmin-tests"_s);
    QCoreApplication::setApplicationName(u"tst_tls"_s);
    const QString certificates = m_certificates.path();
    const QString ca = makeCa(certificates, u"ca"_s);
    QVERIFY2(ca.isEmpty(), qPrintable(ca));
    const QString other = makeCa(certificates, u"other-ca"_s);
    QVERIFY2(other.isEmpty(), qPrintable(other));
    const QString server = makeServerCertificate(certificates, u"ca"_s);
    QVERIFY2(server.isEmpty(), qPrintable(server));

    const QString started =
        m_cluster.start({certificates + u"/server.crt"_s, certificates + u"/server.key"_s},
                        u"ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'"_s);
    QVERIFY2(started.isEmpty(), qPrintable(started));
}

ConnectionOptions TstTls::tcpOptions(const QString &keywords, const QString &host) const
{
    return m_cluster.options(host.isEmpty() ? QLatin1String(ServerName) : host, keywords);
}

void TstTls::verifyFullConnectsEncrypted()
{
    const ServerInfo info = probeServer(
        tcpOptions(u"sslmode=verify-full sslrootcert=%1/ca.crt"_s.arg(m_certificates.path())));
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));
    QVERIFY2(info.tls.startsWith(u"TLSv1."_s), qPrintable(info.tls));
    QVERIFY(!info.tlsCipher.isEmpty());
    QVERIFY(info.remote); // by its name: the address happens to be this machine's
    // The server agrees: pg_stat_ssl of the probe's own kind of connection.
    PgConnection connection;
    DbError error;
    QVERIFY(connection.open(
        tcpOptions(u"sslmode=verify-full sslrootcert=%1/ca.crt"_s.arg(m_certificates.path())),
        &error));
    QCOMPARE(value(connection, "SELECT ssl::text || ' ' || version FROM pg_stat_ssl"
                               " WHERE pid = pg_backend_pid()"),
             u"true "_s + info.tls);
    // Without TLS the same server is reachable too, and says it is not encrypted.
    const ServerInfo plain = probeServer(tcpOptions(u"sslmode=disable"_s));
    QVERIFY2(plain.ok(), qPrintable(plain.error.toString()));
    QVERIFY(plain.tls.isEmpty());
    m_table.passed();
}

void TstTls::aWrongCaOrHostIsRefusedWithTheReason_data()
{
    QTest::addColumn<QString>("keywords");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("reason"); // libpq's
    QTest::addColumn<QString>("advice"); // ours
    QTest::newRow("another CA") << u"sslmode=verify-full sslrootcert=%1/other-ca.crt"_s << QString()
                                << u"certificate verify failed"_s << u"not signed by a CA"_s;
    QTest::newRow("another host name")
        << u"sslmode=verify-full sslrootcert=%1/ca.crt"_s << u"wrong.algoadmin.test"_s
        << u"does not match host name"_s << u"another host name"_s;
    QTest::newRow("no CA file") << u"sslmode=verify-full sslrootcert=%1/missing.crt"_s << QString()
                                << u"root certificate file"_s << u"set sslrootcert"_s;
}

void TstTls::aWrongCaOrHostIsRefusedWithTheReason()
{
    QFETCH(QString, keywords);
    QFETCH(QString, host);
    QFETCH(QString, reason);
    QFETCH(QString, advice);
    const ConnectionOptions options = tcpOptions(keywords.arg(m_certificates.path()), host);
    const ServerInfo info = probeServer(options);
    QVERIFY(!info.ok());
    QVERIFY2(info.error.message.contains(reason), qPrintable(info.error.toString()));
    QVERIFY2(info.error.hint.contains(advice), qPrintable(info.error.hint));
    QVERIFY2(info.error.hint.contains(u"Do not lower sslmode"_s) || advice == u"set sslrootcert"_s,
             qPrintable(info.error.hint));
    // The command line says the same, and fails.
    const ProcessResult status = runAlgoadmin({u"status"_s, u"-d"_s, options.database}, 60000);
    QVERIFY(status.exitCode != 0);
    QVERIFY2(status.err.contains(reason) && status.err.contains(advice), qPrintable(status.err));
    m_table.passed();
}

void TstTls::theStatusBarShowsTheEncryption()
{
    struct Case
    {
        QString keywords;
        QString text; // of the transport label
        bool badge;   // the NOT ENCRYPTED warning
    };
    const QList<Case> cases{
        {u"sslmode=verify-full sslrootcert=%1/ca.crt"_s.arg(m_certificates.path()), u"TLS 1."_s,
         false},
        {u"sslmode=disable"_s, u"NOT ENCRYPTED"_s, true}};
    for (const Case &c : cases) {
        QSettings().clear();
        MainWindow::Startup startup;
        startup.target.name = u"tls"_s;
        startup.target.options = tcpOptions(c.keywords);
        startup.panel = u"schema"_s;
        MainWindow window(startup);
        window.show();
        window.start();
        auto *label = window.findChild<QLabel *>(u"transportLabel"_s);
        QVERIFY(label);
        QTRY_VERIFY_WITH_TIMEOUT(label->isVisible(), 20000);
        QVERIFY2(label->text().startsWith(c.text), qPrintable(label->text()));
        QCOMPARE(label->toolTip().contains(u"verify-full"_s), c.badge);
        if (qEnvironmentVariableIsSet("ALGOADMIN_GRAB_DIR"))
            window.grab().save(qEnvironmentVariable("ALGOADMIN_GRAB_DIR") +
                               u"/tls-%1.png"_s.arg(c.badge));
        // In a narrow window with a message shown, the server and the role step aside, and the
        // encryption with them, never its warning.
        auto *server = window.findChild<QLabel *>(u"serverLabel"_s);
        window.resize(window.minimumSizeHint().width(), window.height());
        window.statusBar()->showMessage(u"Applied 4 changes to A12 (change set 1a2b3c4d)"_s);
        QTRY_VERIFY(!server->isVisible());
        QCOMPARE(label->isVisible(), c.badge);
    }
    m_table.passed();
}

void TstTls::aRemoteProfileWithoutTlsIsWarnedAbout()
{
    QSettings().clear();
    ProfileStore profiles;
    ConnectionDialog dialog(&profiles, nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"newButton"_s), Qt::LeftButton);
    auto *host = dialog.findChild<QLineEdit *>(u"hostEdit"_s);
    auto *mode = dialog.findChild<QComboBox *>(u"sslModeCombo"_s);
    auto *warning = dialog.findChild<QLabel *>(u"transportWarning"_s);
    QVERIFY(host && mode && warning);
    struct Case
    {
        QString host;
        QString mode; // empty: libpq's default
        QString warning;
    };
    qunsetenv("PGSSLMODE");
    const QList<Case> cases{{u"db.example.com"_s, u"disable"_s, u"Not encrypted"_s},
                            {u"db.example.com"_s, QString(), u"Maybe not encrypted"_s},
                            {u"db.example.com"_s, u"prefer"_s, u"Maybe not encrypted"_s},
                            {u"db.example.com"_s, u"require"_s, QString()},
                            {u"db.example.com"_s, u"verify-full"_s, QString()},
                            {u"localhost"_s, u"disable"_s, QString()},
                            {u"/var/run/postgresql"_s, QString(), QString()},
                            {u"10.0.0.7"_s, u"allow"_s, u"Not encrypted"_s}};
    for (const Case &c : cases) {
        host->setText(c.host);
        mode->setCurrentIndex(mode->findData(c.mode));
        QVERIFY(mode->currentIndex() >= 0);
        const QString context = c.host + u' ' + c.mode + u": "_s + warning->text();
        QCOMPARE(warning->isVisible(), !c.warning.isEmpty());
        if (!c.warning.isEmpty()) {
            QVERIFY2(warning->text().startsWith(c.warning), qPrintable(context));
            QVERIFY2(warning->text().contains(c.host), qPrintable(context));
        }
        if (c.host == u"db.example.com"_s && c.mode.isEmpty() &&
            qEnvironmentVariableIsSet("ALGOADMIN_GRAB_DIR"))
            dialog.grab().save(qEnvironmentVariable("ALGOADMIN_GRAB_DIR") +
                               u"/connection-dialog-tls-warning.png"_s);
    }
    m_table.passed();
}

QTEST_MAIN(TstTls)
#include "tst_tls.moc"
