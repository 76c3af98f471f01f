#pragma once

#include "db/connectionprofile.h"
#include "db/serverprobe.h"
#include "workers/probeworker.h"

#include <QDialog>

#include <memory>

class PasswordStore;
class ProfileStore;

// Pick, edit, test and connect to a profile. The first entry is always the Local sandbox (the
// embedded default); the others come from the ProfileStore. Passwords go to the keyring only
// when "Save password in the keyring" is ticked, never to the settings file. "Test connection"
// runs probeServer() off the GUI thread and shows the server version, role and round trip, or
// libpq's reason on failure.
//
// Widgets have object names for tests: profileList, nameEdit, hostEdit, portEdit,
// databaseEdit, userEdit, passwordEdit, sslModeCombo, auditUserEdit, productionCheck,
// savePasswordCheck, demoCheck (Local sandbox only), newButton, saveButton, deleteButton,
// testButton, testResult, and the dialog's Connect (accept) button "connectButton".
class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectionDialog(ProfileStore *profiles, PasswordStore *passwords, QWidget *parent = nullptr);
    ~ConnectionDialog() override;

    void selectProfile(const QString &name); // "Local sandbox" or a saved profile

    // After accept(): what to connect to. The profile is saved (without its password) when
    // the user pressed Connect; password() is what was typed or read from the keyring.
    ConnectionProfile profile() const;
    QString password() const;
    bool demoData() const; // Local sandbox: fill an empty sandbox with demo data

    static QString localSandboxName(); // "Local sandbox"

Q_SIGNALS:
    // The newest "Test connection" has been answered (shown, or dropped as stale).
    void testAnswered();

private:
    ConnectionProfile formProfile() const;
    void reloadList();
    void loadProfile(const QString &name, bool local);
    void setLocalMode(bool local);
    void newProfile();
    bool saveProfile(); // false when the form does not validate (the message is shown)
    void deleteProfile();
    void connectProfile();
    void connectionEdited();
    void testConnection();
    void showTestResult(int request, const ServerInfo &info);
    void showTestFailure(const QString &message);
    void passwordRead(const QString &profile, const QString &password, const QString &error);
    void passwordWritten(const QString &profile, const QString &error);
    void showKeyringMessage(const QString &message, bool isError);

    struct Ui;
    std::unique_ptr<Ui> m_ui;
    ProfileStore *m_profiles;
    PasswordStore *m_passwords;
    ProbeWorker *m_probe; // "Test connection", off the GUI thread
    int m_testRequest = 0;
};
