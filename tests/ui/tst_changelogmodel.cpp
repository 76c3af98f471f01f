// ChangelogModel, the Changelog panel's sliding window of keyset pages, against a real
// database of 20,000 changes (50 of them with no time, as old databases have): walking the
// whole result page by page in both directions visits every row exactly once in the server's
// order while other clients add changes, the window never holds more than its bound, rows come
// in above and at the newest end, and a jump to a moment starts there. The model is under
// QAbstractItemModelTester throughout.
#include "changelog/changelogmodel.h"
#include "db/sqltimestamp.h"
#include "repositoryfixture.h"
#include "threadspy.h"
#include "workers/changelogworker.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstChangelogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void walksDownEveryRowOnceWhileRowsArrive();
    void walksUpFromTheOldestEnd();
    void oldestFirstIsTheReverse();
    void newRowsComeInAtTheTop();
    void aJumpStartsAtTheMoment();
    void filtersNarrowThePages();

private:
    // Waits for the model's page on its way; false on a timeout or an error.
    bool waitPage();
    // Every id in the server's NewestFirst order (the brute force).
    QStringList allIds(const QByteArray &where = {}, int limit = 0);
    // Adds `count` changes as another client would (the audit trigger writes the rows).
    void otherClientChanges(int count);

    std::unique_ptr<TestDatabase> m_db;
    ChangelogWorker *m_worker = nullptr;
    std::unique_ptr<ChangelogModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    int m_maxSeen = 0;
    int m_changes = 0;
};

void TstChangelogModel::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"changelogmodel"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    PgConnection connection;
    DbError error;
    QVERIFY(connection.open(m_db->options(), &error));
    DemoSeedOptions options;
    options.changelogRows = 20000;
    options.metricRows = 10;
    options.chatRows = 0;
    QVERIFY2(runDemoSeed(connection, options, nullptr, &error), qPrintable(error.toString()));
    // Rows of an old database: no time, no user, no old value.
    QVERIFY(m_db->exec("INSERT INTO algorithm_changelog (algorithm_id, parameter_name, old_value,"
                       " new_value, modified_at) SELECT 'A1', 'legacy_' || g, NULL, g::text, NULL"
                       " FROM generate_series(1, 50) g")
                .ok());
}

void TstChangelogModel::cleanupTestCase()
{
    m_db.reset();
}

void TstChangelogModel::init()
{
    m_worker = new ChangelogWorker;
    m_worker->start();
    ThreadSpy opened(m_worker, &ChangelogWorker::connectionOpened);
    m_worker->setConnection(m_db->options());
    QVERIFY(opened.wait(20000));
    m_model = std::make_unique<ChangelogModel>(m_worker);
    m_model->setWindow(200, 5); // at most 1,000 rows
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_maxSeen = 0;
    connect(m_model.get(), &QAbstractItemModel::rowsInserted, this,
            [this] { m_maxSeen = std::max(m_maxSeen, m_model->rowCount()); });
}

void TstChangelogModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_worker->shutdown();
    m_worker = nullptr;
}

bool TstChangelogModel::waitPage()
{
    if (!m_model->isFetching())
        return true;
    QSignalSpy arrived(m_model.get(), &ChangelogModel::pageArrived);
    if (!arrived.wait(20000))
        return false;
    return !arrived.constFirst().constFirst().value<DbError>().isError();
}

QStringList TstChangelogModel::allIds(const QByteArray &where, int limit)
{
    QStringList ids;
    const PgResult r = m_db->exec("SELECT id FROM algorithm_changelog " + where +
                                  " ORDER BY modified_at DESC NULLS LAST, id DESC" +
                                  (limit > 0 ? " LIMIT " + QByteArray::number(limit) : ""));
    for (int row = 0; row < r.rows(); ++row)
        ids.append(r.value(row, 0));
    return ids;
}

void TstChangelogModel::otherClientChanges(int count)
{
    for (int i = 0; i < count; ++i) {
        ++m_changes;
        const QByteArray sql =
            "UPDATE algorithm_parameters SET current_value = (current_value::numeric + 1)::text"
            " WHERE id = (SELECT id FROM algorithm_parameters WHERE parameter_type = 'integer'"
            " AND max_value IS NULL ORDER BY id LIMIT 1)";
        const PgResult r = m_db->exec(sql);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    }
}

void TstChangelogModel::walksDownEveryRowOnceWhileRowsArrive()
{
    const QStringList expected = allIds();
    QVERIFY(expected.size() >= 20050);
    QStringList seen;
    connect(m_model.get(), &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    seen.append(m_model->entry(row).id);
            });
    m_model->reset({}, ChangelogOrder::NewestFirst);
    QVERIFY(waitPage());
    int pages = 1;
    // QAbstractItemModelTester asks for more itself as rows come in: either fetches.
    while (!m_model->atBottom()) {
        if (m_model->canFetchMore())
            m_model->fetchMore();
        QVERIFY(waitPage());
        if (++pages % 20 == 0)
            otherClientChanges(3); // newer than every row: never in the walk
    }
    QVERIFY(m_model->atBottom());
    QVERIFY(!m_model->atTop()); // the first pages left the window
    QCOMPARE(seen.size(), expected.size());
    QCOMPARE(seen, expected);
    QVERIFY2(m_maxSeen <= m_model->maxRows(), qPrintable(QString::number(m_maxSeen)));
    QVERIFY(m_model->rowCount() <= m_model->maxRows());
    // The last rows are the legacy ones without a time.
    QVERIFY(m_model->entry(m_model->rowCount() - 1).modifiedAtText.isNull());
    QCOMPARE(m_model->firstRowIndex() + m_model->rowCount(), qint64(expected.size()));
}

