// verify on material nobody here wrote and in the cases issue 12 found wrong: schema-qualified
// statements, an extension, a pg_dump file, a database not migrated yet, a role that may not
// create a scratch database, and a live table someone else holds locked (verify must neither
// wait for it nor lock anything live).
#include "migrations/migrationengine.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

class TstVerify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void schemaQualifiedFilesVerifyCleanWithoutTouchingLiveTables();
    void anExtensionComparesAsItsNameAndVersion();
    void aPgDumpFileVerifiesClean();
    void nothingAppliedYetIsSaidAsSuch();
    void aRoleThatMayNotCreateAScratchDatabaseIsToldWhy();

private:
    static EngineSettings uncached()
    {
        EngineSettings settings;
        settings.useExpectedSchemaCache = false; // a replay every time
        return settings;
    }
    static QStringList described(const VerifyReport &report)
    {
        QStringList lines;
        for (const SchemaDifference &difference : report.differences)
            lines.append(difference.describe());
        return lines;
    }
    // An engine on `files` (written to `dir`) that has migrated `options`' database; null with
    // `error` set when that failed.
    static std::unique_ptr<MigrationEngine> migrated(const ConnectionOptions &options,
                                                     QTemporaryDir &dir,
                                                     const QList<QPair<QString, QByteArray>> &files,
                                                     QString *error)
    {
        const MigrationSet set = MigrationSet::fromDirectory(writeMigrations(dir, files));
        if (!set.ok()) {
            *error = set.error;
            return nullptr;
        }
        auto engine = std::make_unique<MigrationEngine>(options, set, uncached());
        const RunReport run = engine->migrate();
        if (run.outcome != RunReport::Outcome::Ok) {
            *error = run.error.toString();
            return nullptr;
        }
        return engine;
    }
};

