// AgentWorker on its own thread against a seeded test database: connects and reports the
// role's privileges, lists agents, loads an agent with its parameters and drift in one
// request, applies with the change feed answering, cancels a request stuck on a lock, and comes
// back after its connection was killed.
#include "repositories/repositorysupport.h"
#include "repositoryfixture.h"
#include "threadspy.h"
#include "workers/agentworker.h"

#include <QTest>
#include <QThread>

class TstAgentWorker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void opensListsAndLoadsAnAgent();
    void driftIsFoundExactly();
    void driftFollowsSql007sTypingAndSurvivesAnyConfig();
    void applyIsAnsweredAndTheFeedReportsIt();
    void aWriteWithoutAnAuditUserLeavesUserIdNull();
    void cancelStopsARequestWaitingForALock();
    void aKilledConnectionIsReportedThenReopened();
    void aNewConnectionDropsWorkQueuedForTheOld();

private:
    bool openWorker();
    std::unique_ptr<TestDatabase> m_db;
    AgentWorker *m_worker = nullptr;
};

void TstAgentWorker::init()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("agentworker"));
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    m_worker = new AgentWorker;
    m_worker->start();
}

void TstAgentWorker::cleanup()
{
    m_worker->shutdown(QDeadlineTimer::Forever);
    m_worker = nullptr;
    m_db.reset();
}

bool TstAgentWorker::openWorker()
{
    ThreadSpy opened(m_worker, &AgentWorker::connectionOpened);
    ConnectionOptions options = m_db->options();
    options.applicationName = QStringLiteral("agentworker-under-test");
    m_worker->setConnection(options);
    return QTest::qWaitFor([&] { return !opened.isEmpty(); }, 15000);
}