void TstChangelogModel::walksUpFromTheOldestEnd()
{
    const QStringList expected = allIds();
    m_model->reset({}, ChangelogOrder::NewestFirst, true);
    QVERIFY(waitPage());
    QVERIFY(m_model->atBottom());
    QCOMPARE(m_model->firstRowIndex(), qint64(-1)); // unknown until the top is reached
    // The window shows the last rows of the whole order.
    QCOMPARE(m_model->entry(m_model->rowCount() - 1).id, expected.constLast());
    QStringList seen;
    for (int row = m_model->rowCount() - 1; row >= 0; --row)
        seen.prepend(m_model->entry(row).id);
    connect(m_model.get(), &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) {
                QCOMPARE(first, 0); // above only
                for (int row = last; row >= first; --row)
                    seen.prepend(m_model->entry(row).id);
            });
    while (!m_model->atTop()) {
        if (m_model->canFetchAbove())
            m_model->fetchAbove();
        QVERIFY(waitPage());
    }
    QVERIFY(m_model->atTop());
    QCOMPARE(m_model->firstRowIndex(), qint64(0));
    QCOMPARE(seen, expected);
    QVERIFY(m_maxSeen <= m_model->maxRows());
}

void TstChangelogModel::oldestFirstIsTheReverse()
{
    QStringList expected = allIds();
    std::reverse(expected.begin(), expected.end());
    QStringList seen;
    connect(m_model.get(), &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    seen.append(m_model->entry(row).id);
            });
    m_model->reset({}, ChangelogOrder::OldestFirst);
    QVERIFY(waitPage());
    QVERIFY(m_model->entry(0).modifiedAtText.isNull()); // the undated rows come first
    while (!m_model->atBottom()) {
        if (m_model->canFetchMore())
            m_model->fetchMore();
        QVERIFY(waitPage());
    }
    QCOMPARE(seen, expected);
}

void TstChangelogModel::newRowsComeInAtTheTop()
{
    m_model->reset({}, ChangelogOrder::NewestFirst);
    QVERIFY(waitPage());
    const std::optional<ChangelogCursor> newest = m_model->newestCursor();
    QVERIFY(newest);
    const QString firstBefore = m_model->entry(0).id;
    otherClientChanges(4);
    ThreadSpy newer(m_worker, &ChangelogWorker::newerLoaded);
    m_worker->loadNewer({}, *newest, 100);
    QVERIFY(newer.wait(20000));
    const auto page = newer.constFirst().at(1).value<ChangelogPage>();
    QCOMPARE(page.entries.size(), 4);
    QSignalSpy above(m_model.get(), &ChangelogModel::rowsAddedAbove);
    m_model->addNewer(page.entries);
    QCOMPARE(above.size(), 1);
    QCOMPARE(above.constFirst().constFirst().toInt(), 4);
    const QStringList expected = allIds({}, 5);
    QStringList top;
    for (int row = 0; row < 5; ++row)
        top.append(m_model->entry(row).id);
    QCOMPARE(top, expected);
    QCOMPARE(m_model->entry(4).id, firstBefore);
    QVERIFY(m_model->rowCount() <= m_model->maxRows());
}

void TstChangelogModel::aJumpStartsAtTheMoment()
{
    const QString middle = m_db->scalar(
        "SELECT modified_at::text FROM algorithm_changelog WHERE modified_at IS NOT NULL"
        " ORDER BY modified_at OFFSET 5000 LIMIT 1");
    const QDateTime moment = SqlTimestamp::fromSql(middle);
    m_model->resetAt({}, ChangelogOrder::NewestFirst, moment);
    QVERIFY(waitPage());
    QVERIFY(m_model->rowCount() > 0);
    QVERIFY(!m_model->atTop());
    const QStringList expected = allIds(
        "WHERE modified_at < '" + SqlTimestamp::toSql(moment).toUtf8() + "'::timestamp", 200);
    QStringList first;
    for (int row = 0; row < std::min(200, m_model->rowCount()); ++row)
        first.append(m_model->entry(row).id);
    QCOMPARE(first, expected);
    // Scrolling up from there reaches rows at and after the moment.
    m_model->fetchAbove();
    QVERIFY(waitPage());
    QVERIFY(m_model->entry(0).modifiedAt >= moment);
}

void TstChangelogModel::filtersNarrowThePages()
{
    ChangelogFilter filter;
    filter.algorithmId = u"A3"_s;
    const QStringList expected = allIds("WHERE algorithm_id = 'A3'");
    QVERIFY(expected.size() > 200);
    QStringList seen;
    connect(m_model.get(), &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    seen.append(m_model->entry(row).id);
            });
    m_model->reset(filter, ChangelogOrder::NewestFirst);
    QVERIFY(waitPage());
    while (!m_model->atBottom()) {
        if (m_model->canFetchMore())
            m_model->fetchMore();
        QVERIFY(waitPage());
    }
    QCOMPARE(seen, expected);
}

QTEST_MAIN(TstChangelogModel)
#include "tst_changelogmodel.moc"
