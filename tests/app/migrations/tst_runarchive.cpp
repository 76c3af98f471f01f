// The archive of finished runs, the comparison with the previous run of the same migrations,
// and the CSV/JSON exports. Local files only: no database.
#include "migrations/runarchive.h"

#include "migrations/report.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TstRunArchive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void muchSlowerRule_data();
    void muchSlowerRule();
    void comparesWithTheLatestRunOfTheSameMigrations();
    void ignoresRunsOfOtherMigrationsOrChangedFiles();
    void runsWithoutMigrationsAreNotArchived();
    void exportsOneRowPerStep();
};

static StepReport step(const QString &migration, int number, double ms,
                       StepReport::State state = StepReport::State::Done)
{
    StepReport s;
    s.migration = migration;
    s.fileName = migration + QStringLiteral(".sql");
    s.step = number;
    s.line = number * 2;
    s.summary = QStringLiteral("CREATE TABLE t%1").arg(number);
    s.ms = ms;
    s.state = state;
    return s;
}

static RunReport run(const QList<double> &ms, const QString &migration = QStringLiteral("001_a"))
{
    RunReport report;
    MigrationOutcome outcome;
    outcome.id = migration;
    outcome.version = migration.left(3);
    outcome.steps = int(ms.size());
    outcome.state = MigrationOutcome::State::Applied;
    report.migrations.append(outcome);
    for (int i = 0; i < ms.size(); ++i)
        report.steps.append(step(migration, i + 1, ms.at(i)));
    return report;
}

void TstRunArchive::muchSlowerRule_data()
{
    QTest::addColumn<double>("previous");
    QTest::addColumn<double>("now");
    QTest::addColumn<bool>("flagged");
    QTest::newRow("same") << 100.0 << 100.0 << false;
    QTest::newRow("faster") << 100.0 << 10.0 << false;
    QTest::newRow("twice exactly") << 100.0 << 200.0 << false;
    QTest::newRow("three times") << 100.0 << 300.0 << true;
    QTest::newRow("tiny step tripled") << 1.0 << 3.0 << false;
    QTest::newRow("20 ms more, over 2x") << 10.0 << 30.0 << true;
    QTest::newRow("19 ms more, over 2x") << 10.0 << 29.0 << false;
    QTest::newRow("from zero") << 0.0 << 25.0 << true;
    QTest::newRow("no previous time") << -1.0 << 500.0 << false;
    QTest::newRow("not done now") << 10.0 << -1.0 << false;
}

void TstRunArchive::muchSlowerRule()
{
    QFETCH(double, previous);
    QFETCH(double, now);
    QFETCH(bool, flagged);
    QCOMPARE(isMuchSlower(previous, now), flagged);
}

void TstRunArchive::comparesWithTheLatestRunOfTheSameMigrations()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    RunArchive archive(dir.path());
    const QHash<QString, QByteArray> sums{{QStringLiteral("001_a"), "aaa"}};
    QString error;
    QVERIFY(!archive.save(run({50, 50, 50}), sums, &error).isEmpty());
    const QString second = archive.save(run({10, 10, 10}), sums, &error);
    QVERIFY2(!second.isEmpty(), qPrintable(error));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);

    const RunReport now = run({10, 45, 5});
    const RunComparison comparison = archive.compareWithLatest(now, sums);
    QVERIFY(comparison.found);
    QCOMPARE(comparison.previousFile, second);
    QCOMPARE(comparison.steps.size(), 3);
    QCOMPARE(comparison.steps.at(1).previousMs, 10.0);
    QCOMPARE(comparison.steps.at(1).nowMs, 45.0);
    QVERIFY(!comparison.steps.at(0).flagged);
    QVERIFY(comparison.steps.at(1).flagged);
    QVERIFY(!comparison.steps.at(2).flagged);
    QCOMPARE(comparison.flaggedCount(), 1);
    QVERIFY(comparison.find(QStringLiteral("001_a"), 2)->flagged);

    // the run itself, saved first, is skipped
    const QString self = archive.save(now, sums, &error);
    const RunComparison again = archive.compareWithLatest(now, sums, self);
    QCOMPARE(again.previousFile, second);
}

void TstRunArchive::ignoresRunsOfOtherMigrationsOrChangedFiles()
{
    QTemporaryDir dir;
    RunArchive archive(dir.path());
    QVERIFY(!archive.save(run({10}), {{QStringLiteral("001_a"), "aaa"}}).isEmpty());
    QVERIFY(!archive.save(run({10}, QStringLiteral("002_b")), {{QStringLiteral("002_b"), "bbb"}})
                 .isEmpty());
    // same id, other checksum: the file changed, the times say nothing
    QVERIFY(!archive.compareWithLatest(run({40}), {{QStringLiteral("001_a"), "changed"}}).found);
    QVERIFY(archive.compareWithLatest(run({40}), {{QStringLiteral("001_a"), "aaa"}}).found);
    // a run of 001 and 002 together matches neither single run
    RunReport both = run({40});
    both.migrations.append(run({40}, QStringLiteral("002_b")).migrations.first());
    both.steps.append(step(QStringLiteral("002_b"), 1, 40));
    QVERIFY(!archive
                 .compareWithLatest(
                     both, {{QStringLiteral("001_a"), "aaa"}, {QStringLiteral("002_b"), "bbb"}})
                 .found);
}

void TstRunArchive::runsWithoutMigrationsAreNotArchived()
{
    QTemporaryDir dir;
    RunArchive archive(dir.path());
    QString error;
    QVERIFY(archive.save(RunReport{}, {}, &error).isEmpty());
    QVERIFY(error.isEmpty());
    QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());
    QVERIFY(RunArchive().directory().endsWith(QLatin1String("/runs")));
}

void TstRunArchive::exportsOneRowPerStep()
{
    RunReport now = run({10, 45});
    now.steps.append(step(QStringLiteral("001_a"), 3, -1, StepReport::State::Skipped));
    now.steps[0].summary = QStringLiteral("INSERT INTO t VALUES ('a, \"b\"')");
    const RunComparison comparison = compareRuns(now, Report::runJson(run({10, 10, 10})));
    const QByteArray csv = runCsv(now, comparison);
    const QList<QByteArray> lines = csv.trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    QVERIFY(lines.at(0).startsWith("migration,step,statement,file,line,ms,state"));
    QCOMPARE(lines.at(1), QByteArray("001_a,1,\"INSERT INTO t VALUES ('a, \"\"b\"\"')\","
                                     "001_a.sql,2,10.000,done,10.000,"));
    QVERIFY2(lines.at(2).endsWith(",45.000,done,10.000,yes"), lines.at(2).constData());
    QVERIFY2(lines.at(3).endsWith(",,skipped,10.000,"), lines.at(3).constData());

    const QJsonObject json = runExportJson(now, comparison);
    QCOMPARE(json.value(QStringLiteral("steps")).toArray().size(), 3);
    const QJsonArray compared = json.value(QStringLiteral("comparison"))
                                    .toObject()
                                    .value(QStringLiteral("steps"))
                                    .toArray();
    QCOMPARE(compared.size(), 3);
    QCOMPARE(compared.at(1).toObject().value(QStringLiteral("much_slower")).toBool(), true);
    QVERIFY(!runExportJson(now, {}).contains(QStringLiteral("comparison")));
}

QTEST_GUILESS_MAIN(TstRunArchive)
#include "tst_runarchive.moc"