void TstAgentWorker::opensListsAndLoadsAnAgent()
{
    ThreadSpy opened(m_worker, &AgentWorker::connectionOpened);
    m_worker->setConnection(m_db->options());
    QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 15000);
    const auto privileges = opened.at(0).at(0).value<Privileges>();
    QVERIFY(privileges.canUpdateParameters);
    QVERIFY(privileges.canToggleAgents);

    ThreadSpy agents(m_worker, &AgentWorker::agentsLoaded);
    AgentFilter filter;
    const int request = m_worker->loadAgents(filter);
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 10000);
    QCOMPARE(agents.at(0).at(0).toInt(), request);
    const auto list = agents.at(0).at(1).value<QList<Agent>>();
    QCOMPARE(list.size(), value(*m_db, "SELECT count(*) FROM algorithm_agents").toInt());
    QCOMPARE(list.at(0).algorithmId, QStringLiteral("A1"));

    ThreadSpy loaded(m_worker, &AgentWorker::parametersLoaded);
    m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    const auto args = loaded.at(0);
    QVERIFY2(!args.at(4).value<DbError>().isError(),
             qPrintable(args.at(4).value<DbError>().toString()));
    QCOMPARE(args.at(1).value<Agent>().algorithmId, QStringLiteral("A1"));
    QCOMPARE(args.at(2).value<QList<Parameter>>().size(),
             value(*m_db, "SELECT count(*) FROM algorithm_parameters WHERE algorithm_id = 'A1'")
                 .toInt());
    // The seed keeps configs consistent.
    QVERIFY(!args.at(3).value<ConfigDrift>().isDrifted());

    // An agent that does not exist is an error, not an empty success.
    loaded.clear();
    m_worker->loadParameters(QStringLiteral("NOPE"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    QVERIFY(loaded.at(0).at(4).value<DbError>().message.contains(QLatin1String("NOPE")));
}

void TstAgentWorker::driftIsFoundExactly()
{
    QVERIFY(openWorker());
    // A numeric parameter of A1 and its config entry.
    const QString name = value(*m_db, "SELECT parameter_name FROM algorithm_parameters"
                                      " WHERE algorithm_id = 'A1' AND parameter_type = 'float'"
                                      " AND current_value IS NOT NULL ORDER BY 1 LIMIT 1");
    QVERIFY2(!name.isEmpty() && !name.startsWith(QLatin1String("error")), qPrintable(name));
    const QString stored =
        value(*m_db,
              "SELECT current_value FROM algorithm_parameters WHERE algorithm_id = 'A1'"
              " AND parameter_name = $1",
              {name.toUtf8()});
    // The same number written differently is no drift (1.5 = 1.50); a different one is, and so
    // are a key without a parameter and a parameter without its key.
    QVERIFY(m_db->exec("UPDATE algorithm_agents SET current_config = current_config ||"
                       " jsonb_build_object($1::text, ($2::text || '0')::numeric)"
                       " WHERE algorithm_id = 'A1'",
                       {name.toUtf8(), (stored.contains(u'.') ? stored : stored + u'.').toUtf8()})
                .ok());
    ThreadSpy loaded(m_worker, &AgentWorker::parametersLoaded);
    m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    QVERIFY2(!loaded.at(0).at(3).value<ConfigDrift>().isDrifted(),
             qPrintable(loaded.at(0).at(3).value<ConfigDrift>().differing.join(u',')));

    QVERIFY(m_db->exec("UPDATE algorithm_agents SET current_config = (current_config ||"
                       " jsonb_build_object($1::text, 123456.789, 'ghost', 1))"
                       " WHERE algorithm_id = 'A1'",
                       {name.toUtf8()})
                .ok());
    loaded.clear();
    m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    const auto drift = loaded.at(0).at(3).value<ConfigDrift>();
    QCOMPARE(drift.differing, QStringList{name});
    QCOMPARE(drift.extra, QStringList{QStringLiteral("ghost")});
    QVERIFY(drift.missing.isEmpty());
}

void TstAgentWorker::driftFollowsSql007sTypingAndSurvivesAnyConfig()
{
    QVERIFY(openWorker());
    // A type written with a trailing newline and capitals: sql/007 still types the value as a
    // number, so the config it wrote is no drift.
    const QString name = value(*m_db, "SELECT parameter_name FROM algorithm_parameters"
                                      " WHERE algorithm_id = 'A3' AND parameter_type = 'integer'"
                                      " AND min_value IS NOT NULL ORDER BY 1 LIMIT 1");
    QVERIFY2(!name.isEmpty() && !name.startsWith(QLatin1String("error")), qPrintable(name));
    QVERIFY(m_db->exec("UPDATE algorithm_parameters SET parameter_type = E'Integer\\n'"
                       " WHERE algorithm_id = 'A3' AND parameter_name = $1",
                       {name.toUtf8()})
                .ok());
    QVERIFY(m_db->exec("UPDATE algorithm_parameters SET current_value = min_value"
                       " WHERE algorithm_id = 'A3' AND parameter_name = $1",
                       {name.toUtf8()})
                .ok()); // the trigger of sql/007 writes the config entry
    ThreadSpy loaded(m_worker, &AgentWorker::parametersLoaded);
    m_worker->loadParameters(QStringLiteral("A3"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    QVERIFY2(!loaded.at(0).at(3).value<ConfigDrift>().isDrifted(),
             qPrintable(loaded.at(0).at(3).value<ConfigDrift>().differing.join(u',')));

    // A config that is not an object: drift, and the agent still loads.
    for (const char *config : {"null", "[1, 2]", "42"}) {
        QVERIFY(m_db->exec("UPDATE algorithm_agents SET current_config = $1::jsonb"
                           " WHERE algorithm_id = 'A3'",
                           {QByteArray(config)})
                    .ok());
        loaded.clear();
        m_worker->loadParameters(QStringLiteral("A3"));
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
        QVERIFY2(!loaded.at(0).at(4).value<DbError>().isError(),
                 qPrintable(loaded.at(0).at(4).value<DbError>().toString()));
        QVERIFY(!loaded.at(0).at(2).value<QList<Parameter>>().isEmpty());
        const auto drift = loaded.at(0).at(3).value<ConfigDrift>();
        QVERIFY2(drift.extra.join(u',').contains(QLatin1String("not an object")), config);
        QVERIFY(!drift.missing.isEmpty()); // every valued parameter lacks its entry
    }
}

void TstAgentWorker::aWriteWithoutAnAuditUserLeavesUserIdNull()
{
    QVERIFY(openWorker());
    const QString name = value(*m_db, "SELECT parameter_name FROM algorithm_parameters"
                                      " WHERE algorithm_id = 'A4' AND parameter_type = 'integer'"
                                      " AND min_value IS NOT NULL AND current_value <> min_value"
                                      " ORDER BY 1 LIMIT 1");
    QVERIFY2(!name.isEmpty() && !name.startsWith(QLatin1String("error")), qPrintable(name));
    const QStringList row = rows(*m_db,
                                 "SELECT current_value, min_value FROM algorithm_parameters"
                                 " WHERE algorithm_id = 'A4' AND parameter_name = $1",
                                 {name.toUtf8()});
    const QString from = row.value(0).section(u'|', 0, 0);
    const QString to = row.value(0).section(u'|', 1, 1);
    ThreadSpy applied(m_worker, &AgentWorker::applied);
    m_worker->apply({{QStringLiteral("A4"), name, from, to}},
                    QStringLiteral("no audit user on this profile"), RepositorySupport::NoUserId);
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);
    const auto result = applied.at(0).at(1).value<ApplyResult>();
    QVERIFY2(result.ok, qPrintable(applied.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(value(*m_db,
                   "SELECT coalesce(user_id::text, '<null>') FROM algorithm_changelog"
                   " WHERE change_set = $1",
                   {result.changeSet.toUtf8()}),
             QStringLiteral("<null>"));
}

void TstAgentWorker::applyIsAnsweredAndTheFeedReportsIt()
{
    QVERIFY(openWorker());
    const QString name = value(*m_db, "SELECT parameter_name FROM algorithm_parameters"
                                      " WHERE algorithm_id = 'A2' AND parameter_type = 'boolean'"
                                      " ORDER BY 1 LIMIT 1");
    const QString current =
        value(*m_db,
              "SELECT current_value FROM algorithm_parameters WHERE algorithm_id = 'A2'"
              " AND parameter_name = $1",
              {name.toUtf8()});
    const QString next =
        current == QLatin1String("true") ? QStringLiteral("false") : QStringLiteral("true");
    ThreadSpy applied(m_worker, &AgentWorker::applied);
    ThreadSpy feed(m_worker, &AgentWorker::changeReceived);
    m_worker->apply({{QStringLiteral("A2"), name, current, next}},
                    QStringLiteral("worker test apply"), 7);
    QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);
    const auto result = applied.at(0).at(1).value<ApplyResult>();
    QVERIFY2(result.ok, qPrintable(applied.at(0).at(2).value<DbError>().toString()));
    QCOMPARE(value(*m_db,
                   "SELECT current_value FROM algorithm_parameters WHERE algorithm_id = 'A2'"
                   " AND parameter_name = $1",
                   {name.toUtf8()}),
             next);
    QTRY_VERIFY_WITH_TIMEOUT(!feed.isEmpty(), 10000);
    const auto notice = feed.at(0).at(0).value<ParameterChangeNotice>();
    QCOMPARE(notice.algorithmId, QStringLiteral("A2"));
    QCOMPARE(notice.parameterName, name);
    QCOMPARE(notice.changeSet, result.changeSet);
    // Marked as this worker's own, once, where it arrives (the panel and the editor kept a
    // set each); another client's change is not.
    QVERIFY(notice.own);
    feed.clear();
    QVERIFY(m_db->exec("UPDATE algorithm_parameters SET current_value = $2"
                       " WHERE algorithm_id = 'A2' AND parameter_name = $1",
                       {name.toUtf8(), current.toUtf8()})
                .ok());
    QTRY_VERIFY_WITH_TIMEOUT(!feed.isEmpty(), 10000);
    QVERIFY(!feed.at(0).at(0).value<ParameterChangeNotice>().own);
}

void TstAgentWorker::cancelStopsARequestWaitingForALock()
{
    // A long lock timeout: only the cancel can end the wait within the test's patience.
    {
        ThreadSpy opened(m_worker, &AgentWorker::connectionOpened);
        ConnectionOptions options = m_db->options();
        options.applicationName = QStringLiteral("agentworker-under-test");
        options.lockTimeoutMs = 60000;
        m_worker->setConnection(options);
        QTRY_VERIFY_WITH_TIMEOUT(!opened.isEmpty(), 15000);
    }
    // Another session holds the parameters table: the load waits for it.
    PgConnection holder;
    DbError error;
    QVERIFY(holder.open(m_db->options(), &error));
    QVERIFY(holder.exec("BEGIN").ok());
    QVERIFY(holder.exec("LOCK TABLE algorithm_parameters IN ACCESS EXCLUSIVE MODE").ok());
    ThreadSpy loaded(m_worker, &AgentWorker::parametersLoaded);
    m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_COMPARE_WITH_TIMEOUT(value(*m_db, "SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'agentworker-under-test'"
                                           " AND wait_event_type = 'Lock'"),
                              QStringLiteral("1"), 5000);
    m_worker->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 15000);
    QCOMPARE(loaded.at(0).at(4).value<DbError>().sqlState, QStringLiteral("57014"));
    holder.exec("ROLLBACK");
    // The connection still works.
    loaded.clear();
    m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
    QVERIFY2(!loaded.at(0).at(4).value<DbError>().isError(),
             qPrintable(loaded.at(0).at(4).value<DbError>().toString()));
}

void TstAgentWorker::aKilledConnectionIsReportedThenReopened()
{
    QVERIFY(openWorker());
    QCOMPARE(value(*m_db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                          " WHERE application_name = 'agentworker-under-test'"),
             QStringLiteral("1"));
    ThreadSpy lost(m_worker, &AgentWorker::connectionLost);
    ThreadSpy agents(m_worker, &AgentWorker::agentsLoaded);
    m_worker->loadAgents({});
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 10000);
    QVERIFY(agents.at(0).at(2).value<DbError>().isConnectionLoss());
    QCOMPARE(lost.size(), 1);
    // The next request opens a new connection.
    agents.clear();
    m_worker->loadAgents({});
    QTRY_VERIFY_WITH_TIMEOUT(!agents.isEmpty(), 15000);
    QVERIFY2(!agents.at(0).at(2).value<DbError>().isError(),
             qPrintable(agents.at(0).at(2).value<DbError>().toString()));
    QVERIFY(!agents.at(0).at(1).value<QList<Agent>>().isEmpty());
}

void TstAgentWorker::aNewConnectionDropsWorkQueuedForTheOld()
{
    QVERIFY(openWorker());
    // Hold the worker on a request waiting for a lock, queue two more behind it, then change
    // the connection: the queued ones never run, and each is still answered ("not sent").
    PgConnection holder;
    DbError error;
    QVERIFY(holder.open(m_db->options(), &error));
    QVERIFY(holder.exec("BEGIN").ok());
    QVERIFY(holder.exec("LOCK TABLE algorithm_parameters IN ACCESS EXCLUSIVE MODE").ok());
    ThreadSpy loaded(m_worker, &AgentWorker::parametersLoaded);
    ThreadSpy applied(m_worker, &AgentWorker::applied);
    const int running = m_worker->loadParameters(QStringLiteral("A1"));
    QTRY_COMPARE_WITH_TIMEOUT(value(*m_db, "SELECT count(*) FROM pg_stat_activity WHERE"
                                           " application_name = 'agentworker-under-test'"
                                           " AND wait_event_type = 'Lock'"),
                              QStringLiteral("1"), 5000);
    const int queuedLoad = m_worker->loadParameters(QStringLiteral("A2"));
    const int queuedApply = m_worker->apply(
        {{QStringLiteral("A2"), QStringLiteral("x"), QStringLiteral("1"), QStringLiteral("2")}},
        QStringLiteral("never sent"), 1);
    ConnectionOptions again = m_db->options();
    again.applicationName = QStringLiteral("agentworker-second");
    m_worker->setConnection(again);
    holder.exec("ROLLBACK");
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 15000);
    QCOMPARE(loaded.at(0).at(0).toInt(), running);
    QVERIFY(!loaded.at(0).at(4).value<DbError>().isError()); // it ran on the old connection
    QCOMPARE(loaded.at(1).at(0).toInt(), queuedLoad);
    QVERIFY(loaded.at(1).at(4).value<DbError>().message.contains(QLatin1String("not sent")));
    QCOMPARE(applied.at(0).at(0).toInt(), queuedApply);
    const auto result = applied.at(0).at(1).value<ApplyResult>();
    QVERIFY(!result.ok);
    QVERIFY(result.retryable);
    QVERIFY(applied.at(0).at(2).value<DbError>().message.contains(QLatin1String("not sent")));
    // Nothing of the dropped apply reached the database.
    QCOMPARE(value(*m_db, "SELECT count(*) FROM algorithm_changelog WHERE reason = 'never sent'"),
             QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TstAgentWorker)
#include "tst_agentworker.moc"
