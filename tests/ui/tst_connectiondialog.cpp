// The connection dialog on the offscreen platform, driven through its widgets against the real
// test cluster: typing a profile, testing it, connecting, and what ends up in the settings file
// (never a password, even with "save password" ticked and no keyring to take it).
#include "connection/connectiondialog.h"
#include "db/passwordstore.h"
#include "latencyproxy.h"
#include "testdatabase.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

// A click on the box itself: a check box's middle may lie beyond its text, where a click is no
// click.
static void tick(QCheckBox *box)
{
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
}

// The offscreen platform warns each time a layout change resizes the dialog: noise, not news.
// Installed from initTestCase(), over QTest's own handler, which gets everything else.
static QtMessageHandler testHandler = nullptr;
static void dropOffscreenNoise(QtMsgType type, const QMessageLogContext &context,
                               const QString &message)
{
    if (!message.contains(QLatin1String("does not support propagateSizeHints")))
        testHandler(type, context, message);
}

class TstConnectionDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void localSandboxComesFirst();
    void testConnectionShowsTheServer();
    void testConnectionShowsLibpqsReason();
    void staleTestResultIsDropped();
    void connectSavesTheProfileWithoutPassword();
    void productionAndLastUsedRoundTrip();
    void malformedValueKeepsEverything();
    void enterConnects();
    void deleteAsksFirst();
    void closingWhileTestingIsSafe();
    void grab();

private:
    template <typename T> T *child(ConnectionDialog &dialog, const char *name)
    {
        T *widget = dialog.findChild<T *>(QLatin1String(name));
        if (!widget)
            qFatal("no %s in the dialog", name);
        return widget;
    }
    // Clicks New and types a profile for the test database (or `database`).
    void typeProfile(ConnectionDialog &dialog, const QString &name, const QString &database = {});
    QByteArray settingsBytes() const;
    std::unique_ptr<ConnectionDialog> newDialog();
    // The layout a picture of the dialog shows: each of `shown` visible, wholly inside the
    // dialog and clear of the others (a wrapped label tall enough for its text), each of
    // `hidden` not shown, and the dialog renders. With ALGOADMIN_GRAB_DIR set, the picture is
    // saved there as `file`.
    void checkLayout(ConnectionDialog &dialog, const QStringList &shown, const QStringList &hidden,
                     const QString &file);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<PasswordStore> m_passwords;
};

void TstConnectionDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    testHandler = qInstallMessageHandler(dropOffscreenNoise);
    m_db = std::make_unique<TestDatabase>(QStringLiteral("connectiondialog"));
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
}

void TstConnectionDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("algoadmin.ini")),
                                             QSettings::IniFormat);
    m_store = std::make_unique<ProfileStore>(m_settings.get());
    m_passwords = std::make_unique<PasswordStore>();
}

void TstConnectionDialog::cleanup()
{
    m_passwords.reset();
    m_store.reset();
    m_settings.reset();
    m_dir.reset();
}

std::unique_ptr<ConnectionDialog> TstConnectionDialog::newDialog()
{
    auto dialog = std::make_unique<ConnectionDialog>(m_store.get(), m_passwords.get());
    dialog->show();
    if (!QTest::qWaitForWindowExposed(dialog.get()))
        qWarning("the dialog was not exposed");
    dialog->activateWindow();
    // Shortcuts (Ctrl+T, Ctrl+S, Del) only reach the active window.
    if (!QTest::qWaitForWindowActive(dialog.get()))
        qWarning("the dialog did not become active");
    return dialog;
}

void TstConnectionDialog::typeProfile(ConnectionDialog &dialog, const QString &name,
                                      const QString &database)
{
    const ConnectionOptions options = m_db->options();
    QTest::mouseClick(child<QPushButton>(dialog, "newButton"), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>(dialog, "nameEdit"), name);
    QTest::keyClicks(child<QLineEdit>(dialog, "hostEdit"), options.host);
    QTest::keyClicks(child<QLineEdit>(dialog, "portEdit"), options.port);
    QTest::keyClicks(child<QLineEdit>(dialog, "databaseEdit"),
                     database.isEmpty() ? m_db->name() : database);
    QTest::keyClicks(child<QLineEdit>(dialog, "userEdit"), options.user);
}

