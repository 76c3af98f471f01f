// The GUI's reads (changelog, chat, metrics) through PgBouncer with its default configuration:
// in transaction pooling each transaction may run on another server connection (which later
// clients inherit), and the start-up options that carry the timeouts are refused. The reads
// must give what a direct connection gives, again and again, hold their timeouts, and leave
// nothing behind on any server connection.
#include "bouncer.h"
#include "db/sqldatabase.h"
#include "repositories/changelogrepository.h"
#include "repositories/chatrepository.h"
#include "repositories/metricsrepository.h"
#include "repositoryfixture.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

#include <functional>
#include <future>
#include <memory>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

QString describe(const ChangelogEntry &e)
{
    return QStringList{e.id,
                       e.algorithmId,
                       e.userId ? QString::number(*e.userId) : u"NULL"_s,
                       e.parameterName,
                       e.oldValue.isNull() ? u"NULL"_s : e.oldValue,
                       e.newValue.isNull() ? u"NULL"_s : e.newValue,
                       e.reason.isNull() ? u"NULL"_s : e.reason,
                       e.modifiedAtText,
                       e.modifiedAt.toString(Qt::ISODateWithMs),
                       e.dbRole,
                       e.source,
                       e.changeSet}
        .join(u'|');
}

QStringList describe(const QList<ChangelogEntry> &entries)
{
    QStringList lines;
    for (const ChangelogEntry &e : entries)
        lines.append(describe(e));
    return lines;
}

QStringList describe(const QList<ChatMessage> &messages)
{
    QStringList lines;
    for (const ChatMessage &m : messages)
        lines.append(QStringList{m.id, m.algorithmId,
                                 m.userId ? QString::number(*m.userId) : u"NULL"_s,
                                 m.message.isNull() ? u"NULL"_s : m.message,
                                 m.response.isNull() ? u"NULL"_s : m.response, m.createdAtText,
                                 m.createdAt.toString(Qt::ISODateWithMs)}
                         .join(u'|'));
    return lines;
}

QStringList describe(const QList<MetricBucket> &buckets)
{
    QStringList lines;
    for (const MetricBucket &b : buckets)
        lines.append(u"%1|%2|%3|%4|%5"_s.arg(b.start.toString(Qt::ISODateWithMs))
                         .arg(b.min, 0, 'g', 17)
                         .arg(b.avg, 0, 'g', 17)
                         .arg(b.max, 0, 'g', 17)
                         .arg(b.count));
    return lines;
}

QString describe(const MetricImpact &i)
{
    return u"%1|%2|%3|%4|%5|%6"_s.arg(i.meanBefore, 0, 'g', 17)
        .arg(i.medianBefore, 0, 'g', 17)
        .arg(i.countBefore)
        .arg(i.meanAfter, 0, 'g', 17)
        .arg(i.medianAfter, 0, 'g', 17)
        .arg(i.countAfter);
}

QStringList describe(const QList<MetricImpact> &impacts)
{
    QStringList lines;
    for (const MetricImpact &i : impacts)
        lines.append(u"%1 %2 %3 %4/%5 %6 %7"_s.arg(i.algorithmId, i.metric, describe(i))
                         .arg(i.excludedBefore)
                         .arg(i.excludedAfter)
                         .arg(i.pValue, 0, 'g', 17)
                         .arg(describe(i.othersInWindow).join(u';')));
    return lines;
}

} // namespace

class TstPoolReads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readsMatchADirectConnection_data() { modes(); }
    void readsMatchADirectConnection();
    void readsKeepTheirLockTimeout();

private:
    static void modes() { Bouncers::addModes(); }
    Bouncer &bouncer() { return m_bouncers.current(); }

    QTemporaryDir m_cache;
    Bouncers m_bouncers;
};

void TstPoolReads::initTestCase()
{
    qputenv("XDG_CACHE_HOME", m_cache.path().toUtf8());
    QString error;
    QVERIFY2(m_bouncers.start(&error), qPrintable(error));
}

void TstPoolReads::cleanupTestCase()
{
    m_bouncers.stop();
}

