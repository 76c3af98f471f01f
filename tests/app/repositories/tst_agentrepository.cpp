// AgentRepository against a real, demo-seeded database: every column read, filter and sort in
// one query, escaping of LIKE wildcards, and is_active toggles audited with reason and user.
#include "repositories/agentrepository.h"
#include "repositoryfixture.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TstAgentRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listReadsEveryColumnInNaturalOrder();
    void listFiltersAndSorts();
    void textFilterEscapesWildcards();
    void setActiveIsAudited();
};

void TstAgentRepository::listReadsEveryColumnInNaturalOrder()
{
    TestDatabase db(u"agents_list"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), u"agents"_s, &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    {
        AgentRepository repository(database);
        const QList<Agent> agents = repository.list({}, &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QCOMPARE(repository.roundTrips(), 1);
        QCOMPARE(agents.size(), 30);
        QCOMPARE(agents.at(0).algorithmId, u"A1"_s);
        QCOMPARE(agents.at(1).algorithmId, u"A2"_s);
        QCOMPARE(agents.at(9).algorithmId, u"A10"_s);
        const Agent &a1 = agents.at(0);
        QCOMPARE(a1.name, u"Demand Forecast Scorer"_s);
        QCOMPARE(a1.algorithmType, u"scoring"_s);
        QCOMPARE(a1.filePath, u"server/algorithms/a01_demand_forecast.ts"_s);
        QCOMPARE(a1.esaLayers, QList<int>({1, 3}));
        QVERIFY(a1.hasImpactScore);
        QCOMPARE(a1.impactScore, 88);
        QVERIFY(a1.isActive);
        QCOMPARE(a1.version, u"2.3.1"_s);
        QVERIFY(a1.createdAt.isValid());
        QVERIFY(a1.updatedAt.isValid());
        QVERIFY(!a1.id.isEmpty());
        QVERIFY(!a1.description.isEmpty());
        QCOMPARE(a1.currentConfig.value(u"learning_rate"_s).toDouble(), 0.02);
        QCOMPARE(a1.currentConfig.value(u"window_days"_s).toInt(), 60);
        QCOMPARE(db.scalar("SELECT current_config::text FROM algorithm_agents"
                           " WHERE algorithm_id = 'A1'")
                     .isEmpty(),
                 false);
        QCOMPARE(a1.defaultConfig.isEmpty(),
                 db.scalar("SELECT default_config IS NULL FROM algorithm_agents"
                           " WHERE algorithm_id = 'A1'") == u"t"_s);

        AgentFilter descending;
        descending.descending = true;
        const QList<Agent> reversed = repository.list(descending, &error);
        QCOMPARE(reversed.size(), 30);
        QCOMPARE(reversed.first().algorithmId, u"A30"_s);
        QCOMPARE(reversed.last().algorithmId, u"A1"_s);
    }
    database = QSqlDatabase();
    SqlDatabase::close(u"agents"_s);
}

void TstAgentRepository::listFiltersAndSorts()
{
    TestDatabase db(u"agents_filter"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), u"agents"_s, &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    {
        AgentRepository repository(database);
        AgentFilter byType;
        byType.type = u"ranking"_s;
        const QList<Agent> ranking = repository.list(byType, &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QCOMPARE(QString::number(ranking.size()), db.scalar("SELECT count(*) FROM algorithm_agents"
                                                            " WHERE algorithm_type = 'ranking'"));
        QVERIFY(!ranking.isEmpty());
        for (const Agent &agent : ranking)
            QCOMPARE(agent.algorithmType, u"ranking"_s);

        AgentFilter active;
        active.activeOnly = true;
        const QList<Agent> activeAgents = repository.list(active, &error);
        QCOMPARE(QString::number(activeAgents.size()),
                 db.scalar("SELECT count(*) FROM algorithm_agents WHERE is_active"));
        QVERIFY(activeAgents.size() < 30);
        for (const Agent &agent : activeAgents)
            QVERIFY(agent.isActive);

        // Case-insensitive over id, name and description.
        AgentFilter text;
        text.text = u"FORECAST"_s;
        const QList<Agent> matches = repository.list(text, &error);
        QCOMPARE(QString::number(matches.size()),
                 db.scalar("SELECT count(*) FROM algorithm_agents WHERE algorithm_id ILIKE"
                           " '%forecast%' OR name ILIKE '%forecast%'"
                           " OR description ILIKE '%forecast%'"));
        QVERIFY(!matches.isEmpty());
        AgentFilter id;
        id.text = u"a2"_s;
        QStringList ids;
        for (const Agent &agent : repository.list(id, &error)) {
            QVERIFY(agent.algorithmId.contains(u"A2"_s) ||
                    agent.name.contains(u"a2"_s, Qt::CaseInsensitive) ||
                    agent.description.contains(u"a2"_s, Qt::CaseInsensitive));
            ids.append(agent.algorithmId);
        }
        QVERIFY(ids.contains(u"A2"_s) && ids.contains(u"A20"_s) && ids.contains(u"A29"_s));

        AgentFilter impact;
        impact.sort = AgentFilter::ByImpactScore;
        impact.descending = true;
        const QList<Agent> byImpact = repository.list(impact, &error);
        QCOMPARE(byImpact.size(), 30);
        for (qsizetype i = 1; i < byImpact.size(); ++i)
            QVERIFY(byImpact.at(i - 1).impactScore >= byImpact.at(i).impactScore);

        AgentFilter name;
        name.sort = AgentFilter::ByName;
        const QList<Agent> byName = repository.list(name, &error);
        QCOMPARE(QString::number(byName.size()), u"30"_s);
        QCOMPARE(byName.first().name,
                 db.scalar("SELECT name FROM algorithm_agents ORDER BY name LIMIT 1"));

        AgentFilter combined;
        combined.type = u"scoring"_s;
        combined.activeOnly = true;
        combined.sort = AgentFilter::ByLastModified;
        const QList<Agent> scoring = repository.list(combined, &error);
        QCOMPARE(QString::number(scoring.size()),
                 db.scalar("SELECT count(*) FROM algorithm_agents"
                           " WHERE algorithm_type = 'scoring' AND is_active"));
        QCOMPARE(repository.roundTrips(), 7);
    }
    database = QSqlDatabase();
    SqlDatabase::close(u"agents"_s);
}

void TstAgentRepository::textFilterEscapesWildcards()
{
    TestDatabase db(u"agents_escape"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    QVERIFY(db.exec("INSERT INTO algorithm_agents (algorithm_id, name, description)"
                    " VALUES ('X1', '100% sure_thing', 'back\\slash')")
                .ok());
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), u"agents"_s, &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    {
        AgentRepository repository(database);
        auto idsFor = [&](const QString &text) {
            AgentFilter filter;
            filter.text = text;
            QStringList ids;
            for (const Agent &agent : repository.list(filter, &error))
                ids.append(agent.algorithmId);
            return ids;
        };
        QCOMPARE(idsFor(u"%"_s), QStringList{u"X1"_s});
        QCOMPARE(idsFor(u"0% S"_s), QStringList{u"X1"_s});
        QCOMPARE(idsFor(u"e_t"_s), QStringList{u"X1"_s});
        QCOMPARE(idsFor(u"k\\s"_s), QStringList{u"X1"_s});
        QVERIFY(idsFor(u"_"_s).size() == 1);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        const QList<Agent> all = repository.list({}, &error);
        QCOMPARE(all.size(), 31);
        const Agent &x1 = all.last();
        QCOMPARE(x1.algorithmId, u"X1"_s);
        QVERIFY(!x1.hasImpactScore);
        QVERIFY(x1.esaLayers.isEmpty());
        QVERIFY(x1.version.isNull());
    }
    database = QSqlDatabase();
    SqlDatabase::close(u"agents"_s);
}

void TstAgentRepository::setActiveIsAudited()
{
    TestDatabase db(u"agents_active"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    DbError error;
    QSqlDatabase database = SqlDatabase::open(db.options(), u"agents"_s, &error);
    QVERIFY2(database.isOpen(), qPrintable(error.toString()));
    {
        AgentRepository repository(database);
        const QString before = db.scalar("SELECT count(*) FROM algorithm_changelog");
        repository.setActive(u"A1"_s, false, u"maintenance window"_s, 42, &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QCOMPARE(repository.roundTrips(), 1);
        QCOMPARE(db.scalar("SELECT is_active FROM algorithm_agents WHERE algorithm_id = 'A1'"),
                 u"f"_s);
        QCOMPARE(rows(db, "SELECT parameter_name, old_value, new_value, reason, user_id,"
                          " db_role = current_user, source IS NOT NULL FROM algorithm_changelog"
                          " WHERE algorithm_id = 'A1' AND parameter_name = 'is_active'"),
                 QStringList{u"is_active|true|false|maintenance window|42|t|t"_s});
        QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog").toInt(), before.toInt() + 1);
        // Unknown agent: an error, nothing written.
        repository.setActive(u"NOPE"_s, true, u"x"_s, 42, &error);
        QVERIFY(error.isError());
        QVERIFY(error.message.contains(u"NOPE"_s));
        QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog").toInt(), before.toInt() + 1);
        // And back on: a second audited row.
        repository.setActive(u"A1"_s, true, u"done"_s, 7, &error);
        QVERIFY2(!error.isError(), qPrintable(error.toString()));
        QCOMPARE(rows(db, "SELECT old_value, new_value, reason, user_id FROM algorithm_changelog"
                          " WHERE algorithm_id = 'A1' AND parameter_name = 'is_active'"
                          " ORDER BY modified_at, old_value"),
                 QStringList({u"true|false|maintenance window|42"_s, u"false|true|done|7"_s}));
        // A toggle modifies the agent: who and when, as a parameter change does (issue 10).
        QCOMPARE(db.scalar("SELECT last_modified_by::text || ' ' ||"
                           " (last_modified_at > now() - interval '1 minute')::text"
                           " FROM algorithm_agents WHERE algorithm_id = 'A1'"),
                 u"7 true"_s);
    }
    database = QSqlDatabase();
    SqlDatabase::close(u"agents"_s);
}

QTEST_GUILESS_MAIN(TstAgentRepository)
#include "tst_agentrepository.moc"
