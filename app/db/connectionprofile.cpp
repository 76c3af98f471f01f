#include "db/connectionprofile.h"

#include "sandbox/localcluster.h"

#include <QSettings>
#include <QUrl>

#include <algorithm>

namespace {

const QString ProfilesGroup = QStringLiteral("profiles");
// Outside "profiles": a key there could collide with the group of a profile named "lastUsed".
const QString LastUsedKey = QStringLiteral("lastUsedProfile");

// A conninfo value in single quotes: libpq's parser takes \' and \\ inside them, and the
// quotes keep spaces and '=' part of the value.
QString quoted(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

// QSettings treats '/' and '\' in a key as separators: a profile's subgroup is its name
// percent-encoded (readable for plain names), and the name itself is stored inside it.
QString groupKey(const QString &name)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(name));
}

bool isPortList(const QString &port)
{
    // libpq takes one port per host, comma-separated.
    const QStringList ports = port.split(QLatin1Char(','));
    return std::all_of(ports.begin(), ports.end(), [](const QString &part) {
        bool ok = false;
        const int number = part.trimmed().toInt(&ok);
        return ok && number > 0 && number <= 65535;
    });
}

} // namespace

ConnectionOptions ConnectionProfile::options(const QString &password) const
{
    if (local)
        return LocalCluster().connectionOptions();
    // Everything goes into one conninfo string in `database` (expanded by libpq): the
    // database field stays a plain name even when it holds '=' or spaces, sslmode and the
    // password have a place, and displayName() shows only user, host, port and database.
    QStringList parts;
    const auto put = [&parts](const char *key, const QString &value) {
        if (!value.isEmpty())
            parts.append(QLatin1String(key) + QLatin1Char('=') + quoted(value));
    };
    put("dbname", database);
    put("host", host);
    put("port", port);
    put("user", user);
    put("sslmode", sslMode);
    put("password", password);
    ConnectionOptions options;
    options.database = parts.join(QLatin1Char(' '));
    return options;
}

QString ConnectionProfile::validate() const
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("The name is empty: give the profile a name.");
    if (name != name.trimmed())
        return QStringLiteral("The name starts or ends with a space.");
    if (!auditUserId.isEmpty()) {
        bool ok = false;
        auditUserId.toInt(&ok);
        if (!ok)
            return QStringLiteral("The audit user id \"%1\" is not a whole number: the changelog "
                                  "stores it as an integer.")
                .arg(auditUserId);
    }
    if (local)
        return {};
    if (!port.isEmpty() && !isPortList(port))
        return QStringLiteral("The port \"%1\" is not a number between 1 and 65535.").arg(port);
    if (!sslMode.isEmpty() && !sslModes().contains(sslMode))
        return QStringLiteral("The SSL mode \"%1\" is not one of %2.")
            .arg(sslMode, sslModes().join(QStringLiteral(", ")));
    const QString conninfo = options().validate();
    if (!conninfo.isEmpty())
        return QStringLiteral("The connection settings do not parse: %1").arg(conninfo);
    return {};
}

QString ConnectionProfile::transportWarning() const
{
    if (local || ConnectionOptions::isLocalHost(host))
        return {};
    // Empty: libpq's default, PGSSLMODE or else prefer.
    const QString mode =
        sslMode.isEmpty() ? qEnvironmentVariable("PGSSLMODE", QStringLiteral("prefer")) : sslMode;
    if (mode == QLatin1String("require") || mode == QLatin1String("verify-ca") ||
        mode == QLatin1String("verify-full"))
        return {};
    if (mode == QLatin1String("disable") || mode == QLatin1String("allow"))
        return QStringLiteral("Not encrypted: %1 is on another machine, and with sslmode %2 the "
                              "password and every value cross the network in plain text. Use "
                              "verify-full.")
            .arg(host, mode);
    return QStringLiteral("Maybe not encrypted: %1 is on another machine, and with sslmode %2 "
                          "the connection falls back to plain text when TLS is not offered, and "
                          "accepts any certificate. Use verify-full.")
        .arg(host, mode);
}

