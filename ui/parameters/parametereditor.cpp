#include "parametereditor.h"

#include "applydialog.h"
#include "conflictresolution.h"
#include "parameteractions.h"
#include "parametercommands.h"
#include "parameterdelegate.h"
#include "parametertablemodel.h"
#include "parametertableview.h"
#include "previewdialog.h"
#include "shell/auditidentity.h"
#include "shell/colours.h"
#include "shell/messagebanner.h"

#include <QAction>
#include <QFrame>
#include <QLabel>
#include <QMessageBox>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <utility>

namespace {

// Notices of one apply arrive one per parameter: they are coalesced into one reload.
constexpr int ReloadDelayMs = 60;

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString changesText(int n, bool pending = false)
{
    return pending ? ParameterTableModel::count(n, QObject::tr("pending change"),
                                                QObject::tr("pending changes"))
                   : ParameterTableModel::count(n, QObject::tr("change"), QObject::tr("changes"));
}

QString shown(const QString &value)
{
    return ParameterTableModel::displayValue(value);
}

} // namespace

ParameterEditor::ParameterEditor(AgentWorker *worker, QWidget *parent)
    : QWidget(parent)
    , m_worker(worker)
    , m_model(new ParameterTableModel(this))
    , m_delegate(new ParameterDelegate(this))
    , m_undo(new QUndoStack(this))
    , m_reloadTimer(new QTimer(this))
    , m_actions(new ParameterActions(m_model, m_undo, this))
    , m_conflicts(new ConflictResolution(worker, m_model, this))
{
    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(ReloadDelayMs);
    connect(m_reloadTimer, &QTimer::timeout, this, &ParameterEditor::reload);

    // The worker lives on its own thread: these are queued to this (the GUI) thread.
    connect(m_worker, &AgentWorker::parametersLoaded, this, &ParameterEditor::parametersLoaded);
    connect(m_worker, &AgentWorker::simulated, this, &ParameterEditor::simulated);
    connect(m_worker, &AgentWorker::applied, this, &ParameterEditor::applied);
    connect(m_worker, &AgentWorker::changeReceived, this, &ParameterEditor::changeReceived);
    connect(m_conflicts, &ConflictResolution::accepted, this, &ParameterEditor::resolveConflicts);
    connect(m_conflicts, &ConflictResolution::messagePosted, this, &ParameterEditor::messagePosted);

    connect(m_model, &ParameterTableModel::valueEdited, this, &ParameterEditor::valueEdited);
    connect(m_delegate, &ParameterDelegate::valueChecked, this, &ParameterEditor::valueChecked);
    connect(m_delegate, &QAbstractItemDelegate::closeEditor, this, [this] {
        // Esc or a committed value: the editing hint goes. A refused value dropped by leaving
        // the cell keeps its message, so that the user knows it was not kept.
        if (!m_delegate->takeDropped())
            setMessage({}, false);
    });
    connect(m_undo, &QUndoStack::indexChanged, this, &ParameterEditor::updateState);

    buildActions();
    buildLayout();
    setConnection({}, {});
}

ParameterEditor::~ParameterEditor()
{
    // The undo stack clears itself when deleted, after the model may be gone: not our business.
    disconnect(m_undo, nullptr, this, nullptr);
}

void ParameterEditor::buildActions()
{
    using Kind = ParameterActions::Kind;
    // Undo and redo wait for a running apply: its answer decides what the edits are.
    connect(m_actions->action(Kind::Undo), &QAction::triggered, this, [this] {
        if (m_applyRequest == 0)
            m_undo->undo();
    });
    connect(m_actions->action(Kind::Redo), &QAction::triggered, this, [this] {
        if (m_applyRequest == 0)
            m_undo->redo();
    });
    const std::pair<Kind, void (ParameterEditor::*)()> triggers[] = {
        {Kind::ResetRow, &ParameterEditor::resetRow},
        {Kind::ResetAgent, &ParameterEditor::resetAgent},
        {Kind::Preview, &ParameterEditor::preview},
        {Kind::Apply, &ParameterEditor::apply},
        {Kind::Discard, &ParameterEditor::discard},
        {Kind::Copy, &ParameterEditor::copySelection}};
    for (const auto &[kind, slot] : triggers)
        connect(m_actions->action(kind), &QAction::triggered, this, slot);
    connect(m_actions, &ParameterActions::messageShown, this, &ParameterEditor::setMessage);
}

