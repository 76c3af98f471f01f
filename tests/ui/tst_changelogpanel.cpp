// The Changelog panel on the offscreen platform against a migrated, demo-seeded database: rows
// with the planner's estimate and the timeline, filters and their chips, an entry's detail with
// its change set and history, time travel, revert (previewed, refused when today's bounds
// forbid it, written as new audited rows), new changes from another client, Home/End, the CSV
// export and Ctrl+F. The panel's models are under QAbstractItemModelTester.
#include "changelog/changelogfilterbar.h"
#include "changelog/changelogmodel.h"
#include "changelog/changelogpanel.h"
#include "changelog/changelogview.h"
#include "changelog/configatmodel.h"
#include "changelog/entrydetailview.h"
#include "changelog/historychart.h"
#include "changelog/revertdialog.h"
#include "changelog/timelineview.h"
#include "changelog/timetravelview.h"
#include "repositoryfixture.h"
#include "threadspy.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using Tester = QAbstractItemModelTester;

class TstChangelogPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void showsRowsWithEstimateAndTimeline();
    void filtersNarrowTheRowsAndShowChips();
    void detailShowsTheChangeSetAndHistory();
    void timeTravelShowsTheValueBeforeAChange();
    void revertWritesNewAuditedRows();
    void revertOutsideTodaysBoundsIsRefused();
    void changesOfAnotherClientArriveLive();
    void homeAndEndJumpToTheEnds();
    void exportsTheFilterAsCsv();
    void ctrlFFocusesTheReasonFilter();
    void grab();

private:
    bool open();
    bool waitIdle();
    void setFilter(const ChangelogFilter &filter);
    // The newest entry of a parameter whose value is still the entry's new value.
    QStringList revertibleEntry(); // id, algorithm, parameter, old value, new value, current

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ChangelogPanel> m_panel;
    QList<std::shared_ptr<Tester>> m_testers;
};

void TstChangelogPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(u"changelog"_s);
    m_db = std::make_unique<TestDatabase>(u"changelogpanel"_s);
    const QString prepared = prepareSeededDatabase(*m_db);
    QVERIFY2(prepared.isEmpty(), qPrintable(prepared));
    m_db->exec("ANALYZE algorithm_changelog");
}

void TstChangelogPanel::cleanupTestCase()
{
    m_db.reset();
}

void TstChangelogPanel::init()
{
    QSettings().remove(u"changelog"_s);
    m_panel = std::make_unique<ChangelogPanel>();
    m_panel->resize(1300, 800);
    m_testers.append(
        std::make_shared<Tester>(m_panel->model(), Tester::FailureReportingMode::QtTest));
    m_testers.append(std::make_shared<Tester>(m_panel->timeTravel()->model(),
                                              Tester::FailureReportingMode::QtTest));
    QVERIFY(open());
}

void TstChangelogPanel::cleanup()
{
    m_testers.clear();
    m_panel.reset();
}

bool TstChangelogPanel::open()
{
    m_panel->show();
    m_panel->activateWindow();
    if (!QTest::qWaitForWindowActive(m_panel.get()))
        return false;
    ConnectionContext context;
    context.profileName = u"test"_s;
    context.options = m_db->options();
    context.auditUserId = u"42"_s;
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setConnection(context);
    return loaded.wait(20000) && waitIdle();
}

bool TstChangelogPanel::waitIdle()
{
    return QTest::qWaitFor([this] { return !m_panel->isBusy(); }, 20000);
}

void TstChangelogPanel::setFilter(const ChangelogFilter &filter)
{
    m_panel->filterBar()->setFilter(filter);
    QVERIFY(waitIdle());
}

QStringList TstChangelogPanel::revertibleEntry()
{
    const PgResult r = m_db->exec(
        "SELECT l.id, l.algorithm_id, l.parameter_name, l.old_value, l.new_value,"
        " p.current_value FROM algorithm_changelog l JOIN algorithm_parameters p"
        " ON p.algorithm_id = l.algorithm_id AND p.parameter_name = l.parameter_name"
        " WHERE l.new_value = p.current_value AND l.old_value IS NOT NULL"
        " AND l.old_value <> l.new_value AND p.parameter_type IN ('integer', 'float')"
        " AND l.modified_at = (SELECT max(modified_at) FROM algorithm_changelog l2"
        "   WHERE l2.algorithm_id = l.algorithm_id AND l2.parameter_name = l.parameter_name)"
        " ORDER BY l.modified_at DESC LIMIT 1");
    if (!r.ok() || r.rows() == 0)
        return {};
    QStringList row;
    for (int c = 0; c < 6; ++c)
        row.append(r.value(0, c));
    return row;
}

