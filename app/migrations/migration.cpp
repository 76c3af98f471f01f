#include "migrations/migration.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <algorithm>

static const QRegularExpression &fileNamePattern()
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)_([A-Za-z0-9_\\-]+)\\.sql$"));
    return pattern;
}

bool parseMigration(const QString &fileName, const QString &path, const QByteArray &contents,
                    Migration *migration, QString *error)
{
    const auto match = fileNamePattern().match(fileName);
    if (!match.hasMatch()) {
        *error = QStringLiteral("%1: a migration file must be named NNN_name.sql "
                                "(digits, an underscore, letters/digits/underscores)")
                     .arg(path);
        return false;
    }
    Migration m;
    m.version = match.captured(1);
    m.name = match.captured(2);
    m.fileName = fileName;
    m.path = path;
    m.checksum = QCryptographicHash::hash(contents, QCryptographicHash::Sha256).toHex();
    QString text = QString::fromUtf8(contents);
    if (text.startsWith(QChar(0xFEFF))) // an editor's byte-order mark is not SQL
        text.remove(0, 1);
    m.transactional = !text.section(QLatin1Char('\n'), 0, 0)
                           .trimmed()
                           .startsWith(QLatin1String(NoTransactionMarker));
    const SqlSplitResult split = splitSqlStatements(text);
    if (!split.ok()) {
        *error = QStringLiteral("%1:%2: %3").arg(fileName).arg(split.errorLine).arg(split.error);
        return false;
    }
    m.statements = split.statements;
    *migration = m;
    return true;
}

static MigrationSet loadFrom(const QString &directory, const QString &source)
{
    MigrationSet set;
    set.source = source;
    QDir dir(directory);
    if (!dir.exists()) {
        set.error = QStringLiteral("migrations directory %1 does not exist").arg(directory);
        return set;
    }
    const QStringList files = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &fileName : files) {
        const QString path = dir.filePath(fileName);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            set.error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return set;
        }
        Migration migration;
        if (!parseMigration(fileName, path, file.readAll(), &migration, &set.error))
            return set;
        const auto clash =
            std::find_if(set.migrations.cbegin(), set.migrations.cend(), [&](const Migration &m) {
                return m.versionNumber() == migration.versionNumber();
            });
        if (clash != set.migrations.cend()) {
            set.error = QStringLiteral("%1 and %2 have the same version number")
                            .arg(clash->fileName, fileName);
            return set;
        }
        set.migrations.append(migration);
    }
    std::sort(set.migrations.begin(), set.migrations.end(),
              [](const Migration &a, const Migration &b) {
                  return a.versionNumber() < b.versionNumber();
              });
    if (set.migrations.isEmpty())
        set.error = QStringLiteral("no NNN_name.sql files in %1").arg(directory);
    return set;
}

MigrationSet MigrationSet::bundled()
{
    return loadFrom(QStringLiteral(":/sql"), QStringLiteral("bundled"));
}

MigrationSet MigrationSet::fromDirectory(const QString &directory)
{
    return loadFrom(directory, QDir(directory).absolutePath());
}

const Migration *MigrationSet::find(const QString &version) const
{
    for (const Migration &migration : migrations) {
        if (migration.version == version)
            return &migration;
    }
    return nullptr;
}