QList<QAction *> ParameterEditor::editorActions() const
{
    return m_actions->actions();
}

void ParameterEditor::buildLayout()
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("parametersTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setContentsMargins(2, 4, 2, 4);

    m_readOnlyBanner = new MessageBanner(this);
    m_readOnlyBanner->setObjectName(QStringLiteral("readOnlyBanner"));

    m_table = new ParameterTableView(m_model, m_delegate, this);
    m_table->addAction(m_actions->action(ParameterActions::Copy));
    m_actions->setTable(m_table);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ParameterEditor::updateState);

    m_message = new MessageBanner(this);
    m_message->setObjectName(QStringLiteral("parameterMessage"));
    m_message->setTextFormat(Qt::RichText);

    QFrame *bar = m_actions->createBar(this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_readOnlyBanner);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    layout->addWidget(bar);
    setFocusProxy(m_table);
}

void ParameterEditor::setConnection(const ConnectionContext &context, const Privileges &privileges)
{
    // Privileges not known yet (no role): the owner is (re)opening the worker's connection, and
    // the worker drops the work queued for the earlier one without answering. The requests in
    // flight are forgotten, or the editor would wait for them forever. With known privileges
    // (the connection opened, possibly in the middle of a request after a loss) they stay.
    if (privileges.role.isEmpty() && isBusy()) {
        const bool applying = m_applyRequest != 0;
        m_loadRequest = 0;
        m_simulateRequest = 0;
        m_applyRequest = 0;
        m_reloadAgain = false;
        Q_EMIT busyChanged(false, {});
        if (applying)
            setMessage(tr("<b>The connection changed while an apply was running:</b> whether it "
                          "committed is not known here. Your pending changes are kept; once the "
                          "rows reload, a value it wrote shows as a conflict (yours equals "
                          "theirs: keep theirs)."),
                       true);
    }
    m_context = context;
    m_privileges = privileges;
    m_readOnly = !context.isValid() || context.readOnly || !privileges.canUpdateParameters;
    QString banner;
    if (!context.isValid() && !context.connecting.isEmpty())
        banner.clear(); // connecting: the panel says so once; nothing is shown to edit yet
    else if (!context.isValid())
        banner = tr("Not connected: parameters cannot be edited. Pending changes are kept "
                    "until you reconnect.");
    else if (context.readOnly)
        banner = tr("Read-only connection to \"%1\": %2. Parameters can be viewed and copied, "
                    "not edited.")
                     .arg(context.profileName, context.whyReadOnly());
    else if (privileges.role.isEmpty())
        banner = tr("Connecting to %1… editing is enabled once the role's privileges are known.")
                     .arg(context.profileName);
    else if (!privileges.canUpdateParameters)
        banner = tr("Read-only: role \"%1\" may not update parameters (it needs UPDATE on "
                    "algorithm_parameters and what the audit writes). Ask an administrator for "
                    "write access; you can still view and copy values.")
                     .arg(privileges.role);
    m_readOnlyBanner->showMessage(MessageBanner::Tone::Warning, banner);
    updateState();
}

void ParameterEditor::showAgent(const QString &algorithmId)
{
    m_undo->clear();
    m_model->setEdits({});
    m_knownConflicts.clear();
    m_conflicts->clear();
    m_lost.clear();
    m_reloadTimer->stop();
    m_reloadAgain = false;
    setMessage({}, false);
    // Answers for the agent shown before are dropped (an apply still reports its result).
    if (m_loadRequest)
        finishRequest(&m_loadRequest);
    if (m_simulateRequest)
        finishRequest(&m_simulateRequest);
    m_algorithmId = algorithmId;
    m_agent = Agent();
    m_model->setParameters({});
    updateState();
    reload();
}

QString ParameterEditor::algorithmId() const
{
    return m_algorithmId;
}

void ParameterEditor::reload()
{
    if (m_algorithmId.isEmpty())
        return;
    if (m_loadRequest) {
        m_reloadAgain = true; // the running load may predate the change: load once more
        return;
    }
    startRequest(&m_loadRequest, m_worker->loadParameters(m_algorithmId),
                 tr("Loading parameters of %1…").arg(m_algorithmId));
}

