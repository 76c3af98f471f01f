#include "migrations/runarchive.h"

#include "migrations/report.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

int RunComparison::flaggedCount() const
{
    return int(std::count_if(steps.cbegin(), steps.cend(),
                             [](const StepComparison &s) { return s.flagged; }));
}

const StepComparison *RunComparison::find(const QString &migration, int step) const
{
    for (const StepComparison &s : steps) {
        if (s.step == step && s.migration == migration)
            return &s;
    }
    return nullptr;
}

bool isMuchSlower(double previousMs, double nowMs)
{
    if (previousMs < 0 || nowMs < 0)
        return false;
    return nowMs > 2 * previousMs && nowMs - previousMs >= 20;
}

static QString stepKey(const QString &migration, int step)
{
    return migration + QLatin1Char('/') + QString::number(step);
}

RunComparison compareRuns(const RunReport &now, const QJsonObject &previous)
{
    RunComparison comparison;
    comparison.found = true;
    comparison.previousAt = QDateTime::fromString(
        previous.value(QStringLiteral("archived_at")).toString(), Qt::ISODateWithMs);
    comparison.previousRehearsal =
        previous.value(QStringLiteral("command")).toString() == QLatin1String("rehearse");
    QHash<QString, double> previousMs;
    const QJsonArray steps = previous.value(QStringLiteral("steps")).toArray();
    for (const QJsonValue &value : steps) {
        const QJsonObject step = value.toObject();
        previousMs.insert(stepKey(step.value(QStringLiteral("migration")).toString(),
                                  step.value(QStringLiteral("step")).toInt()),
                          step.value(QStringLiteral("ms")).toDouble(-1));
    }
    for (const StepReport &step : now.steps) {
        StepComparison c;
        c.migration = step.migration;
        c.step = step.step;
        c.nowMs = step.state == StepReport::State::Done ? step.ms : -1;
        c.previousMs = previousMs.value(stepKey(step.migration, step.step), -1);
        c.flagged = isMuchSlower(c.previousMs, c.nowMs);
        comparison.steps.append(c);
    }
    return comparison;
}

QHash<QString, QByteArray> migrationChecksums(const MigrationSet &set)
{
    QHash<QString, QByteArray> checksums;
    for (const Migration &migration : set.migrations)
        checksums.insert(migration.id(), migration.checksum);
    return checksums;
}

RunArchive::RunArchive(const QString &directory)
    : m_directory(directory.isEmpty() ? defaultDirectory() : directory)
{}

QString RunArchive::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/runs");
}

// The identity of a run's migrations: "id=checksum" in run order.
static QStringList identity(const QStringList &ids, const QHash<QString, QByteArray> &checksums)
{
    QStringList parts;
    for (const QString &id : ids)
        parts.append(id + QLatin1Char('=') + QString::fromLatin1(checksums.value(id)));
    return parts;
}

// The identity, short, in the archive's file names: comparing reads only the files of the
// same migrations instead of parsing every run ever archived.
static QString identityTag(const QStringList &identity)
{
    return QString::fromLatin1(QCryptographicHash::hash(identity.join(QLatin1Char('\n')).toUtf8(),
                                                        QCryptographicHash::Sha256)
                                   .toHex()
                                   .left(12));
}

static QStringList runIds(const RunReport &report)
{
    QStringList ids;
    for (const MigrationOutcome &m : report.migrations)
        ids.append(m.id);
    return ids;
}

QString RunArchive::save(const RunReport &report, const QHash<QString, QByteArray> &checksums,
                         QString *error) const
{
    if (report.migrations.isEmpty())
        return {};
    if (!QDir().mkpath(m_directory)) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(m_directory);
        return {};
    }
    QJsonObject json = Report::runJson(report);
    QJsonObject sums;
    for (const MigrationOutcome &m : report.migrations)
        sums.insert(m.id, QString::fromLatin1(checksums.value(m.id)));
    json.insert(QStringLiteral("checksums"), sums);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    json.insert(QStringLiteral("archived_at"), now.toString(Qt::ISODateWithMs));
    // The name sorts by time; a counter keeps two runs of one millisecond apart and in order.
    const QString time = now.toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"));
    const QString kind = report.rehearsal ? QStringLiteral("rehearse") : QStringLiteral("migrate");
    const QDir dir(m_directory);
    int counter = 0;
    while (!dir.entryList(
                   {QStringLiteral("%1-%2-*.json").arg(time).arg(counter, 2, 10, QLatin1Char('0'))},
                   QDir::Files)
                .isEmpty())
        ++counter;
    const QString tag = identityTag(identity(runIds(report), checksums));
    const QString path = dir.filePath(QStringLiteral("%1-%2-%3-%4.json")
                                          .arg(time)
                                          .arg(counter, 2, 10, QLatin1Char('0'))
                                          .arg(kind, tag));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(json).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return {};
    }
    // Keep the newest MaxRuns: the archive is for comparing with recent runs, not a history.
    const QStringList all =
        dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name | QDir::Reversed);
    for (qsizetype i = MaxRuns; i < all.size(); ++i)
        QFile::remove(dir.filePath(all.at(i)));
    return path;
}