QByteArray TstConnectionDialog::settingsBytes() const
{
    m_settings->sync();
    QFile file(m_dir->filePath(QStringLiteral("algoadmin.ini")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void TstConnectionDialog::localSandboxComesFirst()
{
    ConnectionProfile saved;
    saved.name = QStringLiteral("aaa first by name");
    m_store->save(saved);
    auto dialog = newDialog();
    auto *list = child<QListWidget>(*dialog, "profileList");
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(0)->text(), ConnectionDialog::localSandboxName());
    QCOMPARE(ConnectionDialog::localSandboxName(), QStringLiteral("Local sandbox"));
    // Nothing used yet: the sandbox is selected, with only what applies to it.
    QCOMPARE(list->currentRow(), 0);
    QVERIFY(child<QCheckBox>(*dialog, "demoCheck")->isVisible());
    QVERIFY(!child<QLineEdit>(*dialog, "hostEdit")->isVisible());
    QVERIFY(!child<QLineEdit>(*dialog, "passwordEdit")->isVisible());
    QVERIFY(!child<QPushButton>(*dialog, "testButton")->isEnabled());
    QVERIFY(!child<QPushButton>(*dialog, "deleteButton")->isEnabled());
    QVERIFY(dialog->profile().local);

    list->setCurrentRow(1);
    QVERIFY(!child<QCheckBox>(*dialog, "demoCheck")->isVisible());
    QVERIFY(child<QLineEdit>(*dialog, "hostEdit")->isVisible());
    QCOMPARE(child<QLineEdit>(*dialog, "nameEdit")->text(), saved.name);
    QVERIFY(child<QPushButton>(*dialog, "testButton")->isEnabled());

    dialog->selectProfile(ConnectionDialog::localSandboxName());
    QVERIFY(child<QCheckBox>(*dialog, "demoCheck")->isVisible());
    child<QCheckBox>(*dialog, "demoCheck")->setChecked(true);
    QTest::mouseClick(child<QPushButton>(*dialog, "connectButton"), Qt::LeftButton);
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QVERIFY(dialog->profile().local);
    QVERIFY(dialog->demoData());
    QCOMPARE(m_store->lastUsed(), ConnectionDialog::localSandboxName());
    QCOMPARE(m_store->profiles().size(), 1); // the sandbox is built in, never stored
}

void TstConnectionDialog::testConnectionShowsTheServer()
{
    auto dialog = newDialog();
    typeProfile(*dialog, QStringLiteral("test cluster"));
    auto *test = child<QPushButton>(*dialog, "testButton");
    auto *result = child<QLabel>(*dialog, "testResult");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_T, Qt::ControlModifier); // Ctrl+T
    QCOMPARE(test->text(), QStringLiteral("Testing…"));
    QVERIFY(!test->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QLatin1String("Connected to PostgreSQL 15")),
                             20000);
    QVERIFY2(
        result->text().contains(QStringLiteral(" as %1 — round trip ").arg(m_db->options().user)),
        qPrintable(result->text()));
    QVERIFY2(result->text().contains(QLatin1String(" ms, connect ")), qPrintable(result->text()));
    QVERIFY(result->text().contains(QLatin1String("no algorithm tables")));
    QVERIFY(result->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(result->wordWrap());
    QVERIFY(test->isEnabled());
    QCOMPARE(test->text(), QStringLiteral("&Test connection"));
    // Testing saves nothing.
    QVERIFY(m_store->profiles().isEmpty());
}

void TstConnectionDialog::testConnectionShowsLibpqsReason()
{
    auto dialog = newDialog();
    typeProfile(*dialog, QStringLiteral("wrong db"), QStringLiteral("no_such_database"));
    auto *result = child<QLabel>(*dialog, "testResult");
    QTest::mouseClick(child<QPushButton>(*dialog, "testButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QLatin1String("Could not connect: ")),
                             20000);
    QVERIFY2(result->text().contains(QLatin1String("database \"no_such_database\" does not exist")),
             qPrintable(result->text()));
    QVERIFY(result->styleSheet().contains(QLatin1String("color")));
}

void TstConnectionDialog::staleTestResultIsDropped()
{
    // The first test goes through a proxy that stays stopped (SIGSTOP) until the form has
    // changed, so its answer certainly comes after the edit: shown, it would be about another
    // database.
    LatencyProxy proxy;
    QVERIFY2(proxy.startSilent(), qPrintable(proxy.error()));
    auto dialog = newDialog();
    QTest::mouseClick(child<QPushButton>(*dialog, "newButton"), Qt::LeftButton);
    QTest::keyClicks(child<QLineEdit>(*dialog, "nameEdit"), QStringLiteral("stale"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "hostEdit"), QStringLiteral("127.0.0.1"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "portEdit"), QString::number(proxy.port()));
    QTest::keyClicks(child<QLineEdit>(*dialog, "databaseEdit"), m_db->name());
    QTest::keyClicks(child<QLineEdit>(*dialog, "userEdit"), m_db->options().user);
    auto *test = child<QPushButton>(*dialog, "testButton");
    auto *result = child<QLabel>(*dialog, "testResult");
    QSignalSpy answered(dialog.get(), &ConnectionDialog::testAnswered);
    QTest::mouseClick(test, Qt::LeftButton);
    QCOMPARE(test->text(), QStringLiteral("Testing…"));
    // The probe (on the dialog's worker thread) is held up by the stopped proxy.
    QTest::qWait(100);
    QVERIFY(answered.isEmpty());
    // Changed before the answer came back: the answer is about another database.
    QTest::keyClicks(child<QLineEdit>(*dialog, "databaseEdit"), QStringLiteral("_other"));
    QVERIFY(test->isEnabled());
    // Now the first probe goes through (to the database it was started for) and its answer
    // reaches the dialog.
    QVERIFY(proxy.resume());
    QVERIFY(answered.wait(30000));
    QCOMPARE(result->text(), QString());
    QCOMPARE(test->text(), QStringLiteral("&Test connection"));
    // A new test is about what the form says now.
    QTest::mouseClick(test, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(result->text().contains(QLatin1String("does not exist")), 20000);
}

void TstConnectionDialog::connectSavesTheProfileWithoutPassword()
{
    const QString password = QStringLiteral("s3cr3t-%1").arg(QUuid::createUuid().toString());
    auto dialog = newDialog();
    typeProfile(*dialog, QStringLiteral("prod / eu"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "passwordEdit"), password);
    QCOMPARE(child<QLineEdit>(*dialog, "passwordEdit")->echoMode(), QLineEdit::Password);
    QTest::keyClicks(child<QLineEdit>(*dialog, "auditUserEdit"), QStringLiteral("42"));
    auto *ssl = child<QComboBox>(*dialog, "sslModeCombo");
    ssl->setCurrentIndex(ssl->findData(QStringLiteral("prefer")));
    tick(child<QCheckBox>(*dialog, "productionCheck"));
    tick(child<QCheckBox>(*dialog, "savePasswordCheck"));
    QVERIFY(child<QCheckBox>(*dialog, "savePasswordCheck")->isChecked());

    // Save (Ctrl+S): the profile is stored, the keyring refuses the password, the dialog says
    // so and keeps it.
    QTest::keyClick(dialog.get(), Qt::Key_S, Qt::ControlModifier);
    QVERIFY(m_store->profile(QStringLiteral("prod / eu")));
    auto *keyring = child<QLabel>(*dialog, "keyringMessage");
    const bool haveKeyring = !qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS");
    if (!haveKeyring) {
        QTRY_VERIFY_WITH_TIMEOUT(keyring->text().contains(QLatin1String("~/.pgpass")), 30000);
        QVERIFY(keyring->isVisible());
        QVERIFY(keyring->text().contains(QLatin1String("not saved")));
    }
    QCOMPARE(child<QLineEdit>(*dialog, "passwordEdit")->text(), password);

    QTest::mouseClick(child<QPushButton>(*dialog, "connectButton"), Qt::LeftButton);
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QCOMPARE(dialog->password(), password);
    const ConnectionProfile profile = dialog->profile();
    const ConnectionOptions options = m_db->options();
    QCOMPARE(profile.name, QStringLiteral("prod / eu"));
    QVERIFY(!profile.local);
    QCOMPARE(profile.host, options.host);
    QCOMPARE(profile.port, options.port);
    QCOMPARE(profile.database, m_db->name());
    QCOMPARE(profile.user, options.user);
    QCOMPARE(profile.sslMode, QStringLiteral("prefer"));
    QCOMPARE(profile.auditUserId, QStringLiteral("42"));
    QVERIFY(profile.production);
    QVERIFY(profile.savePassword);
    QVERIFY(!dialog->demoData());

    const auto stored = m_store->profile(QStringLiteral("prod / eu"));
    QVERIFY(stored);
    QCOMPARE(stored->host, options.host);
    QCOMPARE(stored->database, m_db->name());
    QCOMPARE(stored->sslMode, QStringLiteral("prefer"));
    QVERIFY(stored->production);
    QVERIFY(stored->savePassword);
    QCOMPARE(m_store->lastUsed(), QStringLiteral("prod / eu"));

    // The options connect: the accepted profile is usable as it is.
    const ServerInfo info = probeServer(profile.options(dialog->password()), 1);
    QVERIFY2(info.ok(), qPrintable(info.error.toString()));

    const QByteArray bytes = settingsBytes();
    QVERIFY(bytes.contains(m_db->name().toUtf8()));
    QVERIFY(!bytes.contains(password.toUtf8()));
    QVERIFY(!bytes.contains("s3cr3t"));
    // Nor anywhere else a fallback could have put it.
    dialog.reset();
    QTest::qWait(200); // a keyring write still on its way (Connect sent one too)
    for (auto location : {QStandardPaths::GenericConfigLocation, QStandardPaths::AppConfigLocation,
                          QStandardPaths::GenericDataLocation, QStandardPaths::AppDataLocation}) {
        QDirIterator it(QStandardPaths::writableLocation(location), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                QVERIFY2(!file.readAll().contains(password.toUtf8()), qPrintable(file.fileName()));
        }
    }
}

void TstConnectionDialog::productionAndLastUsedRoundTrip()
{
    {
        auto dialog = newDialog();
        typeProfile(*dialog, QStringLiteral("production one"));
        tick(child<QCheckBox>(*dialog, "productionCheck"));
        tick(child<QCheckBox>(*dialog, "savePasswordCheck"));
        QTest::mouseClick(child<QPushButton>(*dialog, "connectButton"), Qt::LeftButton);
        QCOMPARE(dialog->result(), int(QDialog::Accepted));
    }
    auto dialog = newDialog();
    // The last used profile comes up first, as it was saved.
    QCOMPARE(child<QListWidget>(*dialog, "profileList")->currentRow(), 1);
    QCOMPARE(child<QLineEdit>(*dialog, "nameEdit")->text(), QStringLiteral("production one"));
    QVERIFY(child<QCheckBox>(*dialog, "productionCheck")->isChecked());
    QVERIFY(child<QCheckBox>(*dialog, "savePasswordCheck")->isChecked());
    QCOMPARE(child<QLineEdit>(*dialog, "hostEdit")->text(), m_db->options().host);
    // Its password is asked of the keyring, which has none to give here: the field stays
    // empty (libpq falls back to ~/.pgpass) and, without a keyring, the dialog says why.
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(*dialog, "keyringMessage")->isVisible(), 30000);
    QCOMPARE(child<QLineEdit>(*dialog, "passwordEdit")->text(), QString());

    tick(child<QCheckBox>(*dialog, "productionCheck"));
    QTest::mouseClick(child<QPushButton>(*dialog, "saveButton"), Qt::LeftButton);
    QVERIFY(!m_store->profile(QStringLiteral("production one"))->production);
}

void TstConnectionDialog::malformedValueKeepsEverything()
{
    auto dialog = newDialog();
    typeProfile(*dialog, QStringLiteral("bad port"));
    auto *port = child<QLineEdit>(*dialog, "portEdit");
    port->clear();
    QTest::keyClicks(port, QStringLiteral("abc"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "passwordEdit"), QStringLiteral("typed"));
    QTest::mouseClick(child<QPushButton>(*dialog, "connectButton"), Qt::LeftButton);
    QCOMPARE(dialog->result(), int(QDialog::Rejected));
    QVERIFY(dialog->isVisible());
    auto *message = child<QLabel>(*dialog, "formMessage");
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QLatin1String("\"abc\"")), qPrintable(message->text()));
    QCOMPARE(port->text(), QStringLiteral("abc"));
    QCOMPARE(child<QLineEdit>(*dialog, "passwordEdit")->text(), QStringLiteral("typed"));
    QCOMPARE(child<QLineEdit>(*dialog, "nameEdit")->text(), QStringLiteral("bad port"));
    QVERIFY(m_store->profiles().isEmpty());
    QCOMPARE(m_store->lastUsed(), QString());

    // An empty name is refused the same way; the rest is kept.
    auto *name = child<QLineEdit>(*dialog, "nameEdit");
    name->clear();
    port->clear();
    QTest::mouseClick(child<QPushButton>(*dialog, "saveButton"), Qt::LeftButton);
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QLatin1String("name is empty")), qPrintable(message->text()));
    QCOMPARE(child<QLineEdit>(*dialog, "databaseEdit")->text(), m_db->name());
    // The sandbox's name belongs to the sandbox.
    QTest::keyClicks(name, ConnectionDialog::localSandboxName());
    QTest::mouseClick(child<QPushButton>(*dialog, "saveButton"), Qt::LeftButton);
    QVERIFY(message->isVisible());
    QVERIFY(m_store->profiles().isEmpty());
}

