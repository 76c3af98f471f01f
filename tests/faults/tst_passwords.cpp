// Passwords (issue 15, item 14). A server that asks for SCRAM-SHA-256 (pg_hba) for one role:
// the password through the connection dialog, PGPASSWORD and ~/.pgpass connects; a wrong or a
// missing one says so and where the password came from. And the password is never written
// down: after CLI runs of every kind (JSON, CSV export, failures, a URI that carries it) and
// the window's own work (a profile saved, a migration archived), every file the app wrote and
// everything it printed is searched for it.
#include "connection/connectiondialog.h"
#include "db/connectionprofile.h"
#include "faulttable.h"
#include "mainwindow.h"
#include "panel.h"
#include "tcpcluster.h"
#include "testdatabase.h"

#include <QCheckBox>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Distinctive, so that finding it anywhere can only be a leak.
const QString Password = u"Pw-7f3c9a1e-S3cr3t"_s;
const QString WrongPassword = u"Wr0ng-5d2b8e-Pw"_s;
constexpr char Role[] = "pwuser";
constexpr char Database[] = "pwdb";
constexpr char Host[] = "db.algoadmin.test";

// What one CLI run printed, and how it ended.
struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class TstPasswords : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void initTestCase();
    void theWindowsWorkWritesNoPassword();
    void scramThroughPgpassword();
    void scramThroughPgpass();
    void aWrongOrMissingPasswordSaysSo();
    void scramThroughTheDialog();
    void thePasswordIsWrittenNowhere();

private:
    // The algoadmin CLI with an environment of its own: HOME and the XDG directories in m_home,
    // no PG* variable but `extra`. Remembers what it printed, to search.
    Run run(const QStringList &arguments, const QStringList &extra = {});
    QString conninfo(const QString &keywords = {}) const;

    TcpCluster m_cluster;
    QTemporaryDir m_home;
    QStringList m_printed;
    FaultTable m_table{6};
    QString m_searched;
};

void TstPasswords::cleanupTestCase()
{
    m_table.print(u"SCRAM-SHA-256 passwords through the dialog, `PGPASSWORD` and `~/.pgpass`; "
                  u"a wrong one and none; a URI that carries one"_s,
                  "tst_passwords",
                  u"each way connects; wrong or missing says so and where the password came "
                  u"from; the password is in none of the %1 the app printed and wrote (settings, "
                  u"run archive, verify's cache, CSV export)"_s.arg(m_searched),
                  u"no password"_s);
}

void TstPasswords::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"algoadmin-tests"_s);
    QCoreApplication::setApplicationName(u"tst_passwords"_s);
    QSettings().clear();
    const QString started =
        m_cluster.start({}, u"password_encryption = 'scram-sha-256'"_s,
                        u"host all %1 127.0.0.0/8 scram-sha-256"_s.arg(QLatin1String(Role)));
    QVERIFY2(started.isEmpty(), qPrintable(started));
    PgConnection admin;
    DbError error;
    QVERIFY2(admin.open(m_cluster.adminOptions(), &error), qPrintable(error.toString()));
    QVERIFY(admin
                .exec("CREATE ROLE " + QByteArray(Role) + " LOGIN CREATEDB PASSWORD '" +
                      Password.toUtf8() + "'")
                .ok());
    QVERIFY(admin.exec("CREATE DATABASE " + QByteArray(Database) + " OWNER " + Role).ok());
    // The server keeps a SCRAM verifier, not the password.
    QVERIFY(value(admin, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", {Role})
                .startsWith(u"SCRAM-SHA-256$"_s));
    for (const char *dir : {"config", "cache", "data"})
        QVERIFY(QDir(m_home.path()).mkpath(QLatin1String(dir)));
}

QString TstPasswords::conninfo(const QString &keywords) const
{
    return m_cluster
        .options(QLatin1String(Host), keywords, QLatin1String(Role), QLatin1String(Database))
        .database;
}

Run TstPasswords::run(const QStringList &arguments, const QStringList &extra)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys())
        if (key.startsWith(u"PG"_s))
            environment.remove(key);
    environment.insert(u"HOME"_s, m_home.path());
    environment.insert(u"XDG_CONFIG_HOME"_s, m_home.path() + u"/config"_s);
    environment.insert(u"XDG_CACHE_HOME"_s, m_home.path() + u"/cache"_s);
    environment.insert(u"XDG_DATA_HOME"_s, m_home.path() + u"/data"_s);
    for (const QString &pair : extra)
        environment.insert(pair.section(u'=', 0, 0), pair.section(u'=', 1));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(m_home.path());
    process.start(qEnvironmentVariable("ALGOADMIN_BIN"), arguments);
    Run result;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    m_printed.append(result.out + result.err); // the arguments may carry it: not printed
    return result;
}

