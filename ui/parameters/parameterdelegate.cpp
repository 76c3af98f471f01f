#include "parameterdelegate.h"

#include "editing/parameterinput.h"
#include "parametertablemodel.h"
#include "shell/colours.h"

#include <QComboBox>
#include <QKeyEvent>
#include <QLineEdit>

namespace {

const char RuleProperty[] = "parameterRule";
const char KindProperty[] = "parameterKind";
// The stored value under the cell when the editor opened: the `from` of a new edit.
const char StoredProperty[] = "parameterStoredValue";
const char StoredNullProperty[] = "parameterStoredNull";
// Set by the first setEditorData: later calls (a reload's dataChanged) leave the editor alone.
const char InitialisedProperty[] = "parameterEditorInitialised";
// The editor's text as first set: leaving it unchanged makes no edit.
const char InitialTextProperty[] = "parameterInitialText";

QString invalidStyle()
{
    return QStringLiteral("QLineEdit { border: 2px solid %1; }")
        .arg(Colours::css(Colours::failure()));
}

ParameterRule ruleOf(const QWidget *editor)
{
    return editor->property(RuleProperty).value<ParameterRule>();
}

ParameterKind kindOf(const QWidget *editor)
{
    return ParameterKind(editor->property(KindProperty).toInt());
}

} // namespace

QWidget *ParameterDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                         const QModelIndex &index) const
{
    Q_UNUSED(option);
    const auto kind = ParameterKind(index.data(ParameterTableModel::KindRole).toInt());
    QWidget *editor = nullptr;
    if (kind == ParameterKind::Boolean) {
        auto *combo = new QComboBox(parent);
        combo->addItems({QStringLiteral("true"), QStringLiteral("false")});
        editor = combo;
    } else {
        // No input validator: it would drop the characters it does not take and leave a
        // different number (1e5 → 15). Whatever is typed stays; the check says what it means.
        auto *line = new QLineEdit(parent);
        // Live feedback: the message row says at once whether the value would be taken.
        connect(line, &QLineEdit::textChanged, this, [this, line] {
            const Validation v = check(line, false);
            line->setStyleSheet(v.ok ? QString() : invalidStyle());
        });
        editor = line;
    }
    editor->setObjectName(QStringLiteral("parameterValueEditor"));
    editor->setProperty(RuleProperty, index.data(ParameterTableModel::RuleRole));
    editor->setProperty(KindProperty, int(kind));
    const QString stored = index.data(ParameterTableModel::StoredValueRole).toString();
    editor->setProperty(StoredProperty, stored);
    editor->setProperty(StoredNullProperty, stored.isNull());
    return editor;
}

void ParameterDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    // Qt calls this again whenever the cell's data changes (a live reload emits dataChanged
    // over the whole table): the user may be typing, so the editor is filled only once.
    if (editor->property(InitialisedProperty).toBool())
        return;
    editor->setProperty(InitialisedProperty, true);
    const QString value = index.data(Qt::EditRole).toString();
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        bool ok = false;
        const bool on = parameterBoolean(value, &ok);
        combo->setCurrentIndex(ok && !on ? 1 : 0);
    } else if (auto *line = qobject_cast<QLineEdit *>(editor)) {
        line->setText(value);
        line->selectAll();
        check(line, false);
    }
    editor->setProperty(InitialTextProperty, editorText(editor));
}

QString ParameterDelegate::editorText(const QWidget *editor)
{
    if (auto *combo = qobject_cast<const QComboBox *>(editor))
        return combo->currentText();
    if (auto *line = qobject_cast<const QLineEdit *>(editor)) {
        // Surrounding blanks are typing noise for numbers; a string keeps every character.
        return kindOf(editor) == ParameterKind::String ? line->text() : line->text().trimmed();
    }
    return {};
}

ParameterInput ParameterDelegate::interpret(const QWidget *editor)
{
    return interpretParameterInput(editorText(editor), kindOf(editor), editor->locale());
}

Validation ParameterDelegate::check(const QWidget *editor, bool refused) const
{
    const ParameterRule rule = ruleOf(editor);
    const ParameterInput input = interpret(editor);
    Validation validation;
    if (input.ok) {
        validation = validateParameterValue(input.value, rule);
    } else {
        // Not a number at all: the rule still gives the allowed range to show beside the reason.
        validation = validateParameterValue(QString(), rule);
        validation.ok = false;
        validation.message = QStringLiteral("algorithm %1, parameter %2: %3")
                                 .arg(rule.algorithmId, rule.name, input.problem);
    }
    Q_EMIT valueChecked(rule, input.typed, input.ok ? input.value : QString(), validation,
                        refused && !validation.ok);
    return validation;
}

void ParameterDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                     const QModelIndex &index) const
{
    // Opening a cell and leaving it is no edit: a boolean stored as `yes` shown as true, or a
    // NULL string shown as an empty line, must not become a pending `true` or ''.
    if (editor->property(InitialisedProperty).toBool() &&
        editorText(editor) == editor->property(InitialTextProperty).toString())
        return;
    // Also reached when the editor loses focus: a refused value is dropped, never committed.
    if (!check(editor, true).ok) {
        m_dropped = true;
        return;
    }
    // What becomes pending is what the database will store, as the message row showed it
    // while typing ("1e-1 is stored as 0.1").
    const QString text = interpret(editor).value;
    QString from = editor->property(StoredProperty).toString();
    if (editor->property(StoredNullProperty).toBool())
        from = QString();
    auto *parameters = qobject_cast<ParameterTableModel *>(model);
    const bool taken = parameters ? parameters->setValue(index, text, from)
                                  : model->setData(index, text, Qt::EditRole);
    if (taken)
        return;
    // The rule may have tightened since the editor opened (a reload brought new bounds): say
    // why the value was not kept rather than dropping it silently.
    const ParameterRule rule = index.data(ParameterTableModel::RuleRole).value<ParameterRule>();
    Validation validation = validateParameterValue(text, rule);
    if (validation.ok) {
        validation.ok = false;
        validation.message = tr("the value can no longer be edited here");
    }
    m_dropped = true;
    Q_EMIT valueChecked(rule, editorText(editor), text, validation, true);
}

bool ParameterDelegate::eventFilter(QObject *object, QEvent *event)
{
    auto *editor = qobject_cast<QWidget *>(object);
    if (editor && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Tab ||
            key == Qt::Key_Backtab) {
            // Keep the editor open on a refused value: the user fixes it or presses Esc.
            if (!check(editor, true).ok)
                return true;
        }
    }
    return QStyledItemDelegate::eventFilter(object, event);
}
