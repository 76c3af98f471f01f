#include "parameteractions.h"

#include "parametercommands.h"
#include "parametertablemodel.h"
#include "shell/colours.h"
#include "shell/icons.h"
#include "shell/tablecopy.h"

#include <QAction>
#include <QClipboard>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QTextDocumentFragment>
#include <QUndoStack>
#include <utility>

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

ParameterActions::ParameterActions(ParameterTableModel *model, QUndoStack *undo, QWidget *editor)
    : QObject(editor)
    , m_model(model)
    , m_undo(undo)
{
    auto make = [editor](const QString &text, const QList<QKeySequence> &shortcuts) {
        auto *action = new QAction(text, editor);
        action->setShortcuts(shortcuts);
        // Inside the editor (the table, its cell editors, the bar), not window-wide: the main
        // window and other panels keep their own keys.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        editor->addAction(action);
        return action;
    };
    m_actions[Undo] = make(tr("&Undo"), {QKeySequence(Qt::CTRL | Qt::Key_Z)});
    m_actions[Redo] = make(tr("&Redo"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z),
                                         QKeySequence(Qt::CTRL | Qt::Key_Y)});
    m_actions[ResetRow] = make(tr("Reset &row to default"), {QKeySequence(Qt::CTRL | Qt::Key_R)});
    m_actions[ResetAgent] =
        make(tr("Reset &agent to defaults"), {QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R)});
    m_actions[Preview] = make(tr("&Preview…"), {QKeySequence(Qt::CTRL | Qt::Key_P)});
    m_actions[Preview]->setToolTip(tr("Rehearse the pending changes in a rolled-back transaction"));
    m_actions[Apply] = make(tr("&Apply…"), {QKeySequence(Qt::CTRL | Qt::Key_Return),
                                            QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_actions[Apply]->setToolTip(tr("Write the pending changes in one transaction, with a reason"));
    m_actions[Discard] = make(tr("&Discard changes"), {QKeySequence(Qt::CTRL | Qt::Key_D)});
    m_actions[Discard]->setToolTip(tr("Drop every pending change (can be undone)"));
    const char *icons[] = {"undo",    "redo",  "reset-row", "reset-agent",
                           "preview", "apply", "discard"};
    for (int kind = Undo; kind <= Discard; ++kind)
        m_actions[kind]->setIcon(Icons::action(QLatin1String(icons[kind])));
    // Copy acts in the table only (added there by the editor's layout).
    m_actions[Copy] = new QAction(Icons::action(QStringLiteral("copy")), tr("&Copy"), editor);
    m_actions[Copy]->setShortcut(QKeySequence::Copy);
    m_actions[Copy]->setShortcutContext(Qt::WidgetWithChildrenShortcut);
}

QList<QAction *> ParameterActions::actions() const
{
    return QList<QAction *>(std::begin(m_actions), std::end(m_actions));
}

QFrame *ParameterActions::createBar(QWidget *parent)
{
    auto *bar = new QFrame(parent);
    bar->setObjectName(QStringLiteral("pendingBar"));
    bar->setStyleSheet(QStringLiteral("QFrame#pendingBar { background: %1; border: 1px solid %2;"
                                      " border-radius: 3px; }")
                           .arg(Colours::css(Colours::neutralBackground()),
                                Colours::css(Colours::neutralBorder())));
    m_pendingLabel = new QLabel(bar);
    m_pendingLabel->setObjectName(QStringLiteral("pendingLabel"));
    m_pendingLabel->setTextFormat(Qt::RichText);
    auto button = [bar](QAction *action, const QString &name) {
        auto *b = new QPushButton(action->icon(), action->text(), bar);
        b->setObjectName(name);
        b->setToolTip(QStringLiteral("%1 (%2)").arg(
            action->toolTip(), action->shortcut().toString(QKeySequence::NativeText)));
        connect(b, &QPushButton::clicked, action, &QAction::trigger);
        return b;
    };
    m_discardButton = button(m_actions[Discard], QStringLiteral("discardButton"));
    m_previewButton = button(m_actions[Preview], QStringLiteral("previewButton"));
    m_applyButton = button(m_actions[Apply], QStringLiteral("applyButton"));
    auto *barLayout = new QHBoxLayout(bar);
    barLayout->setContentsMargins(10, 5, 6, 5);
    barLayout->addWidget(m_pendingLabel, 1);
    barLayout->addWidget(m_discardButton);
    barLayout->addWidget(m_previewButton);
    barLayout->addWidget(m_applyButton);
    return bar;
}

void ParameterActions::setPendingText(const QString &html)
{
    if (m_pendingLabel)
        m_pendingLabel->setText(html);
}

QString ParameterActions::pendingText() const
{
    return m_pendingLabel ? QTextDocumentFragment::fromHtml(m_pendingLabel->text()).toPlainText()
                          : QString();
}

void ParameterActions::update(int count, bool editable, bool applying, bool canSend)
{
    m_actions[Preview]->setEnabled(canSend);
    m_actions[Apply]->setEnabled(canSend);
    m_actions[Discard]->setEnabled(count > 0 && !applying);
    m_actions[Undo]->setEnabled(m_undo->canUndo() && !applying);
    m_actions[Redo]->setEnabled(m_undo->canRedo() && !applying);
    m_actions[Undo]->setText(m_undo->canUndo() ? tr("&Undo %1").arg(m_undo->undoText())
                                               : tr("&Undo"));
    m_actions[Redo]->setText(m_undo->canRedo() ? tr("&Redo %1").arg(m_undo->redoText())
                                               : tr("&Redo"));
    const QModelIndex current = m_table ? m_table->currentIndex() : QModelIndex();
    m_actions[ResetRow]->setEnabled(
        editable && current.isValid() &&
        ParameterTableModel::isEditableParameter(m_model->parameters().at(current.row())));
    m_actions[ResetAgent]->setEnabled(editable && m_model->rowCount() > 0);
    for (QPushButton *b : {m_previewButton, m_applyButton, m_discardButton})
        if (b)
            b->setEnabled(b == m_discardButton ? m_actions[Discard]->isEnabled()
                                               : m_actions[Preview]->isEnabled());
    if (m_applyButton)
        m_applyButton->setDefault(count > 0);
}

void ParameterActions::resetRow()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || !(m_model->isEditable()))
        return;
    const Parameter p = m_model->parameters().at(current.row());
    if (!ParameterTableModel::isEditableParameter(p))
        return;
    const Validation validation = validateParameterValue(p.defaultValue, p.rule());
    if (!validation.ok) {
        Q_EMIT messageShown(
            tr("<b>%1</b> has no usable default: %2").arg(esc(p.name), esc(validation.message)),
            true);
        return;
    }
    const auto before = m_model->pendingEdits().edit(p.name);
    const auto after = m_model->pendingEdits().edited(p.name, p.currentValue, p.defaultValue);
    if (before == after) {
        Q_EMIT messageShown(
            tr("<b>%1</b> is already at its default %2.")
                .arg(esc(p.name), esc(ParameterTableModel::displayValue(p.defaultValue))),
            false);
        return;
    }
    m_undo->push(
        new PendingEditCommand(m_model, tr("reset of %1").arg(p.name), {{p.name, before, after}}));
}

