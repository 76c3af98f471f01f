#include "cli.h"

#include "cli/clisupport.h"
#include "cli/historycommands.h"
#include "cli/interruptwatcher.h"
#include "cli/metricscommands.h"
#include "db/pgconnection.h"
#include "migrations/migrationengine.h"
#include "migrations/report.h"
#include "sandbox/demoseed.h"
#include "sandbox/localcluster.h"
#include "sandbox/sandbox.h"
#include "version.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTextStream>

#include <cstdio>
#include <functional>

namespace Cli {

QString usage()
{
    return QStringLiteral(
        "AlgoAdmin: tune algorithm parameters, review their history, and migrate the database "
        "that holds them.\n"
        "\n"
        "Usage:\n"
        "  algoadmin [gui] [-d CONN] [--local [--demo] [--data-dir DIR]] [--panel NAME]\n"
        "                  [--migrations DIR]\n"
        "                  [--screenshot FILE [--run ACTION] [--screenshot-delay MS]]\n"
        "  algoadmin migrate  [-d CONN] [--migrations DIR] [--rehearse] [--json]\n"
        "                     [--lock-timeout MS] [--statement-timeout MS]\n"
        "  algoadmin status   [-d CONN] [--migrations DIR] [--json]\n"
        "  algoadmin verify   [-d CONN] [--migrations DIR] [--json] [--no-cache]\n"
        "  algoadmin baseline [-d CONN] [--migrations DIR] [--to VERSION]\n"
        "  algoadmin seed-demo [-d CONN] [--changelog-rows N] [--metric-rows N]\n"
        "  algoadmin changelog [-d CONN] [--agent ID] [--parameter NAME] [--user N] [--role R]\n"
        "                      [--since T] [--until T] [--reason TEXT] [--change-set ID]\n"
        "                      [--limit N] [--json | --csv FILE]\n"
        "  algoadmin revert   [-d CONN] (ENTRY_ID | --change-set ID) --reason TEXT\n"
        "                     [--dry-run] [--force] [--user N]\n"
        "  algoadmin restore  [-d CONN] AGENT --as-of TIME --reason TEXT [--dry-run]\n"
        "                     [--force] [--user N]\n"
        "  algoadmin chat     [-d CONN] AGENT [--search TEXT] [--limit N] [--json]\n"
        "  algoadmin metrics  [-d CONN] AGENT METRIC [--from T] [--to T] [--points N]\n"
        "                     [--json | --csv]\n"
        "  algoadmin impact   [-d CONN] (ENTRY_ID | --change-set ID) [--metric M]\n"
        "                     [--window 24h] [--json]\n"
        "  algoadmin local start|stop|status|url [--data-dir DIR]\n"
        "  algoadmin --version\n"
        "\n"
        "CONN is what psql -d takes: a database name, a key=value conninfo string or a\n"
        "postgresql:// URI; -h HOST, -p PORT and -U USER override it. Unset parts come from\n"
        "libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSERVICE,\n"
        "PGSSLMODE ...) and ~/.pgpass. Connecting gives up after 10 s (PGCONNECT_TIMEOUT).\n"
        "\n"
        "Exit codes: 0 success; 1 failed (the failing migration committed nothing); 2 bad usage\n"
        "or input; 3 verify found drift or a changed migration file; 4 gave up waiting for a "
        "lock;\n"
        "5 revert or restore found a value changed since (nothing written; --force overrides).\n"
        "\n"
        "The window (no command) opens the Local sandbox unless -d/-h/-p/-U say where to\n"
        "connect; File > Connect (Ctrl+K) manages saved profiles. --panel picks the page\n"
        "(agents, changelog, metrics, chat, schema). --screenshot writes a PNG of the window\n"
        "once the panel has loaded and exits; --run migrate|rehearse|verify|baseline starts\n"
        "that schema action first (grabbed when it ends, or --screenshot-delay MS after it\n"
        "starts; one that cannot start is grabbed as the panel shows why, and exits 1).\n"
        "\n"
        "`algoadmin COMMAND --help` describes one command, `algoadmin gui --help` the window's\n"
        "options; `algoadmin --version` prints the versions of the program, Qt and libpq.\n");
}

bool wantsGui(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return true;
    const QString first = arguments.at(1);
    if (first == QLatin1String("gui"))
        return true;
    if (first == QLatin1String("--help") || first == QLatin1String("-?") ||
        first == QLatin1String("--version"))
        return false;
    // Options without a command are the GUI's (algoadmin --local --demo).
    return first.startsWith(QLatin1Char('-'));
}

void addConnectionOptions(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("d"), QStringLiteral("dbname")},
                      QStringLiteral("Database name, conninfo string or postgresql:// URI."),
                      QStringLiteral("CONN")});
    parser.addOption({{QStringLiteral("h"), QStringLiteral("host")},
                      QStringLiteral("Server host or socket directory."),
                      QStringLiteral("HOST")});
    parser.addOption({{QStringLiteral("p"), QStringLiteral("port")},
                      QStringLiteral("Server port."),
                      QStringLiteral("PORT")});
    parser.addOption({{QStringLiteral("U"), QStringLiteral("username")},
                      QStringLiteral("Database user."),
                      QStringLiteral("USER")});
}