int ParameterEditor::pendingCount() const
{
    return m_model->pendingEdits().count();
}

bool ParameterEditor::confirmDiscard(const QString &what)
{
    // The edits are being written (or rehearsed): dropping them now would lose what the
    // answer is about, and a conflict dialog would mix two agents. The caller stays put.
    if (m_applyRequest || m_simulateRequest) {
        const QString message = m_applyRequest ? tr("An apply is running; wait for it to finish.")
                                               : tr("A preview is running; wait for it to finish.");
        setMessage(esc(message), true);
        Q_EMIT messagePosted(message);
        return false;
    }
    const int count = pendingCount();
    if (count == 0)
        return true;
    QMessageBox box(QMessageBox::Question, what,
                    tr("Discard %1 to %2?").arg(changesText(count, true), m_algorithmId),
                    QMessageBox::Discard | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("confirmDiscard"));
    box.setInformativeText(tr("They have not been applied to the database."));
    box.setDefaultButton(QMessageBox::Cancel);
    if (box.exec() != QMessageBox::Discard)
        return false;
    m_undo->clear();
    m_model->setEdits({});
    updateState();
    return true;
}

bool ParameterEditor::isBusy() const
{
    return m_loadRequest || m_simulateRequest || m_applyRequest;
}

QString ParameterEditor::messageText() const
{
    return m_message->isVisible() || !m_message->text().isEmpty()
               ? QTextDocumentFragment::fromHtml(m_message->text()).toPlainText()
               : QString();
}

QString ParameterEditor::readOnlyText() const
{
    return m_readOnlyBanner->isHidden() ? QString() : m_readOnlyBanner->text();
}

QString ParameterEditor::pendingText() const
{
    return m_actions->pendingText();
}

int ParameterEditor::userId() const
{
    return m_context.auditUser();
}

void ParameterEditor::startRequest(int *slot, int request, const QString &what)
{
    *slot = request;
    Q_EMIT busyChanged(true, what);
    updateState();
}

void ParameterEditor::finishRequest(int *slot)
{
    *slot = 0;
    if (!isBusy())
        Q_EMIT busyChanged(false, {});
    updateState();
}

bool ParameterEditor::reportLoss(const DbError &error)
{
    if (!error.isConnectionLoss())
        return false;
    Q_EMIT connectionLost(error);
    return true;
}

void ParameterEditor::setMessage(const QString &html, bool error)
{
    m_messageIsApplied = false;
    m_message->showMessage(error ? MessageBanner::Tone::Error : MessageBanner::Tone::Information,
                           html);
}

void ParameterEditor::updateState()
{
    const int count = pendingCount();
    // "✓ Applied …" is about the edits that were applied: new ones make it stale.
    if (m_messageIsApplied && count > 0)
        setMessage({}, false);
    const int conflicts = int(m_model->conflicting().size());
    const bool applying = m_applyRequest != 0;
    const bool editable = !m_readOnly && !applying && !m_algorithmId.isEmpty();
    m_model->setEditable(editable);

    QString text = count == 0 ? tr("No pending changes")
                              : QStringLiteral("<b>%1</b>").arg(changesText(count, true));
    if (conflicts > 0)
        text += QStringLiteral(" · <span style='color:%1'>%2</span>")
                    .arg(Colours::css(Colours::failure()),
                         tr("<b>%1 conflicting</b> (changed by someone else)").arg(conflicts));
    if (applying)
        text += tr(" · applying…");
    m_actions->setPendingText(text);
    m_title->setText(m_algorithmId.isEmpty()
                         ? tr("<b>Parameters</b> — no agent selected")
                         : tr("<b>Parameters of %1</b>%2 · %3")
                               .arg(esc(m_algorithmId),
                                    m_agent.name.isEmpty()
                                        ? QString()
                                        : QStringLiteral(" — %1").arg(esc(m_agent.name)),
                                    ParameterTableModel::count(m_model->rowCount(), tr("parameter"),
                                                               tr("parameters"))));

    // Not while conflict resolutions wait for a reload: the edits' bases are about to move.
    const bool canSend = count > 0 && !m_readOnly && !applying && m_simulateRequest == 0 &&
                         !m_conflicts->isWaiting();
    m_actions->update(count, editable, applying, canSend);
    // A pending value wider than the column (a long decimal) widens it: never shown cut.
    if (m_table && count > 0)
        m_table->fitPendingValues();

    if (count != m_lastPendingCount) {
        m_lastPendingCount = count;
        Q_EMIT pendingChanged(count);
    }
}

