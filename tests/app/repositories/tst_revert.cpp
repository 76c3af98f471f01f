// ParameterRepository's revert and restore against a real, demo-seeded database: an entry, a
// change set (with is_active in it, and tied edits of one parameter), an is_active entry, an
// old value now out of bounds (refused by the database in the preview; nothing written), a
// conflict (refused, then the knowing override), restore to a moment (then the configuration
// now is the one of that moment), and previews that write nothing.
#include "repositories/agentrepository.h"
#include "repositories/parameterrepository.h"
#include "repositories/repositorysupport.h"
#include "repositories/timetravel.h"
#include "repositoryfixture.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString currentValue(TestDatabase &db, const char *agent, const char *name)
{
    return db.scalar("SELECT current_value FROM algorithm_parameters"
                     " WHERE algorithm_id = $1 AND parameter_name = $2",
                     {agent, name});
}

QString active(TestDatabase &db, const char *agent)
{
    return db.scalar("SELECT is_active::text FROM algorithm_agents WHERE algorithm_id = $1",
                     {agent});
}

QString serverNow(TestDatabase &db)
{
    return db.scalar("SELECT clock_timestamp()::timestamp::text");
}

} // namespace

class TstRevert : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void changeSetWithActiveFlag();
    void activeEntry();
    void tiedEditsInOneTransaction();
    void outOfBoundsIsRefused();
    void conflictThenOverride();
    void restoreToAMoment();

private:
    std::unique_ptr<TestDatabase> m_db;
    QSqlDatabase m_database;
};

void TstRevert::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(u"revert"_s);
    const QString prepared = prepareSeededDatabase(*m_db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    DbError error;
    m_database = SqlDatabase::open(m_db->options(), u"revert"_s, &error);
    QVERIFY2(m_database.isOpen(), qPrintable(error.toString()));
}

void TstRevert::cleanupTestCase()
{
    m_database = QSqlDatabase();
    SqlDatabase::close(u"revert"_s);
    m_db.reset();
}

void TstRevert::changeSetWithActiveFlag()
{
    TestDatabase &db = *m_db;
    ParameterRepository repository(m_database);
    const QString wasActive = active(db, "A1");
    const QString nowActive = wasActive == u"true"_s ? u"false"_s : u"true"_s;
    DbError error;
    const ApplyResult first = repository.apply({{u"A1"_s, u"learning_rate"_s, u"0.02"_s, u"0.05"_s},
                                                {u"A1"_s, u"is_active"_s, wasActive, nowActive}},
                                               u"try"_s, 3, &error);
    QVERIFY2(first.ok, qPrintable(error.toString()));
    QCOMPARE(first.changes.size(), 2);
    QCOMPARE(active(db, "A1"), nowActive);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                       {first.changeSet.toUtf8()}),
             u"2"_s);

    // The preview writes nothing.
    const QString checksum = db.scalar(ChecksumSql);
    const SimulateResult preview = repository.simulateRevert(first.changeSet, {}, &error);
    QVERIFY2(preview.ok, qPrintable(error.toString()));
    QCOMPARE(preview.changes.size(), 2);
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    const ApplyResult reverted = repository.revert(first.changeSet, u"undo"_s, 4, {}, &error);
    QVERIFY2(reverted.ok, qPrintable(error.toString()));
    QCOMPARE(currentValue(db, "A1", "learning_rate"), u"0.02"_s);
    QCOMPARE(active(db, "A1"), wasActive);
    QCOMPARE(rows(db,
                  "SELECT parameter_name, old_value, new_value, reason, user_id"
                  " FROM algorithm_changelog WHERE change_set = $1 ORDER BY parameter_name",
                  {reverted.changeSet.toUtf8()}),
             QStringList({u"is_active|%1|%2|undo|4"_s.arg(nowActive, wasActive),
                          u"learning_rate|0.05|0.02|undo|4"_s}));
    // History is never rewritten: the first change set is still there.
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                       {first.changeSet.toUtf8()}),
             u"2"_s);
}