ConnectionOptions connectionOptions(const QCommandLineParser &parser)
{
    ConnectionOptions options;
    options.database = parser.value(QStringLiteral("d"));
    options.host = parser.value(QStringLiteral("h"));
    options.port = parser.value(QStringLiteral("p"));
    options.user = parser.value(QStringLiteral("U"));
    return options;
}

const QList<Command> &commands()
{
    static const QList<Command> list{
        {QStringLiteral("migrate"),
         QStringLiteral("migrate [-d CONN] [--migrations DIR] [--rehearse] [--json] "
                        "[--lock-timeout MS] [--statement-timeout MS]"),
         QStringLiteral(
             "Applies every pending migration, each in a savepoint of one transaction, all\n"
             "sent in one round trip, and prints each statement's server time as the results\n"
             "arrive.\n"
             "A failing migration commits nothing and stops the run (exit 1); the ones before\n"
             "it are committed. A migration that adds an enum value (ALTER TYPE … ADD VALUE)\n"
             "is committed before the next runs, which may then use the value. Through a\n"
             "pooler in transaction pooling a pending no-transaction migration is refused\n"
             "before anything runs. A no-transaction migration that stopped midway is\n"
             "resumed after its committed statements (status shows it as partial); those\n"
             "must be unchanged, the failing one may be fixed. An applied file that was\n"
             "changed since stops it before\n"
             "anything runs (exit 3). Waiting longer than the lock timeout for a lock gives\n"
             "up and names its holder (exit 4).\n"
             "--rehearse runs the pending migrations inside one transaction with real\n"
             "timings and rolls everything back. Ctrl-C stops the running statement on the\n"
             "server; nothing of the migration it belongs to is committed. Files are read\n"
             "as psql reads them; one that is not UTF-8 is refused before anything runs\n"
             "(exit 2), naming its file, line and byte, and so is a *.sql entry that is\n"
             "not a readable file (a broken link, a loop of links, a directory, a pipe) or\n"
             "one over 100 MB, and a version missing between the files of a counted set\n"
             "(001, 002, 004) that the history does not have either.")},
        {QStringLiteral("status"), QStringLiteral("status [-d CONN] [--migrations DIR] [--json]"),
         QStringLiteral("Lists each migration: applied (when, by whom, how long), pending,\n"
                        "partial (a no-transaction migration that stopped midway: how many\n"
                        "statements committed), or changed since it was applied (exit 3).")},
        {QStringLiteral("verify"),
         QStringLiteral("verify [-d CONN] [--migrations DIR] [--json] [--no-cache]"),
         QStringLiteral(
             "Compares the live schema (tables, columns with types, nullability and defaults,\n"
             "indexes, constraints, triggers, functions, extensions) of every schema the\n"
             "migrations make with what the applied migrations define, by replaying them in a\n"
             "private scratch database on the same server (dropped afterwards; the role\n"
             "needs CREATEDB): it never changes a live object or takes a lock a reader would\n"
             "not, and two catalog queries compare whatever the schema's size. The replay's\n"
             "result is cached per migration checksums and server version\n"
             "(~/.cache/algoadmin), so a repeated verify is one round trip. Drift or a\n"
             "changed migration file exits 3 and lists each difference; no history and none\n"
             "of the migrations' tables is \"nothing applied yet\" (exit 0).")},
        {QStringLiteral("baseline"),
         QStringLiteral("baseline [-d CONN] [--migrations DIR] [--to VERSION]"),
         QStringLiteral(
             "Adopts a database created without algoadmin (by the old application): pending\n"
             "migrations whose tables, columns and indexes are already there are recorded as\n"
             "applied without running; `migrate` then runs the rest. --to VERSION records\n"
             "every pending migration up to VERSION regardless.")},
        {QStringLiteral("seed-demo"),
         QStringLiteral("seed-demo [-d CONN] [--changelog-rows N] [--metric-rows N]"),
         QStringLiteral(
             "Fills a migrated database with demo data for the agents A1..A30: parameters,\n"
             "configs, changelog history, chat and months of metrics, generated server-side\n"
             "in one transaction. Existing agents and parameters are left as they are.")},
        changelogCommand(),
        revertCommand(),
        restoreCommand(),
        chatCommand(),
        metricsCommand(),
        impactCommand(),
        {QStringLiteral("local"), QStringLiteral("local start|stop|status|url [--data-dir DIR]"),
         QStringLiteral(
             "Manages the private PostgreSQL cluster of --local: created with initdb in the\n"
             "user's data directory (or DIR), listening only on a Unix socket in a private\n"
             "directory. As root the server runs as the postgres system user.\n"
             "`url` prints a postgresql:// URI for -d or psql.")},
    };
    return list;
}