void TstChangelogPanel::showsRowsWithEstimateAndTimeline()
{
    ChangelogModel *model = m_panel->model();
    QVERIFY(model->rowCount() > 0);
    const QString newest = m_db->scalar(
        "SELECT id FROM algorithm_changelog ORDER BY modified_at DESC NULLS LAST, id DESC LIMIT 1");
    QCOMPARE(model->entry(0).id, newest);
    // The planner's estimate, never a count: about the table's size.
    const qint64 count = m_db->scalar("SELECT count(*) FROM algorithm_changelog").toLongLong();
    QVERIFY2(m_panel->headerText().startsWith(u"~"_s), qPrintable(m_panel->headerText()));
    // The timeline's buckets add up to the rows.
    QTRY_VERIFY(!m_panel->timeline()->timeline().buckets.isEmpty());
    qint64 total = m_panel->timeline()->timeline().undated;
    for (const TimelineBucket &b : m_panel->timeline()->timeline().buckets)
        total += b.changes;
    QCOMPARE(total, count);
}

void TstChangelogPanel::filtersNarrowTheRowsAndShowChips()
{
    // Typed, as a user would: the reason box is debounced.
    QLineEdit *reason = m_panel->filterBar()->reasonEdit();
    const QString word = m_db->scalar(
        "SELECT split_part(reason, ' ', 1) FROM algorithm_changelog WHERE reason IS NOT NULL"
        " LIMIT 1");
    QVERIFY(!word.isEmpty());
    QTest::keyClicks(reason, word);
    QTRY_VERIFY(m_panel->filterBar()->chipTexts().contains(u"Reason: “%1”"_s.arg(word)));
    QTRY_VERIFY(!m_panel->isBusy() && m_panel->model()->filter().reasonText == word);
    ChangelogModel *model = m_panel->model();
    QVERIFY(model->rowCount() > 0);
    for (int row = 0; row < model->rowCount(); ++row)
        QVERIFY(model->entry(row).reason.contains(word, Qt::CaseInsensitive));

    ChangelogFilter filter;
    filter.algorithmId = u"A3"_s;
    setFilter(filter);
    QCOMPARE(m_panel->filterBar()->chipTexts(), QStringList{u"Agent: A3"_s});
    const qint64 expected =
        m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = 'A3'")
            .toLongLong();
    QVERIFY(model->rowCount() > 0);
    qint64 rows = model->rowCount();
    while (model->canFetchMore()) {
        model->fetchMore();
        QVERIFY(waitIdle());
        rows = model->rowCount();
    }
    QCOMPARE(rows, expected);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->entry(row).algorithmId, u"A3"_s);
    // Removing the chip removes the filter.
    QAbstractButton *chip = nullptr;
    for (QAbstractButton *b : m_panel->filterBar()->chips()->findChildren<QAbstractButton *>()) {
        if (b->property("chipText").toString() == u"Agent: A3"_s)
            chip = b;
    }
    QVERIFY(chip);
    chip->click();
    QTRY_VERIFY(!m_panel->model()->filter().algorithmId.has_value());
    QVERIFY(m_panel->filterBar()->chipTexts().isEmpty());
}

void TstChangelogPanel::detailShowsTheChangeSetAndHistory()
{
    // A change set of three entries, as one apply of another client writes it.
    const QString changeSet = u"test-change-set-1"_s;
    QVERIFY(m_db->exec("BEGIN").ok());
    QVERIFY(m_db->exec("SELECT set_config('algoadmin.change_set', $1, true)", {changeSet.toUtf8()})
                .ok());
    QVERIFY(m_db->exec("UPDATE algorithm_parameters SET current_value ="
                       " (current_value::numeric + 1)::text WHERE id IN (SELECT id FROM"
                       " algorithm_parameters WHERE parameter_type = 'integer' AND max_value IS"
                       " NULL ORDER BY id LIMIT 3)")
                .ok());
    QVERIFY(m_db->exec("COMMIT").ok());
    ChangelogFilter filter;
    filter.changeSet = changeSet;
    setFilter(filter);
    ChangelogView *view = m_panel->view();
    view->setCurrentIndex(m_panel->model()->index(0, 0));
    QVERIFY(waitIdle());
    const ChangelogEntry entry = m_panel->model()->entry(0);
    const qint64 members =
        m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                     {changeSet.toUtf8()})
            .toLongLong();
    QTRY_COMPARE(m_panel->detail()->changeSetRows(), int(members));
    QVERIFY(m_panel->detail()->text().contains(entry.parameterName));
    QVERIFY(m_panel->detail()->text().contains(entry.id));
    const qint64 history =
        m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = $1"
                     " AND parameter_name = $2 AND modified_at IS NOT NULL",
                     {entry.algorithmId.toUtf8(), entry.parameterName.toUtf8()})
            .toLongLong();
    QCOMPARE(m_panel->detail()->historyChart()->pointCount(), int(std::min<qint64>(history, 500)));
}

