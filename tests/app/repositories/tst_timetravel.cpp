// TimeTravelRepository against a brute-force replay written here: every changelog row and
// parameter of the agent read plainly, each parameter's tied entries ordered by searching for
// a chain (any permutation whose old values follow the previous new values), then the rule
// applied by a scan. Compared at hundreds of random moments over a 3000-row demo history and
// on hand-made edge cases (created after the moment, no changes, tied chains, a cycle,
// is_active, legacy NULL times, moments equal to an entry's time, before all history, future).
#include "repositories/timetravel.h"
#include "repositoryfixture.h"

#include <QMap>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <functional>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Legacy = std::numeric_limits<qint64>::min(); // modified_at NULL

struct Row
{
    QString id;
    QString name;
    QString oldValue;
    QString newValue;
    qint64 at = Legacy; // microseconds since the epoch of the stored wall-clock value
};

struct Expected
{
    QString valueThen;
    QString valueNow;
    bool existedThen = true;
    bool existsNow = true;
    qint64 changeAt = Legacy; // the setting entry's time and new value (ids tie in a group)
    QString changeValue;
    bool hasChange = false;
};

bool same(const QString &a, const QString &b)
{
    return a == b && a.isNull() == b.isNull();
}

QString show(const QString &value)
{
    return value.isNull() ? u"<null>"_s : u'"' + value + u'"';
}

// The server's text of a microsecond time.
QString momentText(qint64 us)
{
    const qint64 ms = us >= 0 ? us / 1000 : (us - 999) / 1000;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s) +
           QStringLiteral("%1").arg(us - ms * 1000, 3, 10, QLatin1Char('0'));
}

const QByteArray EpochUs = "(extract(epoch FROM %1) * 1000000)::bigint";

QByteArray epoch(const char *column)
{
    return QString::fromLatin1(EpochUs).arg(QLatin1String(column)).toLatin1();
}

// Everything the replay needs of one agent, read plainly.
struct History
{
    QList<Row> rows;
    struct Param
    {
        QString name;
        QString current;
        bool hasCreated = false;
        qint64 created = 0;
    };
    QList<Param> params;
    bool agentExists = false;
    QString active;
};

History readHistory(TestDatabase &db, const QString &agent)
{
    History h;
    const QByteArray a = agent.toUtf8();
    PgResult rows =
        db.exec("SELECT id, parameter_name, old_value, new_value, " + epoch("modified_at") +
                    " FROM algorithm_changelog WHERE algorithm_id = $1"
                    " AND parameter_name IS NOT NULL",
                {a});
    for (int r = 0; r < rows.rows(); ++r)
        h.rows.append({rows.value(r, 0), rows.value(r, 1), rows.value(r, 2), rows.value(r, 3),
                       rows.isNull(r, 4) ? Legacy : rows.value(r, 4).toLongLong()});
    PgResult params = db.exec("SELECT parameter_name, current_value, " + epoch("created_at") +
                                  " FROM algorithm_parameters WHERE algorithm_id = $1"
                                  " AND parameter_name IS NOT NULL",
                              {a});
    for (int r = 0; r < params.rows(); ++r)
        h.params.append({params.value(r, 0), params.value(r, 1), !params.isNull(r, 2),
                         params.value(r, 2).toLongLong()});
    PgResult agents =
        db.exec("SELECT is_active::text FROM algorithm_agents WHERE algorithm_id = $1", {a});
    h.agentExists = agents.rows() == 1;
    if (h.agentExists)
        h.active = agents.value(0, 0);
    return h;
}

// A full chain through `rows` starting at `start`, by search; empty when there is none.
QList<Row> chainFrom(const QList<Row> &rows, const QString &start)
{
    QList<Row> order;
    QList<bool> used(rows.size(), false);
    std::function<bool(const QString &)> walk = [&](const QString &at) {
        if (order.size() == rows.size())
            return true;
        for (qsizetype i = 0; i < rows.size(); ++i) {
            if (used[i] || !same(rows[i].oldValue, at))
                continue;
            used[i] = true;
            order.append(rows[i]);
            if (walk(rows[i].newValue))
                return true;
            order.removeLast();
            used[i] = false;
        }
        return false;
    };
    return walk(start) ? order : QList<Row>();
}