namespace {

MigrationSet loadMigrations(const QCommandLineParser &parser)
{
    return parser.isSet(QStringLiteral("migrations"))
               ? MigrationSet::fromDirectory(parser.value(QStringLiteral("migrations")))
               : MigrationSet::bundled();
}

QCommandLineOption migrationsOption()
{
    return {QStringLiteral("migrations"),
            QStringLiteral("Run a directory of NNN_name.sql files instead of the bundled ones."),
            QStringLiteral("DIR")};
}

int reportLoadError(const MigrationSet &set, bool json)
{
    if (set.ok())
        return -1;
    if (json)
        printJson({{QStringLiteral("error"),
                    Report::errorJson(
                        {QStringLiteral("load migrations"), set.source, set.error, {}, {}, {}})}});
    err() << "algoadmin: " << set.error << '\n';
    err().flush();
    return Usage;
}

int runMigrate(const QStringList &arguments)
{
    const QString command = QStringLiteral("migrate");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption(migrationsOption());
    parser.addOption({QStringLiteral("rehearse"),
                      QStringLiteral("Run the pending migrations, then roll everything back.")});
    parser.addOption(jsonOption());
    parser.addOption({QStringLiteral("lock-timeout"),
                      QStringLiteral("Give up waiting for a lock after MS milliseconds "
                                     "(default 5000)."),
                      QStringLiteral("MS")});
    parser.addOption({QStringLiteral("statement-timeout"),
                      QStringLiteral("Cancel any statement running longer than MS milliseconds "
                                     "(default 300000)."),
                      QStringLiteral("MS")});
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()),
            command);
    EngineSettings settings;
    qint64 lockTimeout = settings.lockTimeoutMs;
    qint64 statementTimeout = settings.statementTimeoutMs;
    int exitCode = Ok;
    if (!intOption(parser, QStringLiteral("lock-timeout"), 1, &lockTimeout, &exitCode, command) ||
        !intOption(parser, QStringLiteral("statement-timeout"), 1, &statementTimeout, &exitCode,
                   command))
        return exitCode;
    settings.lockTimeoutMs = int(std::min<qint64>(lockTimeout, INT_MAX));
    settings.statementTimeoutMs = int(std::min<qint64>(statementTimeout, INT_MAX));
    // Otherwise a lock wait would end as a statement timeout, without naming the holder.
    if (settings.statementTimeoutMs <= settings.lockTimeoutMs)
        return usageError(QStringLiteral("--statement-timeout (%1 ms) must be longer than "
                                         "--lock-timeout (%2 ms)")
                              .arg(settings.statementTimeoutMs)
                              .arg(settings.lockTimeoutMs),
                          command);
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    const bool json = parser.isSet(QStringLiteral("json"));
    const MigrationSet set = loadMigrations(parser);
    if (const int code = reportLoadError(set, json); code >= 0)
        return code;

    MigrationEngine engine(connection, set, settings);
    bool headerPrinted = false;
    if (!json) {
        EngineCallbacks callbacks;
        callbacks.stepFinished = [&](const StepReport &step) {
            if (step.state == StepReport::State::Done && step.ms < 0)
                return; // printed when its time arrives
            if (!headerPrinted) {
                out() << Report::stepHeader() << '\n';
                headerPrinted = true;
            }
            out() << Report::stepRow(step) << '\n';
            out().flush();
        };
        callbacks.lockWaitObserved = [](const LockWait &wait) {
            err() << "waiting for a lock"
                  << (wait.migration.isEmpty()
                          ? QStringLiteral(" (migration lock)")
                          : QStringLiteral(" (%1 step %2)").arg(wait.migration).arg(wait.step))
                  << " for " << wait.waitedMs << " ms, giving up in " << wait.remainingMs
                  << " ms; held by:\n";
            for (const LockHolder &holder : wait.holders)
                err() << "  " << holder.describe() << '\n';
            err().flush();
        };
        engine.setCallbacks(callbacks);
    }
    RunReport report;
    {
        InterruptWatcher interrupts([&engine] { engine.cancel(); });
        report = parser.isSet(QStringLiteral("rehearse")) ? engine.rehearse() : engine.migrate();
    }
    if (json) {
        printJson(Report::runJson(report));
    } else {
        // Steps that never finished (skipped after a failure) still belong in the table.
        for (const StepReport &step : report.steps) {
            if (step.state == StepReport::State::Skipped ||
                step.state == StepReport::State::Pending) {
                if (!headerPrinted) {
                    out() << Report::stepHeader() << '\n';
                    headerPrinted = true;
                }
                out() << Report::stepRow(step) << '\n';
            }
        }
        out() << Report::runTotals(report) << '\n';
        out().flush();
        const QString failure = Report::runFailure(report);
        if (!failure.isEmpty()) {
            err() << failure << '\n';
            err().flush();
        }
    }
    switch (report.outcome) {
    case RunReport::Outcome::Ok:
        return Ok;
    case RunReport::Outcome::LockTimeout:
        return LockTimeout;
    case RunReport::Outcome::ChangedFiles:
        return Drift;
    case RunReport::Outcome::BadInput:
        return Usage;
    case RunReport::Outcome::Failed:
    case RunReport::Outcome::Cancelled:
        break;
    }
    return Failed;
}