void TstChangelogPanel::timeTravelShowsTheValueBeforeAChange()
{
    const QStringList target = revertibleEntry();
    QVERIFY(!target.isEmpty());
    ChangelogFilter filter;
    filter.algorithmId = target.at(1);
    filter.parameterName = target.at(2);
    setFilter(filter);
    QCOMPARE(m_panel->model()->entry(0).id, target.at(0));
    m_panel->view()->setCurrentIndex(m_panel->model()->index(0, 0));
    QVERIFY(waitIdle());
    QPushButton *before = m_panel->detail()->findChild<QPushButton *>(u"travelBefore"_s);
    QVERIFY(before && before->isEnabled());
    before->click();
    QVERIFY(waitIdle());
    const ConfigAt config = m_panel->timeTravel()->model()->config();
    QCOMPARE(config.algorithmId, target.at(1));
    bool found = false;
    for (const ConfigAtEntry &e : config.entries) {
        if (e.name == target.at(2)) {
            found = true;
            QCOMPARE(e.valueThen, target.at(3)); // the entry's old value
            QCOMPARE(e.valueNow, target.at(5));
            QVERIFY(e.changedSince());
        }
    }
    QVERIFY(found);
    QVERIFY(m_panel->timeTravel()->summary().contains(u"differ"_s));
}

void TstChangelogPanel::revertWritesNewAuditedRows()
{
    const QStringList target = revertibleEntry();
    QVERIFY(!target.isEmpty());
    const qint64 before = m_db->scalar("SELECT count(*) FROM algorithm_changelog").toLongLong();
    m_panel->startRevert({RevertTarget::Kind::Entry, target.at(0), {}});
    RevertDialog *dialog = m_panel->revertDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->reportText().contains(target.at(2)));
    QVERIFY(!dialog->canConfirm()); // no reason yet
    QTest::keyClicks(dialog->findChild<QPlainTextEdit *>(u"revertReason"_s),
                     u"undo the tuning test"_s);
    QTRY_VERIFY(dialog->canConfirm());
    dialog->findChild<QPushButton *>(u"confirmRevert"_s)->click();
    QVERIFY(waitIdle());
    QCOMPARE(m_db->scalar("SELECT current_value FROM algorithm_parameters WHERE algorithm_id = $1"
                          " AND parameter_name = $2",
                          {target.at(1).toUtf8(), target.at(2).toUtf8()}),
             target.at(3));
    // History is never rewritten: one more row, with the reason and the panel's audit user.
    QCOMPARE(m_db->scalar("SELECT count(*) FROM algorithm_changelog").toLongLong(), before + 1);
    QCOMPARE(m_db->scalar("SELECT reason || '/' || user_id FROM algorithm_changelog"
                          " ORDER BY modified_at DESC NULLS LAST LIMIT 1"),
             u"undo the tuning test/42"_s);
    QVERIFY(m_panel->errorText().contains(u"Reverted"_s));
}

