#pragma once

#include <QObject>
#include <QString>

// Profile passwords in the system keyring (QtKeychain: Secret Service, KWallet), service =
// the application's name ("algoadmin"; a test program's own name), key = profile name.
// Asynchronous: the keyring may ask the user to unlock it. Never falls back to a plain-text file:
// without a keyring the operations fail with a message that says to use ~/.pgpass or PGPASSWORD
// instead.
class PasswordStore : public QObject
{
    Q_OBJECT

public:
    explicit PasswordStore(QObject *parent = nullptr);

    void read(const QString &profile);
    void write(const QString &profile, const QString &password);
    void remove(const QString &profile);

Q_SIGNALS:
    // `error` empty on success; a missing entry is success with an empty password.
    void passwordRead(const QString &profile, const QString &password, const QString &error);
    void passwordWritten(const QString &profile, const QString &error);
    void passwordRemoved(const QString &profile, const QString &error);
};