void ParameterEditor::valueChecked(const ParameterRule &rule, const QString &typed,
                                   const QString &stored, const Validation &validation,
                                   bool refused)
{
    const QString range = validation.allowedRange.isEmpty()
                              ? QString()
                              : tr(" Allowed: <b>%1</b>.").arg(esc(validation.allowedRange));
    // Typed otherwise than the database stores it (1e-1, 010, 0,5): say what will be stored,
    // before it becomes pending.
    const bool normalised = !stored.isNull() && stored != typed;
    if (validation.ok) {
        if (normalised) {
            setMessage(tr("<b>%1</b> (%2): <b>%3</b> is stored as <b>%4</b> ✓ valid.%5 Enter "
                          "keeps %4 as a pending change, Esc cancels.")
                           .arg(esc(rule.name), esc(rule.type), esc(typed), esc(stored), range),
                       false);
        } else {
            setMessage(tr("<b>%1</b> (%2) = <b>%3</b> ✓ valid.%4 Enter keeps it as a pending "
                          "change, Esc cancels.")
                           .arg(esc(rule.name), esc(rule.type), esc(shown(stored)), range),
                       false);
        }
        return;
    }
    // The database's wording names the algorithm and parameter and repeats the range: both are
    // shown apart here, so they are taken out of the reason.
    QString reason = validation.message;
    const QString prefix =
        QStringLiteral("algorithm %1, parameter %2: ").arg(rule.algorithmId, rule.name);
    if (reason.startsWith(prefix))
        reason = reason.mid(prefix.size());
    if (!validation.allowedRange.isEmpty())
        reason.remove(QStringLiteral(" (allowed %1)").arg(validation.allowedRange));
    if (normalised) // the database's reason names the stored form: say what it came from
        reason = tr("“%1” is %2, and %3").arg(typed, stored, reason);
    setMessage(
        tr("<b>%1 %2:</b> %3.%4 %5")
            .arg(refused ? tr("Not accepted —") : QStringLiteral("✗"), esc(rule.name), esc(reason),
                 range,
                 refused ? tr("Fix the value, or press Esc to cancel the edit.") : QString()),
        true);
}

void ParameterEditor::valueEdited(const QString &name, const std::optional<PendingEdit> &before,
                                  const std::optional<PendingEdit> &after)
{
    const QString text = after ? tr("edit of %1").arg(name) : tr("revert of %1").arg(name);
    m_undo->push(new PendingEditCommand(m_model, text, {{name, before, after}}));
}

void ParameterEditor::resetRow()
{
    m_actions->resetRow();
}

void ParameterEditor::resetAgent()
{
    m_actions->resetAgent(m_algorithmId);
}

void ParameterEditor::discard()
{
    if (pendingCount() == 0 || m_applyRequest)
        return;
    m_actions->discard();
}

void ParameterEditor::copySelection()
{
    m_actions->copySelection();
}

void ParameterEditor::preview()
{
    if (!m_actions->action(ParameterActions::Preview)->isEnabled())
        return;
    m_sentChanges = m_model->pendingEdits().changes(m_algorithmId);
    startRequest(&m_simulateRequest,
                 m_worker->simulate(m_sentChanges,
                                    m_lastReason.isEmpty() ? tr("preview") : m_lastReason,
                                    userId()),
                 tr("Previewing %1…").arg(changesText(int(m_sentChanges.size()))));
}

void ParameterEditor::simulated(int request, const SimulateResult &result, const DbError &error)
{
    if (request != m_simulateRequest)
        return;
    finishRequest(&m_simulateRequest);
    if (reportLoss(error)) {
        setMessage(tr("<b>Preview failed:</b> the connection was lost. Your pending changes are "
                      "kept."),
                   true);
        return;
    }
    if (m_previewDialog)
        m_previewDialog->close();
    auto *dialog = new PreviewDialog(m_sentChanges, m_model->parameters(), result, error, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PreviewDialog::applyRequested, this, &ParameterEditor::apply);
    dialog->requestOutlook(m_worker, m_algorithmId, m_sentChanges);
    m_previewDialog = dialog;
    dialog->open();
}