void TstPasswords::scramThroughPgpassword()
{
    const QString password = u"PGPASSWORD="_s + Password;
    // The window migrated already: nothing pending.
    const Run migrate = run({u"migrate"_s, u"-d"_s, conninfo(), u"--json"_s}, {password});
    QVERIFY2(migrate.exitCode == 0, qPrintable(migrate.err));
    const Run seed =
        run({u"seed-demo"_s, u"-d"_s, conninfo(), u"--changelog-rows"_s, u"50"_s}, {password});
    QVERIFY2(seed.exitCode == 0, qPrintable(seed.err));
    for (const QStringList &command :
         {QStringList{u"status"_s, u"--json"_s}, QStringList{u"status"_s},
          QStringList{u"verify"_s, u"--json"_s},
          QStringList{u"changelog"_s, u"--limit"_s, u"5"_s, u"--json"_s},
          QStringList{u"changelog"_s, u"--csv"_s, m_home.path() + u"/export.csv"_s}}) {
        const Run r =
            run(QStringList{command.first(), u"-d"_s, conninfo()} + command.mid(1), {password});
        QVERIFY2(r.exitCode == 0, qPrintable(command.join(u' ') + u": "_s + r.err));
    }
    QVERIFY(QFile::exists(m_home.path() + u"/export.csv"_s));
    m_table.passed();
}

void TstPasswords::scramThroughPgpass()
{
    QFile pgpass(m_home.path() + u"/.pgpass"_s);
    QVERIFY(pgpass.open(QIODevice::WriteOnly));
    pgpass.write(u"*:*:*:%1:%2\n"_s.arg(QLatin1String(Role), Password).toUtf8());
    pgpass.close();
    QVERIFY(pgpass.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
    const Run status = run({u"status"_s, u"-d"_s, conninfo()});
    QVERIFY(QFile::remove(pgpass.fileName()));
    QVERIFY2(status.exitCode == 0, qPrintable(status.err));
    m_table.passed();
}

void TstPasswords::aWrongOrMissingPasswordSaysSo()
{
    const Run wrong = run({u"status"_s, u"-d"_s, conninfo()}, {u"PGPASSWORD="_s + WrongPassword});
    QVERIFY(wrong.exitCode != 0);
    QVERIFY2(wrong.err.contains(u"password authentication failed for user \"pwuser\""_s),
             qPrintable(wrong.err));
    QVERIFY2(wrong.err.contains(u"The password is wrong for this role"_s), qPrintable(wrong.err));
    QVERIFY(!wrong.err.contains(WrongPassword) && !wrong.out.contains(WrongPassword));
    const Run missing = run({u"status"_s, u"-d"_s, conninfo()});
    QVERIFY(missing.exitCode != 0);
    QVERIFY2(missing.err.contains(u"no password supplied"_s), qPrintable(missing.err));
    QVERIFY2(missing.err.contains(u"~/.pgpass"_s), qPrintable(missing.err));
    // A URI that carries a password, to a database that does not exist: the error names the
    // target without it.
    const QString uri = u"postgresql://%1:%2@%3:%4/no_such_db?hostaddr=%5"_s.arg(
        QLatin1String(Role), Password, QLatin1String(Host), QString::number(m_cluster.port()),
        m_cluster.address());
    const Run failing = run({u"status"_s, u"-d"_s, uri, u"--json"_s});
    QVERIFY(failing.exitCode != 0);
    QVERIFY2(failing.err.contains(u"no_such_db"_s) || failing.out.contains(u"no_such_db"_s),
             qPrintable(failing.err + failing.out));
    // The same URI to the real database works, and prints no password either.
    QString good = uri;
    good.replace(u"/no_such_db?"_s, u"/%1?"_s.arg(QLatin1String(Database)));
    const Run working = run({u"status"_s, u"-d"_s, good, u"--json"_s});
    QVERIFY2(working.exitCode == 0, qPrintable(working.err));
    m_table.passed();
}

void TstPasswords::scramThroughTheDialog()
{
    ProfileStore profiles;
    ConnectionDialog dialog(&profiles, nullptr);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"newButton"_s), Qt::LeftButton);
    const auto field = [&](const char *name) {
        return dialog.findChild<QLineEdit *>(QLatin1String(name));
    };
    field("nameEdit")->setText(u"scram"_s);
    // The address, so that the profile needs no name resolution.
    field("hostEdit")->setText(m_cluster.address());
    field("portEdit")->setText(QString::number(m_cluster.port()));
    field("databaseEdit")->setText(QLatin1String(Database));
    field("userEdit")->setText(QLatin1String(Role));
    auto *result = dialog.findChild<QLabel *>(u"testResult"_s);
    auto *test = dialog.findChild<QPushButton *>(u"testButton"_s);
    for (const QString &typed : {WrongPassword, Password}) {
        field("passwordEdit")->setText(typed);
        QTest::mouseClick(test, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(test->isEnabled() && !result->text().isEmpty(), 20000);
        if (typed == WrongPassword)
            QVERIFY2(result->text().contains(u"password authentication failed"_s),
                     qPrintable(result->text()));
        else
            QVERIFY2(result->text().startsWith(u"Connected to PostgreSQL"_s),
                     qPrintable(result->text()));
    }
    // Saved, password included in the form: the profile is written, the password is not.
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"saveButton"_s), Qt::LeftButton);
    QTRY_VERIFY(profiles.profile(u"scram"_s).has_value());
    QSettings().sync();
    m_table.passed();
}

