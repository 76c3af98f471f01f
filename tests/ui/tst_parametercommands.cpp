// PendingEditCommand on a QUndoStack over a ParameterTableModel's pending edits (no database):
// push applies, undo and redo restore exactly what was there, edits of one cell stay separate
// steps (nothing merges), a command of several rows is one step, a push after an undo drops
// the redo branch, and a reload of the rows in between does not change what undo restores.
#include "testprinters.h"
#include "parameters/parametercommands.h"
#include "parameters/parametertablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

#include <memory>
#include <optional>

namespace {

Parameter parameter(const QString &name, const QString &type, const QString &current)
{
    Parameter p;
    p.algorithmId = QStringLiteral("T1");
    p.name = name;
    p.type = type;
    p.currentValue = current;
    p.defaultValue = current;
    p.kind = parameterKind(type);
    return p;
}

QList<Parameter> rows(const QString &countValue = QStringLiteral("5"))
{
    return {parameter(QStringLiteral("count"), QStringLiteral("integer"), countValue),
            parameter(QStringLiteral("rate"), QStringLiteral("float"), QStringLiteral("0.5")),
            parameter(QStringLiteral("label"), QStringLiteral("string"), QString())};
}

// An edit from `from` (nullptr: NULL) to `to`.
std::optional<PendingEdit> edit(const char *from, const char *to)
{
    return PendingEdit{from ? QString::fromUtf8(from) : QString(), QString::fromUtf8(to)};
}

const QString Count = QStringLiteral("count");
const QString Rate = QStringLiteral("rate");
const QString Label = QStringLiteral("label");

} // namespace

class TstParameterCommands : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void pushAppliesUndoAndRedoRestore();
    void editsOfOneCellAreSeparateSteps();
    void aRevertIsUndoneToo();
    void severalRowsAreOneStep();
    void pushAfterUndoDropsTheRedoBranch();
    void undoAfterAReloadRestoresWhatWasThere();
    void undoRedoSignalTheTouchedRowsOnly();
    void editsThroughTheModelBecomeCommands();

private:
    QString shown(const QString &name) const
    {
        return m_model
            ->data(m_model->index(m_model->rowOf(name), ParameterTableModel::Current), Qt::EditRole)
            .toString();
    }
    bool pending(const QString &name) const
    {
        return m_model
            ->data(m_model->index(m_model->rowOf(name), ParameterTableModel::Current),
                   ParameterTableModel::PendingRole)
            .toBool();
    }
    void push(const QString &text, const QList<PendingEditCommand::Step> &steps)
    {
        m_stack->push(new PendingEditCommand(m_model.get(), text, steps));
    }

    std::unique_ptr<ParameterTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QUndoStack> m_stack;
};

void TstParameterCommands::init()
{
    m_model = std::make_unique<ParameterTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setParameters(rows());
    m_stack = std::make_unique<QUndoStack>();
}

void TstParameterCommands::cleanup()
{
    m_stack.reset();
    m_tester.reset();
    m_model.reset();
}

void TstParameterCommands::pushAppliesUndoAndRedoRestore()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    QCOMPARE(m_stack->count(), 1);
    QCOMPARE(m_stack->undoText(), QStringLiteral("edit of count"));
    QVERIFY(m_stack->canUndo());
    QVERIFY(!m_stack->canRedo());
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    QCOMPARE(shown(Count), QStringLiteral("7"));
    QVERIFY(pending(Count));

    m_stack->undo();
    QVERIFY(m_model->pendingEdits().isEmpty());
    QCOMPARE(shown(Count), QStringLiteral("5"));
    QVERIFY(!pending(Count));
    QVERIFY(m_stack->canRedo());
    QCOMPARE(m_stack->redoText(), QStringLiteral("edit of count"));

    m_stack->redo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    QCOMPARE(shown(Count), QStringLiteral("7"));
    QCOMPARE(m_stack->index(), 1);
}

void TstParameterCommands::editsOfOneCellAreSeparateSteps()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    push(QStringLiteral("edit of count"), {{Count, edit("5", "7"), edit("5", "8")}});
    push(QStringLiteral("edit of count"), {{Count, edit("5", "8"), edit("5", "9")}});
    // No merging: each value typed is a step of its own.
    QCOMPARE(m_stack->count(), 3);
    // QUndoStack merges only commands of one id other than -1.
    for (int i = 0; i < m_stack->count(); ++i)
        QCOMPARE(m_stack->command(i)->id(), -1);
    QCOMPARE(shown(Count), QStringLiteral("9"));
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "8"));
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    m_stack->undo();
    QVERIFY(!m_model->pendingEdits().contains(Count));
    QVERIFY(!m_stack->canUndo());
    m_stack->redo();
    m_stack->redo();
    m_stack->redo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "9"));
    QVERIFY(!m_stack->canRedo());
}

