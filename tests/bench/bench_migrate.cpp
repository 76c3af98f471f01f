// Migrate and verify, side by side with psql and with the floor, for the bundled migrations, a
// generated 174-table / 400-index schema and any directory of migrations given with --schema
// (e.g. a public project's pg_dump structure file as DIR/001_structure.sql), directly on the
// Unix socket and at 0 ms and 40 ms of injected round-trip time through algoadmin-delayproxy.
//
// The floor is psql sending every statement of the set as ONE simple Query message (the
// statements joined with psql's \;), so that the server runs them back to back with no round
// trip between them; a second floor adds `SELECT clock_timestamp()` after every statement in
// that message, what per-step timings cost at the least.
//
//   bench_migrate [--runs N] [--rtt direct,0,40] [--schema DIR]... [--no-builtin] [--breakdown]
//   (--breakdown: instead, what per-statement work costs the server; see timeSending())
//   bench_migrate --write-schema DIR     (writes the generated schema as DIR/001_app_schema.sql)
//
// Every tool runs as its own process against a fresh database, through the same proxy (or the
// same socket), with the same conninfo, so process start, connection set-up and round trips are
// all counted.
#include "benchsupport.h"
#include "db/pgconnection.h"
#include "migrations/migration.h"
#include "sandbox/localcluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QVarLengthArray>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

#include <sys/stat.h>

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

// A schema of the size that made drizzle-kit push hang: 174 tables with mixed column types
// (jsonb, arrays, numerics, timestamps, uuids), 174 primary keys and 226 secondary indexes.
QString generatedSchema()
{
    QRandomGenerator random(174400);
    const QStringList types{QStringLiteral("integer"),       QStringLiteral("bigint"),
                            QStringLiteral("numeric(12,2)"), QStringLiteral("text"),
                            QStringLiteral("varchar(120)"),  QStringLiteral("boolean"),
                            QStringLiteral("timestamp"),     QStringLiteral("jsonb"),
                            QStringLiteral("text[]"),        QStringLiteral("integer[]"),
                            QStringLiteral("uuid"),          QStringLiteral("double precision")};
    QString sql = QStringLiteral("-- generated: 174 tables, 400 indexes\n");
    QList<QStringList> columnsOf;
    for (int t = 1; t <= 174; ++t) {
        const QString table = QStringLiteral("app_table_%1").arg(t, 3, 10, QLatin1Char('0'));
        sql += QStringLiteral("\nCREATE TABLE %1 (\n    id bigserial PRIMARY KEY").arg(table);
        QStringList columns;
        const int count = 6 + int(random.bounded(9));
        for (int c = 1; c <= count; ++c) {
            const QString type = types.at(int(random.bounded(types.size())));
            const QString column = QStringLiteral("col_%1_%2")
                                       .arg(QString(type)
                                                .section(QLatin1Char('('), 0, 0)
                                                .remove(QLatin1String("[]"))
                                                .replace(QLatin1Char(' '), QLatin1Char('_')))
                                       .arg(c);
            QString definition = QStringLiteral(",\n    %1 %2").arg(column, type);
            if (type == QLatin1String("jsonb"))
                definition += QStringLiteral(" NOT NULL DEFAULT '{}'");
            else if (type == QLatin1String("timestamp"))
                definition += QStringLiteral(" DEFAULT now()");
            else if (type == QLatin1String("boolean"))
                definition += QStringLiteral(" NOT NULL DEFAULT false");
            else if (random.bounded(3) == 0)
                definition += QStringLiteral(" NOT NULL");
            sql += definition;
            columns.append(column);
        }
        if (t > 1 && random.bounded(3) == 0) {
            sql += QStringLiteral(",\n    parent_id bigint REFERENCES app_table_%1 (id)")
                       .arg(t - 1, 3, 10, QLatin1Char('0'));
            columns.append(QStringLiteral("parent_id"));
        }
        sql += QStringLiteral(",\n    created_at timestamp NOT NULL DEFAULT now()\n);\n");
        columns.append(QStringLiteral("created_at"));
        columnsOf.append(columns);
    }
    // 226 secondary indexes, spread over the tables; 174 primary keys make 400.
    for (int i = 0; i < 226; ++i) {
        const int t = i % 174;
        const QString table = QStringLiteral("app_table_%1").arg(t + 1, 3, 10, QLatin1Char('0'));
        const QStringList &columns = columnsOf.at(t);
        const QString column = columns.at(int(random.bounded(columns.size())));
        const QString name = QStringLiteral("idx_%1_%2").arg(table).arg(i);
        if (column.startsWith(QLatin1String("col_jsonb")))
            sql +=
                QStringLiteral("CREATE INDEX %1 ON %2 USING gin (%3);\n").arg(name, table, column);
        else if (i % 5 == 0)
            sql += QStringLiteral("CREATE INDEX %1 ON %2 (%3, created_at DESC);\n")
                       .arg(name, table, column);
        else if (i % 7 == 0)
            sql += QStringLiteral("CREATE INDEX %1 ON %2 (created_at) WHERE %3 IS NOT NULL;\n")
                       .arg(name, table, column);
        else
            sql += QStringLiteral("CREATE INDEX %1 ON %2 (%3);\n").arg(name, table, column);
    }
    return sql;
}