int runStatus(const QStringList &arguments)
{
    const QString command = QStringLiteral("status");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption(migrationsOption());
    parser.addOption(jsonOption());
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    int exitCode = Ok;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    const bool json = parser.isSet(QStringLiteral("json"));
    const MigrationSet set = loadMigrations(parser);
    if (const int code = reportLoadError(set, json); code >= 0)
        return code;
    MigrationEngine engine(connection, set);
    const StatusReport report = engine.status();
    if (json) {
        printJson(Report::statusJson(report));
    } else if (!report.error.isError()) {
        out() << Report::statusTable(report) << '\n';
        out().flush();
    }
    if (report.error.isError()) {
        if (!json) {
            err() << "error: " << report.error.toString() << '\n';
            err().flush();
        }
        return Failed;
    }
    return report.hasChanged() ? Drift : Ok;
}

int runVerify(const QStringList &arguments)
{
    const QString command = QStringLiteral("verify");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption(migrationsOption());
    parser.addOption(jsonOption());
    parser.addOption({QStringLiteral("no-cache"),
                      QStringLiteral("Replay the migrations even if an earlier replay of the same "
                                     "files on the same server version is cached.")});
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    int exitCode = Ok;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    const bool json = parser.isSet(QStringLiteral("json"));
    const MigrationSet set = loadMigrations(parser);
    if (const int code = reportLoadError(set, json); code >= 0)
        return code;
    EngineSettings settings;
    settings.useExpectedSchemaCache = !parser.isSet(QStringLiteral("no-cache"));
    MigrationEngine engine(connection, set, settings);
    const VerifyReport report = engine.verify();
    if (json) {
        printJson(Report::verifyJson(report));
    } else if (!report.error.isError()) {
        out() << Report::verifyText(report) << '\n';
        out().flush();
    }
    if (report.error.isError()) {
        if (!json) {
            err() << "error: " << report.error.toString() << '\n';
            err().flush();
        }
        return Failed;
    }
    return report.clean() ? Ok : Drift;
}

