// Hostile input (issue 15, item 9): a corpus of quotes, backslashes, dollar quotes, statement
// separators, comment markers, LIKE wildcards, Unicode, right-to-left marks, NUL bytes and a
// 1 MB string through the inputs that reach SQL or a connection string: the Agents panel's
// search and type filter, the changelog's filters, the chat search, the Metrics panel's agent
// and metric names, apply's values and reasons, a toggle's reason, profile fields, and the same
// through the command line. Zero successes: every table's fingerprint unchanged (or,
// for a write, exactly the one row the write means, its text stored verbatim), no extra rows,
// no crash; a NUL byte, which PostgreSQL text cannot hold, gets a clear message and nothing
// is sent.
#include "db/connectionprofile.h"
#include "faulttable.h"
#include "repositories/agentrepository.h"
#include "repositories/changelogrepository.h"
#include "repositories/chatrepository.h"
#include "repositories/metricsrepository.h"
#include "repositories/parameterrepository.h"
#include "repositoryfixture.h"
#include "testdatabase.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include <libpq-fe.h>

using namespace Qt::StringLiterals;

namespace {

// The corpus: each a way to end a string, a statement or a pattern early, or to confuse what
// reads it. NUL and the 1 MB string are added where they apply.
QStringList corpus()
{
    return {u"'"_s,
            u"''"_s,
            u"' OR '1'='1"_s,
            u"' OR 1=1 --"_s,
            u"x'; DROP TABLE algorithm_parameters; --"_s,
            u"\\'; DELETE FROM algorithm_changelog; --"_s,
            u"\\"_s,
            u"\\\\x00"_s,
            u"$$; DROP TABLE algorithm_agents; $$"_s,
            u"$tag$ x $tag$"_s,
            u"; SELECT pg_sleep(10);"_s,
            u"/* comment */ OR 1=1"_s,
            u"-- comment"_s,
            u"%"_s,
            u"_"_s,
            u"%_%"_s,
            u"A%"_s,
            u"\""_s,
            u"\"; DROP TABLE \"algorithm_agents"_s,
            u"E'\\x27'"_s,
            u"日本語のパラメータ"_s,
            u"\u202Eevil\u202C"_s, // right-to-left override
            u"\u200F\u200E"_s,     // right-to-left and left-to-right marks
            u"emoji 🚀 ñ ü"_s,
            u"line\nbreak\r\n"_s,
            u"tab\there"_s,
            u"${PGPASSWORD} $(id) `id`"_s,
            u"dbname=postgres options='-c log_statement=all'"_s};
}

const QString Nul = u"before"_s + QChar(0) + u"after"_s;
const QString Megabyte = QString(1024 * 1024, u'x');

// Every table the app reads or writes: equal before and after means nothing changed.
const QByteArray FingerprintSql =
    "SELECT (" + ChecksumSql +
    ") || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM "
    "algorithm_chat_history t) || (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), "
    "'')) FROM algorithm_metrics t)";

bool isNulRefusal(const DbError &error)
{
    return error.isError() && error.message.contains(u"NUL"_s);
}

} // namespace

class TstInjection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void agentSearchMatchesLiterally();
    void changelogFiltersMatchLiterally();
    void chatSearchMatchesLiterally();
    void metricNamesStayLiteral();
    void writesStoreTheTextVerbatim();
    void profileFieldsStayLiteral();
    void commandLineArgumentsStayLiteral();

private:
    // After a read with a NUL in its input: no answer, the message, nothing changed.
    void expectNulRefusal(bool answered, const DbError &error);

    std::unique_ptr<TestDatabase> m_db;
    QString m_fingerprint;
    FaultTable m_table{7};
    int m_tried = 0;
};

void TstInjection::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"algoadmin-tests"_s);
    QCoreApplication::setApplicationName(u"tst_injection"_s);
    m_db = std::make_unique<TestDatabase>(u"injection"_s);
    const QString prepared = prepareSeededDatabase(*m_db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    m_fingerprint = m_db->scalar(FingerprintSql);
    QCOMPARE(m_fingerprint.size(), 5 * 32); // five md5s: nothing failed
}