void TstRevert::activeEntry()
{
    TestDatabase &db = *m_db;
    AgentRepository agents(m_database);
    const QString wasActive = active(db, "A2");
    DbError error;
    agents.setActive(u"A2"_s, wasActive != u"true"_s, u"toggle"_s, 5, &error);
    QVERIFY2(!error.isError(), qPrintable(error.toString()));
    const QString entry = db.scalar("SELECT id FROM algorithm_changelog WHERE algorithm_id = 'A2'"
                                    " AND parameter_name = 'is_active' AND reason = 'toggle'");
    ParameterRepository repository(m_database);
    const ApplyResult reverted = repository.revert(entry, u"untoggle"_s, 6, {}, &error);
    QVERIFY2(reverted.ok, qPrintable(error.toString()));
    QCOMPARE(active(db, "A2"), wasActive);
    QCOMPARE(db.scalar("SELECT user_id::text || ' ' || reason FROM algorithm_changelog"
                       " WHERE change_set = $1 AND parameter_name = 'is_active'",
                       {reverted.changeSet.toUtf8()}),
             u"6 untoggle"_s);
}

void TstRevert::tiedEditsInOneTransaction()
{
    TestDatabase &db = *m_db;
    const QString before = currentValue(db, "A1", "window_days");
    for (const QByteArray &sql :
         {QByteArray("BEGIN"), QByteArray("SET LOCAL algoadmin.change_set = 'tied-set'"),
          QByteArray("UPDATE algorithm_parameters SET current_value = '61' WHERE algorithm_id = "
                     "'A1' AND parameter_name = 'window_days'"),
          QByteArray("UPDATE algorithm_parameters SET current_value = '62' WHERE algorithm_id = "
                     "'A1' AND parameter_name = 'window_days'"),
          QByteArray("UPDATE algorithm_parameters SET current_value = '63' WHERE algorithm_id = "
                     "'A1' AND parameter_name = 'window_days'"),
          QByteArray("COMMIT")})
        QVERIFY2(db.exec(sql).ok(), sql.constData());
    ParameterRepository repository(m_database);
    DbError error;
    const ApplyResult reverted = repository.revert(u"tied-set"_s, u"undo tied"_s, 4, {}, &error);
    QVERIFY2(reverted.ok, qPrintable(error.toString()));
    QCOMPARE(reverted.changes.size(), 1);
    QCOMPARE(reverted.changes.constFirst().oldValue, u"63"_s);
    QCOMPARE(currentValue(db, "A1", "window_days"), before);
}

void TstRevert::outOfBoundsIsRefused()
{
    TestDatabase &db = *m_db;
    ParameterRepository repository(m_database);
    DbError error;
    const ApplyResult first = repository.apply(
        {{u"A7"_s, u"regularization"_s, currentValue(db, "A7", "regularization"), u"0.5"_s}},
        u"raise"_s, 3, &error);
    QVERIFY2(first.ok, qPrintable(error.toString()));
    const QString old = first.changes.constFirst().oldValue;
    // Today's minimum is above the old value.
    QVERIFY(db.exec("UPDATE algorithm_parameters SET min_value = '0.3', default_value = '0.3'"
                    " WHERE algorithm_id = 'A7' AND parameter_name = 'regularization'")
                .ok());
    const QString checksum = db.scalar(ChecksumSql);
    const SimulateResult preview = repository.simulateRevert(first.changeSet, {}, &error);
    QVERIFY(!preview.ok);
    QCOMPARE(error.sqlState, u"23514"_s);
    QVERIFY2(error.message.contains(u"below the minimum 0.3"_s), qPrintable(error.toString()));
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    const ApplyResult refused = repository.revert(first.changeSet, u"undo"_s, 4, {}, &error);
    QVERIFY(!refused.ok);
    QCOMPARE(error.sqlState, u"23514"_s);
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    QVERIFY(!old.isEmpty());
}