void TstVerify::schemaQualifiedFilesVerifyCleanWithoutTouchingLiveTables()
{
    TestDatabase db(u"verify_qualified"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    ConnectionOptions options = db.options();
    options.lockTimeoutMs = 2000;
    QString failure;
    const auto engine =
        migrated(options, dir,
                 {{u"001_t.sql"_s, "DROP TABLE IF EXISTS public.t;\n"
                                   "CREATE TABLE public.t (id int PRIMARY KEY, note text);\n"},
                  {u"002_u.sql"_s, "DROP TABLE IF EXISTS public.u;\n"
                                   "CREATE TABLE public.u (id int REFERENCES public.t (id));\n"
                                   "CREATE INDEX u_id ON public.u (id);\n"}},
                 &failure);
    QVERIFY2(engine, qPrintable(failure));
    QVERIFY(db.exec("INSERT INTO t VALUES (1, 'kept')").ok());

    // A reader holds t and a writer holds u, in open transactions (issue 12: a replay of
    // `DROP TABLE IF EXISTS public.t` in the live database queued behind the reader for its
    // ACCESS EXCLUSIVE lock while holding other live tables). Verify must not wait for either,
    // and the writer's next statement must not wait for verify.
    PgConnection reader;
    PgConnection writer;
    DbError error;
    QVERIFY2(reader.open(db.options(), &error), qPrintable(error.toString()));
    QVERIFY2(writer.open(db.options(), &error), qPrintable(error.toString()));
    QVERIFY(reader.exec("BEGIN").ok());
    QVERIFY(reader.exec("SELECT count(*) FROM t").ok());
    QVERIFY(writer.exec("BEGIN").ok());
    QVERIFY(writer.exec("INSERT INTO u VALUES (1)").ok());

    // Had it queued behind the reader for a lock, it would have given up after the 2 s lock
    // timeout with 55P03: no error means it never waited (how long it took is the machine's
    // load, not a lock: under ctest -j4 beside the fault suite it once took 14 s).
    const VerifyReport report = engine->verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QCOMPARE(described(report), QStringList());
    QVERIFY(report.clean());
    QVERIFY(!report.nothingApplied);
    QCOMPARE(report.expectedTables, 2);
    QCOMPARE(report.catalogQueries, 2);
    QVERIFY(writer.exec("INSERT INTO u VALUES (1)").ok());
    QVERIFY(writer.exec("COMMIT").ok());
    QVERIFY(reader.exec("ROLLBACK").ok());
    QCOMPARE(value(db, "SELECT note FROM t WHERE id = 1"), u"kept"_s);
    QCOMPARE(value(db, "SELECT count(*) FROM u"), u"2"_s);
    QCOMPARE(leftoverScratch(db), u"0"_s);

    // While a schema change holds a table exclusively, verify reads definitions as any SELECT
    // does: it gives up at the lock timeout with a message saying why, and changes nothing.
    QVERIFY(reader.exec("BEGIN").ok());
    QVERIFY(reader.exec("LOCK TABLE u IN ACCESS EXCLUSIVE MODE").ok());
    const VerifyReport blocked = engine->verify();
    QVERIFY(blocked.error.isError());
    QCOMPARE(blocked.error.sqlState, u"55P03"_s);
    QVERIFY2(blocked.error.hint.contains(u"exclusive lock"_s),
             qPrintable(blocked.error.toString()));
    QVERIFY(reader.exec("ROLLBACK").ok());
    QCOMPARE(leftoverScratch(db), u"0"_s);
}

void TstVerify::anExtensionComparesAsItsNameAndVersion()
{
    TestDatabase db(u"verify_extension"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QString failure;
    const auto engine =
        migrated(db.options(), dir,
                 {{u"001_citext.sql"_s, "CREATE EXTENSION IF NOT EXISTS citext;\n"
                                        "CREATE TABLE people (email citext UNIQUE);\n"}},
                 &failure);
    QVERIFY2(engine, qPrintable(failure));
    const VerifyReport report = engine->verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    // The extension's dozens of functions are its own, not the schema's.
    QCOMPARE(described(report), QStringList());

    // Another version of the extension is drift, named as the extension.
    const QString versions = value(db, "SELECT string_agg(version, ' ' ORDER BY version)"
                                       " FROM pg_available_extension_versions"
                                       " WHERE name = 'citext'");
    const QString installed = value(db, "SELECT extversion FROM pg_extension"
                                        " WHERE extname = 'citext'");
    const QStringList all = versions.split(u' ');
    QVERIFY2(all.size() >= 2, qPrintable(versions));
    const QString older = all.at(all.indexOf(installed) - 1);
    QVERIFY(db.exec("DROP TABLE people").ok());
    QVERIFY(db.exec("DROP EXTENSION citext").ok());
    QVERIFY(db.exec("CREATE EXTENSION citext VERSION '" + older.toUtf8() + "'").ok());
    QVERIFY(db.exec("CREATE TABLE people (email citext UNIQUE)").ok());
    const VerifyReport drifted = engine->verify();
    QVERIFY2(!drifted.error.isError(), qPrintable(drifted.error.toString()));
    QCOMPARE(described(drifted),
             QStringList{u"extension citext: expected version %1, found version %2"_s.arg(installed,
                                                                                          older)});
}

void TstVerify::aPgDumpFileVerifiesClean()
{
    // pg_dump's own output of the migrated bundled schema, with a second schema and an
    // extension in it, as the one migration of a fresh database.
    TestDatabase source(u"verify_dump_source"_s);
    QVERIFY2(source.ok(), qPrintable(source.error()));
    const RunReport seeded = migrateDatabase(source.options());
    QVERIFY2(seeded.outcome == RunReport::Outcome::Ok, qPrintable(seeded.error.toString()));
    QVERIFY(source.exec("CREATE SCHEMA extra").ok());
    QVERIFY(source.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm").ok());
    QVERIFY(source.exec("CREATE TABLE extra.notes (id int PRIMARY KEY, body text)").ok());
    QVERIFY(source
                .exec("CREATE INDEX agents_name_trgm ON algorithm_agents"
                      " USING gin (name gin_trgm_ops)")
                .ok());
    QVERIFY(source.exec("DROP TABLE algoadmin_schema_history").ok());

    QProcess dump;
    const ConnectionOptions options = source.options();
    QStringList arguments{u"--schema-only"_s, u"--no-owner"_s, u"-d"_s, options.database};
    if (!options.host.isEmpty())
        arguments << u"-h"_s << options.host;
    if (!options.port.isEmpty())
        arguments << u"-p"_s << options.port;
    if (!options.user.isEmpty())
        arguments << u"-U"_s << options.user;
    dump.start(u"pg_dump"_s, arguments);
    QVERIFY2(dump.waitForFinished(60000), "pg_dump did not finish");
    QVERIFY2(dump.exitCode() == 0, dump.readAllStandardError().constData());
    QByteArray sql = dump.readAllStandardOutput();
    QVERIFY(sql.contains("CREATE TABLE public.algorithm_agents"));
    // psql's own meta-commands (pg_dump ≥ 15.14 brackets its output with \restrict) are not
    // SQL; a file for the engine has them taken out.
    QByteArray plain;
    for (const QByteArray &line : sql.split('\n')) {
        if (!line.startsWith("\\restrict") && !line.startsWith("\\unrestrict"))
            plain += line + '\n';
    }

    TestDatabase db(u"verify_dump"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    QTemporaryDir dir;
    QString failure;
    const auto engine = migrated(db.options(), dir, {{u"001_dump.sql"_s, plain}}, &failure);
    QVERIFY2(engine, qPrintable(failure));
    const VerifyReport report = engine->verify();
    QVERIFY2(!report.error.isError(), qPrintable(report.error.toString()));
    QCOMPARE(described(report), QStringList());
    QVERIFY(report.expectedTables >= 5);
    QCOMPARE(leftoverScratch(db), u"0"_s);

    // Every schema the file makes is compared, not only the first on the search_path; a
    // schema it does not make is someone else's and is left alone.
    QVERIFY(db.exec("ALTER TABLE extra.notes DROP COLUMN body").ok());
    QVERIFY(db.exec("CREATE INDEX notes_id_desc ON extra.notes (id DESC)").ok());
    QVERIFY(db.exec("CREATE SCHEMA other_app").ok());
    QVERIFY(db.exec("CREATE TABLE other_app.jobs (id int)").ok());
    const VerifyReport drifted = engine->verify();
    QVERIFY2(!drifted.error.isError(), qPrintable(drifted.error.toString()));
    QCOMPARE(described(drifted),
             (QStringList{u"column extra.notes.body: missing (expected text)"_s,
                          u"index extra.notes.notes_id_desc: unexpected (found CREATE INDEX "
                          "notes_id_desc ON extra.notes USING btree (id DESC))"_s}));
    QVERIFY(db.exec("DROP SCHEMA extra CASCADE").ok());
    QCOMPARE(described(engine->verify()),
             QStringList{u"schema extra: missing (expected schema)"_s});
}

void TstVerify::nothingAppliedYetIsSaidAsSuch()
{
    TestDatabase db(u"verify_nothing"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    MigrationEngine engine(db.options(), MigrationSet::bundled(), uncached());
    const VerifyReport empty = engine.verify();
    QVERIFY2(!empty.error.isError(), qPrintable(empty.error.toString()));
    QVERIFY(empty.nothingApplied);
    QCOMPARE(described(empty), QStringList());
    QVERIFY(empty.clean());

    // Someone else's table only: still nothing of ours applied.
    QVERIFY(db.exec("CREATE TABLE unrelated (x int)").ok());
    const VerifyReport other = engine.verify();
    QVERIFY2(!other.error.isError(), qPrintable(other.error.toString()));
    QVERIFY(other.nothingApplied);
    QCOMPARE(described(other), QStringList());

    // One of ours without a history (adopted by hand, half done): compared, not "nothing".
    QVERIFY(db.exec("CREATE TABLE algorithm_agents (algorithm_id text PRIMARY KEY)").ok());
    const VerifyReport partial = engine.verify();
    QVERIFY2(!partial.error.isError(), qPrintable(partial.error.toString()));
    QVERIFY(!partial.nothingApplied);
    QVERIFY(!partial.differences.isEmpty());
}

void TstVerify::aRoleThatMayNotCreateAScratchDatabaseIsToldWhy()
{
    TestDatabase db(u"verify_nocreatedb"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    const RunReport run = migrateDatabase(db.options());
    QVERIFY2(run.outcome == RunReport::Outcome::Ok, qPrintable(run.error.toString()));
    const QByteArray role =
        "verify_reader_" + QByteArray::number(QCoreApplication::applicationPid());
    QVERIFY(db.exec("DROP ROLE IF EXISTS " + role).ok());
    QVERIFY(db.exec("CREATE ROLE " + role + " LOGIN NOCREATEDB").ok());
    QVERIFY(db.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role).ok());
    const auto dropRole = qScopeGuard([&] {
        db.exec("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + role);
        db.exec("DROP ROLE IF EXISTS " + role);
    });
    ConnectionOptions options = db.options();
    options.user = QString::fromUtf8(role);
    MigrationEngine engine(options, MigrationSet::bundled(), uncached());
    const VerifyReport report = engine.verify();
    QVERIFY(report.error.isError());
    QCOMPARE(report.error.sqlState, u"42501"_s);
    QVERIFY2(report.error.hint.contains(u"CREATEDB"_s), qPrintable(report.error.toString()));
    QVERIFY2(report.error.hint.contains(u"never lock or change a live object"_s),
             qPrintable(report.error.toString()));
    QVERIFY(!report.clean());
}

QTEST_GUILESS_MAIN(TstVerify)
#include "tst_verify.moc"