QStringList ConnectionProfile::sslModes()
{
    return {QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
            QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
}

// ---------------------------------------------------------------------------------------------

ProfileStore::ProfileStore(QSettings *settings)
    : m_settings(settings ? settings : new QSettings)
    , m_ownsSettings(!settings)
{}

ProfileStore::~ProfileStore()
{
    if (m_ownsSettings)
        delete m_settings;
}

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QList<ConnectionProfile> list;
    m_settings->beginGroup(ProfilesGroup);
    const QStringList groups = m_settings->childGroups();
    m_settings->endGroup();
    for (const QString &group : groups) {
        const QString name =
            m_settings->value(ProfilesGroup + QLatin1Char('/') + group + QStringLiteral("/name"))
                .toString();
        // A group whose stored name does not encode back to it was not written by us.
        if (name.isEmpty() || groupKey(name) != group)
            continue;
        if (const auto found = profile(name))
            list.append(*found);
    }
    std::sort(list.begin(), list.end(), [](const ConnectionProfile &a, const ConnectionProfile &b) {
        const int folded = a.name.compare(b.name, Qt::CaseInsensitive);
        return folded != 0 ? folded < 0 : a.name < b.name;
    });
    return list;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString &name) const
{
    if (name.isEmpty())
        return std::nullopt;
    m_settings->beginGroup(ProfilesGroup + QLatin1Char('/') + groupKey(name));
    std::optional<ConnectionProfile> result;
    if (m_settings->value(QStringLiteral("name")).toString() == name) {
        ConnectionProfile profile;
        profile.name = name;
        profile.host = m_settings->value(QStringLiteral("host")).toString();
        profile.port = m_settings->value(QStringLiteral("port")).toString();
        profile.database = m_settings->value(QStringLiteral("database")).toString();
        profile.user = m_settings->value(QStringLiteral("user")).toString();
        profile.sslMode = m_settings->value(QStringLiteral("sslMode")).toString();
        profile.auditUserId = m_settings->value(QStringLiteral("auditUserId")).toString();
        profile.production = m_settings->value(QStringLiteral("production")).toBool();
        profile.savePassword = m_settings->value(QStringLiteral("savePassword")).toBool();
        result = profile;
    }
    m_settings->endGroup();
    return result;
}

void ProfileStore::save(const ConnectionProfile &profile)
{
    if (profile.name.isEmpty() || profile.local)
        return;
    const QString group = ProfilesGroup + QLatin1Char('/') + groupKey(profile.name);
    m_settings->remove(group);
    m_settings->beginGroup(group);
    m_settings->setValue(QStringLiteral("name"), profile.name);
    m_settings->setValue(QStringLiteral("host"), profile.host);
    m_settings->setValue(QStringLiteral("port"), profile.port);
    m_settings->setValue(QStringLiteral("database"), profile.database);
    m_settings->setValue(QStringLiteral("user"), profile.user);
    m_settings->setValue(QStringLiteral("sslMode"), profile.sslMode);
    m_settings->setValue(QStringLiteral("auditUserId"), profile.auditUserId);
    m_settings->setValue(QStringLiteral("production"), profile.production);
    m_settings->setValue(QStringLiteral("savePassword"), profile.savePassword);
    m_settings->endGroup();
    m_settings->sync();
}

void ProfileStore::remove(const QString &name)
{
    if (name.isEmpty())
        return;
    m_settings->remove(ProfilesGroup + QLatin1Char('/') + groupKey(name));
    if (lastUsed() == name)
        m_settings->remove(LastUsedKey);
    m_settings->sync();
}

void ProfileStore::rename(const QString &from, const QString &to)
{
    if (from == to || to.isEmpty())
        return;
    std::optional<ConnectionProfile> profile = this->profile(from);
    if (!profile)
        return;
    const bool wasLastUsed = lastUsed() == from;
    profile->name = to;
    save(*profile);
    remove(from);
    if (wasLastUsed)
        setLastUsed(to);
}

QString ProfileStore::lastUsed() const
{
    return m_settings->value(LastUsedKey).toString();
}

void ProfileStore::setLastUsed(const QString &name)
{
    m_settings->setValue(LastUsedKey, name);
    m_settings->sync();
}
