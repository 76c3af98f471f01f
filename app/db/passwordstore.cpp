#include "db/passwordstore.h"

#include <QCoreApplication>
#include <QMetaObject>

#include <qt6keychain/keychain.h>

namespace {

// The application's name ("algoadmin"): a test program's entries (its own name) never touch
// the real application's.
QString service()
{
    const QString name = QCoreApplication::applicationName();
    return name.isEmpty() ? QStringLiteral("algoadmin") : name;
}

const QString UseInstead = QStringLiteral("Use ~/.pgpass or PGPASSWORD instead.");

// QtKeychain's own words are technical ("Unknown error", a D-Bus name); they come last, after
// what it means for the user.
QString failure(const QString &what, const QKeychain::Job *job)
{
    const QString reason = job->errorString().trimmed();
    return reason.isEmpty() ? QStringLiteral("%1 %2").arg(what, UseInstead)
                            : QStringLiteral("%1 (%2). %3").arg(what, reason, UseInstead);
}

// Every job is configured the same way. The insecure fallback is off explicitly: without a
// keyring QtKeychain would otherwise be free to keep the password in a plain QSettings file.
// The jobs have no parent and delete themselves: a keyring that is slow to answer must not
// outlive a store that is gone (the connection to `this` then simply drops the answer).
template <typename Job> Job *newJob(const QString &profile)
{
    auto *job = new Job(service());
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(profile);
    return job;
}

} // namespace

PasswordStore::PasswordStore(QObject *parent)
    : QObject(parent)
{}

void PasswordStore::read(const QString &profile)
{
    auto *job = newJob<QKeychain::ReadPasswordJob>(profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *finished) {
        const auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finished);
        switch (readJob->error()) {
        case QKeychain::NoError:
            Q_EMIT passwordRead(profile, readJob->textData(), {});
            break;
        case QKeychain::EntryNotFound:
            Q_EMIT passwordRead(profile, {}, {});
            break;
        default:
            Q_EMIT passwordRead(
                profile, {},
                failure(QStringLiteral("Could not read the password from the system keyring"),
                        readJob));
            break;
        }
    });
    job->start();
}

void PasswordStore::write(const QString &profile, const QString &password)
{
    auto *job = newJob<QKeychain::WritePasswordJob>(profile);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *finished) {
        if (finished->error() == QKeychain::NoError)
            Q_EMIT passwordWritten(profile, {});
        else
            Q_EMIT passwordWritten(
                profile, failure(QStringLiteral("The password was not saved in the system keyring"),
                                 finished));
    });
    job->start();
}

void PasswordStore::remove(const QString &profile)
{
    auto *job = newJob<QKeychain::DeletePasswordJob>(profile);
    connect(job, &QKeychain::Job::finished, this, [this, profile](QKeychain::Job *finished) {
        // Nothing to delete is what the caller wanted.
        if (finished->error() == QKeychain::NoError ||
            finished->error() == QKeychain::EntryNotFound)
            Q_EMIT passwordRemoved(profile, {});
        else
            Q_EMIT passwordRemoved(
                profile,
                failure(QStringLiteral("Could not remove the password from the system keyring"),
                        finished));
    });
    job->start();
}
