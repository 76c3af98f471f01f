// ChangeListener: a committed parameter change (through the audit and notify triggers) arrives
// as a signal with its change set, a rolled-back one never does, and a dropped connection is
// reported and re-established.
#include "db/changelistener.h"
#include "sandbox/sandbox.h"
#include "testdatabase.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstChangeListener : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void committedChangeArrives();
    void rolledBackChangeNeverArrives();
    void reconnectsAfterTheConnectionDrops();
    void unreachableServerFailsAndRetries();

private:
    bool change(const QByteArray &value, const QByteArray &changeSet = {}, bool commit = true);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_other;
};

void TstChangeListener::initTestCase()
{
    qRegisterMetaType<ParameterChangeNotice>();
    qRegisterMetaType<DbError>();
    m_db = std::make_unique<TestDatabase>(u"changelistener"_s);
    QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    const RunReport report = migrateDatabase(m_db->options());
    QVERIFY2(report.outcome == RunReport::Outcome::Ok, qPrintable(report.error.toString()));
    m_other = std::make_unique<PgConnection>();
    DbError error;
    QVERIFY2(m_other->open(m_db->options(), &error), qPrintable(error.toString()));
    DemoSeedOptions options;
    options.changelogRows = 100;
    options.metricRows = 100;
    options.chatRows = 5;
    QVERIFY2(runDemoSeed(*m_other, options, nullptr, &error), qPrintable(error.toString()));
    const PgResult inserted = m_other->exec(
        "INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type,"
        " current_value, default_value, min_value, max_value)"
        " VALUES ('A1', 'tst_level', 'integer', '1', '1', '0', '100')");
    QVERIFY2(inserted.ok(), qPrintable(inserted.error().toString()));
}

// Sets A1.tst_level through the audit trigger path, on another connection.
bool TstChangeListener::change(const QByteArray &value, const QByteArray &changeSet, bool commit)
{
    bool ok = m_other->exec("BEGIN").ok();
    if (!changeSet.isEmpty())
        ok = ok &&
             m_other->exec("SELECT set_config('algoadmin.change_set', $1, true)", {changeSet}).ok();
    ok = ok && m_other
                   ->exec("UPDATE algorithm_parameters SET current_value = $1"
                          " WHERE algorithm_id = 'A1' AND parameter_name = 'tst_level'",
                          {value})
                   .ok();
    return m_other->exec(commit && ok ? "COMMIT" : "ROLLBACK").ok() && ok;
}

void TstChangeListener::committedChangeArrives()
{
    ChangeListener listener(m_db->options());
    QSignalSpy received(&listener, &ChangeListener::changeReceived);
    DbError error;
    QVERIFY2(listener.start(&error), qPrintable(error.toString()));
    QVERIFY(listener.isListening());
    QVERIFY(change("2"));
    QTRY_COMPARE(received.count(), 1);
    auto notice = received.takeFirst().at(0).value<ParameterChangeNotice>();
    QCOMPARE(notice.algorithmId, u"A1"_s);
    QCOMPARE(notice.parameterName, u"tst_level"_s);
    QVERIFY(notice.changeSet.isEmpty());
    // the change landed in the changelog through the trigger as well
    QCOMPARE(value(*m_db, "SELECT count(*) FROM algorithm_changelog"
                          " WHERE parameter_name = 'tst_level' AND new_value = '2'"),
             u"1"_s);

    QVERIFY(change("3", "cs-42"));
    QTRY_COMPARE(received.count(), 1);
    notice = received.takeFirst().at(0).value<ParameterChangeNotice>();
    QCOMPARE(notice.changeSet, u"cs-42"_s);
}

void TstChangeListener::rolledBackChangeNeverArrives()
{
    ChangeListener listener(m_db->options());
    QSignalSpy received(&listener, &ChangeListener::changeReceived);
    DbError error;
    QVERIFY2(listener.start(&error), qPrintable(error.toString()));
    QVERIFY(change("50", {}, false));
    QTest::qWait(500);
    QCOMPARE(received.count(), 0);
    // the listener is alive: the next committed change is the only one that arrives
    QVERIFY(change("51"));
    QTRY_COMPARE(received.count(), 1);
    QTest::qWait(200);
    QCOMPARE(received.count(), 1);
}

void TstChangeListener::reconnectsAfterTheConnectionDrops()
{
    ChangeListener listener(m_db->options());
    QSignalSpy received(&listener, &ChangeListener::changeReceived);
    QSignalSpy lost(&listener, &ChangeListener::connectionLost);
    QSignalSpy restored(&listener, &ChangeListener::connectionRestored);
    DbError error;
    QVERIFY2(listener.start(&error), qPrintable(error.toString()));
    const int pid = listener.backendPid();
    QVERIFY(pid > 0);
    QCOMPARE(value(*m_db, "SELECT pg_terminate_backend($1::int)", {QByteArray::number(pid)}),
             u"t"_s);
    QTRY_COMPARE(lost.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, 10000);
    QVERIFY(listener.isListening());
    QVERIFY(listener.backendPid() != pid);
    QVERIFY(change("60"));
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(lost.count(), 1);
}

void TstChangeListener::unreachableServerFailsAndRetries()
{
    ConnectionOptions nowhere;
    nowhere.database = u"host=127.0.0.1 port=1 dbname=x connect_timeout=2"_s;
    ChangeListener listener(nowhere);
    DbError error;
    QVERIFY(!listener.start(&error));
    QVERIFY(error.isError());
    QVERIFY(!listener.isListening());
    listener.stop();
}

QTEST_GUILESS_MAIN(TstChangeListener)
#include "tst_changelistener.moc"
