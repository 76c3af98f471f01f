// PendingEdits: the pure bookkeeping of the parameter editor's pending edits (from/to per
// parameter, edits back to their base vanish, conflicts when the stored value moved, keep
// theirs / re-apply after a conflict, the changes sent to apply) and the reason rule.
#include "editing/pendingedits.h"

#include <QTest>

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(std::optional<PendingEdit>)

namespace {

Parameter parameter(const QString &name, const QString &current)
{
    Parameter p;
    p.algorithmId = u"A1"_s;
    p.name = name;
    p.type = u"integer"_s;
    p.currentValue = current;
    return p;
}

} // namespace

class TstPendingEdits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameStoredValueTellsNullFromEmpty_data();
    void sameStoredValueTellsNullFromEmpty();
    void edited_data();
    void edited();
    void conflicts_data();
    void conflicts();
    void conflictingWithRows();
    void keepTheirsAndRebase_data();
    void keepTheirsAndRebase();
    void changesAreSortedByName();
    void reasonRule_data();
    void reasonRule();
};

void TstPendingEdits::sameStoredValueTellsNullFromEmpty_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("equal") << u"0.3"_s << u"0.3"_s << true;
    QTest::newRow("different") << u"0.3"_s << u"0.30"_s << false;
    QTest::newRow("null null") << QString() << QString() << true;
    QTest::newRow("null empty") << QString() << u""_s << false;
    QTest::newRow("empty empty") << u""_s << u""_s << true;
}

void TstPendingEdits::sameStoredValueTellsNullFromEmpty()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(sameStoredValue(a, b), same);
    QCOMPARE(sameStoredValue(b, a), same);
}

void TstPendingEdits::edited_data()
{
    QTest::addColumn<bool>("hasEdit");
    QTest::addColumn<QString>("editFrom");
    QTest::addColumn<QString>("editTo");
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("to");
    QTest::addColumn<std::optional<PendingEdit>>("expected");

    QTest::newRow("first edit starts from the stored value")
        << false << QString() << QString() << u"10"_s << u"20"_s
        << std::optional<PendingEdit>(PendingEdit{u"10"_s, u"20"_s});
    QTest::newRow("same as stored is no edit")
        << false << QString() << QString() << u"10"_s << u"10"_s << std::optional<PendingEdit>();
    QTest::newRow("second edit keeps the first base")
        << true << u"10"_s << u"20"_s << u"10"_s << u"30"_s
        << std::optional<PendingEdit>(PendingEdit{u"10"_s, u"30"_s});
    QTest::newRow("back to the base removes the edit")
        << true << u"10"_s << u"20"_s << u"10"_s << u"10"_s << std::optional<PendingEdit>();
    QTest::newRow("base kept even when the stored value moved")
        << true << u"10"_s << u"20"_s << u"15"_s << u"25"_s
        << std::optional<PendingEdit>(PendingEdit{u"10"_s, u"25"_s});
    QTest::newRow("from NULL") << false << QString() << QString() << QString() << u"1"_s
                               << std::optional<PendingEdit>(PendingEdit{QString(), u"1"_s});
    QTest::newRow("empty text is not NULL")
        << false << QString() << QString() << QString() << u""_s
        << std::optional<PendingEdit>(PendingEdit{QString(), u""_s});
    QTest::newRow("decimal text kept as typed")
        << false << QString() << QString() << u"0.3"_s << u"0.30"_s
        << std::optional<PendingEdit>(PendingEdit{u"0.3"_s, u"0.30"_s});
}

void TstPendingEdits::edited()
{
    QFETCH(bool, hasEdit);
    QFETCH(QString, editFrom);
    QFETCH(QString, editTo);
    QFETCH(QString, stored);
    QFETCH(QString, to);
    QFETCH(std::optional<PendingEdit>, expected);
    PendingEdits edits;
    if (hasEdit)
        edits.setEdit(u"p"_s, PendingEdit{editFrom, editTo});
    const std::optional<PendingEdit> result = edits.edited(u"p"_s, stored, to);
    QCOMPARE(result.has_value(), expected.has_value());
    if (expected) {
        QCOMPARE(result->from, expected->from);
        QCOMPARE(result->from.isNull(), expected->from.isNull());
        QCOMPARE(result->to, expected->to);
        QCOMPARE(result->to.isNull(), expected->to.isNull());
    }
    edits.setEdit(u"p"_s, result);
    QCOMPARE(edits.count(), expected ? 1 : 0);
}

