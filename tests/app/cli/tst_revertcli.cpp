// `algoadmin revert` and `algoadmin restore` through the real executable: exit codes 0, 1, 2
// and 5, --dry-run writing nothing (a checksum of the tables), --force.
#include "repositoryfixture.h"
#include "testdatabase.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray describe(const ProcessResult &result)
{
    return u"exit %1\n--- stdout:\n%2\n--- stderr:\n%3"_s.arg(result.exitCode)
        .arg(result.out, result.err)
        .toLocal8Bit();
}

#define CHECK_EXIT(result, code) QVERIFY2((result).exitCode == (code), describe(result).constData())

QString currentValue(TestDatabase &db, const char *agent, const char *name)
{
    return db.scalar("SELECT current_value FROM algorithm_parameters"
                     " WHERE algorithm_id = $1 AND parameter_name = $2",
                     {agent, name});
}

// One audited change by plain SQL; returns its changelog entry id.
QString change(TestDatabase &db, const char *agent, const char *name, const char *value,
               const char *reason)
{
    db.exec("BEGIN");
    db.exec("SELECT set_config('algoadmin.reason', $1, true),"
            " set_config('algoadmin.user_id', '9', true)",
            {reason});
    db.exec("UPDATE algorithm_parameters SET current_value = $3"
            " WHERE algorithm_id = $1 AND parameter_name = $2",
            {agent, name, value});
    db.exec("COMMIT");
    return db.scalar("SELECT id FROM algorithm_changelog WHERE reason = $1", {reason});
}

} // namespace

class TstRevertCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void revertExitCodes();
    void restoreExitCodes();
};

void TstRevertCli::revertExitCodes()
{
    TestDatabase db(u"revert_cli"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const QString conn = db.conninfo();
    const QString start = currentValue(db, "A1", "learning_rate");
    const QString entry = change(db, "A1", "learning_rate", "0.1", "cli first");
    QVERIFY(!entry.isEmpty());

    // Bad input: exit 2, nothing written.
    const QString checksum = db.scalar(ChecksumSql);
    CHECK_EXIT(runAlgoadmin({u"revert"_s, u"-d"_s, conn, entry}), 2); // no --reason
    CHECK_EXIT(
        runAlgoadmin({u"revert"_s, u"-d"_s, conn, u"no-such-entry"_s, u"--reason"_s, u"x"_s}), 2);
    CHECK_EXIT(runAlgoadmin({u"revert"_s, u"-d"_s, conn, u"--reason"_s, u"x"_s}), 2);
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    // --dry-run: the preview, nothing written.
    const ProcessResult dry =
        runAlgoadmin({u"revert"_s, u"-d"_s, conn, entry, u"--reason"_s, u"x"_s, u"--dry-run"_s});
    CHECK_EXIT(dry, 0);
    QVERIFY2(dry.out.contains(u"learning_rate: 0.1 → "_s + start), describe(dry).constData());
    QCOMPARE(db.scalar(ChecksumSql), checksum);

    // A conflict: exit 5, each conflict printed, nothing written; --force writes.
    change(db, "A1", "learning_rate", "0.005", "cli second");
    const QString changed = db.scalar(ChecksumSql);
    const ProcessResult conflict =
        runAlgoadmin({u"revert"_s, u"-d"_s, conn, entry, u"--reason"_s, u"x"_s});
    CHECK_EXIT(conflict, 5);
    QVERIFY2(conflict.err.contains(u"0.005"_s) && conflict.err.contains(u"cli second"_s) &&
                 conflict.err.contains(u"user 9"_s) && conflict.err.contains(u"--force"_s),
             describe(conflict).constData());
    QCOMPARE(db.scalar(ChecksumSql), changed);
    const ProcessResult forced = runAlgoadmin({u"revert"_s, u"-d"_s, conn, entry, u"--reason"_s,
                                               u"forced"_s, u"--force"_s, u"--user"_s, u"12"_s});
    CHECK_EXIT(forced, 0);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), start);
    QCOMPARE(db.scalar("SELECT user_id FROM algorithm_changelog WHERE reason = 'forced'"), u"12"_s);

    // Out of today's bounds: exit 1 with the database's reason, nothing written.
    const QString window = change(db, "A1", "window_days", "90", "cli window");
    QVERIFY(db.exec("UPDATE algorithm_parameters SET min_value = '70', default_value = '70'"
                    " WHERE algorithm_id = 'A1' AND parameter_name = 'window_days'")
                .ok());
    const QString bounded = db.scalar(ChecksumSql);
    const ProcessResult refused =
        runAlgoadmin({u"revert"_s, u"-d"_s, conn, window, u"--reason"_s, u"x"_s});
    CHECK_EXIT(refused, 1);
    QVERIFY2(refused.err.contains(u"below the minimum 70"_s), describe(refused).constData());
    QCOMPARE(db.scalar(ChecksumSql), bounded);

    // A whole change set.
    QVERIFY(db.exec("BEGIN").ok());
    db.exec("SET LOCAL algoadmin.change_set = 'cli-set'");
    db.exec("UPDATE algorithm_parameters SET current_value = '0.05'"
            " WHERE algorithm_id = 'A1' AND parameter_name = 'learning_rate'");
    QVERIFY(db.exec("COMMIT").ok());
    const ProcessResult set = runAlgoadmin(
        {u"revert"_s, u"-d"_s, conn, u"--change-set"_s, u"cli-set"_s, u"--reason"_s, u"undo"_s});
    CHECK_EXIT(set, 0);
    QCOMPARE(currentValue(db, "A1", "learning_rate"), start);
}

void TstRevertCli::restoreExitCodes()
{
    TestDatabase db(u"restore_cli"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    const QString conn = db.conninfo();
    const QString moment =
        db.scalar("SELECT to_char(clock_timestamp()::timestamp, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')");
    QTest::qWait(5);
    const QString start = currentValue(db, "A2", "top_k");
    change(db, "A2", "top_k", "50", "cli drift");
    const QString checksum = db.scalar(ChecksumSql);

    CHECK_EXIT(runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"A2"_s, u"--as-of"_s, u"yesterday-ish"_s,
                             u"--reason"_s, u"x"_s}),
               2);
    CHECK_EXIT(runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"NO_SUCH"_s, u"--as-of"_s, moment,
                             u"--reason"_s, u"x"_s}),
               2);
    CHECK_EXIT(runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"A2"_s, u"--as-of"_s, moment}), 2);
    const ProcessResult dry = runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"A2"_s, u"--as-of"_s,
                                            moment, u"--reason"_s, u"x"_s, u"--dry-run"_s});
    CHECK_EXIT(dry, 0);
    QVERIFY2(dry.out.contains(u"top_k: 50 → "_s + start), describe(dry).constData());
    QCOMPARE(db.scalar(ChecksumSql), checksum);
    CHECK_EXIT(runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"A2"_s, u"--as-of"_s, moment,
                             u"--reason"_s, u"back"_s}),
               0);
    QCOMPARE(currentValue(db, "A2", "top_k"), start);
    // A date alone is accepted (midnight UTC).
    CHECK_EXIT(runAlgoadmin({u"restore"_s, u"-d"_s, conn, u"A2"_s, u"--as-of"_s, moment.left(10),
                             u"--reason"_s, u"x"_s, u"--dry-run"_s}),
               0);
}

QTEST_GUILESS_MAIN(TstRevertCli)
#include "tst_revertcli.moc"