void ParameterActions::resetAgent(const QString &algorithmId)
{
    if (!m_model->isEditable())
        return;
    QList<PendingEditCommand::Step> steps;
    QStringList skipped;
    for (const Parameter &p : m_model->parameters()) {
        if (!ParameterTableModel::isEditableParameter(p) ||
            !validateParameterValue(p.defaultValue, p.rule()).ok) {
            skipped.append(p.name);
            continue;
        }
        const auto before = m_model->pendingEdits().edit(p.name);
        const auto after = m_model->pendingEdits().edited(p.name, p.currentValue, p.defaultValue);
        if (before != after)
            steps.append({p.name, before, after});
    }
    if (!steps.isEmpty())
        m_undo->push(
            new PendingEditCommand(m_model, tr("reset of %1 to defaults").arg(algorithmId), steps));
    if (!skipped.isEmpty())
        Q_EMIT messageShown(tr("Left as they are (unknown type, invalid value or default): %1")
                                .arg(esc(skipped.join(QStringLiteral(", ")))),
                            false);
    else if (steps.isEmpty())
        Q_EMIT messageShown(
            tr("Every parameter of %1 is already at its default.").arg(esc(algorithmId)), false);
}

void ParameterActions::discard()
{
    QList<PendingEditCommand::Step> steps;
    for (const QString &name : m_model->pendingEdits().names())
        steps.append({name, m_model->pendingEdits().edit(name), std::nullopt});
    m_undo->push(new PendingEditCommand(
        m_model,
        tr("discard of %1")
            .arg(ParameterTableModel::count(int(steps.size()), tr("change"), tr("changes"))),
        steps));
    Q_EMIT messageShown({}, false);
}

void ParameterActions::copySelection()
{
    const QString text = TableCopy::selectionText(m_table);
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}