void ParameterEditor::apply()
{
    if (!m_actions->action(ParameterActions::Apply)->isEnabled())
        return;
    if (m_applyDialog) {
        m_applyDialog->raise();
        return;
    }
    // Without an audit user id the changelog would record no user: asked once, before.
    if (!AuditIdentity::confirm(this, &m_context, tr("apply these changes")))
        return;
    const QList<ParameterChange> changes = m_model->pendingEdits().changes(m_algorithmId);
    QHash<QString, QString> newest;
    for (const ParameterChange &change : changes) {
        const Parameter *p = m_model->parameter(change.name);
        if (p && !sameStoredValue(p->currentValue, change.from))
            newest.insert(change.name, p->currentValue);
    }
    auto *dialog = new ApplyDialog(m_algorithmId, changes, m_context.profileName,
                                   m_context.production, m_lastReason, newest, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startApply(dialog->reason()); });
    m_applyDialog = dialog;
    dialog->open();
}

void ParameterEditor::startApply(const QString &reason)
{
    if (pendingCount() == 0 || m_applyRequest || m_readOnly)
        return;
    m_lastReason = reason;
    m_sentChanges = m_model->pendingEdits().changes(m_algorithmId);
    m_applyAgent = m_algorithmId;
    setMessage({}, false);
    startRequest(&m_applyRequest, m_worker->apply(m_sentChanges, reason, userId()),
                 tr("Applying %1…").arg(changesText(int(m_sentChanges.size()))));
}

void ParameterEditor::applied(int request, const ApplyResult &result, const DbError &error)
{
    if (request != m_applyRequest)
        return;
    finishRequest(&m_applyRequest);
    const int count = int(m_sentChanges.size());
    if (result.ok) {
        m_lost.clear();
        if (m_applyAgent == m_algorithmId) {
            for (const ParameterChange &change : std::as_const(m_sentChanges)) {
                const auto edit = m_model->pendingEdits().edit(change.name);
                if (edit && sameStoredValue(edit->from, change.from) &&
                    sameStoredValue(edit->to, change.to))
                    m_model->setApplied(change.name, change.to);
            }
            m_undo->clear();
            m_knownConflicts = m_model->conflicting();
        }
        const QString message =
            tr("Applied %1 to %2 (change set %3).")
                .arg(changesText(int(result.changes.size())), m_applyAgent, result.changeSet);
        setMessage(QStringLiteral("✓ %1").arg(esc(message)), false);
        m_messageIsApplied = true; // until the next edit (updateState)
        Q_EMIT messagePosted(message);
        Q_EMIT changesApplied(result);
        updateState();
        // This reload covers the apply's own notices, whichever arrives first.
        m_reloadTimer->stop();
        reload();
        return;
    }
    QList<ParameterConflict> conflicts = result.conflicts;
    QStringList alreadyApplied;
    if (!m_lost.isEmpty() && m_applyAgent == m_algorithmId) {
        // A conflict our own apply that lost its connection wrote: that apply did commit. The
        // edit is done, not in conflict.
        const LostApply::Sorted sorted = m_lost.sort(conflicts, m_model->pendingEdits());
        conflicts = sorted.conflicts;
        alreadyApplied = sorted.alreadyApplied;
        for (const QString &name : std::as_const(alreadyApplied))
            m_model->keepTheirs(name);
        if (!alreadyApplied.isEmpty())
            m_undo->clear();
    }
    const QString earlier =
        alreadyApplied.isEmpty()
            ? QString()
            : tr("%1 already applied by your earlier attempt (change set %2); dropped from "
                 "your edits.")
                  .arg(esc(alreadyApplied.join(QStringLiteral(", "))), esc(m_lost.changeSet()));
    if (!alreadyApplied.isEmpty() && conflicts.isEmpty()) {
        m_lost.clear();
        m_knownConflicts = m_model->conflicting();
        setMessage(tr("<b>Nothing new was applied:</b> %1 %2")
                       .arg(earlier, pendingCount() > 0 ? tr("Your other pending changes are kept.")
                                                        : QString()),
                   false);
        Q_EMIT messagePosted(QTextDocumentFragment::fromHtml(earlier).toPlainText());
        updateState();
        reload();
        return;
    }
    if (!conflicts.isEmpty()) {
        setMessage(tr("<b>Nothing was applied:</b> %1 changed by someone else since you started "
                      "editing. Your pending changes are kept.")
                       .arg(ParameterTableModel::count(int(conflicts.size()), tr("parameter was"),
                                                       tr("parameters were")))
                       .append(earlier.isEmpty() ? QString() : QStringLiteral(" ") + earlier),
                   true);
        updateState();
        reload();
        m_conflicts->open(conflicts);
        return;
    }
    if (reportLoss(error) || result.retryable) {
        // The commit may or may not have reached the server before the connection went: the
        // next apply tells, as its `from` no longer matches a value that is already ours.
        if (m_applyAgent == m_algorithmId && !result.changeSet.isEmpty())
            m_lost.remember(result.changeSet, m_sentChanges);
        setMessage(
            tr("<b>The connection was lost while applying:</b> it is unknown whether change set "
               "%1 was committed. Your edits are kept; Apply again checks: a value that is "
               "already yours shows as a conflict.")
                .arg(esc(result.changeSet.isEmpty() ? tr("(none)") : result.changeSet)),
            true);
        Q_EMIT messagePosted(
            tr("Apply interrupted: connection lost, commit of change set %1 unknown; %2 kept")
                .arg(result.changeSet, changesText(count, true)));
        return;
    }
    setMessage(tr("<b>The database refused the apply;</b> nothing was written and your pending "
                  "changes are kept.<br>%1")
                   .arg(esc(error.toString()).replace(u'\n', QStringLiteral("<br>"))),
               true);
    Q_EMIT messagePosted(tr("Apply refused: %1").arg(error.message));
}