RunComparison RunArchive::compareWithLatest(const RunReport &now,
                                            const QHash<QString, QByteArray> &checksums,
                                            const QString &exclude) const
{
    const QStringList wanted = identity(runIds(now), checksums);
    if (wanted.isEmpty())
        return {};
    QDir dir(m_directory);
    const QStringList files = dir.entryList({QStringLiteral("*-%1.json").arg(identityTag(wanted))},
                                            QDir::Files, QDir::Name | QDir::Reversed);
    for (const QString &name : files) {
        const QString path = dir.filePath(name);
        if (!exclude.isEmpty() && QFileInfo(path) == QFileInfo(exclude))
            continue;
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        QStringList ids;
        for (const QJsonValue &m : json.value(QStringLiteral("migrations")).toArray())
            ids.append(m.toObject().value(QStringLiteral("id")).toString());
        QHash<QString, QByteArray> sums;
        const QJsonObject stored = json.value(QStringLiteral("checksums")).toObject();
        for (auto it = stored.begin(); it != stored.end(); ++it)
            sums.insert(it.key(), it.value().toString().toLatin1());
        if (identity(ids, sums) != wanted)
            continue;
        RunComparison comparison = compareRuns(now, json);
        comparison.previousFile = path;
        return comparison;
    }
    return {};
}

static QByteArray csvField(const QString &text)
{
    QString field = text;
    if (field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"')) ||
        field.contains(QLatin1Char('\n'))) {
        field.replace(QLatin1String("\""), QLatin1String("\"\""));
        field = QLatin1Char('"') + field + QLatin1Char('"');
    }
    return field.toUtf8();
}

static QString msText(double ms)
{
    return ms < 0 ? QString() : QString::number(ms, 'f', 3);
}

QByteArray runCsv(const RunReport &report, const RunComparison &comparison)
{
    QByteArray csv = "migration,step,statement,file,line,ms,state,previous_ms,much_slower\n";
    for (const StepReport &step : report.steps) {
        const StepComparison *c = comparison.find(step.migration, step.step);
        const QList<QByteArray> fields{
            csvField(step.migration),
            QByteArray::number(step.step),
            csvField(step.summary),
            csvField(step.fileName),
            QByteArray::number(step.line),
            msText(step.state == StepReport::State::Done ? step.ms : -1).toUtf8(),
            csvField(step.stateName()),
            c ? msText(c->previousMs).toUtf8() : QByteArray(),
            c && c->flagged ? QByteArray("yes") : QByteArray()};
        csv += fields.join(',') + '\n';
    }
    return csv;
}

QJsonObject runExportJson(const RunReport &report, const RunComparison &comparison)
{
    QJsonObject json = Report::runJson(report);
    if (!comparison.found)
        return json;
    QJsonArray steps;
    for (const StepComparison &c : comparison.steps) {
        steps.append(QJsonObject{{QStringLiteral("migration"), c.migration},
                                 {QStringLiteral("step"), c.step},
                                 {QStringLiteral("previous_ms"), c.previousMs},
                                 {QStringLiteral("ms"), c.nowMs},
                                 {QStringLiteral("much_slower"), c.flagged}});
    }
    json.insert(QStringLiteral("comparison"),
                QJsonObject{{QStringLiteral("previous_file"), comparison.previousFile},
                            {QStringLiteral("previous_at"),
                             comparison.previousAt.toString(Qt::ISODateWithMs)},
                            {QStringLiteral("rule"),
                             QStringLiteral("more than 2x the previous ms and at least 20 ms "
                                            "more")},
                            {QStringLiteral("steps"), steps}});
    return json;
}

bool writeRunExport(const QString &fileName, const RunReport &report,
                    const RunComparison &comparison, QString *error)
{
    const QByteArray contents = fileName.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                                    ? runCsv(report, comparison)
                                    : QJsonDocument(runExportJson(report, comparison)).toJson();
    QSaveFile file(fileName);
    if (file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size() && file.commit())
        return true;
    if (error)
        *error = file.errorString();
    return false;
}
