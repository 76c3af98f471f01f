// Roles (issue 15, item 15). A role that may only read gets a read-only window everywhere:
// every write action disabled, each saying why (the role and what it lacks), and the database
// refuses the writes when they are forced past the window, with a message that says what to do
// and nothing changed. A role without CREATE gets a clear message from migrate, nothing half
// made.
#include "agents/agentspanel.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogpanel.h"
#include "changelog/changelogview.h"
#include "changelog/entrydetailview.h"
#include "changelog/timetravelview.h"
#include "faulttable.h"
#include "mainwindow.h"
#include "parameters/applydialog.h"
#include "parameters/parametereditor.h"
#include "parameters/parametertablemodel.h"
#include "repositories/agentrepository.h"
#include "repositories/parameterrepository.h"
#include "repositoryfixture.h"
#include "testdatabase.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// A login role of this test run's own (roles are cluster-wide; parallel tests must not share
// one), dropped again at the end.
class Role
{
public:
    Role(TestDatabase &db, const QByteArray &prefix)
        : m_db(db)
        , m_name(prefix + '_' + QByteArray::number(QCoreApplication::applicationPid()))
    {
        m_db.exec("DROP ROLE IF EXISTS " + m_name);
        m_ok = m_db.exec("CREATE ROLE " + m_name + " LOGIN").ok();
    }
    ~Role()
    {
        m_db.exec("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + m_name);
        m_db.exec("REVOKE ALL ON SCHEMA public FROM " + m_name);
        m_db.exec("DROP OWNED BY " + m_name);
        m_db.exec("DROP ROLE IF EXISTS " + m_name);
    }
    bool ok() const { return m_ok; }
    QByteArray name() const { return m_name; }
    bool grant(const QByteArray &what) { return m_db.exec("GRANT " + what + " TO " + m_name).ok(); }
    ConnectionOptions options() const
    {
        ConnectionOptions options = m_db.options();
        options.user = QString::fromLatin1(m_name);
        return options;
    }

private:
    TestDatabase &m_db;
    QByteArray m_name;
    bool m_ok = false;
};

// Reads: SELECT on every table, nothing else.
bool makeReader(Role &role)
{
    return role.ok() && role.grant("USAGE ON SCHEMA public") &&
           role.grant("SELECT ON ALL TABLES IN SCHEMA public");
}

QString toolTipOf(QWidget *window, const char *name)
{
    auto *widget = window->findChild<QWidget *>(QLatin1String(name));
    return widget ? widget->toolTip() : u"<no %1>"_s.arg(QLatin1String(name));
}

bool isEnabled(QWidget *window, const char *name)
{
    auto *widget = window->findChild<QWidget *>(QLatin1String(name));
    return widget && widget->isEnabled();
}

} // namespace

class TstRoles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupTestCase();
    void initTestCase();
    void init();
    void aReadingRoleGetsAReadOnlyWindow();
    void aReadingRoleIsRefusedByTheDatabaseWhenForced();
    void aRoleWithoutCreateGetsAClearMessageFromMigrate();

private:
    FaultTable m_table{3};
};

void TstRoles::cleanupTestCase()
{
    m_table.print(u"a role that may only read: every write in the window, then forced past "
                  u"it (repositories, `seed-demo`); a role without CREATE runs `migrate` on a "
                  u"fresh database"_s,
                  "tst_roles",
                  u"every write action disabled, its tooltip naming the role and the missing "
                  u"privilege; forced, the database refuses with 42501 and a hint; migrate says "
                  u"which GRANT is missing, nothing created"_s);
}

void TstRoles::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"algoadmin-tests"_s);
    QCoreApplication::setApplicationName(u"tst_roles"_s);
}

void TstRoles::init()
{
    QSettings().clear();
}