void TstConnectionDialog::enterConnects()
{
    ConnectionProfile saved;
    saved.name = QStringLiteral("saved before");
    saved.host = QStringLiteral("elsewhere");
    m_store->save(saved);
    m_store->setLastUsed(saved.name);
    auto dialog = newDialog();
    QCOMPARE(child<QLineEdit>(*dialog, "hostEdit")->text(), QStringLiteral("elsewhere"));
    // Ctrl+N: an empty form, the name field first.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_N, Qt::ControlModifier);
    QCOMPARE(child<QLineEdit>(*dialog, "hostEdit")->text(), QString());
    QCOMPARE(child<QLineEdit>(*dialog, "nameEdit")->text(), QString());
    QVERIFY(child<QLineEdit>(*dialog, "nameEdit")->hasFocus());
    QVERIFY(!child<QPushButton>(*dialog, "deleteButton")->isEnabled());
    typeProfile(*dialog, QStringLiteral("by enter"));
    QTest::keyClick(child<QLineEdit>(*dialog, "userEdit"), Qt::Key_Return);
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QCOMPARE(dialog->profile().name, QStringLiteral("by enter"));
    QVERIFY(m_store->profile(QStringLiteral("by enter")));

    // A double click on a profile connects to it.
    auto again = newDialog();
    auto *list = child<QListWidget>(*again, "profileList");
    QListWidgetItem *item = list->findItems(saved.name, Qt::MatchExactly).value(0);
    QVERIFY(item);
    const QPoint centre = list->visualItemRect(item).center();
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, centre);
    QCOMPARE(again->result(), int(QDialog::Accepted));
    QCOMPARE(again->profile().host, QStringLiteral("elsewhere"));
    QCOMPARE(m_store->lastUsed(), saved.name);
}