// The brute force: per name, all its entries in replay order, then the rule by a scan.
QMap<QString, Expected> replay(const History &h, qint64 moment, bool strict = false)
{
    QMap<QString, Expected> result;
    QMap<QString, QString> current;
    QMap<QString, bool> exists;
    for (const History::Param &p : h.params) {
        Expected e;
        e.valueNow = p.current;
        e.existedThen = !p.hasCreated || (strict ? p.created < moment : p.created <= moment);
        result.insert(p.name, e);
        current.insert(p.name, p.current);
        exists.insert(p.name, true);
    }
    if (h.agentExists) {
        Expected e;
        e.valueNow = h.active;
        result.insert(u"is_active"_s, e);
        current.insert(u"is_active"_s, h.active);
        exists.insert(u"is_active"_s, true);
    }
    QMap<QString, QMap<qint64, QList<Row>>> groups;
    for (const Row &row : h.rows)
        groups[row.name][row.at].append(row);
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        const QString name = it.key();
        if (!result.contains(name)) {
            Expected e;
            e.existsNow = false;
            result.insert(name, e);
        }
        QList<Row> sequence;
        bool known = false;
        QString value;
        for (auto g = it->cbegin(); g != it->cend(); ++g) {
            QList<Row> rows = g.value();
            std::sort(rows.begin(), rows.end(),
                      [](const Row &a, const Row &b) { return a.id < b.id; });
            QList<QString> starts;
            if (known) {
                starts.append(value);
            } else {
                if (std::next(g) == it->cend() && exists.value(name))
                    starts.append(current.value(name));
                for (const Row &row : rows)
                    starts.append(row.oldValue);
            }
            QList<Row> order;
            for (const QString &start : starts)
                if (order = chainFrom(rows, start); !order.isEmpty())
                    break;
            if (order.isEmpty())
                order = rows; // not a chain: by id (not used by the cases below)
            sequence += order;
            value = order.constLast().newValue;
            known = true;
        }
        Expected &e = result[name];
        const Row *last = nullptr;
        const Row *next = nullptr;
        for (const Row &row : sequence) {
            const bool before = strict ? row.at < moment : row.at <= moment;
            if (before)
                last = &row;
            else if (!next)
                next = &row;
        }
        if (last) {
            e.valueThen = last->newValue;
            e.hasChange = true;
            e.changeAt = last->at;
            e.changeValue = last->newValue;
        } else if (next) {
            e.valueThen = next->oldValue;
        } else {
            e.valueThen = e.valueNow;
        }
    }
    for (auto it = result.begin(); it != result.end(); ++it) {
        if (!it->existsNow)
            continue;
        if (!groups.contains(it.key()))
            it->valueThen = it->valueNow;
        if (!it->existedThen) {
            it->valueThen = QString();
            it->hasChange = false;
        }
    }
    return result;
}

// configAt beside the replay; empty when equal, else the differences.
QString compare(const ConfigAt &config, const QMap<QString, Expected> &expected, const History &h)
{
    QMap<QString, const Row *> byId;
    for (const Row &row : h.rows)
        byId.insert(row.id, &row);
    QString diff;
    if (config.entries.size() != expected.size())
        diff += u"%1 entries, expected %2\n"_s.arg(config.entries.size()).arg(expected.size());
    for (const ConfigAtEntry &entry : config.entries) {
        if (!expected.contains(entry.name)) {
            diff += u"unexpected %1\n"_s.arg(entry.name);
            continue;
        }
        const Expected &e = expected.value(entry.name);
        if (!same(entry.valueThen, e.valueThen) || !same(entry.valueNow, e.valueNow) ||
            entry.existedThen != e.existedThen || entry.existsNow != e.existsNow)
            diff +=
                u"%1: then %2 (expected %3), now %4 (expected %5), existed %6/%7, exists %8/%9\n"_s
                    .arg(entry.name, show(entry.valueThen), show(e.valueThen), show(entry.valueNow),
                         show(e.valueNow))
                    .arg(entry.existedThen)
                    .arg(e.existedThen)
                    .arg(entry.existsNow)
                    .arg(e.existsNow);
        const Row *change = byId.value(entry.lastChangeId);
        if (e.hasChange != !entry.lastChangeId.isEmpty() ||
            (e.hasChange &&
             (!change || change->at != e.changeAt || !same(change->newValue, e.changeValue))))
            diff += u"%1: last change %2\n"_s.arg(entry.name, entry.lastChangeId);
    }
    if (!config.entries.isEmpty() && config.entries.constFirst().name != u"is_active"_s)
        diff += u"is_active is not first\n"_s;
    return diff;
}

QString prepare(TestDatabase &db, qint64 changelogRows)
{
    if (!db.ok())
        return db.error();
    const RunReport report = migrateDatabase(db.options());
    if (report.outcome != RunReport::Outcome::Ok)
        return report.error.toString();
    PgConnection connection;
    DbError error;
    if (!connection.open(db.options(), &error))
        return error.toString();
    DemoSeedOptions options;
    options.changelogRows = changelogRows;
    options.metricRows = 100;
    options.chatRows = 10;
    if (!runDemoSeed(connection, options, nullptr, &error))
        return error.toString();
    return {};
}