void TstRoles::aReadingRoleGetsAReadOnlyWindow()
{
    TestDatabase db(u"roles_window"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Role reader(db, "reader");
    QVERIFY(makeReader(reader));
    const QString before = db.scalar(ChecksumSql);
    // What every disabled write action names: the role and what it lacks.
    const QString why =
        u"role %1 may not UPDATE algorithm_parameters"_s.arg(QString::fromLatin1(reader.name()));

    MainWindow::Startup startup;
    startup.target.name = u"reader"_s;
    startup.target.options = reader.options();
    startup.panel = u"agents"_s;
    MainWindow window(startup);
    window.show();
    window.start();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // The status bar.
    auto *badge = window.findChild<QLabel *>(u"readOnlyBadge"_s);
    QVERIFY(badge);
    QTRY_VERIFY_WITH_TIMEOUT(badge->isVisible(), 20000);
    QVERIFY2(badge->toolTip().contains(why), qPrintable(badge->toolTip()));

    // Agents: the editor says why and opens no cell editor and no Apply; the toggle is off.
    auto *agents = qobject_cast<AgentsPanel *>(window.panel(u"agents"_s));
    QVERIFY(agents);
    QTRY_VERIFY_WITH_TIMEOUT(agents->selectAgent(u"A5"_s), 20000);
    ParameterEditor *editor = agents->parameterEditor();
    QTRY_VERIFY_WITH_TIMEOUT(editor->model()->rowCount() > 0 && !editor->isBusy(), 20000);
    QVERIFY2(editor->readOnlyText().contains(why), qPrintable(editor->readOnlyText()));
    QTableView *table = editor->tableView();
    const QModelIndex cell = editor->model()->index(0, ParameterTableModel::Current);
    QVERIFY(!(editor->model()->flags(cell) & Qt::ItemIsEditable));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    table->setFocus();
    table->setCurrentIndex(cell);
    QTest::keyClick(table, Qt::Key_F2);
    QVERIFY(!table->findChild<QLineEdit *>(u"parameterValueEditor"_s));
    QTest::keyClick(table, Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(200);
    QVERIFY(window.findChildren<ApplyDialog *>().isEmpty());
    QCOMPARE(editor->pendingCount(), 0);
    for (QAction *action : agents->panelActions()) {
        const QString text = action->text().remove(u'&');
        if (text.startsWith(u"Apply"_s) || text.startsWith(u"Toggle"_s) ||
            text.startsWith(u"Reset"_s))
            QVERIFY2(!action->isEnabled(), qPrintable(text));
    }
    QVERIFY(!isEnabled(&window, "toggleActiveButton"));
    QVERIFY2(toolTipOf(&window, "toggleActiveButton").contains(why),
             qPrintable(toolTipOf(&window, "toggleActiveButton")));

    // Changelog: the revert buttons of a selected entry and the time travel's restore.
    window.showPanel(u"changelog"_s);
    auto *changelog = qobject_cast<ChangelogPanel *>(window.panel(u"changelog"_s));
    QVERIFY(changelog);
    QTRY_VERIFY_WITH_TIMEOUT(changelog->model()->rowCount() > 0 && !changelog->isBusy(), 20000);
    changelog->view()->setCurrentIndex(changelog->model()->index(0, 0));
    QTRY_VERIFY_WITH_TIMEOUT(!changelog->isBusy(), 20000);
    for (const char *name : {"revertEntry", "revertChangeSet", "travelRestore"}) {
        QVERIFY2(!isEnabled(&window, name), name);
        QVERIFY2(toolTipOf(&window, name).contains(why), qPrintable(toolTipOf(&window, name)));
    }
    // Forced (the action's own entry point): refused with the reason, no dialog.
    changelog->startRevert({RevertTarget::Kind::Entry, changelog->model()->entry(0).id, {}});
    QVERIFY(!changelog->revertDialog());
    QVERIFY2(changelog->errorText().contains(why), qPrintable(changelog->errorText()));

    // Schema: migrate and baseline.
    window.showPanel(u"schema"_s);
    QTRY_VERIFY_WITH_TIMEOUT(isEnabled(&window, "verifyButton"), 20000);
    for (const char *name : {"migrateButton", "baselineButton"}) {
        QVERIFY2(!isEnabled(&window, name), name);
        QVERIFY2(toolTipOf(&window, name).contains(why), qPrintable(toolTipOf(&window, name)));
    }

    QCOMPARE(db.scalar(ChecksumSql), before);
    m_table.passed();
}

void TstRoles::aReadingRoleIsRefusedByTheDatabaseWhenForced()
{
    TestDatabase db(u"roles_forced"_s);
    const QString prepared = prepareSeededDatabase(db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    Role reader(db, "forced");
    QVERIFY(makeReader(reader));
    const QString before = db.scalar(ChecksumSql);
    const QString changelogBefore = db.scalar("SELECT count(*) FROM algorithm_changelog");
    const PgResult parameter =
        db.exec("SELECT algorithm_id, parameter_name, current_value FROM algorithm_parameters"
                " WHERE parameter_type = 'integer' AND max_value IS NOT NULL ORDER BY id LIMIT 1");
    QVERIFY(parameter.ok() && parameter.rows() == 1);

    Connection connection(reader.options(), u"forced"_s);
    QVERIFY2(connection.ok(), qPrintable(connection.error()));
    // A parameter write.
    ParameterRepository parameters(connection.database());
    DbError error;
    const ApplyResult applied =
        parameters.apply({{parameter.value(0, 0), parameter.value(0, 1), parameter.value(0, 2),
                           QString::number(parameter.value(0, 2).toLongLong() + 1)}},
                         u"forced past the window"_s, 7, &error);
    QVERIFY(!applied.ok);
    QCOMPARE(error.sqlState, u"42501"_s);
    QVERIFY2(error.hint.contains(u"nothing was written"_s), qPrintable(error.toString()));
    QVERIFY2(error.hint.contains(u"UPDATE on algorithm_parameters"_s), qPrintable(error.hint));
    // A switch of an agent.
    AgentRepository agents(connection.database());
    DbError toggleError;
    agents.setActive(u"A1"_s, false, u"forced past the window"_s, 7, &toggleError);
    QVERIFY(toggleError.isError());
    QCOMPARE(toggleError.sqlState, u"42501"_s);
    QVERIFY2(toggleError.message.contains(u"permission denied"_s),
             qPrintable(toggleError.toString()));
    // The CLI's writes: migrate (here with nothing pending) and seed-demo.
    const ProcessResult seed = runAlgoadmin(
        {u"seed-demo"_s, u"-d"_s, reader.options().toConninfo(), u"--changelog-rows"_s, u"10"_s});
    QVERIFY2(seed.exitCode != 0, qPrintable(seed.out));
    QVERIFY2(seed.err.contains(u"permission denied"_s) || seed.err.contains(u"may not"_s),
             qPrintable(seed.err));

    QCOMPARE(db.scalar(ChecksumSql), before);
    QCOMPARE(db.scalar("SELECT count(*) FROM algorithm_changelog"), changelogBefore);
    m_table.passed();
}

void TstRoles::aRoleWithoutCreateGetsAClearMessageFromMigrate()
{
    // A fresh database: PostgreSQL 15 lets only the owner create in schema public.
    TestDatabase db(u"roles_nocreate"_s);
    QVERIFY2(db.ok(), qPrintable(db.error()));
    Role role(db, "nocreate");
    QVERIFY(role.ok());
    const ProcessResult run = runAlgoadmin({u"migrate"_s, u"-d"_s, role.options().toConninfo()});
    qInfo("%s", qPrintable(run.err));
    QVERIFY2(run.exitCode != 0, qPrintable(run.out));
    QVERIFY2(run.err.contains(QString::fromLatin1(role.name())), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"CREATE"_s), qPrintable(run.err));
    QVERIFY2(run.err.contains(u"Nothing was changed"_s, Qt::CaseInsensitive) ||
                 run.err.contains(u"nothing was written"_s, Qt::CaseInsensitive),
             qPrintable(run.err));
    // Nothing half made: not even the history table.
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                       " ON n.oid = c.relnamespace WHERE n.nspname = 'public'"),
             u"0"_s);
    // The status names what it needs as well, without failing on the missing history.
    const ProcessResult status = runAlgoadmin({u"status"_s, u"-d"_s, role.options().toConninfo()});
    QVERIFY2(status.exitCode == 0 || status.exitCode == 2, qPrintable(status.out + status.err));
    m_table.passed();
}

QTEST_MAIN(TstRoles)
#include "tst_roles.moc"