struct Run
{
    double ms = 0;
    int roundTrips = 0;
    bool ok = false;
    QString output;
};

Run timeProcess(const QString &program, const QStringList &arguments)
{
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(program, arguments);
    process.waitForFinished(600000);
    Run run;
    run.ms = clock.nsecsElapsed() / 1e6;
    run.ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    run.output = QString::fromUtf8(process.readAllStandardOutput());
    if (!run.ok)
        run.output += QString::fromUtf8(process.readAllStandardError());
    return run;
}

// The set's statements as one psql input that psql sends as one Query message: joined with
// \; (psql's "send these together"), with `SELECT clock_timestamp()` after each when `marks`.
QByteArray oneMessage(const MigrationSet &set, bool marks)
{
    QByteArray sql;
    for (const Migration &migration : set.migrations) {
        for (const SqlStatement &statement : migration.statements) {
            if (!sql.isEmpty())
                sql += "\n\\;\n";
            sql += statement.text.toUtf8();
            if (marks)
                sql += "\n\\; SELECT clock_timestamp()";
        }
    }
    return sql + ";\n";
}

// --breakdown: what per-statement work costs the server, in this process over libpq (no
// process start, no proxy). Each way of sending the set: its name, and how each statement is
// followed. The floor is the first: the statements as one simple Query message.
struct Sending
{
    const char *name;
    bool oneMessage = false; // a simple Query message, else a pipeline of statements
    enum Mark
    {
        None,
        Select,         // SELECT clock_timestamp()
        Insert,         // INSERT … RETURNING into a temp table, parsed each time
        PreparedInsert, // the same, prepared once (algoadmin's)
        PreparedSelect  // SELECT clock_timestamp(), prepared once
    } mark = None;
    bool flush = false; // a Flush after each mark (algoadmin's until 2026-12-06)
};

const QList<Sending> &sendings()
{
    static const QList<Sending> list{
        {"one simple Query message (floor)", true},
        {"one Query message, SELECT mark after each", true, Sending::Select},
        {"a pipeline, one statement each"},
        {"… an INSERT mark and a Flush after each (before)", false, Sending::Insert, true},
        {"… an INSERT mark after each, no Flush", false, Sending::Insert},
        {"… a prepared SELECT mark after each", false, Sending::PreparedSelect},
        {"… a prepared INSERT mark after each (algoadmin)", false, Sending::PreparedInsert},
    };
    return list;
}