void TstChangelogPanel::revertOutsideTodaysBoundsIsRefused()
{
    const QStringList target = revertibleEntry();
    QVERIFY(!target.isEmpty());
    // Today's bounds exclude the old value (and keep the current one).
    const bool below = target.at(3).toDouble() < target.at(5).toDouble();
    const QByteArray bound = below ? "min_value" : "max_value";
    // The other bound goes, so that the current value stays valid whatever it was; the
    // default becomes the current value, which the database checks against the bounds too.
    const QByteArray other = below ? "max_value" : "min_value";
    const PgResult bounded =
        m_db->exec("UPDATE algorithm_parameters SET " + bound + " = current_value, " + other +
                       " = NULL, default_value = current_value WHERE algorithm_id = $1 AND"
                       " parameter_name = $2",
                   {target.at(1).toUtf8(), target.at(2).toUtf8()});
    QVERIFY2(bounded.ok(), qPrintable(bounded.error().toString() + u" "_s + target.join(u"|")));
    const QString checksum = m_db->scalar(ChecksumSql);
    m_panel->startRevert({RevertTarget::Kind::Entry, target.at(0), {}});
    RevertDialog *dialog = m_panel->revertDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->reportText().contains(u"Refused"_s));
    QTest::keyClicks(dialog->findChild<QPlainTextEdit *>(u"revertReason"_s),
                     u"try to undo it anyway"_s);
    QVERIFY(!dialog->canConfirm());
    dialog->reject();
    QCOMPARE(m_db->scalar(ChecksumSql), checksum);
}

void TstChangelogPanel::changesOfAnotherClientArriveLive()
{
    // The focus in the filter: a table that takes the focus makes its first row current.
    m_panel->filterBar()->reasonEdit()->setFocus();
    QVERIFY(!m_panel->view()->selectionModel()->hasSelection());
    ThreadSpy notices(m_panel->worker(), &ChangelogWorker::changeReceived);
    // The feed listens once the first rows are in (a change before that shows on the next load).
    QTRY_VERIFY(m_panel->backgroundWorker()->isFeedListening());
    ThreadSpy newer(m_panel->worker(), &ChangelogWorker::newerLoaded);
    QVERIFY(
        m_db->exec(
                "UPDATE algorithm_parameters SET current_value = (current_value::numeric + 1)::text"
                " WHERE id = (SELECT id FROM algorithm_parameters WHERE parameter_type = 'integer'"
                " AND max_value IS NULL ORDER BY id LIMIT 1)")
            .ok());
    const QString newest = m_db->scalar(
        "SELECT id FROM algorithm_changelog ORDER BY modified_at DESC NULLS LAST, id DESC LIMIT 1");
    // At the top with nothing selected the new row simply shows.
    QTRY_VERIFY2_WITH_TIMEOUT(
        m_panel->model()->entry(0).id == newest,
        qPrintable(
            u"notices %6, newer pages %7: top %1, new changes button %2 (%3), selection %4, scrolled %5"_s
                .arg(m_panel->model()->entry(0).id,
                     m_panel->newChangesButton()->isVisible() ? "shown"_L1 : "hidden"_L1,
                     m_panel->newChangesButton()->text(),
                     m_panel->view()->selectionModel()->hasSelection() ? "yes"_L1 : "no"_L1,
                     QString::number(m_panel->view()->verticalScrollBar()->value()),
                     QString::number(notices.size()), QString::number(newer.size()))),
        10000);

    // With a row selected it waits for a click, and the selection stays on its entry.
    m_panel->view()->setCurrentIndex(m_panel->model()->index(3, 0));
    const QString selected = m_panel->model()->entry(3).id;
    QVERIFY(
        m_db->exec(
                "UPDATE algorithm_parameters SET current_value = (current_value::numeric + 1)::text"
                " WHERE id = (SELECT id FROM algorithm_parameters WHERE parameter_type = 'integer'"
                " AND max_value IS NULL ORDER BY id LIMIT 1)")
            .ok());
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->newChangesButton()->isVisible(), 10000);
    QVERIFY(m_panel->newChangesButton()->text().startsWith(u"1 new"_s));
    QCOMPARE(m_panel->model()->entry(3).id, selected);
    m_panel->newChangesButton()->click();
    QCOMPARE(m_panel->model()->entry(m_panel->view()->currentIndex().row()).id, selected);
    QCOMPARE(m_panel->model()->entry(4).id, selected);
}