void TstInjection::cleanupTestCase()
{
    m_table.print(u"an injection corpus (quotes, backslashes, `$$`, `;`, comments, `%`/`_`, "
                  u"Unicode, RTL marks, NUL, 1 MB) through the Agents search and type filter, "
                  u"the changelog's filters, the chat search, the Metrics agent and metric "
                  u"names, values and reasons of apply and toggle, profile fields and the "
                  u"command line"_s,
                  "tst_injection",
                  u"%1 inputs tried: none changed a table or returned an extra row; values and "
                  u"reasons stored verbatim; a NUL refused with a clear message before anything "
                  u"was sent"_s.arg(m_tried),
                  u"nothing"_s);
    m_db.reset();
}

void TstInjection::expectNulRefusal(bool answered, const DbError &error)
{
    ++m_tried;
    QVERIFY(!answered);
    QVERIFY2(isNulRefusal(error), qPrintable(error.toString()));
    QCOMPARE(m_db->scalar(FingerprintSql), m_fingerprint);
}

void TstInjection::agentSearchMatchesLiterally()
{
    // The Agents panel's search box (a substring of id, name or description, any case) and its
    // type filter (exact), as AgentListFilter hands them over.
    Connection connection(m_db->options(), u"injection_agents"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    AgentRepository repository(connection.database());
    DbError error;
    const qsizetype total = repository.list({}, &error).size();
    QVERIFY2(total > 0, qPrintable(error.toString())); // a wildcard taken as one would show all
    // Beside the corpus, a real type and a piece of a real name, which must be found: the
    // comparisons are not only of zeros.
    const QString realType = m_db->scalar("SELECT min(algorithm_type) FROM algorithm_agents");
    const QString realName = m_db->scalar("SELECT substr(min(name), 2, 4) FROM algorithm_agents");
    QVERIFY(!realType.isEmpty() && realName.size() == 4);
    int found = 0;
    for (const QString &text : corpus() + QStringList{Megabyte, realType, realName}) {
        for (const bool search : {true, false}) {
            AgentFilter filter;
            (search ? filter.text : filter.type) = text;
            DbError error;
            const QList<Agent> agents = repository.list(filter, &error);
            ++m_tried;
            QVERIFY2(!error.isError(), qPrintable(text.left(40) + u": "_s + error.toString()));
            const QString literal =
                search ? m_db->scalar("SELECT count(*) FROM algorithm_agents"
                                      " WHERE strpos(lower(algorithm_id), lower($1)) > 0"
                                      " OR strpos(lower(name), lower($1)) > 0"
                                      " OR strpos(lower(coalesce(description, '')), lower($1)) > 0",
                                      {text.toUtf8()})
                       : m_db->scalar("SELECT count(*) FROM algorithm_agents"
                                      " WHERE algorithm_type = $1",
                                      {text.toUtf8()});
            QVERIFY2(QString::number(agents.size()) == literal,
                     qPrintable(u"%1 %2: %3 agents, %4 hold it"_s.arg(search ? "search" : "type")
                                    .arg(text.left(40))
                                    .arg(agents.size())
                                    .arg(literal)));
            found += agents.isEmpty() ? 0 : 1;
        }
    }
    QVERIFY2(found >= 2, qPrintable(QString::number(found))); // the real type and name at least
    AgentFilter nul;
    nul.text = Nul;
    const QList<Agent> refused = repository.list(nul, &error);
    expectNulRefusal(!refused.isEmpty() || !error.isError(), error);
    QCOMPARE(m_db->scalar(FingerprintSql), m_fingerprint);
    if (!QTest::currentTestFailed())
        m_table.passed();
}

void TstInjection::changelogFiltersMatchLiterally()
{
    Connection connection(m_db->options(), u"injection_changelog"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ChangelogRepository repository(connection.database());
    for (const QString &text : corpus() + QStringList{Megabyte}) {
        for (int field = 0; field < 6; ++field) {
            ChangelogFilter filter;
            switch (field) {
            case 0:
                filter.algorithmId = text;
                break;
            case 1:
                filter.parameterName = text;
                break;
            case 2:
                filter.dbRole = text;
                break;
            case 3:
                filter.reasonText = text;
                break;
            case 4:
                filter.changeSet = text;
                break;
            case 5:
                filter.source = text;
                break;
            }
            DbError error;
            const auto page = repository.page(filter, std::nullopt, 50, &error);
            ++m_tried;
            QVERIFY2(page.has_value(), qPrintable(text.left(40) + u": "_s + error.toString()));
            // The rows that hold the text literally (strpos, no pattern), at most a page: a
            // filter that took it as a pattern or as SQL returns others.
            const QString literal =
                field == 3 ? m_db->scalar("SELECT least(count(*), 50) FROM algorithm_changelog"
                                          " WHERE strpos(lower(reason), lower($1)) > 0",
                                          {text.toUtf8()})
                           : u"0"_s;
            QVERIFY2(QString::number(page->entries.size()) == literal,
                     qPrintable(u"field %1, %2: %3 rows, %4 hold it"_s.arg(field)
                                    .arg(text.left(40))
                                    .arg(page->entries.size())
                                    .arg(literal)));
        }
    }
    // A NUL: refused with a clear message.
    ChangelogFilter filter;
    filter.reasonText = Nul;
    DbError error;
    expectNulRefusal(repository.page(filter, std::nullopt, 50, &error).has_value(), error);
    if (!QTest::currentTestFailed())
        m_table.passed();
}

void TstInjection::chatSearchMatchesLiterally()
{
    Connection connection(m_db->options(), u"injection_chat"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ChatRepository repository(connection.database());
    for (const QString &text : corpus() + QStringList{Megabyte}) {
        for (const QString &agent : {QString(), text}) {
            ChatFilter filter;
            filter.algorithmId = agent;
            filter.text = text;
            DbError error;
            const auto page = repository.page(filter, std::nullopt, 50, &error);
            ++m_tried;
            QVERIFY2(page.has_value(), qPrintable(text.left(40) + u": "_s + error.toString()));
            const QString literal =
                m_db->scalar("SELECT least(count(*), 50) FROM algorithm_chat_history WHERE "
                             "(coalesce($2, '') = ''"
                             " OR algorithm_id = $2) AND (strpos(lower(message), lower($1)) > 0"
                             " OR strpos(lower(response), lower($1)) > 0)",
                             {text.toUtf8(), agent.toUtf8()});
            QVERIFY2(QString::number(page->messages.size()) == literal,
                     qPrintable(u"%1: %2 messages, %3 hold it"_s.arg(text.left(40))
                                    .arg(page->messages.size())
                                    .arg(literal)));
        }
    }
    ChatFilter filter;
    filter.text = Nul;
    DbError error;
    expectNulRefusal(repository.page(filter, std::nullopt, 50, &error).has_value(), error);
    if (!QTest::currentTestFailed())
        m_table.passed();
}

void TstInjection::metricNamesStayLiteral()
{
    // The Metrics panel's agent and metric: names from the database, which a hostile writer
    // may have chosen. Every read by name finds exactly what has that name: here nothing, for
    // the corpus, and the real agent's curves still when only the metric is hostile.
    Connection connection(m_db->options(), u"injection_metrics"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    MetricsRepository repository(connection.database());
    DbError error;
    // An agent with metrics and changes, and one of its metrics: what the reads must still find
    // (counted here in SQL of the test's own), so that "nothing" below means something.
    const QString agent =
        m_db->scalar("SELECT min(c.algorithm_id) FROM algorithm_changelog c WHERE EXISTS"
                     " (SELECT 1 FROM algorithm_metrics m WHERE m.algorithm_id = c.algorithm_id)");
    const QString metric = m_db->scalar(
        "SELECT min(metric_name) FROM algorithm_metrics WHERE algorithm_id = $1", {agent.toUtf8()});
    QVERIFY(!agent.isEmpty() && !metric.isEmpty());
    const QDateTime to = QDateTime::currentDateTimeUtc().addDays(1);
    const QDateTime from = to.addYears(-2);
    const QList<QByteArray> range{agent.toUtf8(),
                                  from.toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s).toUtf8(),
                                  to.toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s).toUtf8()};
    const qint64 rows =
        m_db->scalar("SELECT count(*) FROM algorithm_metrics WHERE algorithm_id = $1"
                     " AND metric_name = $4 AND recorded_at >= $2 AND recorded_at < $3",
                     range + QList<QByteArray>{metric.toUtf8()})
            .toLongLong();
    const QString changes =
        m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = $1"
                     " AND modified_at >= $2 AND modified_at < $3",
                     range);
    QVERIFY(rows > 0 && changes.toInt() > 0);
    const auto counted = [](const QList<MetricBucket> &buckets) {
        qint64 n = 0;
        for (const MetricBucket &bucket : buckets)
            n += bucket.count + bucket.excluded;
        return n;
    };
    const auto series = repository.series(agent, metric, from, to, 100, &error);
    QVERIFY2(series, qPrintable(error.toString()));
    QCOMPARE(counted(*series), rows);
    const auto names = repository.metricNames(agent, &error);
    QVERIFY2(names && names->contains(metric), qPrintable(error.toString()));
    const auto extent = repository.extent(agent, metric, &error);
    QVERIFY2(extent && extent->first.isValid(), qPrintable(error.toString()));
    const auto markers = repository.changeMarkers(agent, from, to, &error);
    QVERIFY2(markers, qPrintable(error.toString()));
    QCOMPARE(QString::number(markers->size()), changes);
    for (const QString &text : corpus() + QStringList{Megabyte}) {
        const QString what = text.left(40);
        const auto names = repository.metricNames(text, &error);
        QVERIFY2(names && names->isEmpty(), qPrintable(what + u": "_s + error.toString()));
        const auto bad = repository.series(agent, text, from, to, 100, &error);
        QVERIFY2(bad && bad->isEmpty(), qPrintable(what + u": "_s + error.toString()));
        const auto badAgent = repository.series(text, metric, from, to, 100, &error);
        QVERIFY2(badAgent && badAgent->isEmpty(), qPrintable(what + u": "_s + error.toString()));
        const auto extent = repository.extent(agent, text, &error);
        QVERIFY2(extent && !extent->first.isValid(), qPrintable(what + u": "_s + error.toString()));
        const auto markers = repository.changeMarkers(text, from, to, &error);
        QVERIFY2(markers && markers->isEmpty(), qPrintable(what + u": "_s + error.toString()));
        // Several curves in one round trip, one of them hostile: the good one is unchanged.
        const auto many = repository.seriesMany(
            {{agent, metric, from, to, 100}, {agent, text, from, to, 100}}, &error);
        QVERIFY2(many && many->size() == 2, qPrintable(what + u": "_s + error.toString()));
        QCOMPARE(counted(many->at(0)), rows);
        QVERIFY(many->at(1).isEmpty());
        m_tried += 6;
    }
    const auto refused = repository.metricNames(Nul, &error);
    expectNulRefusal(refused.has_value(), error);
    QCOMPARE(m_db->scalar(FingerprintSql), m_fingerprint);
    if (!QTest::currentTestFailed())
        m_table.passed();
}

void TstInjection::writesStoreTheTextVerbatim()
{
    // A database of its own: the writes change it.
    TestDatabase db(u"injection_writes"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const PgResult target = db.exec("SELECT algorithm_id, parameter_name FROM algorithm_parameters"
                                    " WHERE parameter_type = 'string' ORDER BY id LIMIT 1");
    QVERIFY(target.ok() && target.rows() == 1);
    const QString agent = target.value(0, 0);
    const QString name = target.value(0, 1);
    Connection connection(db.options(), u"injection_writes"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    ParameterRepository parameters(connection.database());
    const QByteArray others = "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM"
                              " algorithm_parameters t WHERE NOT (algorithm_id = $1 AND"
                              " parameter_name = $2)";
    const QString othersBefore = db.scalar(others, {agent.toUtf8(), name.toUtf8()});
    const QString agentsBefore = db.scalar("SELECT count(*) FROM algorithm_agents");
    for (const QString &text : corpus()) {
        const QString from = db.scalar("SELECT current_value FROM algorithm_parameters WHERE"
                                       " algorithm_id = $1 AND parameter_name = $2",
                                       {agent.toUtf8(), name.toUtf8()});
        if (from == text)
            continue;
        DbError error;
        const QString reason = u"reason "_s + text;
        const ApplyResult result = parameters.apply({{agent, name, from, text}}, reason, 7, &error);
        ++m_tried;
        QVERIFY2(result.ok, qPrintable(text + u": "_s + error.toString()));
        // Stored exactly as given, value and reason, in one changelog row.
        QCOMPARE(db.scalar("SELECT current_value FROM algorithm_parameters WHERE algorithm_id = $1"
                           " AND parameter_name = $2",
                           {agent.toUtf8(), name.toUtf8()}),
                 text);
        QCOMPARE(db.scalar("SELECT new_value || '|' || reason FROM algorithm_changelog"
                           " WHERE change_set = $1",
                           {result.changeSet.toUtf8()}),
                 text + u'|' + reason);
    }
    // A 1 MB value and reason: stored whole as well (text has no length limit).
    {
        const QString from = db.scalar("SELECT current_value FROM algorithm_parameters WHERE"
                                       " algorithm_id = $1 AND parameter_name = $2",
                                       {agent.toUtf8(), name.toUtf8()});
        DbError error;
        const ApplyResult result =
            parameters.apply({{agent, name, from, Megabyte}}, Megabyte, 7, &error);
        ++m_tried;
        QVERIFY2(result.ok, qPrintable(error.toString()));
        QCOMPARE(db.scalar("SELECT length(new_value) || ' ' || length(reason) FROM"
                           " algorithm_changelog WHERE change_set = $1",
                           {result.changeSet.toUtf8()}),
                 u"1048576 1048576"_s);
    }
    // A NUL in the value, in the reason, in a toggle's reason: refused, nothing written.
    const QString fingerprint = db.scalar(FingerprintSql);
    const QString from = db.scalar("SELECT current_value FROM algorithm_parameters WHERE"
                                   " algorithm_id = $1 AND parameter_name = $2",
                                   {agent.toUtf8(), name.toUtf8()});
    for (const auto &[value, reason] :
         {std::pair{Nul, u"a fine reason"_s}, std::pair{u"fine"_s, Nul}}) {
        DbError error;
        const ApplyResult result =
            parameters.apply({{agent, name, from, value}}, reason, 7, &error);
        ++m_tried;
        QVERIFY(!result.ok);
        QVERIFY2(isNulRefusal(error), qPrintable(error.toString()));
        QVERIFY(!result.retryable);
    }
    AgentRepository agents(connection.database());
    DbError toggleError;
    agents.setActive(agent, false, Nul, 7, &toggleError);
    ++m_tried;
    QVERIFY2(isNulRefusal(toggleError), qPrintable(toggleError.toString()));
    QCOMPARE(db.scalar(FingerprintSql), fingerprint);
    // Nothing else moved: the other parameters, the agents.
    QCOMPARE(db.scalar(others, {agent.toUtf8(), name.toUtf8()}), othersBefore);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_agents"), agentsBefore);
    m_table.passed();
}

void TstInjection::profileFieldsStayLiteral()
{
    // A profile's fields become one conninfo string: each must come back as itself, and none
    // may add a keyword (options, host…) of its own.
    for (const QString &text : corpus()) {
        ConnectionProfile profile;
        profile.name = u"p"_s;
        profile.host = u"/tmp"_s;
        profile.database = text;
        profile.user = text;
        const QByteArray conninfo = profile.options(text).database.toUtf8();
        char *message = nullptr;
        PQconninfoOption *parsed = PQconninfoParse(conninfo.constData(), &message);
        ++m_tried;
        QVERIFY2(parsed, message ? message : "no message");
        QStringList keywords;
        for (PQconninfoOption *option = parsed; option->keyword; ++option) {
            if (!option->val)
                continue;
            keywords.append(QString::fromLatin1(option->keyword));
            const QString value = QString::fromUtf8(option->val);
            if (qstrcmp(option->keyword, "dbname") == 0 || qstrcmp(option->keyword, "user") == 0 ||
                qstrcmp(option->keyword, "password") == 0)
                QCOMPARE(value, text);
        }
        PQconninfoFree(parsed);
        keywords.sort();
        QCOMPARE(keywords, QStringList({u"dbname"_s, u"host"_s, u"password"_s, u"user"_s}));
    }
    // Profile names are settings keys: a name with '/' or '\\' must not reach another
    // profile's group, and every name comes back as itself.
    QSettings().clear();
    ProfileStore store;
    const QStringList names{u"a/b"_s,     u"../x"_s, u"c\\d"_s,      u"%"_s,
                            u"'; DROP"_s, u"日本"_s, u"\u202Eevil"_s};
    for (const QString &name : names) {
        ConnectionProfile profile;
        profile.name = name;
        profile.host = u"db.example.com"_s;
        profile.database = name;
        store.save(profile);
        ++m_tried;
    }
    QStringList stored;
    for (const ConnectionProfile &profile : store.profiles()) {
        stored.append(profile.name);
        QCOMPARE(profile.database, profile.name);
    }
    QStringList expected = names;
    expected.sort();
    stored.sort();
    QCOMPARE(stored, expected);
    m_table.passed();
}

void TstInjection::commandLineArgumentsStayLiteral()
{
    const QString conninfo = m_db->conninfo();
    for (const QString &text : corpus()) {
        for (const QStringList &arguments :
             {QStringList{u"changelog"_s, u"-d"_s, conninfo, u"--agent"_s, text, u"--json"_s},
              QStringList{u"changelog"_s, u"-d"_s, conninfo, u"--reason"_s, text, u"--json"_s},
              QStringList{u"changelog"_s, u"-d"_s, conninfo, u"--parameter"_s, text, u"--role"_s,
                          text, u"--json"_s},
              QStringList{u"chat"_s, u"-d"_s, conninfo, u"A1"_s, u"--search"_s, text, u"--json"_s},
              QStringList{u"chat"_s, u"-d"_s, conninfo, text, u"--json"_s}}) {
            const ProcessResult r = runAlgoadmin(arguments, 60000);
            ++m_tried;
            const QString context = arguments.join(u' ').left(120) + u": "_s + r.err.left(300);
            // Nothing found (0) or an input refused with a message (2); never a crash.
            QVERIFY2(r.exitCode == 0 || r.exitCode == 2, qPrintable(context));
            if (r.exitCode == 2)
                QVERIFY2(!r.err.trimmed().isEmpty(), qPrintable(context));
            // Equality filters: nothing holds these strings. (The text searches are checked
            // against the rows that hold the text above, in the repositories the CLI uses.)
            else if (arguments.contains(u"--agent"_s) || arguments.contains(u"--role"_s) ||
                     arguments.at(3) == text)
                QVERIFY2(r.out.trimmed() == u"[]"_s || !r.out.contains(u"\"id\""_s),
                         qPrintable(context + r.out.left(200)));
        }
    }
    QCOMPARE(m_db->scalar(FingerprintSql), m_fingerprint);
    m_table.passed();
}

QTEST_MAIN(TstInjection)
#include "tst_injection.moc"