void TstParameterCommands::aRevertIsUndoneToo()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    push(QStringLiteral("revert of count"), {{Count, edit("5", "7"), std::nullopt}});
    QVERIFY(m_model->pendingEdits().isEmpty());
    QCOMPARE(m_stack->undoText(), QStringLiteral("revert of count"));
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    m_stack->redo();
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterCommands::severalRowsAreOneStep()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    push(QStringLiteral("edit of label"), {{Label, std::nullopt, edit(nullptr, "x")}});
    // A discard: every pending edit goes in one step.
    push(QStringLiteral("discard of 2 changes"),
         {{Count, edit("5", "7"), std::nullopt}, {Label, edit(nullptr, "x"), std::nullopt}});
    QCOMPARE(m_stack->count(), 3);
    QVERIFY(m_model->pendingEdits().isEmpty());
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().count(), 2);
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    // NULL stays NULL through undo, apart from the empty text.
    QVERIFY(m_model->pendingEdits().edit(Label)->from.isNull());
    QCOMPARE(m_model->pendingEdits().edit(Label)->to, QStringLiteral("x"));
    m_stack->redo();
    QVERIFY(m_model->pendingEdits().isEmpty());
    // A reset to defaults that sets some rows and leaves others.
    push(QStringLiteral("reset of T1 to defaults"),
         {{Count, std::nullopt, edit("5", "1")}, {Rate, std::nullopt, edit("0.5", "0.1")}});
    QCOMPARE(m_model->pendingEdits().names(), QStringList({Count, Rate}));
    m_stack->undo();
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterCommands::pushAfterUndoDropsTheRedoBranch()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    push(QStringLiteral("edit of rate"), {{Rate, std::nullopt, edit("0.5", "0.25")}});
    m_stack->undo();
    QVERIFY(!m_model->pendingEdits().contains(Rate));
    push(QStringLiteral("edit of label"), {{Label, std::nullopt, edit(nullptr, "y")}});
    QCOMPARE(m_stack->count(), 2);
    QVERIFY(!m_stack->canRedo());
    QCOMPARE(m_model->pendingEdits().names(), QStringList({Count, Label}));
    m_stack->undo();
    m_stack->undo();
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterCommands::undoAfterAReloadRestoresWhatWasThere()
{
    push(QStringLiteral("edit of count"), {{Count, std::nullopt, edit("5", "7")}});
    // Someone else stored 6: the edit is a conflict now.
    m_model->setParameters(rows(QStringLiteral("6")));
    QCOMPARE(m_model->conflicting(), QStringList({Count}));
    m_stack->undo();
    QVERIFY(m_model->pendingEdits().isEmpty());
    QVERIFY(m_model->conflicting().isEmpty());
    QCOMPARE(shown(Count), QStringLiteral("6"));
    // Redo brings back the edit as recorded, from 5: still a conflict, never silently rebased.
    m_stack->redo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    QCOMPARE(m_model->conflicting(), QStringList({Count}));
}

void TstParameterCommands::undoRedoSignalTheTouchedRowsOnly()
{
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    push(QStringLiteral("edit of rate"), {{Rate, std::nullopt, edit("0.5", "0.25")}});
    const auto rowsSignalled = [&] {
        QList<int> result;
        for (const QList<QVariant> &args : std::as_const(changed)) {
            const auto topLeft = args.at(0).value<QModelIndex>();
            const auto bottomRight = args.at(1).value<QModelIndex>();
            for (int row = topLeft.row(); row <= bottomRight.row(); ++row)
                result.append(row);
        }
        changed.clear();
        return result;
    };
    const int rateRow = m_model->rowOf(Rate);
    QCOMPARE(rowsSignalled(), QList<int>({rateRow}));
    m_stack->undo();
    QCOMPARE(rowsSignalled(), QList<int>({rateRow}));
    m_stack->redo();
    QCOMPARE(rowsSignalled(), QList<int>({rateRow}));
}

void TstParameterCommands::editsThroughTheModelBecomeCommands()
{
    // As ParameterEditor wires it: each valueEdited becomes one command.
    connect(
        m_model.get(), &ParameterTableModel::valueEdited, this,
        [this](const QString &name, const std::optional<PendingEdit> &before,
               const std::optional<PendingEdit> &after) {
            push((after ? QStringLiteral("edit of %1") : QStringLiteral("revert of %1")).arg(name),
                 {{name, before, after}});
        });
    const QModelIndex count = m_model->index(m_model->rowOf(Count), ParameterTableModel::Current);
    QVERIFY(m_model->setData(count, QStringLiteral("7")));
    QVERIFY(m_model->setData(count, QStringLiteral("8")));
    QVERIFY(m_model->setData(count, QStringLiteral("8")));  // the same value: no step
    QVERIFY(m_model->setData(count, QStringLiteral("5")));  // back to the stored value
    QVERIFY(!m_model->setData(count, QStringLiteral("x"))); // refused: no step
    QCOMPARE(m_stack->count(), 3);
    QCOMPARE(m_stack->text(0), QStringLiteral("edit of count"));
    QCOMPARE(m_stack->text(1), QStringLiteral("edit of count"));
    QCOMPARE(m_stack->text(2), QStringLiteral("revert of count"));
    QVERIFY(m_model->pendingEdits().isEmpty());
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "8"));
    m_stack->undo();
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "7"));
    // An edit after the undo keeps the first `from` and replaces the redo branch.
    QVERIFY(m_model->setData(count, QStringLiteral("9")));
    QCOMPARE(m_stack->count(), 2);
    QCOMPARE(m_model->pendingEdits().edit(Count), edit("5", "9"));
    m_stack->undo();
    m_stack->undo();
    QVERIFY(m_model->pendingEdits().isEmpty());
    QCOMPARE(shown(Count), QStringLiteral("5"));
}

QTEST_MAIN(TstParameterCommands)
#include "tst_parametercommands.moc"
