// LostApply: after an apply whose answer was lost, which conflicts of the next apply are that
// apply's own writes (it committed) and which are real. Pure: no database.
#include "editing/lostapply.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// "name:from>to" edits and "name=actual@changeSet" conflicts (actual "-" = missing row).
PendingEdits editsFrom(const QStringList &specs)
{
    PendingEdits edits;
    for (const QString &spec : specs) {
        const QString name = spec.section(u':', 0, 0);
        const QString fromTo = spec.section(u':', 1);
        edits.setEdit(name, PendingEdit{fromTo.section(u'>', 0, 0), fromTo.section(u'>', 1)});
    }
    return edits;
}

QList<ParameterConflict> conflictsFrom(const QStringList &specs)
{
    QList<ParameterConflict> list;
    for (const QString &spec : specs) {
        ParameterConflict conflict;
        conflict.algorithmId = u"A1"_s;
        conflict.name = spec.section(u'=', 0, 0);
        const QString actual = spec.section(u'=', 1).section(u'@', 0, 0);
        conflict.missing = actual == u"-"_s;
        conflict.actual = conflict.missing ? QString() : actual;
        conflict.changeSet = spec.section(u'@', 1);
        list.append(conflict);
    }
    return list;
}

QList<ParameterChange> sentFrom(const QStringList &names)
{
    QList<ParameterChange> sent;
    for (const QString &name : names)
        sent.append({u"A1"_s, name, u"old"_s, u"new"_s});
    return sent;
}

QStringList names(const QList<ParameterConflict> &conflicts)
{
    QStringList list;
    for (const ParameterConflict &c : conflicts)
        list.append(c.name);
    return list;
}

} // namespace

class TstLostApply : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sortsConflicts_data();
    void sortsConflicts();
    void nothingRememberedMeansEveryConflictIsReal();
    void clearForgets();
};

void TstLostApply::sortsConflicts_data()
{
    QTest::addColumn<QString>("lostChangeSet");
    QTest::addColumn<QStringList>("sent");
    QTest::addColumn<QStringList>("edits");
    QTest::addColumn<QStringList>("conflicts");
    QTest::addColumn<QStringList>("alreadyApplied");
    QTest::addColumn<QStringList>("real");

    QTest::newRow("our value by our change set: applied")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>2"} << QStringList{"a=2@cs1"}
        << QStringList{"a"} << QStringList{};
    QTest::newRow("another change set: real")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>2"} << QStringList{"a=2@cs9"}
        << QStringList{} << QStringList{"a"};
    QTest::newRow("our change set but another value (changed since): real")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>2"} << QStringList{"a=3@cs1"}
        << QStringList{} << QStringList{"a"};
    QTest::newRow("edit changed after the loss: real")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>5"} << QStringList{"a=2@cs1"}
        << QStringList{} << QStringList{"a"};
    QTest::newRow("not sent in the lost apply: real")
        << "cs1" << QStringList{"b"} << QStringList{"a:1>2"} << QStringList{"a=2@cs1"}
        << QStringList{} << QStringList{"a"};
    QTest::newRow("no pending edit any more: real")
        << "cs1" << QStringList{"a"} << QStringList{} << QStringList{"a=2@cs1"} << QStringList{}
        << QStringList{"a"};
    QTest::newRow("row deleted: real")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>2"} << QStringList{"a=-@cs1"}
        << QStringList{} << QStringList{"a"};
    QTest::newRow("mixed, order kept")
        << "cs1" << QStringList{"a", "b", "c"} << QStringList{"a:1>2", "b:1>2", "c:1>2"}
        << QStringList{"a=2@cs1", "b=7@cs8", "c=2@cs1"} << QStringList{"a", "c"}
        << QStringList{"b"};
    QTest::newRow("NULL wanted and stored by us: applied")
        << "cs1" << QStringList{"a"} << QStringList{"a:1>"} << QStringList{"a=@cs1"}
        << QStringList{"a"} << QStringList{};
}

void TstLostApply::sortsConflicts()
{
    QFETCH(QString, lostChangeSet);
    QFETCH(QStringList, sent);
    QFETCH(QStringList, edits);
    QFETCH(QStringList, conflicts);
    QFETCH(QStringList, alreadyApplied);
    QFETCH(QStringList, real);

    LostApply lost;
    lost.remember(lostChangeSet, sentFrom(sent));
    PendingEdits pending = editsFrom(edits);
    QList<ParameterConflict> list = conflictsFrom(conflicts);
    if (QTest::currentDataTag() == QByteArray("NULL wanted and stored by us: applied")) {
        // A NULL target: the edit's `to` and the stored value both SQL NULL.
        pending.setEdit(u"a"_s, PendingEdit{u"1"_s, QString()});
        list.first().actual = QString();
    }
    const LostApply::Sorted sorted = lost.sort(list, pending);
    QCOMPARE(sorted.alreadyApplied, alreadyApplied);
    QCOMPARE(names(sorted.conflicts), real);
}

void TstLostApply::nothingRememberedMeansEveryConflictIsReal()
{
    const LostApply lost;
    QVERIFY(lost.isEmpty());
    // Even a conflict without a change set (no changelog row) is not taken for ours.
    const auto sorted = lost.sort(conflictsFrom({u"a=2@"_s}), editsFrom({u"a:1>2"_s}));
    QVERIFY(sorted.alreadyApplied.isEmpty());
    QCOMPARE(names(sorted.conflicts), QStringList{u"a"_s});
}

void TstLostApply::clearForgets()
{
    LostApply lost;
    lost.remember(u"cs1"_s, sentFrom({u"a"_s}));
    QCOMPARE(lost.changeSet(), u"cs1"_s);
    lost.clear();
    QVERIFY(lost.isEmpty());
    const auto sorted = lost.sort(conflictsFrom({u"a=2@cs1"_s}), editsFrom({u"a:1>2"_s}));
    QCOMPARE(names(sorted.conflicts), QStringList{u"a"_s});
}

QTEST_GUILESS_MAIN(TstLostApply)
#include "tst_lostapply.moc"