void TstConnectionDialog::deleteAsksFirst()
{
    ConnectionProfile saved;
    saved.name = QStringLiteral("to delete");
    m_store->save(saved);
    auto dialog = newDialog();
    dialog->selectProfile(saved.name);
    auto *list = child<QListWidget>(*dialog, "profileList");
    QCOMPARE(list->currentItem()->text(), saved.name);
    list->setFocus();

    // Del on the list asks; Cancel keeps it.
    QTest::keyClick(list, Qt::Key_Delete);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = dialog->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"))));
    QTRY_VERIFY(box->isVisible());
    QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
    QVERIFY(m_store->profile(saved.name));
    QTRY_VERIFY(!dialog->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation")));

    // Del in a field deletes a character, not the profile.
    QTest::keyClick(child<QLineEdit>(*dialog, "nameEdit"), Qt::Key_Delete);
    QVERIFY(!dialog->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation")));

    QTest::mouseClick(child<QPushButton>(*dialog, "deleteButton"), Qt::LeftButton);
    QTRY_VERIFY((box = dialog->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"))));
    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_VERIFY(!m_store->profile(saved.name));
    QCOMPARE(list->count(), 1);
    QCOMPARE(list->currentRow(), 0);
}

void TstConnectionDialog::closingWhileTestingIsSafe()
{
    // The probe outlives the dialog: its answer must go nowhere, and nothing may wait for it.
    for (int i = 0; i < 5; ++i) {
        auto dialog = newDialog();
        typeProfile(*dialog, QStringLiteral("closed early"));
        QTest::mouseClick(child<QPushButton>(*dialog, "testButton"), Qt::LeftButton);
        QElapsedTimer clock;
        clock.start();
        dialog.reset();
        QVERIFY(clock.elapsed() < 1000);
    }
    // The probe, left to end on its own thread, finishes before the next test.
    QTest::qWait(500);
}

void TstConnectionDialog::checkLayout(ConnectionDialog &dialog, const QStringList &shown,
                                      const QStringList &hidden, const QString &file)
{
    // Pending layout requests (a row that was just shown or hidden) first.
    QCoreApplication::sendPostedEvents();
    const QRect inside = dialog.rect();
    QList<QPair<QString, QRect>> placed;
    for (const QString &name : shown) {
        auto *widget = dialog.findChild<QWidget *>(name);
        QVERIFY2(widget, qPrintable(name));
        QVERIFY2(widget->isVisible(), qPrintable(name));
        const QRect rect(widget->mapTo(&dialog, QPoint(0, 0)), widget->size());
        QVERIFY2(!rect.isEmpty() && inside.contains(rect),
                 qPrintable(QStringLiteral("%1 at %2,%3 %4x%5 is not wholly in the %6x%7 dialog")
                                .arg(name)
                                .arg(rect.x())
                                .arg(rect.y())
                                .arg(rect.width())
                                .arg(rect.height())
                                .arg(inside.width())
                                .arg(inside.height())));
        for (const auto &[other, otherRect] : std::as_const(placed))
            QVERIFY2(!rect.intersects(otherRect),
                     qPrintable(QStringLiteral("%1 overlaps %2").arg(name, other)));
        placed.append({name, rect});
        // A label shows all of its (wrapped) text.
        if (auto *label = qobject_cast<QLabel *>(widget); label && label->wordWrap())
            QVERIFY2(label->height() >= label->heightForWidth(label->width()),
                     qPrintable(QStringLiteral("%1 cuts its text: %2").arg(name, label->text())));
    }
    for (const QString &name : hidden) {
        auto *widget = dialog.findChild<QWidget *>(name);
        QVERIFY2(widget, qPrintable(name));
        QVERIFY2(!widget->isVisible(), qPrintable(name));
    }
    const QPixmap picture = dialog.grab();
    QVERIFY(!picture.isNull());
    QCOMPARE(picture.deviceIndependentSize().toSize(), dialog.size());
    // ALGOADMIN_GRAB_DIR=/tmp: the pictures are kept, to look at the layout.
    const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR");
    if (!dir.isEmpty())
        QVERIFY(picture.save(QDir(dir).filePath(file)));
}

void TstConnectionDialog::grab()
{
    // Shown for the sandbox and a profile alike, for a profile only, for the sandbox only.
    const QStringList always = {QStringLiteral("profileList"),  QStringLiteral("newButton"),
                                QStringLiteral("deleteButton"), QStringLiteral("saveButton"),
                                QStringLiteral("testButton"),   QStringLiteral("testResult"),
                                QStringLiteral("connectButton")};
    const QStringList profileFields = {
        QStringLiteral("nameEdit"),          QStringLiteral("hostEdit"),
        QStringLiteral("portEdit"),          QStringLiteral("databaseEdit"),
        QStringLiteral("userEdit"),          QStringLiteral("passwordEdit"),
        QStringLiteral("savePasswordCheck"), QStringLiteral("sslModeCombo"),
        QStringLiteral("auditUserEdit"),     QStringLiteral("productionCheck")};
    const QStringList sandboxFields = {QStringLiteral("demoCheck")};

    ConnectionProfile saved;
    saved.name = QStringLiteral("staging");
    saved.host = QStringLiteral("db.staging.example.com");
    saved.database = QStringLiteral("algorithms");
    saved.user = QStringLiteral("tuner");
    m_store->save(saved);
    saved.name = QStringLiteral("production");
    saved.production = true;
    m_store->save(saved);
    auto dialog = newDialog();
    // Nothing used yet: the sandbox, then the saved profiles.
    auto *list = child<QListWidget>(*dialog, "profileList");
    QCOMPARE(list->count(), 3);
    QCOMPARE(list->currentRow(), 0);
    QCOMPARE(list->item(0)->text(), ConnectionDialog::localSandboxName());
    checkLayout(*dialog, always + sandboxFields,
                profileFields +
                    QStringList{QStringLiteral("keyringMessage"), QStringLiteral("formMessage")},
                QStringLiteral("conndlg-local.png"));
    if (QTest::currentTestFailed())
        return;

    typeProfile(*dialog, QStringLiteral("test cluster"));
    QTest::mouseClick(child<QPushButton>(*dialog, "testButton"), Qt::LeftButton);
    auto *result = child<QLabel>(*dialog, "testResult");
    QTRY_VERIFY_WITH_TIMEOUT(!result->text().startsWith(QLatin1String("Connecting")), 20000);
    QVERIFY2(result->text().startsWith(QLatin1String("Connected to PostgreSQL")),
             qPrintable(result->text()));
    checkLayout(*dialog, always + profileFields, sandboxFields, QStringLiteral("conndlg.png"));
    if (QTest::currentTestFailed())
        return;

    auto *database = child<QLineEdit>(*dialog, "databaseEdit");
    database->clear();
    QTest::keyClicks(database, QStringLiteral("nope"));
    tick(child<QCheckBox>(*dialog, "savePasswordCheck"));
    QTest::keyClicks(child<QLineEdit>(*dialog, "passwordEdit"), QStringLiteral("pw"));
    QTest::mouseClick(child<QPushButton>(*dialog, "saveButton"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(*dialog, "testButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QLatin1String("Could not")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(*dialog, "keyringMessage")->isVisible(), 30000);
    checkLayout(*dialog, always + profileFields + QStringList{QStringLiteral("keyringMessage")},
                sandboxFields, QStringLiteral("conndlg-error.png"));
}

QTEST_MAIN(TstConnectionDialog)
#include "tst_connectiondialog.moc"