void ParameterEditor::resolveConflicts()
{
    if (!m_conflicts->takeDecisions(m_algorithmId))
        return;
    // Their value in the dialog may already be stale: a re-applied edit starts from what the
    // newest reload says, so a reload still coming is waited for.
    if (reloadPending()) {
        setMessage(tr("Resolving the conflicts once the newest values are loaded…"), false);
        updateState();
        return;
    }
    finishResolution();
}

bool ParameterEditor::reloadPending() const
{
    return m_loadRequest != 0 || m_reloadTimer->isActive() || m_reloadAgain;
}

void ParameterEditor::finishResolution()
{
    const QString message = m_conflicts->finish();
    // The bases moved under the recorded commands: their undo would bring old bases back.
    m_undo->clear();
    m_knownConflicts = m_model->conflicting();
    setMessage(message, false);
    updateState();
}

void ParameterEditor::parametersLoaded(int request, const Agent &agent,
                                       const QList<Parameter> &parameters, const ConfigDrift &drift,
                                       const DbError &error)
{
    if (request != m_loadRequest)
        return;
    finishRequest(&m_loadRequest);
    if (error.isError()) {
        if (!reportLoss(error))
            setMessage(tr("<b>Could not load the parameters of %1:</b> %2")
                           .arg(esc(m_algorithmId), esc(error.toString())),
                       true);
        Q_EMIT messagePosted(tr("Loading parameters failed: %1").arg(error.message));
    } else {
        m_agent = agent;
        m_model->setParameters(parameters);
        m_table->fitColumns();
        const QStringList conflicts = m_model->conflicting();
        for (const QString &name : conflicts) {
            if (m_knownConflicts.contains(name))
                continue;
            const Parameter *p = m_model->parameter(name);
            const QString message =
                tr("%1 was changed by someone else (now %2); your edit is kept and marked.")
                    .arg(name, p ? shown(p->currentValue) : tr("deleted"));
            Q_EMIT messagePosted(message);
            if (!m_message->isVisible())
                setMessage(esc(message), false);
        }
        m_knownConflicts = conflicts;
        m_conflicts->rowsReloaded(m_algorithmId);
        if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
            m_table->setCurrentIndex(m_model->index(0, ParameterTableModel::Current));
        updateState();
        Q_EMIT parametersShown(agent, parameters, drift);
    }
    if (m_reloadAgain) {
        m_reloadAgain = false;
        reload();
    }
    if (m_conflicts->isWaiting() && !reloadPending())
        finishResolution();
}

void ParameterEditor::changeReceived(const ParameterChangeNotice &notice)
{
    if (notice.own)
        return;
    if (!m_algorithmId.isEmpty() && notice.algorithmId == m_algorithmId)
        m_reloadTimer->start();
}
