// Connection profiles: what ProfileStore writes to and reads from a settings file, the
// connection options a profile makes (libpq must read back exactly what was typed), and what
// validate() refuses. The settings file must never hold a password.
#include "db/connectionprofile.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <libpq-fe.h>

class TstProfileStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void roundTripsEveryField();
    void namesWithSlashesAndSpaces();
    void renameRemoveAndLastUsed();
    void optionsQuoteValues_data();
    void optionsQuoteValues();
    void optionsLeaveOutEmptyFields();
    void displayNameNeverShowsThePassword();
    void validateRefuses_data();
    void validateRefuses();
    void validateAccepts();
    void settingsFileNeverHoldsThePassword();

private:
    QString settingsPath() const { return m_dir->filePath(QStringLiteral("algoadmin.ini")); }
    QByteArray settingsBytes() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
};

static ConnectionProfile fullProfile(const QString &name)
{
    ConnectionProfile profile;
    profile.name = name;
    profile.host = QStringLiteral("db.example.com");
    profile.port = QStringLiteral("6543");
    profile.database = QStringLiteral("algorithms");
    profile.user = QStringLiteral("tuner");
    profile.sslMode = QStringLiteral("verify-full");
    profile.auditUserId = QStringLiteral("42");
    profile.production = true;
    profile.savePassword = true;
    return profile;
}

static void compareProfiles(const ConnectionProfile &actual, const ConnectionProfile &expected)
{
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.local, expected.local);
    QCOMPARE(actual.host, expected.host);
    QCOMPARE(actual.port, expected.port);
    QCOMPARE(actual.database, expected.database);
    QCOMPARE(actual.user, expected.user);
    QCOMPARE(actual.sslMode, expected.sslMode);
    QCOMPARE(actual.auditUserId, expected.auditUserId);
    QCOMPARE(actual.production, expected.production);
    QCOMPARE(actual.savePassword, expected.savePassword);
}

// The conninfo keyword → value map libpq itself reads from a string.
static QMap<QString, QString> parseConninfo(const QString &conninfo)
{
    QMap<QString, QString> values;
    char *error = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(conninfo.toUtf8().constData(), &error);
    if (!parsed) {
        values.insert(QStringLiteral("<error>"), QString::fromUtf8(error));
        PQfreemem(error);
        return values;
    }
    for (PQconninfoOption *option = parsed; option->keyword; ++option) {
        if (option->val)
            values.insert(QString::fromUtf8(option->keyword), QString::fromUtf8(option->val));
    }
    PQconninfoFree(parsed);
    return values;
}

void TstProfileStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
}

void TstProfileStore::cleanup()
{
    m_settings.reset();
    m_dir.reset();
}