qint64 serverNow(TestDatabase &db)
{
    return db.scalar("SELECT " + epoch("clock_timestamp()::timestamp")).toLongLong();
}

} // namespace

class TstTimeTravel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomMomentsOnDemoData();
    void handMadeEdgeCases();
};

void TstTimeTravel::randomMomentsOnDemoData()
{
    TestDatabase db(u"timetravel_demo"_s);
    const QString prepared = prepare(db, 3000);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const QSqlDatabase database = SqlDatabase::open(db.options(), u"travel"_s, nullptr);
    QVERIFY(database.isOpen());
    TimeTravelRepository travel(database);
    const QStringList agents = rows(db, "SELECT algorithm_id FROM algorithm_agents ORDER BY 1");
    QVERIFY(agents.size() > 3);
    QRandomGenerator random(20261206);
    int checked = 0;
    for (const QString &agent : agents) {
        const History h = readHistory(db, agent);
        if (h.rows.isEmpty())
            continue;
        qint64 lo = std::numeric_limits<qint64>::max(), hi = Legacy;
        for (const Row &row : h.rows) {
            lo = qMin(lo, row.at);
            hi = qMax(hi, row.at);
        }
        for (int i = 0; i < 25; ++i) {
            qint64 moment;
            switch (i % 4) {
            case 0: // exactly an entry's time
                moment = h.rows.at(random.bounded(int(h.rows.size()))).at;
                break;
            case 1: // one microsecond before an entry
                moment = h.rows.at(random.bounded(int(h.rows.size()))).at - 1;
                break;
            default: // anywhere, a day either side
                moment = lo - 86400000000LL +
                         qint64(random.generateDouble() * double(hi - lo + 2 * 86400000000LL));
            }
            DbError error;
            const std::optional<ConfigAt> config =
                travel.configAt(agent, momentText(moment), &error);
            QVERIFY2(config, qPrintable(error.toString()));
            const QString diff = compare(*config, replay(h, moment), h);
            QVERIFY2(diff.isEmpty(),
                     qPrintable(agent + u" at "_s + momentText(moment) + u":\n"_s + diff));
            ++checked;
        }
    }
    QVERIFY2(checked >= 200, qPrintable(QString::number(checked)));
}