void TstRevert::conflictThenOverride()
{
    TestDatabase &db = *m_db;
    ParameterRepository repository(m_database);
    DbError error;
    const QString start = currentValue(db, "A1", "learning_rate");
    const ApplyResult first =
        repository.apply({{u"A1"_s, u"learning_rate"_s, start, u"0.1"_s}}, u"first"_s, 3, &error);
    QVERIFY2(first.ok, qPrintable(error.toString()));
    const ApplyResult second = repository.apply(
        {{u"A1"_s, u"learning_rate"_s, u"0.1"_s, u"0.005"_s}}, u"second"_s, 7, &error);
    QVERIFY2(second.ok, qPrintable(error.toString()));

    const QString checksum = db.scalar(ChecksumSql);
    const SimulateResult preview = repository.simulateRevert(first.changeSet, {}, &error);
    QVERIFY(!preview.ok);
    QCOMPARE(preview.conflicts.size(), 1);
    QCOMPARE(preview.conflicts.constFirst().actual, u"0.005"_s);
    QCOMPARE(preview.conflicts.constFirst().reason, u"second"_s);
    QCOMPARE(preview.conflicts.constFirst().userId, 7);
    const ApplyResult refused = repository.revert(first.changeSet, u"undo"_s, 4, {}, &error);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.conflicts.size(), 1);
    QCOMPARE(error.sqlState, u"40001"_s);
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    RevertOptions force;
    force.overrideConflicts = true;
    const SimulateResult forcedPreview = repository.simulateRevert(first.changeSet, force, &error);
    QVERIFY2(forcedPreview.ok, qPrintable(error.toString()));
    QCOMPARE(forcedPreview.changes.constFirst().oldValue, u"0.005"_s);
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    const ApplyResult forced =
        repository.revert(first.changeSet, u"undo anyway"_s, 4, force, &error);
    QVERIFY2(forced.ok, qPrintable(error.toString()));
    QCOMPARE(currentValue(db, "A1", "learning_rate"), start);
    QCOMPARE(db.scalar("SELECT old_value || ' ' || new_value FROM algorithm_changelog"
                       " WHERE change_set = $1",
                       {forced.changeSet.toUtf8()}),
             u"0.005 "_s + start);
}

void TstRevert::restoreToAMoment()
{
    TestDatabase &db = *m_db;
    const QString momentText = serverNow(db);
    const QDateTime moment =
        QDateTime::fromString(momentText.left(23).replace(u' ', u'T'), Qt::ISODateWithMs);
    QVERIFY(moment.isValid());
    const QDateTime utcMoment(moment.date(), moment.time(), Qt::UTC);
    QTest::qWait(5);
    ParameterRepository repository(m_database);
    DbError error;
    const QString wasActive = active(db, "A4");
    const QList<Parameter> parameters = repository.load(u"A4"_s, &error);
    QVERIFY(parameters.size() >= 2);
    QList<ParameterChange> changes;
    for (const Parameter &p : parameters.mid(0, 2))
        changes.append({u"A4"_s, p.name, p.currentValue, p.defaultValue});
    changes.append(
        {u"A4"_s, u"is_active"_s, wasActive, wasActive == u"true"_s ? u"false"_s : u"true"_s});
    const ApplyResult applied = repository.apply(changes, u"drift"_s, 3, &error);
    QVERIFY2(applied.ok, qPrintable(error.toString()));
    QVERIFY(db.exec("INSERT INTO algorithm_parameters (algorithm_id, parameter_name,"
                    " parameter_type, current_value) VALUES ('A4', 'newcomer', 'string', 'n')")
                .ok());

    const QString checksum = db.scalar(ChecksumSql);
    const SimulateResult preview = repository.simulateRestore(u"A4"_s, utcMoment, &error);
    QVERIFY2(preview.ok, qPrintable(error.toString()));
    QVERIFY(preview.changes.size() >= 1);
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    QVERIFY2(preview.skipped.join(u';').contains(u"newcomer"_s),
             qPrintable(preview.skipped.join(u';')));

    const ApplyResult restored = repository.restore(u"A4"_s, utcMoment, u"back"_s, 4, {}, &error);
    QVERIFY2(restored.ok, qPrintable(error.toString()));
    QCOMPARE(active(db, "A4"), wasActive);
    QCOMPARE(currentValue(db, "A4", "newcomer"), u"n"_s);
    QVERIFY(restored.skipped.join(u';').contains(u"newcomer"_s));

    TimeTravelRepository travel(m_database);
    const std::optional<ConfigAt> then = travel.configAt(u"A4"_s, utcMoment, &error);
    QVERIFY(then);
    const std::optional<ConfigAt> now =
        travel.configAt(u"A4"_s, QDateTime::currentDateTimeUtc().addYears(1), &error);
    QVERIFY(now);
    for (const ConfigAtEntry &entry : then->entries) {
        if (!entry.existedThen || !entry.existsNow)
            continue;
        for (const ConfigAtEntry &other : now->entries)
            if (other.name == entry.name)
                QVERIFY2(other.valueNow == entry.valueThen &&
                             other.valueNow.isNull() == entry.valueThen.isNull(),
                         qPrintable(entry.name));
    }

    DbError unknown;
    QVERIFY(!repository.restore(u"NO_SUCH"_s, utcMoment, u"x"_s, 4, {}, &unknown).ok);
    QCOMPARE(unknown.sqlState, u"P0002"_s);
}

QTEST_GUILESS_MAIN(TstRevert)
#include "tst_revert.moc"