void TstChangelogPanel::homeAndEndJumpToTheEnds()
{
    m_panel->view()->setFocus();
    QTest::keyClick(m_panel->view(), Qt::Key_End, Qt::ControlModifier);
    QVERIFY(waitIdle());
    ChangelogModel *model = m_panel->model();
    QVERIFY(model->atBottom());
    const QString oldest = m_db->scalar(
        "SELECT id FROM algorithm_changelog ORDER BY modified_at ASC NULLS FIRST, id ASC LIMIT 1");
    QCOMPARE(model->entry(model->rowCount() - 1).id, oldest);
    QTRY_COMPARE(m_panel->view()->currentIndex().row(), model->rowCount() - 1);
    QTest::keyClick(m_panel->view(), Qt::Key_Home, Qt::ControlModifier);
    QVERIFY(waitIdle());
    QVERIFY(model->atTop());
    const QString newest = m_db->scalar(
        "SELECT id FROM algorithm_changelog ORDER BY modified_at DESC NULLS LAST, id DESC LIMIT 1");
    QCOMPARE(model->entry(0).id, newest);
}

void TstChangelogPanel::exportsTheFilterAsCsv()
{
    ChangelogFilter filter;
    filter.algorithmId = u"A5"_s;
    setFilter(filter);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"a5.csv"_s);
    QSignalSpy posted(m_panel.get(), &Panel::messagePosted);
    m_panel->exportCsv(path);
    QVERIFY(waitIdle());
    QVERIFY(!posted.isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray csv = file.readAll();
    const qint64 expected =
        m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE algorithm_id = 'A5'")
            .toLongLong();
    QCOMPARE(csv.count('\n'), expected + 1); // the values hold no line breaks
    QVERIFY(csv.startsWith(ChangelogRepository::csvHeader()));
}

void TstChangelogPanel::ctrlFFocusesTheReasonFilter()
{
    m_panel->view()->setFocus();
    QTest::keyClick(m_panel->view(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_panel->filterBar()->reasonEdit()->hasFocus());
}

void TstChangelogPanel::grab()
{
    // ALGOADMIN_GRAB_DIR: pictures of the panel (README): a change set selected, time travel
    // beside today, and a revert's preview.
    const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR");
    const QString changeSet = u"grab-change-set"_s;
    QVERIFY(m_db->exec("BEGIN").ok());
    QVERIFY(m_db->exec("SELECT set_config('algoadmin.change_set', $1, true),"
                       " set_config('algoadmin.reason', 'raise the limits before the sale', true),"
                       " set_config('algoadmin.user_id', '7', true)",
                       {changeSet.toUtf8()})
                .ok());
    QVERIFY(m_db->exec("UPDATE algorithm_parameters SET current_value ="
                       " (current_value::numeric * 2)::text WHERE id IN (SELECT id FROM"
                       " algorithm_parameters WHERE parameter_type = 'integer' AND max_value IS"
                       " NULL AND current_value::numeric > 0 ORDER BY algorithm_id LIMIT 3)")
                .ok());
    QVERIFY(m_db->exec("COMMIT").ok());
    m_panel->refresh();
    QVERIFY(waitIdle());
    QTRY_VERIFY(m_panel->model()->rowCount() > 0 &&
                m_panel->model()->entry(0).changeSet == changeSet);
    m_panel->view()->setCurrentIndex(m_panel->model()->index(0, 0));
    QVERIFY(waitIdle());
    QTRY_VERIFY(m_panel->detail()->changeSetRows() > 0);
    QCOMPARE(m_panel->detail()->changeSetRows(),
             m_db->scalar("SELECT count(*) FROM algorithm_changelog WHERE change_set = $1",
                          {changeSet.toUtf8()})
                 .toInt());
    if (!dir.isEmpty())
        QVERIFY(m_panel->grab().save(dir + u"/changelog-changeset.png"_s));

    m_panel->findChild<QPushButton *>(u"travelBefore"_s)->click();
    QVERIFY(waitIdle());
    QVERIFY(m_panel->timeTravel()->model()->changedCount() > 0);
    if (!dir.isEmpty())
        QVERIFY(m_panel->grab().save(dir + u"/changelog-timetravel.png"_s));

    m_panel->startRevert({RevertTarget::Kind::ChangeSet, changeSet, {}});
    RevertDialog *dialog = m_panel->revertDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->reportText().contains(u"accepts"_s));
    QTest::keyClicks(dialog->findChild<QPlainTextEdit *>(u"revertReason"_s), u"the sale is over"_s);
    QTRY_VERIFY(dialog->canConfirm());
    if (!dir.isEmpty())
        QVERIFY(dialog->grab().save(dir + u"/changelog-revert.png"_s));
    dialog->reject();
}

QTEST_MAIN(TstChangelogPanel)
#include "tst_changelogpanel.moc"