void TstPendingEdits::conflicts_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("stored");
    QTest::addColumn<bool>("conflicting");
    QTest::newRow("unchanged") << u"10"_s << u"10"_s << false;
    QTest::newRow("moved") << u"10"_s << u"11"_s << true;
    QTest::newRow("set to NULL") << u"10"_s << QString() << true;
    QTest::newRow("NULL stays NULL") << QString() << QString() << false;
    QTest::newRow("NULL became empty") << QString() << u""_s << true;
}

void TstPendingEdits::conflicts()
{
    QFETCH(QString, from);
    QFETCH(QString, stored);
    QFETCH(bool, conflicting);
    PendingEdits edits;
    edits.setEdit(u"p"_s, PendingEdit{from, u"99"_s});
    QCOMPARE(edits.isConflicting(u"p"_s, stored), conflicting);
    QVERIFY(!edits.isConflicting(u"other"_s, stored)); // no edit, no conflict
}

void TstPendingEdits::conflictingWithRows()
{
    PendingEdits edits;
    edits.setEdit(u"a"_s, PendingEdit{u"1"_s, u"2"_s});
    edits.setEdit(u"b"_s, PendingEdit{u"1"_s, u"2"_s});
    edits.setEdit(u"gone"_s, PendingEdit{u"1"_s, u"2"_s});
    const QList<Parameter> rows = {parameter(u"a"_s, u"1"_s), parameter(u"b"_s, u"5"_s),
                                   parameter(u"c"_s, u"7"_s)};
    QCOMPARE(edits.conflicting(rows), (QStringList{u"b"_s, u"gone"_s}));
}

void TstPendingEdits::keepTheirsAndRebase_data()
{
    QTest::addColumn<bool>("reapply");
    QTest::addColumn<QString>("theirs");
    QTest::addColumn<bool>("kept");
    QTest::addColumn<QString>("from");
    QTest::newRow("keep theirs drops the edit") << false << u"15"_s << false << QString();
    QTest::newRow("re-apply rebases on theirs") << true << u"15"_s << true << u"15"_s;
    QTest::newRow("re-apply onto my own value: nothing left")
        << true << u"20"_s << false << QString();
    QTest::newRow("re-apply onto NULL") << true << QString() << true << QString();
}

void TstPendingEdits::keepTheirsAndRebase()
{
    QFETCH(bool, reapply);
    QFETCH(QString, theirs);
    QFETCH(bool, kept);
    QFETCH(QString, from);
    PendingEdits edits;
    edits.setEdit(u"p"_s, PendingEdit{u"10"_s, u"20"_s});
    edits.setEdit(u"q"_s, PendingEdit{u"1"_s, u"2"_s});
    if (reapply)
        edits.rebase(u"p"_s, theirs);
    else
        edits.keepTheirs(u"p"_s);
    QCOMPARE(edits.contains(u"p"_s), kept);
    if (kept) {
        QVERIFY(sameStoredValue(edits.edit(u"p"_s)->from, from));
        QCOMPARE(edits.edit(u"p"_s)->to, u"20"_s);
        QVERIFY(!edits.isConflicting(u"p"_s, theirs));
    }
    QVERIFY(edits.contains(u"q"_s)); // the other edit is untouched
}

void TstPendingEdits::changesAreSortedByName()
{
    PendingEdits edits;
    edits.setEdit(u"zeta"_s, PendingEdit{u"1"_s, u"2"_s});
    edits.setEdit(u"alpha"_s, PendingEdit{QString(), u"x"_s});
    const QList<ParameterChange> changes = edits.changes(u"A7"_s);
    QCOMPARE(changes.size(), 2);
    QCOMPARE(changes.at(0).algorithmId, u"A7"_s);
    QCOMPARE(changes.at(0).name, u"alpha"_s);
    QVERIFY(changes.at(0).from.isNull());
    QCOMPARE(changes.at(0).to, u"x"_s);
    QCOMPARE(changes.at(1).name, u"zeta"_s);
    QCOMPARE(changes.at(1).from, u"1"_s);
    QCOMPARE(changes.at(1).to, u"2"_s);
}

void TstPendingEdits::reasonRule_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("empty") << u""_s << false;
    QTest::newRow("blank") << u"   \n "_s << false;
    QTest::newRow("one short word") << u"fix"_s << false;
    QTest::newRow("two short words") << u"fix it"_s << false;
    QTest::newRow("three words") << u"tune the rate"_s << true;
    QTest::newRow("ten characters") << u"CVE-2026-1"_s << true;
    QTest::newRow("padding does not count") << u"   fix    it   "_s << false;
}

void TstPendingEdits::reasonRule()
{
    QFETCH(QString, reason);
    QFETCH(bool, accepted);
    QCOMPARE(reasonProblem(reason).isEmpty(), accepted);
}

QTEST_APPLESS_MAIN(TstPendingEdits)
#include "tst_pendingedits.moc"