int runBaseline(const QStringList &arguments)
{
    const QString command = QStringLiteral("baseline");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption(migrationsOption());
    parser.addOption({QStringLiteral("to"),
                      QStringLiteral("Record every pending migration up to VERSION."),
                      QStringLiteral("VERSION")});
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    int exitCode = Ok;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    const MigrationSet set = loadMigrations(parser);
    if (const int code = reportLoadError(set, false); code >= 0)
        return code;
    MigrationEngine engine(connection, set);
    const BaselineReport report = engine.baseline(parser.value(QStringLiteral("to")));
    if (report.error.isError()) {
        err() << "error: " << report.error.toString() << '\n';
        for (const LockHolder &holder : report.lockHolders)
            err() << "lock held by " << holder.describe() << '\n';
        err().flush();
        return report.lockTimedOut ? LockTimeout : Failed;
    }
    out() << Report::baselineText(report) << '\n';
    out().flush();
    return Ok;
}

int runSeedDemo(const QStringList &arguments)
{
    const QString command = QStringLiteral("seed-demo");
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption({QStringLiteral("changelog-rows"),
                      QStringLiteral("Rows of changelog history (default 2000)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("metric-rows"),
                      QStringLiteral("Rows of metrics (default 200000)."), QStringLiteral("N")});
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    DemoSeedOptions options;
    int exitCode = Ok;
    if (!intOption(parser, QStringLiteral("changelog-rows"), 0, &options.changelogRows, &exitCode,
                   command) ||
        !intOption(parser, QStringLiteral("metric-rows"), 0, &options.metricRows, &exitCode,
                   command))
        return exitCode;
    const ConnectionOptions connection = connectionOptions(parser);
    if (!checkConnection(connection, &exitCode, command))
        return exitCode;
    PgConnection db;
    DbError error;
    if (!db.open(connection, &error)) {
        err() << "error: " << error.toString() << '\n';
        err().flush();
        return Failed;
    }
    out() << "seeding demo data into " << db.describe() << '\n';
    out().flush();
    QElapsedTimer total;
    total.start();
    InterruptWatcher interrupts([&db] { db.requestCancel(); });
    const bool seeded = runDemoSeed(
        db, options,
        [](const QString &summary, qint64 ms) {
            out() << QStringLiteral("  %1 %2 ms\n").arg(summary.leftJustified(60)).arg(ms, 8);
            out().flush();
        },
        &error);
    if (!seeded) {
        err() << "error: " << error.toString() << '\n';
        err().flush();
        return Failed;
    }
    out() << QStringLiteral("seeded demo data in %1 s\n").arg(total.elapsed() / 1000.0, 0, 'f', 1);
    out().flush();
    return Ok;
}

int runLocal(const QStringList &arguments)
{
    const QString command = QStringLiteral("local");
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("data-dir"),
                      QStringLiteral("Where the cluster lives (default %1).")
                          .arg(LocalCluster::defaultDataDir()),
                      QStringLiteral("DIR")});
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("start|stop|status|url"));
    if (const int code = parse(parser, arguments, command); code >= 0)
        return code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(QStringLiteral("local needs one of start, stop, status, url"), command);
    const QString action = positional.first();
    LocalCluster cluster(parser.value(QStringLiteral("data-dir")));
    QString error;
    if (action == QLatin1String("start")) {
        bool startedNow = false;
        if (!cluster.start(&error, &startedNow)) {
            err() << "error: " << error << '\n';
            err().flush();
            return Failed;
        }
        out() << (startedNow ? "started " : "already running: ") << cluster.url() << '\n';
    } else if (action == QLatin1String("stop")) {
        if (!cluster.stop(&error)) {
            err() << "error: " << error << '\n';
            err().flush();
            return Failed;
        }
        out() << "stopped " << cluster.dataDir() << '\n';
    } else if (action == QLatin1String("status")) {
        if (!cluster.isInitialised()) {
            out() << "no local cluster in " << cluster.dataDir() << '\n';
            out().flush();
            return Failed;
        }
        const bool running = cluster.isRunning();
        out() << (running ? "running: " : "stopped: ") << cluster.dataDir() << '\n';
        if (running)
            out() << cluster.url() << '\n';
        out().flush();
        return running ? Ok : Failed;
    } else if (action == QLatin1String("url")) {
        out() << cluster.url() << '\n';
    } else {
        return usageError(QStringLiteral("unknown local action \"%1\"").arg(action), command);
    }
    out().flush();
    return Ok;
}

} // namespace