void TstPasswords::theWindowsWorkWritesNoPassword()
{
    // The window on the password-protected role, the password in its options: the Schema
    // panel migrates (the run is archived) and verifies (in a scratch database of its own).
    MainWindow::Startup startup;
    startup.target.name = u"scram window"_s;
    startup.target.options = m_cluster.options(QLatin1String(Host), u"password="_s + Password,
                                               QLatin1String(Role), QLatin1String(Database));
    startup.panel = u"schema"_s;
    MainWindow window(startup);
    window.show();
    window.start();
    Panel *schema = window.panel(u"schema"_s);
    QTRY_VERIFY_WITH_TIMEOUT(schema->connection().isValid() && !schema->isBusy(), 30000);
    for (const QString &action : {u"migrate"_s, u"verify"_s}) {
        QVERIFY2(schema->runAction(action), qPrintable(action));
        QTRY_VERIFY_WITH_TIMEOUT(!schema->isBusy(), 60000);
    }
    PgConnection admin;
    DbError error;
    QVERIFY(admin.open(m_cluster.adminOptions(QLatin1String(Database)), &error));
    QVERIFY(value(admin, "SELECT count(*) FROM algoadmin_schema_history").toInt() > 0);
    QSettings().sync();
    m_table.passed();
}

void TstPasswords::thePasswordIsWrittenNowhere()
{
    // Everything the CLI printed.
    for (const QString &printed : std::as_const(m_printed))
        QVERIFY2(!printed.contains(Password) && !printed.contains(WrongPassword),
                 qPrintable(printed.left(200)));
    // Every file the CLI runs and this process (dialog, window) wrote: the home of the runs
    // (settings, caches, the CSV export, .pgpass removed) and this process's own directories.
    QStringList roots{m_home.path()};
    for (QStandardPaths::StandardLocation location :
         {QStandardPaths::AppDataLocation, QStandardPaths::AppConfigLocation,
          QStandardPaths::AppLocalDataLocation, QStandardPaths::CacheLocation})
        roots.append(QStandardPaths::writableLocation(location));
    roots.append(QFileInfo(QSettings().fileName()).absolutePath());
    int files = 0;
    for (const QString &root : std::as_const(roots)) {
        QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                continue;
            ++files;
            const QByteArray content = file.readAll();
            QVERIFY2(!content.contains(Password.toUtf8()), qPrintable(path));
            QVERIFY2(!content.contains(WrongPassword.toUtf8()), qPrintable(path));
        }
    }
    qInfo("searched %d files and %lld outputs for the password", files, qint64(m_printed.size()));
    m_searched = u"%1 outputs and %2 files"_s.arg(m_printed.size()).arg(files);
    // What was searched includes what matters: the settings with the saved profile, the export.
    QFile settings(QSettings().fileName());
    QVERIFY(settings.open(QIODevice::ReadOnly));
    QVERIFY(settings.readAll().contains("scram"));
    QVERIFY(files >= 3);
    m_table.passed();
}

QTEST_MAIN(TstPasswords)
#include "tst_passwords.moc"