static const char MarkSelect[] = "SELECT extract(epoch FROM clock_timestamp())::float8 * 1000";
static const char MarkInsert[] = "INSERT INTO marks VALUES ($1, $2::int, clock_timestamp())"
                                 " RETURNING extract(epoch FROM at)::float8 * 1000";

double timeSending(const ConnectionOptions &options, const MigrationSet &set,
                   const Sending &sending)
{
    PgConnection connection;
    DbError error;
    if (!connection.open(options, &error))
        return -1;
    PGconn *conn = connection.handle();
    QElapsedTimer clock;
    clock.start();
    bool ok = true;
    if (sending.oneMessage) {
        QByteArray sql = "BEGIN;";
        for (const Migration &migration : set.migrations) {
            for (const SqlStatement &statement : migration.statements) {
                sql += statement.text.toUtf8() + ";\n";
                if (sending.mark == Sending::Select)
                    sql += QByteArray(MarkSelect) + ";\n";
            }
        }
        sql += "COMMIT;";
        PQsendQuery(conn, sql.constData());
        while (PGresult *result = PQgetResult(conn)) {
            ok = ok && PQresultStatus(result) != PGRES_FATAL_ERROR;
            PQclear(result);
        }
        return ok ? clock.nsecsElapsed() / 1e6 : -1;
    }
    const auto send = [&](const QByteArray &sql, const QList<QByteArray> &params = {}) {
        QVarLengthArray<const char *, 2> values;
        for (const QByteArray &param : params)
            values.append(param.constData());
        PQsendQueryParams(conn, sql.constData(), int(values.size()), nullptr, values.constData(),
                          nullptr, nullptr, 0);
    };
    PQenterPipelineMode(conn);
    send("BEGIN");
    if (sending.mark == Sending::Insert || sending.mark == Sending::PreparedInsert)
        send("CREATE TEMP TABLE marks (run text, step int, at timestamptz) ON COMMIT DROP");
    if (sending.mark == Sending::PreparedInsert)
        PQsendPrepare(conn, "mark", MarkInsert, 0, nullptr);
    if (sending.mark == Sending::PreparedSelect)
        PQsendPrepare(conn, "mark", MarkSelect, 0, nullptr);
    int step = 0;
    for (const Migration &migration : set.migrations) {
        const QByteArray run = migration.version.toUtf8();
        for (const SqlStatement &statement : migration.statements) {
            send(statement.text.toUtf8());
            const QByteArray number = QByteArray::number(++step);
            const char *values[] = {run.constData(), number.constData()};
            switch (sending.mark) {
            case Sending::None:
                break;
            case Sending::Select:
                send(MarkSelect);
                break;
            case Sending::Insert:
                send(MarkInsert, {run, number});
                break;
            case Sending::PreparedInsert:
                PQsendQueryPrepared(conn, "mark", 2, values, nullptr, nullptr, 0);
                break;
            case Sending::PreparedSelect:
                PQsendQueryPrepared(conn, "mark", 0, nullptr, nullptr, nullptr, 0);
                break;
            }
            if (sending.flush)
                PQsendFlushRequest(conn);
        }
    }
    send("COMMIT");
    PQpipelineSync(conn);
    for (;;) {
        PGresult *result = PQgetResult(conn);
        if (!result)
            continue; // the end of one statement's results
        const ExecStatusType status = PQresultStatus(result);
        ok = ok && status != PGRES_FATAL_ERROR && status != PGRES_PIPELINE_ABORTED;
        PQclear(result);
        if (status == PGRES_PIPELINE_SYNC)
            break;
    }
    return ok ? clock.nsecsElapsed() / 1e6 : -1;
}

struct Proxy
{
    QProcess process;
    int port = 0;
};