void TstTimeTravel::handMadeEdgeCases()
{
    TestDatabase db(u"timetravel_edges"_s);
    const QString prepared = prepare(db, 200);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const QSqlDatabase database = SqlDatabase::open(db.options(), u"edges"_s, nullptr);
    QVERIFY(database.isOpen());
    TimeTravelRepository travel(database);
    auto exec = [&](const QByteArray &sql) {
        const PgResult result = db.exec(sql);
        QVERIFY2(result.ok(), qPrintable(sql + ": " + result.error().toString().toUtf8()));
    };
    // Legacy rows (no time) of a quiet old parameter, and one with no changes at all.
    exec("INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type,"
         " current_value, created_at) VALUES ('A1', 'legacy_param', 'string', 'c', NULL),"
         " ('A1', 'quiet_param', 'string', 'q', '2000-01-01')");
    exec("INSERT INTO algorithm_changelog (algorithm_id, parameter_name, old_value, new_value,"
         " modified_at) VALUES ('A1', 'legacy_param', 'b', 'c', NULL),"
         " ('A1', 'legacy_param', 'a', 'b', NULL)");
    const qint64 t0 = serverNow(db);
    // Three changes of one parameter in one transaction (tied times, a chain), a cycle of
    // another, and the active flag.
    exec("BEGIN");
    exec("SET LOCAL algoadmin.reason = 'tied'");
    exec("UPDATE algorithm_parameters SET current_value = '0.03'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    exec("UPDATE algorithm_parameters SET current_value = '0.04'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    exec("UPDATE algorithm_parameters SET current_value = '0.05'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    exec("UPDATE algorithm_parameters SET current_value = '61'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'");
    exec("UPDATE algorithm_parameters SET current_value = '60'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'");
    exec("UPDATE algorithm_agents SET is_active = NOT coalesce(is_active, false)"
         " WHERE algorithm_id = 'A1'");
    exec("COMMIT");
    const qint64 t1 = serverNow(db);
    // A parameter created after t1, then changed.
    exec("INSERT INTO algorithm_parameters (algorithm_id, parameter_name, parameter_type,"
         " current_value) VALUES ('A1', 'late_param', 'string', 'x')");
    exec("UPDATE algorithm_parameters SET current_value = 'y'"
         " WHERE algorithm_id = 'A1' AND parameter_name = 'late_param'");
    exec("UPDATE algorithm_agents SET is_active = NOT is_active WHERE algorithm_id = 'A1'");
    const qint64 t2 = serverNow(db);

    const History h = readHistory(db, u"A1"_s);
    const qint64 tied = db.scalar("SELECT " + epoch("modified_at") +
                                  " FROM algorithm_changelog WHERE reason = 'tied' LIMIT 1")
                            .toLongLong();
    QList<qint64> moments{Legacy + 1, 0,  t0, tied - 1,          tied,
                          tied + 1,   t1, t2, 4102444800000000LL /* 2100 */};
    for (const Row &row : h.rows)
        if (row.at != Legacy)
            moments << row.at << row.at - 1;
    for (const qint64 moment : moments) {
        const QString text = moment == Legacy + 1 ? u"1900-01-01 00:00:00"_s : momentText(moment);
        const qint64 m = moment == Legacy + 1 ? -2208988800000000LL : moment;
        DbError error;
        const std::optional<ConfigAt> config = travel.configAt(u"A1"_s, text, &error);
        QVERIFY2(config, qPrintable(error.toString()));
        const QString diff = compare(*config, replay(h, m), h);
        QVERIFY2(diff.isEmpty(), qPrintable(text + u":\n"_s + diff));
    }

    // The same cases said plainly.
    auto at = [&](qint64 moment, const QString &name) {
        DbError error;
        const std::optional<ConfigAt> config = travel.configAt(u"A1"_s, momentText(moment), &error);
        for (const ConfigAtEntry &entry : config ? config->entries : QList<ConfigAtEntry>())
            if (entry.name == name)
                return entry;
        return ConfigAtEntry{u"missing: "_s + error.toString(), {}, {}, false, false, {}};
    };
    QCOMPARE(at(t0, u"learning_rate"_s).valueThen, u"0.02"_s);
    QCOMPARE(at(tied, u"learning_rate"_s).valueThen, u"0.05"_s); // the chain's end, not an id's
    QCOMPARE(at(tied - 1, u"learning_rate"_s).valueThen, u"0.02"_s);
    QCOMPARE(at(t1, u"window_days"_s).valueThen, u"60"_s); // a cycle: where it began
    QVERIFY(!at(t1, u"window_days"_s).changedSince());
    QCOMPARE(at(t1, u"late_param"_s).existedThen, false);
    QVERIFY(at(t1, u"late_param"_s).valueThen.isNull());
    QVERIFY(at(t1, u"late_param"_s).changedSince());
    QCOMPARE(at(t2, u"late_param"_s).valueThen, u"y"_s);
    QCOMPARE(at(t0, u"quiet_param"_s).valueThen, u"q"_s);
    QVERIFY(at(t0, u"quiet_param"_s).lastChangeId.isEmpty());
    // Legacy rows are older than every dated entry: they hold at any moment.
    QCOMPARE(at(-2208988800000000LL, u"legacy_param"_s).valueThen, u"c"_s); // created_at NULL
    QVERIFY(!at(-2208988800000000LL, u"legacy_param"_s).lastChangeId.isEmpty());
    QCOMPARE(at(t0, u"is_active"_s).valueThen, h.active);
    QVERIFY(at(t1, u"is_active"_s).valueThen != h.active);
    QVERIFY(at(t1, u"is_active"_s).changedSince());

    // Just before the tied transaction: its whole change set excluded.
    const QString tiedEntry =
        db.scalar("SELECT id FROM algorithm_changelog WHERE reason = 'tied' LIMIT 1");
    DbError error;
    const std::optional<ConfigAt> before = travel.configBefore(tiedEntry, &error);
    QVERIFY2(before, qPrintable(error.toString()));
    QCOMPARE(compare(*before, replay(h, tied, true), h), QString());
    QCOMPARE(compare(*before, replay(h, tied - 1), h), QString());

    // Unknown agent and entry: P0002.
    QVERIFY(!travel.configAt(u"NO_SUCH"_s, momentText(t0), &error));
    QCOMPARE(error.sqlState, u"P0002"_s);
    QVERIFY(!travel.configBefore(u"no-such-entry"_s, &error));
    QCOMPARE(error.sqlState, u"P0002"_s);
}

QTEST_GUILESS_MAIN(TstTimeTravel)
#include "tst_timetravel.moc"
