#pragma once

#include "db/connectionoptions.h"

#include <QList>
#include <QString>

#include <optional>

class QSettings;

// A saved place to connect to. Never holds a password: that lives in the system keyring
// (PasswordStore) or is left to ~/.pgpass / PGPASSWORD.
struct ConnectionProfile
{
    QString name;        // unique; shown in the status bar and in write confirmations
    bool local = false;  // the embedded sandbox (host, port, … unused)
    QString host;        // host name, address or Unix socket directory; empty = libpq default
    QString port;        // empty = libpq default
    QString database;    // a database name (not a conninfo string)
    QString user;        // empty = libpq default
    QString sslMode;     // disable, allow, prefer, require, verify-ca, verify-full; empty = libpq's
    QString auditUserId; // written to algorithm_changelog.user_id by this profile's writes
    bool production = false;   // colours the window and asks before every write
    bool savePassword = false; // the password is kept in the keyring under the profile's name

    // Connection options for this profile with `password` (empty: libpq's PGPASSWORD/.pgpass).
    ConnectionOptions options(const QString &password = {}) const;
    // Empty when usable, else what is wrong ("The name is empty", libpq's conninfo complaint).
    QString validate() const;
    static QStringList sslModes();
    // For a host that is not on this machine without a TLS that is certain (sslmode disable,
    // allow, prefer or libpq's default): what an eavesdropper could see, for the dialog to
    // warn with. Empty when the connection stays local or TLS is required.
    QString transportWarning() const;
};

// Profiles kept in QSettings (group "profiles"), one subgroup per profile. Writes every field
// of ConnectionProfile except passwords, which it never sees.
class ProfileStore
{
public:
    // `settings` must outlive the store; nullptr = a default-constructed QSettings of the app.
    explicit ProfileStore(QSettings *settings = nullptr);
    ~ProfileStore();

    QList<ConnectionProfile> profiles() const; // sorted by name
    std::optional<ConnectionProfile> profile(const QString &name) const;
    void save(const ConnectionProfile &profile); // replaces one with the same name
    void remove(const QString &name);
    void rename(const QString &from, const QString &to);

    QString lastUsed() const; // profile name, or empty
    void setLastUsed(const QString &name);

private:
    QSettings *m_settings;
    bool m_ownsSettings;
};