// --rtt direct: the cluster's Unix socket, no proxy.
constexpr int Direct = -1;

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 2 && arguments.at(1) == QLatin1String("--write-schema")) {
        // For looking at or replaying the generated schema by hand.
        QFile file(arguments.at(2) + QStringLiteral("/001_app_schema.sql"));
        if (!file.open(QIODevice::WriteOnly))
            return 2;
        file.write(generatedSchema().toUtf8());
        return 0;
    }
    int runs = 5;
    QList<int> rtts{Direct, 0, 40};
    QStringList extraDirs;
    bool builtin = true;
    bool breakdown = false;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &name = arguments.at(i);
        const QString value = i + 1 < arguments.size() ? arguments.at(i + 1) : QString();
        if (name == QLatin1String("--no-builtin")) {
            builtin = false;
            continue;
        }
        if (name == QLatin1String("--breakdown")) {
            breakdown = true;
            continue;
        }
        if (name == QLatin1String("--runs")) {
            runs = std::max(1, value.toInt());
        } else if (name == QLatin1String("--rtt")) {
            rtts.clear();
            for (const QString &rtt : value.split(QLatin1Char(',')))
                rtts.append(rtt == QLatin1String("direct") ? Direct : rtt.toInt());
        } else if (name == QLatin1String("--schema")) {
            extraDirs.append(value);
        } else {
            std::fprintf(stderr, "bench: unknown option %s\n", qPrintable(name));
            return 2;
        }
        ++i;
    }

    QTemporaryDir work(QStringLiteral("/tmp/algoadmin-bench-XXXXXX"));
    ::chmod(QFile::encodeName(work.path()).constData(), 0755);
    // Every tool does the same server work; without fsync, disk flushes (of the databases
    // created and dropped between runs) stop adding noise to the client-side differences.
    qputenv("ALGOADMIN_LOCAL_UNSAFE_FAST", "1");
    LocalCluster cluster(work.path() + QStringLiteral("/cluster"));
    QString error;
    out() << "starting a private PostgreSQL in " << cluster.dataDir() << " …\n";
    out().flush();
    if (!cluster.start(&error)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return 1;
    }
    PgConnection admin;
    DbError dbError;
    if (!admin.open(cluster.connectionOptions(QStringLiteral("postgres")), &dbError)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(dbError.toString()));
        return 1;
    }
    const QString serverVersion = admin.exec("SHOW server_version").value(0, 0);

    // The generated schema as one migration file.
    const QString generatedDir = work.path() + QStringLiteral("/generated");
    QDir().mkpath(generatedDir);
    {
        QFile file(generatedDir + QStringLiteral("/001_app_schema.sql"));
        file.open(QIODevice::WriteOnly);
        file.write(generatedSchema().toUtf8());
    }
    struct Schema
    {
        QString label;
        QString dir;
        QStringList files;
        int statements = 0;
        QString floorFile; // oneMessage() of the set, and with marks
        QString marksFile;
    };
    QList<std::pair<QString, QString>> sources;
    if (builtin) {
        sources.append({QStringLiteral("bundled"), QStringLiteral(ALGOADMIN_SOURCE_DIR "/sql")});
        sources.append({QStringLiteral("generated (174 tables, 400 indexes)"), generatedDir});
    }
    for (const QString &dir : std::as_const(extraDirs))
        sources.append({QDir(dir).dirName(), dir});
    QList<Schema> schemas;
    for (const auto &[label, dir] : std::as_const(sources)) {
        const MigrationSet set = MigrationSet::fromDirectory(dir);
        if (!set.ok()) {
            std::fprintf(stderr, "bench: %s: %s\n", qPrintable(dir), qPrintable(set.error));
            return 1;
        }
        Schema schema{label, dir, {}, 0, {}, {}};
        for (const Migration &migration : set.migrations) {
            schema.files.append(migration.path);
            schema.statements += int(migration.statements.size());
        }
        if (!schema.label.contains(QLatin1Char('(')))
            schema.label += QStringLiteral(" (%1 migrations, %2 statements)")
                                .arg(set.migrations.size())
                                .arg(schema.statements);
        const QString stem = work.path() + QStringLiteral("/floor-%1").arg(schemas.size());
        for (const bool marks : {false, true}) {
            QFile file(stem + (marks ? QStringLiteral("-marks.sql") : QStringLiteral(".sql")));
            file.open(QIODevice::WriteOnly);
            file.write(oneMessage(set, marks));
            (marks ? schema.marksFile : schema.floorFile) = file.fileName();
        }
        schemas.append(schema);
    }

    // One proxy per round-trip time, all in front of the cluster's Unix socket.
    QList<std::shared_ptr<Proxy>> proxies;
    for (int rtt : std::as_const(rtts)) {
        auto proxy = std::make_shared<Proxy>();
        if (rtt == Direct) {
            proxies.append(proxy);
            continue;
        }
        proxy->process.start(
            QStringLiteral(DELAYPROXY_BIN),
            {QStringLiteral("--target-unix"),
             cluster.socketDir() + QStringLiteral("/.s.PGSQL.%1").arg(cluster.port()),
             QStringLiteral("--listen-port"), QStringLiteral("0"), QStringLiteral("--rtt-ms"),
             QString::number(rtt), QStringLiteral("--max-seconds"), QStringLiteral("3600")});
        proxy->process.waitForReadyRead(10000);
        const QString line = QString::fromUtf8(proxy->process.readLine()).trimmed();
        proxy->port = line.section(QLatin1Char(' '), 2, 2).toInt();
        if (proxy->port == 0) {
            std::fprintf(stderr, "bench: the delay proxy did not start: %s\n", qPrintable(line));
            return 1;
        }
        proxies.append(proxy);
    }

    int database = 0;
    const auto freshDatabase = [&]() {
        const QString name = QStringLiteral("bench_%1").arg(++database);
        admin.exec(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(name).toUtf8());
        admin.exec(QStringLiteral("CREATE DATABASE %1").arg(name).toUtf8());
        return name;
    };
    const auto dropDatabase = [&](const QString &name) {
        admin.exec(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(name).toUtf8());
    };

    out() << "\nAlgoAdmin migrate benchmark: medians of " << runs << " runs, PostgreSQL "
          << serverVersion << ", " << QThread::idealThreadCount() << " cores, through "
          << "algoadmin-delayproxy (TCP, sslmode=disable for every tool), server fsync off\n"
          << "Each time is a whole process, end to end: start, connect, work, exit. Round trips "
             "exclude connection set-up.\n\n";
    const QString format = QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 |\n");
    out() << format.arg(QStringLiteral("schema"), QStringLiteral("RTT"),
                        QStringLiteral("operation"), QStringLiteral("median ms"),
                        QStringLiteral("round trips"), QStringLiteral("ratio"));
    out() << format.arg(QStringLiteral("---"), QStringLiteral("---:"), QStringLiteral("---"),
                        QStringLiteral("---:"), QStringLiteral("---:"), QStringLiteral("---:"));
    out().flush();

    if (breakdown) {
        out() << "\nWhat per-statement work costs, in one process over libpq on the Unix socket "
                 "(medians of "
              << runs << " runs):\n\n";
        const QString line = QStringLiteral("| %1 | %2 | %3 | %4 |\n");
        out() << line.arg(QStringLiteral("schema"), QStringLiteral("sent as"),
                          QStringLiteral("median ms"), QStringLiteral("ratio"));
        out() << line.arg(QStringLiteral("---"), QStringLiteral("---"), QStringLiteral("---:"),
                          QStringLiteral("---:"));
        for (const Schema &schema : std::as_const(schemas)) {
            const MigrationSet set = MigrationSet::fromDirectory(schema.dir);
            const qsizetype ways = sendings().size();
            QList<QList<double>> times(ways);
            for (int run = 0; run < runs; ++run) {
                for (int k = 0; k < ways; ++k) {
                    const int mode = (run + k) % int(ways);
                    const QString db = freshDatabase();
                    const double ms =
                        timeSending(cluster.connectionOptions(db), set, sendings().at(mode));
                    dropDatabase(db);
                    if (ms < 0) {
                        std::fprintf(stderr, "bench: the breakdown failed on %s\n",
                                     qPrintable(schema.label));
                        return 1;
                    }
                    times[mode].append(ms);
                }
            }
            const double base = Bench::median(times.first());
            for (int k = 0; k < ways; ++k)
                out() << line.arg(
                    schema.label, QString::fromUtf8(sendings().at(k).name),
                    QString::number(Bench::median(times.at(k)), 'f', 1),
                    QStringLiteral("%1×").arg(Bench::median(times.at(k)) / base, 0, 'f', 2));
            out().flush();
        }
    }

    const QList<Schema> measured = breakdown ? QList<Schema>() : schemas;
    for (const Schema &schema : measured) {
        for (int p = 0; p < proxies.size(); ++p) {
            const int rtt = rtts.at(p);
            const auto conninfo = [&](const QString &db) {
                if (rtt == Direct)
                    return QStringLiteral("host=%1 port=%2 dbname=%3 user=postgres")
                        .arg(cluster.socketDir())
                        .arg(cluster.port())
                        .arg(db);
                return QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=postgres "
                                      "sslmode=disable")
                    .arg(proxies.at(p)->port)
                    .arg(db);
            };
            QList<double> ours, psql, floorTimes, marksTimes, verifyCold, verifyWarm;
            int ourTrips = 0;
            int verifyTrips = 0;
            int verifyWarmTrips = 0;
            // The three tools take turns in a rotating order, so that a slow moment of the
            // machine does not always fall on the same one.
            QString db;
            Run r;
            const std::function<bool()> tools[] = {
                [&] {
                    // algoadmin migrate, then verify on the result
                    db = freshDatabase();
                    r = timeProcess(QStringLiteral(ALGOADMIN_BIN),
                                    {QStringLiteral("migrate"), QStringLiteral("--json"),
                                     QStringLiteral("--migrations"), schema.dir,
                                     QStringLiteral("-d"), conninfo(db)});
                    if (!r.ok) {
                        std::fprintf(stderr, "algoadmin migrate failed: %s\n",
                                     qPrintable(r.output));
                        return false;
                    }
                    ours.append(r.ms);
                    ourTrips = QJsonDocument::fromJson(r.output.toUtf8())
                                   .object()
                                   .value(QStringLiteral("round_trips"))
                                   .toInt();
                    // verify: replaying the migrations (--no-cache), then with the replay cached
                    const QStringList verifyArgs{
                        QStringLiteral("verify"),       QStringLiteral("--json"),
                        QStringLiteral("--migrations"), schema.dir,
                        QStringLiteral("-d"),           conninfo(db)};
                    Run v = timeProcess(QStringLiteral(ALGOADMIN_BIN),
                                        verifyArgs + QStringList{QStringLiteral("--no-cache")});
                    Run w =
                        timeProcess(QStringLiteral(ALGOADMIN_BIN), verifyArgs); // fills the cache
                    w = timeProcess(QStringLiteral(ALGOADMIN_BIN), verifyArgs);
                    if (!v.ok || !w.ok) {
                        std::fprintf(stderr, "algoadmin verify failed: %s\n",
                                     qPrintable(v.output + w.output));
                        return false;
                    }
                    verifyCold.append(v.ms);
                    verifyWarm.append(w.ms);
                    const auto trips = [](const Run &r) {
                        return QJsonDocument::fromJson(r.output.toUtf8())
                            .object()
                            .value(QStringLiteral("round_trips"))
                            .toInt();
                    };
                    verifyTrips = trips(v);
                    verifyWarmTrips = trips(w);
                    dropDatabase(db);

                    return true;
                },
                [&] {
                    // psql -X -1 -f: one statement per round trip, in one transaction
                    db = freshDatabase();
                    QStringList psqlArgs{QStringLiteral("-X"),
                                         QStringLiteral("-q"),
                                         QStringLiteral("-o"),
                                         QStringLiteral("/dev/null"),
                                         QStringLiteral("-1"),
                                         QStringLiteral("-v"),
                                         QStringLiteral("ON_ERROR_STOP=1"),
                                         QStringLiteral("-d"),
                                         conninfo(db)};
                    for (const QString &file : schema.files)
                        psqlArgs << QStringLiteral("-f") << file;
                    r = timeProcess(QStringLiteral("psql"), psqlArgs);
                    if (!r.ok) {
                        std::fprintf(stderr, "psql failed: %s\n", qPrintable(r.output));
                        return false;
                    }
                    psql.append(r.ms);
                    dropDatabase(db);

                    return true;
                },
                [&] {
                    // the floors: psql sending everything as one Query message, without and
                    // with a clock mark after every statement
                    for (const bool marks : {false, true}) {
                        db = freshDatabase();
                        r = timeProcess(QStringLiteral("psql"),
                                        {QStringLiteral("-X"), QStringLiteral("-q"),
                                         QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                         QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                                         QStringLiteral("-d"), conninfo(db), QStringLiteral("-f"),
                                         marks ? schema.marksFile : schema.floorFile});
                        if (!r.ok) {
                            std::fprintf(stderr, "the floor failed: %s\n", qPrintable(r.output));
                            return false;
                        }
                        (marks ? marksTimes : floorTimes).append(r.ms);
                        dropDatabase(db);
                    }
                    return true;
                },
            };
            for (int run = 0; run < runs; ++run) {
                for (int t = 0; t < 3; ++t) {
                    if (!tools[(run + t) % 3]())
                        return 1;
                }
            }
            const double oursMs = Bench::median(ours);
            const double psqlMs = Bench::median(psql);
            const double floorMs = Bench::median(floorTimes);
            const QString rttText =
                rtt == Direct ? QStringLiteral("direct") : QStringLiteral("%1 ms").arg(rtt);
            const auto row = [&](const QString &operation, double ms, const QString &trips,
                                 const QString &ratio) {
                out() << format.arg(schema.label, rttText, operation, QString::number(ms, 'f', 1),
                                    trips, ratio);
            };
            row(QStringLiteral("algoadmin migrate"), oursMs, QString::number(ourTrips),
                QStringLiteral("%1× floor, %2× psql")
                    .arg(oursMs / floorMs, 0, 'f', 2)
                    .arg(oursMs / psqlMs, 0, 'f', 2));
            row(QStringLiteral("psql -X -1 -f"), psqlMs, QString::number(schema.statements + 2),
                QStringLiteral("%1× floor").arg(psqlMs / floorMs, 0, 'f', 2));
            row(QStringLiteral("psql, one Query message (floor)"), floorMs, QStringLiteral("1"),
                QStringLiteral("1.00"));
            row(QStringLiteral("psql, one Query message, clock_timestamp() per statement"),
                Bench::median(marksTimes), QStringLiteral("1"),
                QStringLiteral("%1× floor").arg(Bench::median(marksTimes) / floorMs, 0, 'f', 2));
            row(QStringLiteral("algoadmin verify (replay)"), Bench::median(verifyCold),
                QString::number(verifyTrips), QString());
            row(QStringLiteral("algoadmin verify (cached replay)"), Bench::median(verifyWarm),
                QString::number(verifyWarmTrips), QString());
            out().flush();
        }
    }
    for (const auto &proxy : proxies) {
        if (proxy->process.state() == QProcess::NotRunning)
            continue;
        proxy->process.terminate();
        proxy->process.waitForFinished(3000);
    }
    admin.close();
    cluster.stop(&error);
    return 0;
}
