// ParameterDelegate over a ParameterTableModel built from Parameter values (no database): the
// editor each type gets, what it shows, what it accepts, normalises, refuses and commits
// through setModelData, and, in a real view, that Enter keeps an editor open on a refused value.
#include "testprinters.h"
#include "parameters/parameterdelegate.h"
#include "parameters/parametertablemodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QPointer>
#include <QStandardPaths>
#include <QStyleOptionViewItem>
#include <QTableView>
#include <QTest>

#include <memory>
#include <optional>

namespace {

Parameter parameter(const QString &name, const QString &type, const QString &current,
                    const QString &min = {}, const QString &max = {})
{
    Parameter p;
    p.id = name + QStringLiteral("-id");
    p.algorithmId = QStringLiteral("T1");
    p.name = name;
    p.type = type;
    p.currentValue = current;
    p.defaultValue = current;
    p.minValue = min;
    p.maxValue = max;
    p.kind = parameterKind(type);
    p.valueValid = validateParameterValue(current, p.rule()).ok;
    return p;
}

// One row of each type: bounded numbers, a 64-bit integer beyond what a double holds exactly,
// a boolean stored in another spelling, a string and an unset string, and an unknown type.
QList<Parameter> rows(const QString &countValue = QStringLiteral("5"),
                      const QString &countMax = QStringLiteral("10"))
{
    return {
        parameter(QStringLiteral("count"), QStringLiteral("integer"), countValue,
                  QStringLiteral("0"), countMax),
        parameter(QStringLiteral("big"), QStringLiteral("integer"),
                  QStringLiteral("9007199254740993")),
        parameter(QStringLiteral("rate"), QStringLiteral("float"), QStringLiteral("0.5"),
                  QStringLiteral("0.0001"), QStringLiteral("1")),
        parameter(QStringLiteral("share"), QStringLiteral("decimal"), QStringLiteral("0.25"),
                  QStringLiteral("0"), QStringLiteral("0.3")),
        parameter(QStringLiteral("enabled"), QStringLiteral("boolean"), QStringLiteral("yes")),
        parameter(QStringLiteral("label"), QStringLiteral("string"), QStringLiteral("alpha")),
        parameter(QStringLiteral("note"), QStringLiteral("string"), QString()),
        parameter(QStringLiteral("shade"), QStringLiteral("colour"), QStringLiteral("red")),
    };
}

struct Edited
{
    QString name;
    std::optional<PendingEdit> before;
    std::optional<PendingEdit> after;
};

struct Checked
{
    QString typed;
    QString stored;
    Validation validation;
    bool refused = false;
};

enum class Outcome
{
    Commits, // `expected` becomes the pending value
    NoEdit,  // nothing pending, nothing refused
    Refused  // nothing pending; the refusal's message contains `expected`
};

std::optional<PendingEdit> edit(const QString &from, const QString &to)
{
    return PendingEdit{from, to};
}

} // namespace

Q_DECLARE_METATYPE(Outcome)

class TstParameterDelegate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void editorFitsTheType_data();
    void editorFitsTheType();
    void unknownTypeIsNotEditable();
    void commits_data();
    void commits();
    void liveCheckMarksTheEditor();
    void editingAPendingValueKeepsItsFrom();
    void reloadWhileEditingKeepsTextAndFrom();
    void boundsTightenedWhileEditingAreSaid();
    void readOnlyWhileEditingIsSaid();
    void enterKeepsARefusedValueOpen();
    void escapeMakesNoEdit();

private:
    QModelIndex current(const QString &name) const
    {
        return m_model->index(m_model->rowOf(name), ParameterTableModel::Current);
    }
    // An editor for `name`'s value as a view makes it: created, then filled.
    QWidget *openEditor(const QString &name);
    // Replaces the editor's text as a user would: select all, type (a choice for a boolean).
    static void type(QWidget *editor, const QString &text);

    std::unique_ptr<ParameterTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<ParameterDelegate> m_delegate;
    std::unique_ptr<QWidget> m_parent;
    QList<Edited> m_edited;
    QList<Checked> m_checked;
};