QByteArray TstProfileStore::settingsBytes() const
{
    m_settings->sync();
    QFile file(settingsPath());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void TstProfileStore::roundTripsEveryField()
{
    const ConnectionProfile saved = fullProfile(QStringLiteral("staging"));
    {
        ProfileStore store(m_settings.get());
        store.save(saved);
    }
    // A second store on a fresh QSettings of the same file: what is on disk, not a cache.
    m_settings->sync();
    QSettings reread(settingsPath(), QSettings::IniFormat);
    ProfileStore store(&reread);
    const auto loaded = store.profile(QStringLiteral("staging"));
    QVERIFY(loaded);
    compareProfiles(*loaded, saved);
    QCOMPARE(store.profiles().size(), 1);
    compareProfiles(store.profiles().first(), saved);

    // Saving again replaces it, and the defaults (false, empty) round-trip too.
    ConnectionProfile plain;
    plain.name = QStringLiteral("staging");
    store.save(plain);
    const auto replaced = store.profile(QStringLiteral("staging"));
    QVERIFY(replaced);
    compareProfiles(*replaced, plain);
    QVERIFY(!store.profile(QStringLiteral("nope")));
}

void TstProfileStore::namesWithSlashesAndSpaces()
{
    ProfileStore store(m_settings.get());
    const QStringList names = {QStringLiteral("prod / eu-west"), QStringLiteral("a\\b"),
                               QStringLiteral("100% real"),      QStringLiteral("lastUsed"),
                               QStringLiteral("Zürich staging"), QStringLiteral("alpha")};
    for (const QString &name : names)
        store.save(fullProfile(name));
    store.setLastUsed(QStringLiteral("alpha"));

    QSettings reread(settingsPath(), QSettings::IniFormat);
    m_settings->sync();
    ProfileStore again(&reread);
    QStringList listed;
    for (const ConnectionProfile &profile : again.profiles())
        listed.append(profile.name);
    QStringList expected = names;
    std::sort(expected.begin(), expected.end(), [](const QString &a, const QString &b) {
        return a.compare(b, Qt::CaseInsensitive) < 0;
    });
    QCOMPARE(listed, expected);
    for (const QString &name : names) {
        const auto loaded = again.profile(name);
        QVERIFY2(loaded, qPrintable(name));
        compareProfiles(*loaded, fullProfile(name));
    }
    // Removing "lastUsed" leaves the last used profile alone, and the other way round.
    again.remove(QStringLiteral("lastUsed"));
    QCOMPARE(again.lastUsed(), QStringLiteral("alpha"));
    QVERIFY(!again.profile(QStringLiteral("lastUsed")));
    QVERIFY(again.profile(QStringLiteral("prod / eu-west")));
    // One group per profile, all under "profiles".
    reread.beginGroup(QStringLiteral("profiles"));
    QCOMPARE(reread.childGroups().size(), names.size() - 1);
    reread.endGroup();
}

void TstProfileStore::renameRemoveAndLastUsed()
{
    ProfileStore store(m_settings.get());
    QCOMPARE(store.lastUsed(), QString());
    store.save(fullProfile(QStringLiteral("old name")));
    store.save(fullProfile(QStringLiteral("other")));
    store.setLastUsed(QStringLiteral("old name"));
    QCOMPARE(store.lastUsed(), QStringLiteral("old name"));

    store.rename(QStringLiteral("old name"), QStringLiteral("new/name"));
    QVERIFY(!store.profile(QStringLiteral("old name")));
    const auto renamed = store.profile(QStringLiteral("new/name"));
    QVERIFY(renamed);
    compareProfiles(*renamed, fullProfile(QStringLiteral("new/name")));
    QCOMPARE(store.lastUsed(), QStringLiteral("new/name")); // follows the rename
    QCOMPARE(store.profiles().size(), 2);

    store.remove(QStringLiteral("other"));
    QCOMPARE(store.profiles().size(), 1);
    QCOMPARE(store.lastUsed(), QStringLiteral("new/name"));
    store.remove(QStringLiteral("new/name"));
    QVERIFY(store.profiles().isEmpty());
    QCOMPARE(store.lastUsed(), QString()); // a removed profile is not "last used"

    // Local profiles are the built-in sandbox: nothing to store.
    ConnectionProfile local;
    local.local = true;
    local.name = QStringLiteral("Local sandbox");
    store.save(local);
    QVERIFY(store.profiles().isEmpty());
}

void TstProfileStore::optionsQuoteValues_data()
{
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("password");

    QTest::newRow("plain") << "algorithms"
                           << "tuner"
                           << "db.example.com"
                           << "pw";
    QTest::newRow("spaces") << "my data base"
                            << "the tuner"
                            << "/tmp/socket dir"
                            << "a b c";
    QTest::newRow("quotes") << "o'brien's db"
                            << "o'brien"
                            << "h"
                            << "it's \"quoted\"";
    QTest::newRow("backslashes") << "c:\\db\\"
                                 << "dom\\user"
                                 << "h"
                                 << "\\\\'\\";
    QTest::newRow("looks like conninfo") << "dbname=other host=evil"
                                         << "u=x"
                                         << "h"
                                         << "p=q";
    QTest::newRow("uri-like") << "postgresql://evil/db"
                              << "u"
                              << "h"
                              << "";
    QTest::newRow("unicode") << "Zürich 数据"
                             << "jürgen"
                             << "h"
                             << "päss wörd";
}

void TstProfileStore::optionsQuoteValues()
{
    QFETCH(QString, database);
    QFETCH(QString, user);
    QFETCH(QString, host);
    QFETCH(QString, password);

    ConnectionProfile profile;
    profile.name = QStringLiteral("p");
    profile.database = database;
    profile.user = user;
    profile.host = host;
    profile.port = QStringLiteral("6432");
    profile.sslMode = QStringLiteral("require");
    const ConnectionOptions options = profile.options(password);
    QVERIFY2(options.validate().isEmpty(), qPrintable(options.validate()));

    // What libpq reads back is exactly what was typed.
    const auto values = parseConninfo(options.database);
    QCOMPARE(values.value(QStringLiteral("dbname")), database);
    QCOMPARE(values.value(QStringLiteral("user")), user);
    QCOMPARE(values.value(QStringLiteral("host")), host);
    QCOMPARE(values.value(QStringLiteral("port")), QStringLiteral("6432"));
    QCOMPARE(values.value(QStringLiteral("sslmode")), QStringLiteral("require"));
    QCOMPARE(values.value(QStringLiteral("password")), password);

    // The same through the full connect string (as QPSQL gets it) …
    const auto full = parseConninfo(options.toConninfo());
    QCOMPARE(full.value(QStringLiteral("dbname")), database);
    QCOMPARE(full.value(QStringLiteral("sslmode")), QStringLiteral("require"));
    QCOMPARE(full.value(QStringLiteral("host")), host);
    // … and through the keyword/value pairs PQconnectdbParams expands.
    bool sawDbname = false;
    for (const auto &[key, value] : options.keywordValues()) {
        if (key == "dbname") {
            sawDbname = true;
            QCOMPARE(parseConninfo(QString::fromUtf8(value)).value(QStringLiteral("dbname")),
                     database);
        }
    }
    QVERIFY(sawDbname);
    if (!password.isEmpty())
        QVERIFY(!options.displayName().contains(password));
}

void TstProfileStore::optionsLeaveOutEmptyFields()
{
    // Empty fields are libpq's defaults (PGHOST, …): not an empty value that would override.
    ConnectionProfile profile;
    profile.name = QStringLiteral("defaults");
    profile.database = QStringLiteral("algorithms");
    const auto values = parseConninfo(profile.options().database);
    QCOMPARE(values.keys(), QStringList{QStringLiteral("dbname")});
    QVERIFY(ConnectionProfile{}.options().database.isEmpty());
    QVERIFY(!profile.options().toConninfo().contains(QLatin1String("password")));
}

void TstProfileStore::displayNameNeverShowsThePassword()
{
    ConnectionProfile profile = fullProfile(QStringLiteral("p"));
    const QString password =
        QStringLiteral("s3cr3t-display-%1").arg(QUuid::createUuid().toString());
    const ConnectionOptions options = profile.options(password);
    QCOMPARE(options.displayName(), QStringLiteral("tuner@db.example.com:6543/algorithms"));
    QVERIFY(!options.displayName().contains(QLatin1String("s3cr3t")));
    QVERIFY(options.toConninfo().contains(password)); // it does reach libpq
}

void TstProfileStore::validateRefuses_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected"); // part of the message

    QTest::newRow("empty name") << "name"
                                << ""
                                << "name is empty";
    QTest::newRow("blank name") << "name"
                                << "   "
                                << "name is empty";
    QTest::newRow("letters as port") << "port"
                                     << "abc"
                                     << "\"abc\"";
    QTest::newRow("port 0") << "port"
                            << "0"
                            << "port";
    QTest::newRow("port too big") << "port"
                                  << "70000"
                                  << "port";
    QTest::newRow("bad sslmode") << "sslMode"
                                 << "sometimes"
                                 << "\"sometimes\"";
    QTest::newRow("audit id not a number") << "auditUserId"
                                           << "bob"
                                           << "audit user id";
}