int run(const QStringList &arguments)
{
    if (arguments.size() < 2)
        return usageError(QStringLiteral("no command given"));
    const QString command = arguments.at(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-?") ||
        command == QLatin1String("help")) {
        out() << usage();
        out().flush();
        return Ok;
    }
    if (command == QLatin1String("--version")) {
        out() << Version::report();
        out().flush();
        return Ok;
    }
    // The parser wants the program name first; drop the command word.
    QStringList rest = arguments;
    rest.removeAt(1);
    if (command == QLatin1String("migrate"))
        return runMigrate(rest);
    if (command == QLatin1String("status"))
        return runStatus(rest);
    if (command == QLatin1String("verify"))
        return runVerify(rest);
    if (command == QLatin1String("baseline"))
        return runBaseline(rest);
    if (command == QLatin1String("seed-demo"))
        return runSeedDemo(rest);
    if (command == QLatin1String("local"))
        return runLocal(rest);
    if (command == QLatin1String("changelog"))
        return runChangelog(rest);
    if (command == QLatin1String("revert"))
        return runRevert(rest);
    if (command == QLatin1String("restore"))
        return runRestore(rest);
    if (command == QLatin1String("chat"))
        return runChat(rest);
    if (command == QLatin1String("metrics"))
        return runMetrics(rest);
    if (command == QLatin1String("impact"))
        return runImpact(rest);
    return usageError(QStringLiteral("unknown command \"%1\"").arg(command));
}

} // namespace Cli