void TstParameterDelegate::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // Decimals are read in the editor's locale: start from one with a decimal point.
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TstParameterDelegate::init()
{
    m_model = std::make_unique<ParameterTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setParameters(rows());
    m_delegate = std::make_unique<ParameterDelegate>();
    m_parent = std::make_unique<QWidget>();
    m_edited.clear();
    m_checked.clear();
    // As ParameterEditor does through its undo command: a reported edit becomes pending.
    connect(m_model.get(), &ParameterTableModel::valueEdited, this,
            [this](const QString &name, const std::optional<PendingEdit> &before,
                   const std::optional<PendingEdit> &after) {
                m_edited.append({name, before, after});
                m_model->setEdit(name, after);
            });
    connect(m_delegate.get(), &ParameterDelegate::valueChecked, this,
            [this](const ParameterRule &, const QString &typed, const QString &stored,
                   const Validation &validation, bool refused) {
                m_checked.append({typed, stored, validation, refused});
            });
}

void TstParameterDelegate::cleanup()
{
    m_parent.reset();
    m_delegate.reset();
    m_tester.reset();
    m_model.reset();
}

QWidget *TstParameterDelegate::openEditor(const QString &name)
{
    const QModelIndex index = current(name);
    if (!index.isValid())
        qFatal("no row %s", qPrintable(name));
    QWidget *editor = m_delegate->createEditor(m_parent.get(), QStyleOptionViewItem(), index);
    if (editor)
        m_delegate->setEditorData(editor, index);
    return editor;
}

void TstParameterDelegate::type(QWidget *editor, const QString &text)
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        const int choice = combo->findText(text);
        if (choice < 0)
            qFatal("no choice %s", qPrintable(text));
        combo->setCurrentIndex(choice);
    } else if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->selectAll();
        if (text.isEmpty())
            QTest::keyClick(line, Qt::Key_Backspace);
        // keyClicks() sends Latin-1 only: other characters go as key events carrying the text.
        for (const QChar c : text) {
            if (c.unicode() < 0x80)
                QTest::keyClick(line, c.toLatin1());
            else
                QTest::sendKeyEvent(QTest::Click, line, Qt::Key_unknown, QString(c),
                                    Qt::NoModifier);
        }
    }
}

void TstParameterDelegate::editorFitsTheType_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("combo");
    QTest::addColumn<QString>("shown");
    QTest::newRow("integer") << QStringLiteral("count") << false << QStringLiteral("5");
    QTest::newRow("64-bit integer")
        << QStringLiteral("big") << false << QStringLiteral("9007199254740993");
    QTest::newRow("float") << QStringLiteral("rate") << false << QStringLiteral("0.5");
    QTest::newRow("decimal") << QStringLiteral("share") << false << QStringLiteral("0.25");
    QTest::newRow("boolean stored as yes")
        << QStringLiteral("enabled") << true << QStringLiteral("true");
    QTest::newRow("string") << QStringLiteral("label") << false << QStringLiteral("alpha");
    QTest::newRow("unset string") << QStringLiteral("note") << false << QString();
}