void TstProfileStore::validateRefuses()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    ConnectionProfile profile = fullProfile(QStringLiteral("p"));
    if (field == QLatin1String("name"))
        profile.name = value;
    else if (field == QLatin1String("port"))
        profile.port = value;
    else if (field == QLatin1String("sslMode"))
        profile.sslMode = value;
    else if (field == QLatin1String("auditUserId"))
        profile.auditUserId = value;
    const QString message = profile.validate();
    QVERIFY2(message.contains(expected, Qt::CaseInsensitive), qPrintable(message));
}

void TstProfileStore::validateAccepts()
{
    QCOMPARE(fullProfile(QStringLiteral("p")).validate(), QString());
    ConnectionProfile minimal;
    minimal.name = QStringLiteral("defaults only");
    QCOMPARE(minimal.validate(), QString());
    ConnectionProfile multiHost = minimal;
    multiHost.host = QStringLiteral("a,b");
    multiHost.port = QStringLiteral("5432,5433");
    QCOMPARE(multiHost.validate(), QString());
    for (const QString &mode : ConnectionProfile::sslModes()) {
        ConnectionProfile ssl = minimal;
        ssl.sslMode = mode;
        QCOMPARE(ssl.validate(), QString());
    }
    QCOMPARE(ConnectionProfile::sslModes().size(), 6);
}

void TstProfileStore::settingsFileNeverHoldsThePassword()
{
    const QString password = QStringLiteral("s3cr3t-%1").arg(QUuid::createUuid().toString());
    ConnectionProfile profile = fullProfile(QStringLiteral("with password"));
    const ConnectionOptions options = profile.options(password);
    QVERIFY(options.toConninfo().contains(password));
    ProfileStore store(m_settings.get());
    store.save(profile);
    store.setLastUsed(profile.name);
    store.rename(profile.name, QStringLiteral("renamed"));
    const QByteArray bytes = settingsBytes();
    QVERIFY(bytes.contains("renamed"));
    QVERIFY(bytes.contains("db.example.com"));
    QVERIFY(!bytes.contains(password.toUtf8()));
    QVERIFY(!bytes.contains("s3cr3t"));
    QVERIFY(!bytes.contains("password=")); // savePassword=true is the only mention
}

QTEST_GUILESS_MAIN(TstProfileStore)
#include "tst_profilestore.moc"