void TstPoolReads::readsMatchADirectConnection()
{
    TestDatabase db(u"pool_reads"_s);
    const QString problem = prepareSeededDatabase(db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(db.exec("ANALYZE").ok());
    const QString chatAgent = value(db, "SELECT algorithm_id FROM algorithm_chat_history"
                                        " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
    const QStringList metric = value(db, "SELECT algorithm_id || ',' || metric_name"
                                         " FROM algorithm_metrics GROUP BY 1 ORDER BY count(*)"
                                         " DESC, 1 LIMIT 1")
                                   .split(u',');
    QCOMPARE(metric.size(), 2);
    QVERIFY(!chatAgent.isEmpty());
    const QDateTime from = QDateTime::fromString(
        value(db, "SELECT to_char(min(recorded_at), 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM"
                  " algorithm_metrics"),
        Qt::ISODate);
    const QDateTime to = QDateTime::fromString(
        value(db, "SELECT to_char(max(recorded_at) + interval '1 day', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
                  " FROM algorithm_metrics"),
        Qt::ISODate);
    QVERIFY(from.isValid() && to.isValid());

    DbError error;
    QSqlDatabase direct = SqlDatabase::open(db.options(), u"direct"_s, &error);
    QVERIFY2(direct.isOpen(), qPrintable(error.toString()));
    QSqlDatabase pooled = SqlDatabase::open(bouncer().options(db.name()), u"pooled"_s, &error);
    QVERIFY2(pooled.isOpen(), qPrintable(error.toString()));
    auto closeBoth = qScopeGuard([&] {
        direct = {};
        pooled = {};
        SqlDatabase::close(u"direct"_s);
        SqlDatabase::close(u"pooled"_s);
    });
    // PgBouncer refused our start-up options: the timeouts go into each transaction.
    QVERIFY(!SqlDatabase::transactionTimeouts(direct));
    QVERIFY(SqlDatabase::transactionTimeouts(pooled));

    // Another client of the pool holds a server connection in a transaction during every
    // other read: in transaction pooling the pooled reads then alternate between server
    // connections (PgBouncer hands out the one used last first), as they do under load.
    auto otherClient = std::make_unique<PgConnection>();
    PgConnection &other = *otherClient;
    QVERIFY2(other.open(bouncer().options(db.name()), &error), qPrintable(error.toString()));
    int reads = 0;
    auto interleaved = [&](const std::function<void()> &read) {
        const bool hold = ++reads % 2 == 0;
        if (hold) {
            QVERIFY(other.exec("BEGIN").ok());
            QVERIFY(other.exec("SELECT 1").ok());
        }
        read();
        if (hold)
            QVERIFY(other.exec("COMMIT").ok());
    };

    ChangelogRepository directChangelog(direct);
    ChangelogRepository pooledChangelog(pooled);
    ChatRepository directChat(direct);
    ChatRepository pooledChat(pooled);
    MetricsRepository directMetrics(direct);
    MetricsRepository pooledMetrics(pooled);

    ChangelogFilter unfiltered;
    ChangelogFilter agent;
    agent.algorithmId = u"A3"_s;
    ChangelogFilter reason;
    reason.reasonText = u"e"_s;
    reason.from = QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC);
    for (int round = 0; round < 3; ++round) {
        for (const ChangelogFilter &filter : {unfiltered, agent, reason}) {
            // Keyset pages, the same as a direct connection's, walked to the end.
            std::optional<ChangelogCursor> cursor;
            for (int pageNumber = 0; pageNumber < 40; ++pageNumber) {
                std::optional<ChangelogPage> want;
                std::optional<ChangelogPage> got;
                want = directChangelog.page(filter, cursor, 25, &error);
                QVERIFY2(want, qPrintable(error.toString()));
                interleaved([&] { got = pooledChangelog.page(filter, cursor, 25, &error); });
                QVERIFY2(got, qPrintable(error.toString()));
                QCOMPARE(describe(got->entries), describe(want->entries));
                QCOMPARE(got->next.has_value(), want->next.has_value());
                if (!want->next)
                    break;
                cursor = want->next;
            }
            qint64 estimate = -1;
            interleaved([&] { estimate = pooledChangelog.estimateCount(filter, &error); });
            QVERIFY2(estimate >= 0, qPrintable(error.toString()));
            QCOMPARE(estimate, directChangelog.estimateCount(filter, &error));

            QBuffer wanted;
            wanted.open(QIODevice::WriteOnly);
            QVERIFY2(directChangelog.exportCsv(filter, &wanted, {}, &error) > 0,
                     qPrintable(error.toString()));
            QBuffer exported;
            exported.open(QIODevice::WriteOnly);
            qint64 written = -1;
            interleaved(
                [&] { written = pooledChangelog.exportCsv(filter, &exported, {}, &error); });
            QVERIFY2(written > 0, qPrintable(error.toString()));
            QCOMPARE(exported.data(), wanted.data());
        }

        std::optional<ChatCursor> chatCursor;
        for (int pageNumber = 0; pageNumber < 20; ++pageNumber) {
            const auto want = directChat.page(chatAgent, chatCursor, 3, &error);
            QVERIFY2(want, qPrintable(error.toString()));
            std::optional<ChatPage> got;
            interleaved([&] { got = pooledChat.page(chatAgent, chatCursor, 3, &error); });
            QVERIFY2(got, qPrintable(error.toString()));
            QCOMPARE(describe(got->messages), describe(want->messages));
            if (!want->next)
                break;
            chatCursor = want->next;
        }

        std::optional<QStringList> names;
        interleaved([&] { names = pooledMetrics.metricNames(metric.at(0), &error); });
        QVERIFY2(names, qPrintable(error.toString()));
        QCOMPARE(*names, *directMetrics.metricNames(metric.at(0), &error));
        QVERIFY(names->contains(metric.at(1)));
        std::optional<QList<MetricBucket>> series;
        interleaved([&] {
            series = pooledMetrics.series(metric.at(0), metric.at(1), from, to, 50, &error);
        });
        QVERIFY2(series && !series->isEmpty(), qPrintable(error.toString()));
        QCOMPARE(describe(*series),
                 describe(*directMetrics.series(metric.at(0), metric.at(1), from, to, 50, &error)));
        std::optional<QList<ChangelogEntry>> markers;
        interleaved([&] { markers = pooledMetrics.changeMarkers(metric.at(0), from, to, &error); });
        QVERIFY2(markers, qPrintable(error.toString()));
        QCOMPARE(describe(*markers),
                 describe(*directMetrics.changeMarkers(metric.at(0), from, to, &error)));
        ChangelogEntry change;
        change.algorithmId = metric.at(0);
        change.modifiedAt = from.addSecs(from.secsTo(to) / 2);
        std::optional<MetricImpact> impact;
        interleaved(
            [&] { impact = pooledMetrics.impact(change, metric.at(1), 86400 * 30, &error); });
        QVERIFY2(impact, qPrintable(error.toString()));
        QVERIFY(impact->countBefore + impact->countAfter > 0);
        QCOMPARE(describe(*impact),
                 describe(*directMetrics.impact(change, metric.at(1), 86400 * 30, &error)));
        // every metric, a parameter's past changes and the outlook of a pending change
        std::optional<QList<MetricImpact>> all;
        interleaved([&] { all = pooledMetrics.impacts(change, {}, 86400 * 30, &error); });
        QVERIFY2(all && !all->isEmpty(), qPrintable(error.toString()));
        QCOMPARE(describe(*all), describe(*directMetrics.impacts(change, {}, 86400 * 30, &error)));
        const QString parameter =
            value(db,
                  "SELECT parameter_name FROM algorithm_changelog WHERE algorithm_id = $1"
                  " AND modified_at IS NOT NULL ORDER BY modified_at DESC, id LIMIT 1",
                  {metric.at(0).toUtf8()});
        QVERIFY(!parameter.isEmpty());
        std::optional<QList<PastChangeImpact>> past;
        interleaved([&] {
            past = pooledMetrics.parameterImpacts(metric.at(0), parameter, 86400, 3, &error);
        });
        QVERIFY2(past && !past->isEmpty(), qPrintable(error.toString()));
        const auto pastDirect =
            directMetrics.parameterImpacts(metric.at(0), parameter, 86400, 3, &error);
        QVERIFY2(pastDirect && pastDirect->size() == past->size(), qPrintable(error.toString()));
        for (qsizetype i = 0; i < past->size(); ++i) {
            QCOMPARE(past->at(i).change.id, pastDirect->at(i).change.id);
            QCOMPARE(describe(past->at(i).impacts), describe(pastDirect->at(i).impacts));
        }
        const QList<PendingChange> pending = {{parameter, u"1"_s, u"2"_s}};
        std::optional<QList<ChangeOutlook>> outlook;
        interleaved([&] { outlook = pooledMetrics.outlook(metric.at(0), pending, 86400, &error); });
        QVERIFY2(outlook && outlook->size() == 1, qPrintable(error.toString()));
        const auto outlookDirect = directMetrics.outlook(metric.at(0), pending, 86400, &error);
        QVERIFY2(outlookDirect, qPrintable(error.toString()));
        QCOMPARE(outlook->first().pastChanges, outlookDirect->first().pastChanges);
        QCOMPARE(outlook->first().metrics.size(), outlookDirect->first().metrics.size());
    }
    QVERIFY(reads > 30);

    otherClient.reset();
    closeBoth.dismiss();
    direct = {};
    pooled = {};
    SqlDatabase::close(u"direct"_s);
    SqlDatabase::close(u"pooled"_s);
    verifyNothingLeft(bouncer(), db);
}

void TstPoolReads::readsKeepTheirLockTimeout()
{
    // A table locked by a migration in progress: every read gives up after its lock timeout
    // although the pooler refused the start-up options that would carry it.
    TestDatabase db(u"pool_read_timeout"_s);
    const QString problem = prepareSeededDatabase(db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    ConnectionOptions options = m_bouncers.transaction().options(db.name());
    options.lockTimeoutMs = 300;
    DbError error;
    QSqlDatabase pooled = SqlDatabase::open(options, u"pooled"_s, &error);
    QVERIFY2(pooled.isOpen(), qPrintable(error.toString()));
    auto closePooled = qScopeGuard([&] {
        pooled = {};
        SqlDatabase::close(u"pooled"_s);
    });
    QCOMPARE(SqlDatabase::transactionTimeouts(pooled)->lockTimeoutMs, 300);

    PgConnection locker;
    QVERIFY2(locker.open(db.options(), &error), qPrintable(error.toString()));
    QVERIFY(locker.exec("BEGIN").ok());
    QVERIFY(locker
                .exec("LOCK algorithm_changelog, algorithm_chat_history, algorithm_metrics"
                      " IN ACCESS EXCLUSIVE MODE")
                .ok());
    // Should a read wait for ever (no timeout), end the lock after a while so that the test
    // fails instead of hanging.
    std::promise<void> done;
    std::thread release([&locker, finished = done.get_future()] {
        if (finished.wait_for(std::chrono::seconds(15)) == std::future_status::timeout)
            locker.exec("ROLLBACK");
    });
    auto stopRelease = qScopeGuard([&] {
        done.set_value();
        release.join();
    });

    ChangelogRepository changelog(pooled);
    ChatRepository chat(pooled);
    MetricsRepository metrics(pooled);
    const QList<std::pair<QString, std::function<bool()>>> reads = {
        {u"changelog page"_s,
         [&] { return changelog.page({}, std::nullopt, 10, &error).has_value(); }},
        {u"changelog export"_s,
         [&] {
             QBuffer out;
             out.open(QIODevice::WriteOnly);
             return changelog.exportCsv({}, &out, {}, &error) >= 0;
         }},
        {u"chat page"_s, [&] { return chat.page(u"A1"_s, std::nullopt, 10, &error).has_value(); }},
        {u"metric names"_s, [&] { return metrics.metricNames(u"A1"_s, &error).has_value(); }},
    };
    for (const auto &[name, read] : reads) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            QElapsedTimer timer;
            timer.start();
            error = {};
            QVERIFY2(!read(), qPrintable(name));
            QVERIFY2(error.sqlState == u"55P03"_s, qPrintable(name + u": "_s + error.toString()));
            QVERIFY2(timer.elapsed() < 10000, qPrintable(name));
        }
    }
    stopRelease.dismiss();
    done.set_value();
    release.join();
    QVERIFY(locker.exec("ROLLBACK").ok());

    // Unlocked, the same connection reads again.
    const auto page = chat.page(u"A1"_s, std::nullopt, 10, &error);
    QVERIFY2(page, qPrintable(error.toString()));
    closePooled.dismiss();
    pooled = {};
    SqlDatabase::close(u"pooled"_s);
    verifyNothingLeft(m_bouncers.transaction(), db);
}

QTEST_GUILESS_MAIN(TstPoolReads)
#include "tst_poolreads.moc"
