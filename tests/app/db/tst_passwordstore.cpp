// PasswordStore on a machine without a keyring (no D-Bus session: CI, the offscreen tests).
// Every operation must answer (never hang), a failed write must say what to use instead, and
// QtKeychain must not have fallen back to writing the password into a plain-text file.
#include "db/passwordstore.h"

#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUuid>

class TstPasswordStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writeFailsWithAdviceAndLeavesNoFile();
    void readOfAMissingEntryAnswers();
    void removeAnswers();
    void storeGoneBeforeTheAnswer();

private:
    bool m_haveKeyring = false;
};

// Files under `dir` (not following links, at most a few MB each) whose bytes contain `needle`.
static QStringList filesContaining(const QString &dir, const QByteArray &needle)
{
    QStringList found;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.size() > 4 * 1024 * 1024 || !file.open(QIODevice::ReadOnly))
            continue;
        if (file.readAll().contains(needle))
            found.append(path);
    }
    return found;
}

// Everywhere QtKeychain's plain-text fallback (a QSettings file) or anything else of ours could
// have put it: the test-mode locations and the real ones.
static QStringList placesToSearch()
{
    QStringList dirs;
    for (auto location : {QStandardPaths::GenericConfigLocation, QStandardPaths::AppConfigLocation,
                          QStandardPaths::GenericDataLocation, QStandardPaths::AppDataLocation})
        dirs.append(QStandardPaths::writableLocation(location));
    dirs.append(QDir::homePath() + QStringLiteral("/.config"));
    dirs.append(QDir::homePath() + QStringLiteral("/.local/share"));
    dirs.removeDuplicates();
    return dirs;
}

void TstPasswordStore::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // These tests are about the machine without a keyring. With a session bus the keyring may
    // be real; the tests below then check the success path instead.
    m_haveKeyring = !qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS");
    qInfo("DBUS_SESSION_BUS_ADDRESS %s", m_haveKeyring ? "set" : "not set: no keyring");
}

void TstPasswordStore::writeFailsWithAdviceAndLeavesNoFile()
{
    const QString profile =
        QStringLiteral("tst_passwordstore %1").arg(QUuid::createUuid().toString());
    const QString password = QStringLiteral("s3cr3t-%1").arg(QUuid::createUuid().toString());
    PasswordStore store;
    QSignalSpy written(&store, &PasswordStore::passwordWritten);
    store.write(profile, password);
    QVERIFY(written.wait(30000));
    QCOMPARE(written.size(), 1);
    QCOMPARE(written.at(0).at(0).toString(), profile);
    const QString error = written.at(0).at(1).toString();
    qInfo("write: %s", qPrintable(error.isEmpty() ? QStringLiteral("saved") : error));
    if (!m_haveKeyring) {
        QVERIFY2(error.contains(QLatin1String("~/.pgpass")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("PGPASSWORD")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("not saved")), qPrintable(error));
    }

    // Reading it back: an error, or nothing — never the password from some fallback file.
    QSignalSpy read(&store, &PasswordStore::passwordRead);
    store.read(profile);
    QVERIFY(read.wait(30000));
    QCOMPARE(read.at(0).at(0).toString(), profile);
    if (!m_haveKeyring) {
        QCOMPARE(read.at(0).at(1).toString(), QString());
        const QString readError = read.at(0).at(2).toString();
        qInfo("read: %s", qPrintable(readError.isEmpty() ? QStringLiteral("empty") : readError));
        if (!readError.isEmpty())
            QVERIFY2(readError.contains(QLatin1String("~/.pgpass")), qPrintable(readError));
    } else if (error.isEmpty()) {
        // A working keyring gives it back.
        QCOMPARE(read.at(0).at(2).toString(), QString());
        QCOMPARE(read.at(0).at(1).toString(), password);
        QSignalSpy removed(&store, &PasswordStore::passwordRemoved);
        store.remove(profile);
        QVERIFY(removed.wait(30000));
    }

    for (const QString &dir : placesToSearch()) {
        const QStringList leaks = filesContaining(dir, password.toUtf8());
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));
    }
}

void TstPasswordStore::readOfAMissingEntryAnswers()
{
    PasswordStore store;
    QSignalSpy read(&store, &PasswordStore::passwordRead);
    const QString profile = QStringLiteral("never written %1").arg(QUuid::createUuid().toString());
    store.read(profile);
    QVERIFY(read.wait(30000));
    QCOMPARE(read.size(), 1);
    QCOMPARE(read.at(0).at(0).toString(), profile);
    QCOMPARE(read.at(0).at(1).toString(), QString()); // error or "not found": no password
    if (m_haveKeyring)
        QCOMPARE(read.at(0).at(2).toString(), QString()); // a missing entry is no error
}

void TstPasswordStore::removeAnswers()
{
    PasswordStore store;
    QSignalSpy removed(&store, &PasswordStore::passwordRemoved);
    store.remove(QStringLiteral("never written either"));
    QVERIFY(removed.wait(30000));
    QCOMPARE(removed.at(0).at(0).toString(), QStringLiteral("never written either"));
    if (!m_haveKeyring)
        QVERIFY(removed.at(0).at(1).toString().contains(QLatin1String("~/.pgpass")));
}

void TstPasswordStore::storeGoneBeforeTheAnswer()
{
    // The job outlives the store: its answer must simply go nowhere.
    auto *store = new PasswordStore;
    store->read(QStringLiteral("whatever"));
    store->write(QStringLiteral("whatever"), QStringLiteral("s3cr3t-gone"));
    delete store;
    QTest::qWait(1000);
    if (m_haveKeyring) {
        PasswordStore cleanup;
        QSignalSpy removed(&cleanup, &PasswordStore::passwordRemoved);
        cleanup.remove(QStringLiteral("whatever"));
        QVERIFY(removed.wait(30000));
    }
    for (const QString &dir : placesToSearch())
        QVERIFY(filesContaining(dir, "s3cr3t-gone").isEmpty());
}

QTEST_GUILESS_MAIN(TstPasswordStore)
#include "tst_passwordstore.moc"