void TstParameterDelegate::editorFitsTheType()
{
    QFETCH(QString, name);
    QFETCH(bool, combo);
    QFETCH(QString, shown);
    QVERIFY(m_model->flags(current(name)) & Qt::ItemIsEditable);
    QWidget *editor = openEditor(name);
    QVERIFY(editor);
    QCOMPARE(editor->parent(), m_parent.get());
    QCOMPARE(editor->objectName(), QStringLiteral("parameterValueEditor"));
    if (combo) {
        auto *box = qobject_cast<QComboBox *>(editor);
        QVERIFY(box);
        QCOMPARE(box->count(), 2);
        QCOMPARE(box->itemText(0), QStringLiteral("true"));
        QCOMPARE(box->itemText(1), QStringLiteral("false"));
        QCOMPARE(box->currentText(), shown);
    } else {
        auto *line = qobject_cast<QLineEdit *>(editor);
        QVERIFY(line);
        // No validator: nothing typed is dropped before the check has seen it.
        QVERIFY(!line->validator());
        QCOMPARE(line->text(), shown);
        QCOMPARE(line->selectedText(), shown);
    }
    QCOMPARE(ParameterDelegate::editorText(editor), shown);
    // Opening an editor checks what it shows, and a valid stored value is no refusal.
    for (const Checked &checked : std::as_const(m_checked))
        QVERIFY(checked.validation.ok && !checked.refused);
    // Leaving it unchanged is no edit (a boolean stored as `yes`, an unset string shown empty).
    m_delegate->setModelData(editor, m_model.get(), current(name));
    QVERIFY(m_edited.isEmpty());
    QVERIFY(!m_delegate->takeDropped());
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterDelegate::unknownTypeIsNotEditable()
{
    const QModelIndex index = current(QStringLiteral("shade"));
    QVERIFY(!(m_model->flags(index) & Qt::ItemIsEditable));
    // Even a value committed by force is not taken.
    QWidget *editor = openEditor(QStringLiteral("shade"));
    QVERIFY(qobject_cast<QLineEdit *>(editor));
    type(editor, QStringLiteral("blue"));
    m_delegate->setModelData(editor, m_model.get(), index);
    QVERIFY(m_edited.isEmpty());
    QVERIFY(m_delegate->takeDropped());
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterDelegate::commits_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("locale");

    const auto commits = [](const char *tag, const char *name, const QString &typed,
                            const QString &value, const QString &locale = {}) {
        QTest::newRow(tag) << QString::fromLatin1(name) << typed << Outcome::Commits << value
                           << locale;
    };
    const auto noEdit = [](const char *tag, const char *name, const QString &typed) {
        QTest::newRow(tag) << QString::fromLatin1(name) << typed << Outcome::NoEdit << QString()
                           << QString();
    };
    const auto refused = [](const char *tag, const char *name, const QString &typed,
                            const QString &reason) {
        QTest::newRow(tag) << QString::fromLatin1(name) << typed << Outcome::Refused << reason
                           << QString();
    };

    // integer 0 … 10, stored 5
    commits("integer", "count", QStringLiteral("7"), QStringLiteral("7"));
    commits("integer, blanks around", "count", QStringLiteral(" 8 "), QStringLiteral("8"));
    commits("integer, leading zero", "count", QStringLiteral("010"), QStringLiteral("10"));
    commits("integer, exponent", "count", QStringLiteral("1e1"), QStringLiteral("10"));
    commits("integer, plus sign", "count", QStringLiteral("+3"), QStringLiteral("3"));
    commits("integer, minus sign zero", "count", QStringLiteral("\u22120"), QStringLiteral("0"));
    commits("integer, the minimum", "count", QStringLiteral("0"), QStringLiteral("0"));
    noEdit("integer, the stored value", "count", QStringLiteral("5"));
    noEdit("integer, the stored value spelled 05", "count", QStringLiteral("05"));
    refused("integer above the maximum", "count", QStringLiteral("11"),
            QStringLiteral("11 is above the maximum 10 (allowed 0 … 10)"));
    refused("integer below the minimum", "count", QStringLiteral("-1"),
            QStringLiteral("-1 is below the minimum 0"));
    refused("integer, exponent above the maximum", "count", QStringLiteral("1e2"),
            QStringLiteral("100 is above the maximum 10"));
    refused("integer with decimals", "count", QStringLiteral("1.5"),
            QStringLiteral("“1.5” is not an integer: an integer has no decimal part"));
    refused("integer, hexadecimal", "count", QStringLiteral("0x10"),
            QStringLiteral("hexadecimal is not accepted"));
    refused("integer, thousands separator", "count", QStringLiteral("1 000"),
            QStringLiteral("no spaces or separators inside a number"));
    refused("integer, empty", "count", QString(), QStringLiteral("type a number"));
    refused("integer, a word", "count", QStringLiteral("abc"),
            QStringLiteral("“abc” is not an integer"));
    refused("integer, other script's digit", "count", QStringLiteral("\u0663"),
            QStringLiteral("type the digits 0–9"));
    // 64-bit integer, unbounded, stored 9007199254740993
    commits("integer beyond a double", "big", QStringLiteral("9007199254740995"),
            QStringLiteral("9007199254740995"));
    commits("integer, the 64-bit maximum", "big", QStringLiteral("9223372036854775807"),
            QStringLiteral("9223372036854775807"));
    refused("integer beyond 64 bits", "big", QStringLiteral("9223372036854775808"),
            QStringLiteral("outside the 64-bit integer range"));
    // float 0.0001 … 1, stored 0.5
    commits("float", "rate", QStringLiteral("0.25"), QStringLiteral("0.25"));
    commits("float, negative exponent", "rate", QStringLiteral("1e-1"), QStringLiteral("0.1"));
    commits("float, no integer part", "rate", QStringLiteral(".75"), QStringLiteral("0.75"));
    commits("float, the maximum", "rate", QStringLiteral("1"), QStringLiteral("1"));
    commits("float, German decimal comma", "rate", QStringLiteral("0,75"), QStringLiteral("0.75"),
            QStringLiteral("de_DE"));
    noEdit("float, the stored value", "rate", QStringLiteral("0.5"));
    refused("float above the maximum", "rate", QStringLiteral("1.0001"),
            QStringLiteral("1.0001 is above the maximum 1"));
    refused("float below the minimum", "rate", QStringLiteral("0.00001"),
            QStringLiteral("0.00001 is below the minimum 0.0001"));
    refused("float, comma in an English locale", "rate", QStringLiteral("0,75"),
            QStringLiteral("write decimals with a point"));
    refused("float, two points", "rate", QStringLiteral("1.2.3"),
            QStringLiteral("more than one decimal separator"));
    refused("float, NaN", "rate", QStringLiteral("NaN"),
            QStringLiteral("“NaN” is not a decimal number"));
    // decimal 0 … 0.3, stored 0.25: compared exactly, never through binary floating point
    commits("decimal, exactly the maximum", "share", QStringLiteral("0.3"), QStringLiteral("0.3"));
    commits("decimal, maximum as exponent", "share", QStringLiteral("3e-1"), QStringLiteral("0.3"));
    commits("decimal, trailing zeros kept", "share", QStringLiteral("0.3000"),
            QStringLiteral("0.3000"));
    refused("decimal, a hair above the maximum", "share", QStringLiteral("0.30000000000000001"),
            QStringLiteral("0.30000000000000001 is above the maximum 0.3"));
    // boolean, stored as `yes`
    commits("boolean", "enabled", QStringLiteral("false"), QStringLiteral("false"));
    noEdit("boolean, true over yes", "enabled", QStringLiteral("true"));
    // strings take anything, blanks included
    commits("string", "label", QStringLiteral("beta"), QStringLiteral("beta"));
    commits("string, blanks kept", "label", QStringLiteral("  padded  "),
            QStringLiteral("  padded  "));
    commits("string, emptied", "label", QString(), QStringLiteral(""));
    commits("unset string, set", "note", QStringLiteral("x"), QStringLiteral("x"));
    noEdit("unset string, left empty", "note", QString());
}

void TstParameterDelegate::commits()
{
    QFETCH(QString, name);
    QFETCH(QString, typed);
    QFETCH(Outcome, outcome);
    QFETCH(QString, expected);
    QFETCH(QString, locale);
    const Parameter stored = *m_model->parameter(name);
    QWidget *editor = openEditor(name);
    QVERIFY(editor);
    if (!locale.isEmpty())
        editor->setLocale(QLocale(locale));
    type(editor, typed);
    m_checked.clear();
    m_delegate->setModelData(editor, m_model.get(), current(name));
    const bool dropped = m_delegate->takeDropped();
    QVERIFY(!m_delegate->takeDropped()); // once

    switch (outcome) {
    case Outcome::Commits: {
        QVERIFY(!dropped);
        QCOMPARE(m_edited.size(), 1);
        const Edited &edited = m_edited.first();
        QCOMPARE(edited.name, name);
        QVERIFY(!edited.before);
        QVERIFY(edited.after);
        // From what the editor opened over (NULL stays NULL), to what the database will store.
        QCOMPARE(edited.after->from.isNull(), stored.currentValue.isNull());
        QCOMPARE(edited.after->from, stored.currentValue);
        QCOMPARE(edited.after->to, expected);
        QVERIFY(!edited.after->to.isNull());
        QCOMPARE(m_model->data(current(name), Qt::EditRole).toString(), expected);
        QVERIFY(m_model->data(current(name), ParameterTableModel::PendingRole).toBool());
        QVERIFY(!m_model->data(current(name), ParameterTableModel::ConflictRole).toBool());
        QCOMPARE(m_model->data(current(name), ParameterTableModel::StoredValueRole).toString(),
                 stored.currentValue);
        for (const Checked &checked : std::as_const(m_checked))
            QVERIFY(checked.validation.ok && !checked.refused);
        break;
    }
    case Outcome::NoEdit:
        QVERIFY(!dropped);
        QVERIFY(m_edited.isEmpty());
        QVERIFY(m_model->pendingEdits().isEmpty());
        for (const Checked &checked : std::as_const(m_checked))
            QVERIFY(!checked.refused);
        break;
    case Outcome::Refused: {
        QVERIFY(dropped);
        QVERIFY(m_edited.isEmpty());
        QVERIFY(m_model->pendingEdits().isEmpty());
        QCOMPARE(m_model->data(current(name), Qt::EditRole).toString(), stored.currentValue);
        QVERIFY(!m_checked.isEmpty());
        const Checked &checked = m_checked.last();
        QVERIFY(checked.refused);
        QVERIFY(!checked.validation.ok);
        QCOMPARE(checked.typed, typed.trimmed());
        // The reason names the parameter and says why.
        QVERIFY2(checked.validation.message.startsWith(
                     QStringLiteral("algorithm T1, parameter %1: ").arg(name)),
                 qPrintable(checked.validation.message));
        QVERIFY2(checked.validation.message.contains(expected),
                 qPrintable(checked.validation.message));
        break;
    }
    }
}

void TstParameterDelegate::liveCheckMarksTheEditor()
{
    auto *line = qobject_cast<QLineEdit *>(openEditor(QStringLiteral("count")));
    QVERIFY(line);
    QCOMPARE(line->styleSheet(), QString());
    m_checked.clear();
    type(line, QStringLiteral("11"));
    QVERIFY(line->styleSheet().contains(QLatin1String("border")));
    // Each keystroke is checked as it comes, none of them a refusal yet.
    QCOMPARE(m_checked.size(), 2); // "1", "11"
    QVERIFY(m_checked.at(0).validation.ok);
    QVERIFY(!m_checked.at(1).validation.ok);
    QCOMPARE(m_checked.at(1).validation.allowedRange, QStringLiteral("0 … 10"));
    QVERIFY(!m_checked.at(1).refused);
    QTest::keyClick(line, Qt::Key_Backspace);
    QCOMPARE(line->styleSheet(), QString());
    // An input that the editor normalises is shown as what will be stored.
    type(line, QStringLiteral("1e1"));
    QCOMPARE(m_checked.last().typed, QStringLiteral("1e1"));
    QCOMPARE(m_checked.last().stored, QStringLiteral("10"));
    QCOMPARE(line->styleSheet(), QString());
    type(line, QStringLiteral("x"));
    QCOMPARE(m_checked.last().stored, QString());
    QVERIFY(line->styleSheet().contains(QLatin1String("border")));
}

void TstParameterDelegate::editingAPendingValueKeepsItsFrom()
{
    m_model->setEdit(QStringLiteral("count"), edit(QStringLiteral("5"), QStringLiteral("9")));
    QWidget *editor = openEditor(QStringLiteral("count"));
    // The editor shows the pending value …
    QCOMPARE(ParameterDelegate::editorText(editor), QStringLiteral("9"));
    type(editor, QStringLiteral("7"));
    m_delegate->setModelData(editor, m_model.get(), current(QStringLiteral("count")));
    // … and the edit still starts where the first one did.
    QCOMPARE(m_edited.size(), 1);
    QCOMPARE(m_edited.first().before, edit(QStringLiteral("5"), QStringLiteral("9")));
    QCOMPARE(m_edited.first().after, edit(QStringLiteral("5"), QStringLiteral("7")));
    // Back to the stored value: the edit goes.
    editor = openEditor(QStringLiteral("count"));
    type(editor, QStringLiteral("5"));
    m_delegate->setModelData(editor, m_model.get(), current(QStringLiteral("count")));
    QCOMPARE(m_edited.size(), 2);
    QVERIFY(!m_edited.last().after);
    QVERIFY(m_model->pendingEdits().isEmpty());
}

void TstParameterDelegate::reloadWhileEditingKeepsTextAndFrom()
{
    QWidget *editor = openEditor(QStringLiteral("count"));
    type(editor, QStringLiteral("7"));
    // Someone else stored 6 meanwhile; the reload refills nothing the user is typing.
    m_model->setParameters(rows(QStringLiteral("6")));
    m_delegate->setEditorData(editor, current(QStringLiteral("count")));
    QCOMPARE(ParameterDelegate::editorText(editor), QStringLiteral("7"));
    m_delegate->setModelData(editor, m_model.get(), current(QStringLiteral("count")));
    // The edit starts from the 5 the user saw, so it shows as a conflict with the 6.
    QCOMPARE(m_edited.size(), 1);
    QCOMPARE(m_edited.first().after, edit(QStringLiteral("5"), QStringLiteral("7")));
    QVERIFY(m_model->data(current(QStringLiteral("count")), ParameterTableModel::ConflictRole)
                .toBool());
}

void TstParameterDelegate::boundsTightenedWhileEditingAreSaid()
{
    QWidget *editor = openEditor(QStringLiteral("count"));
    type(editor, QStringLiteral("7"));
    // A reload lowers the maximum to 6 while 7 is in the editor.
    m_model->setParameters(rows(QStringLiteral("5"), QStringLiteral("6")));
    m_checked.clear();
    m_delegate->setModelData(editor, m_model.get(), current(QStringLiteral("count")));
    QVERIFY(m_edited.isEmpty());
    QVERIFY(m_delegate->takeDropped());
    QVERIFY(!m_checked.isEmpty());
    const Checked &checked = m_checked.last();
    QVERIFY(checked.refused);
    QVERIFY2(checked.validation.message.contains(QLatin1String("7 is above the maximum 6")),
             qPrintable(checked.validation.message));
}

void TstParameterDelegate::readOnlyWhileEditingIsSaid()
{
    QWidget *editor = openEditor(QStringLiteral("count"));
    type(editor, QStringLiteral("7"));
    m_model->setEditable(false); // an apply started, or the role turned out read-only
    m_checked.clear();
    m_delegate->setModelData(editor, m_model.get(), current(QStringLiteral("count")));
    QVERIFY(m_edited.isEmpty());
    QVERIFY(m_delegate->takeDropped());
    QVERIFY(!m_checked.isEmpty());
    QVERIFY(m_checked.last().refused);
    QCOMPARE(m_checked.last().validation.message,
             QStringLiteral("the value can no longer be edited here"));
}

void TstParameterDelegate::enterKeepsARefusedValueOpen()
{
    QTableView view;
    view.setModel(m_model.get());
    view.setItemDelegate(m_delegate.get());
    view.resize(900, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = current(QStringLiteral("count"));
    view.setCurrentIndex(index);
    view.edit(index);
    QPointer<QLineEdit> line = view.findChild<QLineEdit *>(QStringLiteral("parameterValueEditor"));
    QVERIFY(line);
    QCOMPARE(line->text(), QStringLiteral("5"));
    type(line, QStringLiteral("11"));
    m_checked.clear();
    QTest::keyClick(line, Qt::Key_Return);
    // Still open, nothing pending, and the refusal was said.
    QVERIFY(line);
    QVERIFY(line->isVisible());
    QCOMPARE(line->text(), QStringLiteral("11"));
    QVERIFY(m_edited.isEmpty());
    QVERIFY(!m_checked.isEmpty());
    QVERIFY(m_checked.last().refused);
    // Tab neither.
    QTest::keyClick(line, Qt::Key_Tab);
    QVERIFY(line);
    QVERIFY(line->isVisible());
    QVERIFY(m_edited.isEmpty());

    type(line, QStringLiteral("9"));
    QTest::keyClick(line, Qt::Key_Return);
    QTRY_VERIFY(!line);
    QCOMPARE(m_edited.size(), 1);
    QCOMPARE(m_edited.first().after, edit(QStringLiteral("5"), QStringLiteral("9")));
    QCOMPARE(m_model->data(index, Qt::DisplayRole).toString(), QStringLiteral("9"));
    view.setItemDelegate(nullptr);
}

void TstParameterDelegate::escapeMakesNoEdit()
{
    QTableView view;
    view.setModel(m_model.get());
    view.setItemDelegate(m_delegate.get());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = current(QStringLiteral("rate"));
    view.setCurrentIndex(index);
    view.edit(index);
    QPointer<QLineEdit> line = view.findChild<QLineEdit *>(QStringLiteral("parameterValueEditor"));
    QVERIFY(line);
    type(line, QStringLiteral("0.75"));
    QTest::keyClick(line, Qt::Key_Escape);
    QTRY_VERIFY(!line);
    QVERIFY(m_edited.isEmpty());
    QVERIFY(m_model->pendingEdits().isEmpty());
    QCOMPARE(m_model->data(index, Qt::DisplayRole).toString(), QStringLiteral("0.5"));
    view.setItemDelegate(nullptr);
}

QTEST_MAIN(TstParameterDelegate)
#include "tst_parameterdelegate.moc"
