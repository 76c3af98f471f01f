#include "migrations/migration.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <limits>

static const QRegularExpression &fileNamePattern()
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)_([A-Za-z0-9_\\-]+)\\.sql$"));
    return pattern;
}

// The first byte that is not well-formed UTF-8 (Unicode's table 3-7, which the server's
// pg_utf8_islegal also follows), or a NUL byte, which the server refuses as well and libpq would
// cut the statement at; -1 when there is none. `length` receives how many bytes the server would
// name: as many as the lead byte announces, cut at the end of the data.
static qsizetype invalidUtf8Offset(const QByteArray &bytes, int *length)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        const unsigned char lead = data[i];
        int count = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (lead >= 0x01 && lead <= 0x7F) {
            ++i;
            continue;
        } else if (lead >= 0xC2 && lead <= 0xDF) {
            count = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            count = 2;
            low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
            high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            count = 3;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
        }
        bool valid = count > 0 && i + count < size;
        for (int k = 1; valid && k <= count; ++k) {
            const unsigned char c = data[i + k];
            valid = k == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF);
        }
        if (!valid) {
            const int announced = lead >= 0xF8   ? 1
                                  : lead >= 0xF0 ? 4
                                  : lead >= 0xE0 ? 3
                                  : lead >= 0xC0 ? 2
                                                 : 1;
            *length = int(qMin<qsizetype>(announced, size - i));
            return i;
        }
        i += count + 1;
    }
    return -1;
}

// The server's own words for the same file (psql shows them), plus where and what to do.
static QString invalidUtf8Error(const QString &fileName, const QByteArray &bytes, qsizetype offset,
                                int length)
{
    const QByteArray before = bytes.left(offset);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const int line = int(before.count('\n')) + 1;
    QStringList hex;
    for (int k = 0; k < length; ++k)
        hex << QStringLiteral("0x%1").arg(uint(uchar(bytes[offset + k])), 2, 16, QLatin1Char('0'));
    const QString what =
        bytes[offset] == '\0'
            ? QStringLiteral("the file contains a NUL byte, which no SQL text may hold")
            : QStringLiteral("the file is not valid UTF-8, so it cannot be sent unchanged; "
                             "convert it to UTF-8 (e.g. iconv -f LATIN1 -t UTF-8 if it is "
                             "Latin-1) and check the result");
    return QStringLiteral("%1:%2: invalid byte sequence for encoding \"UTF8\": %3 at byte %4 "
                          "of line %2 (byte %5 of the file); %6")
        .arg(fileName)
        .arg(line)
        .arg(hex.join(QLatin1Char(' ')))
        .arg(offset - lineStart + 1)
        .arg(offset + 1)
        .arg(what);
}

QByteArray statementsChecksum(const Migration &migration, int count)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (int i = 0; i < count && i < migration.statements.size(); ++i) {
        hash.addData(migration.statements.at(i).text.toUtf8());
        hash.addData(QByteArrayView("\0", 1)); // "a;b" and "a" + "b" differ
    }
    return hash.result().toHex();
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
    // QString::fromUtf8 would turn such bytes into U+FFFD and change the data without a word.
    int badLength = 0;
    if (const qsizetype bad = invalidUtf8Offset(contents, &badLength); bad >= 0) {
        *error = invalidUtf8Error(fileName, contents, bad, badLength);
        return false;
    }
    QString text = QString::fromUtf8(contents);
    if (text.startsWith(QChar(0xFEFF))) // an editor's byte-order mark is not SQL
        text.remove(0, 1);
    m.transactional = !text.section(QLatin1Char('\n'), 0, 0)
                           .trimmed()
                           .startsWith(QLatin1String(NoTransactionMarker));
    const SqlSplitResult split = splitSqlStatements(text, {m.transactional});
    if (!split.ok()) {
        *error = QStringLiteral("%1:%2: %3").arg(fileName).arg(split.errorLine).arg(split.error);
        return false;
    }
    m.statements = split.statements;
    *migration = m;
    return true;
}

// Numbers missing between two files of a counted set (versions of at most four digits: 001,
// 002, …, or 10, 20, … counted in steps). Timestamp versions (20240101120000_…) have gaps by
// nature, and files before the first one may have been squashed away: neither is a gap.
static QList<MigrationGap> findGaps(const QList<Migration> &sorted)
{
    if (sorted.size() < 3 || std::any_of(sorted.cbegin(), sorted.cend(),
                                         [](const Migration &m) { return m.version.size() > 4; }))
        return {};
    qint64 step = std::numeric_limits<qint64>::max();
    for (qsizetype i = 1; i < sorted.size(); ++i)
        step = std::min(step, sorted.at(i).versionNumber() - sorted.at(i - 1).versionNumber());
    QList<MigrationGap> gaps;
    for (qsizetype i = 1; i < sorted.size(); ++i) {
        const Migration &before = sorted.at(i - 1);
        const Migration &after = sorted.at(i);
        for (qint64 n = before.versionNumber() + step; n < after.versionNumber(); n += step)
            gaps.append({n, QString::number(n).rightJustified(before.version.size(), u'0'),
                         before.fileName, after.fileName, step});
    }
    return gaps;
}

QString MigrationGap::describe() const
{
    return QStringLiteral("version %1 is missing between %2 and %3 (the others are %4 apart)")
        .arg(version, before, after)
        .arg(step);
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
    // Every *.sql entry, not only the readable files: a broken link, a loop of links or a
    // directory named like a migration was skipped without a word, and the run went on
    // without that migration.
    const QFileInfoList entries =
        dir.entryInfoList({QStringLiteral("*.sql")},
                          QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &info : entries) {
        const QString fileName = info.fileName();
        const QString path = dir.filePath(fileName);
        if (info.isSymLink() && !info.exists()) {
            set.error = QStringLiteral("%1 is a link to %2, which does not exist (or is a loop of "
                                       "links); restore the file it stands for, or remove the "
                                       "link")
                            .arg(path, info.symLinkTarget());
            return set;
        }
        if (!info.isFile()) {
            set.error = QStringLiteral("%1 is not a file (a directory, pipe or device); a "
                                       "migration is a plain SQL file")
                            .arg(path);
            return set;
        }
        if (info.size() > MigrationSet::MaxFileBytes) {
            set.error = QStringLiteral("%1 is %2 MB; a migration file may be at most %3 MB (it is "
                                       "read whole and kept for its checksum): split it, or load "
                                       "bulk data with COPY from a file of its own")
                            .arg(path)
                            .arg(double(info.size()) / (1024 * 1024), 0, 'f', 0)
                            .arg(MigrationSet::MaxFileBytes / (1024 * 1024));
            return set;
        }
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
    else
        set.gaps = findGaps(set.migrations);
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
