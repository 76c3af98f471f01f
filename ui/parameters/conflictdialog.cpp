#include "conflictdialog.h"

#include "parametertablemodel.h"
#include "shell/colours.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>

namespace {

QLabel *cell(const QString &html, QWidget *parent, const QString &tip = {})
{
    auto *label = new QLabel(html, parent);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setToolTip(tip);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

QString who(const ParameterConflict &conflict)
{
    QStringList parts;
    if (conflict.hasUserId)
        parts.append(QObject::tr("user %1").arg(conflict.userId));
    if (!conflict.dbRole.isEmpty())
        parts.append(QObject::tr("role %1").arg(conflict.dbRole));
    return parts.isEmpty() ? QObject::tr("unknown") : parts.join(QStringLiteral(", "));
}

QString whenText(const ParameterConflict &conflict)
{
    return conflict.modifiedAt.isValid()
               ? QLocale().toString(conflict.modifiedAt.toLocalTime(), QLocale::ShortFormat)
               : QObject::tr("unknown");
}

QString reasonHtml(const ParameterConflict &conflict)
{
    return conflict.reason.isEmpty() ? QObject::tr("<i>none given</i>")
                                     : conflict.reason.toHtmlEscaped();
}

} // namespace

ConflictDialog::ConflictDialog(const QList<ParameterConflict> &conflicts, const PendingEdits &edits,
                               QWidget *parent)
    : QDialog(parent)
    , m_conflicts(conflicts)
{
    setObjectName(QStringLiteral("conflictDialog"));
    setWindowTitle(tr("Someone else changed %1")
                       .arg(ParameterTableModel::count(int(conflicts.size()), tr("parameter"),
                                                       tr("parameters"))));

    auto *intro = new QLabel(
        tr("<p><b>Nothing was applied.</b> Since you started editing, someone else changed the "
           "values below. Decide for each one: <b>keep theirs</b> drops your edit, "
           "<b>re-apply mine</b> keeps your edit so that your next Apply overwrites their "
           "value knowingly. Your other pending edits stay as they are.</p>"),
        this);
    intro->setWordWrap(true);

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(8);
    const QStringList headers = {tr("Parameter"),  tr("Yours"), tr("Theirs now"),
                                 tr("Changed by"), tr("When"),  tr("Their reason"),
                                 tr("Decision")};
    for (int c = 0; c < headers.size(); ++c) {
        auto *header = cell(QStringLiteral("<b>%1</b>").arg(headers.at(c).toHtmlEscaped()), this);
        grid->addWidget(header, 0, c);
    }
    auto *line = new QFrame(this);
    line->setFrameShape(QFrame::HLine);
    line->setFrameShadow(QFrame::Sunken);
    grid->addWidget(line, 1, 0, 1, int(headers.size()));

    int row = 2;
    for (const ParameterConflict &conflict : conflicts) {
        const std::optional<PendingEdit> edit = edits.edit(conflict.name);
        const QString yours =
            edit ? QStringLiteral("<span style='color:%1'>%2</span> → <b>%3</b>")
                       .arg(Colours::css(Colours::muted()),
                            ParameterTableModel::displayValue(edit->from).toHtmlEscaped(),
                            ParameterTableModel::displayValue(edit->to).toHtmlEscaped())
                 : QStringLiteral("—");
        const QString theirs =
            conflict.missing
                ? tr("<i>deleted</i>")
                : QStringLiteral("<b style='color:%1'>%2</b>")
                      .arg(Colours::css(Colours::failure()),
                           ParameterTableModel::displayValue(conflict.actual).toHtmlEscaped());
        grid->addWidget(
            cell(QStringLiteral("<code>%1</code>").arg(conflict.name.toHtmlEscaped()), this), row,
            0);
        grid->addWidget(cell(yours, this), row, 1);
        QList<QLabel *> cells{cell(theirs, this), cell(who(conflict).toHtmlEscaped(), this),
                              cell(whenText(conflict).toHtmlEscaped(), this, conflict.changeSet),
                              cell(reasonHtml(conflict), this)};
        const char *cellNames[] = {"theirs_%1", "theirsBy_%1", "theirsWhen_%1", "theirsReason_%1"};
        for (int c = 0; c < cells.size(); ++c)
            cells.at(c)->setObjectName(QString::fromLatin1(cellNames[c]).arg(conflict.name));
        for (int c = 0; c < cells.size(); ++c)
            grid->addWidget(cells.at(c), row, 2 + c);
        m_theirCells.insert(conflict.name, cells);
        auto *choice = new QComboBox(this);
        choice->setObjectName(QStringLiteral("choice_%1").arg(conflict.name));
        choice->addItem(tr("Keep theirs"), KeepTheirs);
        choice->addItem(tr("Re-apply mine"), ReapplyMine);
        // Theirs is the safe default: overwriting needs a deliberate choice.
        choice->setCurrentIndex(0);
        choice->setEnabled(edit.has_value() && !conflict.missing);
        grid->addWidget(choice, row, 6, Qt::AlignTop);
        m_choices.insert(conflict.name, choice);
        ++row;
    }
    grid->setColumnStretch(5, 1);
    grid->setRowStretch(row, 1);

    auto *table = new QWidget;
    table->setLayout(grid);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(table);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *buttons = new QDialogButtonBox(this);
    QPushButton *allTheirs = buttons->addButton(tr("All &theirs"), QDialogButtonBox::ActionRole);
    QPushButton *allMine = buttons->addButton(tr("All &mine"), QDialogButtonBox::ActionRole);
    QPushButton *resolve = buttons->addButton(tr("&Resolve"), QDialogButtonBox::AcceptRole);
    resolve->setObjectName(QStringLiteral("resolveButton"));
    resolve->setDefault(true);
    Keyboard::submitWith(this, resolve);
    QPushButton *later = buttons->addButton(tr("Decide &later"), QDialogButtonBox::RejectRole);
    later->setToolTip(tr("Keep every edit pending, marked as conflicting"));
    connect(allTheirs, &QPushButton::clicked, this, [this] { setAll(KeepTheirs); });
    connect(allMine, &QPushButton::clicked, this, [this] { setAll(ReapplyMine); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_changedAgain = new MessageBanner(this);
    m_changedAgain->setObjectName(QStringLiteral("changedAgain"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_changedAgain);
    layout->addWidget(scroll, 1);
    layout->addWidget(buttons);
    resize(980, std::min(620, 190 + 56 * int(conflicts.size())));
}

ConflictDialog::Resolution ConflictDialog::resolution(const QString &name) const
{
    const QComboBox *choice = m_choices.value(name);
    return choice ? Resolution(choice->currentData().toInt()) : KeepTheirs;
}

void ConflictDialog::setResolution(const QString &name, Resolution resolution)
{
    if (QComboBox *choice = m_choices.value(name); choice && choice->isEnabled())
        choice->setCurrentIndex(resolution == KeepTheirs ? 0 : 1);
}

void ConflictDialog::setAll(Resolution resolution)
{
    for (auto it = m_choices.constBegin(); it != m_choices.constEnd(); ++it)
        setResolution(it.key(), resolution);
}

bool ConflictDialog::theirValueChanged(const QString &name, const QString &value)
{
    bool changed = false;
    for (ParameterConflict &conflict : m_conflicts) {
        if (conflict.name != name || conflict.actual == value)
            continue;
        changed = true;
        const QString before = conflict.actual;
        conflict.actual = value;
        // Until the lookup answers, the row must not show the previous change's who and why.
        conflict.hasUserId = false;
        conflict.dbRole.clear();
        conflict.modifiedAt = {};
        conflict.reason.clear();
        conflict.changeSet.clear();
        const QList<QLabel *> cells = m_theirCells.value(name);
        if (cells.size() == 4) {
            cells.at(0)->setText(
                QStringLiteral("<b style='color:%1'>%2</b>")
                    .arg(Colours::css(Colours::failure()),
                         ParameterTableModel::displayValue(value).toHtmlEscaped()));
            for (int c = 1; c < 4; ++c)
                cells.at(c)->setText(tr("<i>changed again — looking it up…</i>"));
        }
        m_changedAgain->showMessage(
            MessageBanner::Tone::Warning,
            tr("<b>%1 changed again while this dialog was open:</b> now %2 (was %3). A "
               "decision to re-apply yours is based on the value shown now.")
                .arg(name.toHtmlEscaped(), ParameterTableModel::displayValue(value).toHtmlEscaped(),
                     ParameterTableModel::displayValue(before).toHtmlEscaped()));
    }
    return changed;
}

void ConflictDialog::theirChangeExplained(const ParameterConflict &latest)
{
    for (ParameterConflict &conflict : m_conflicts) {
        if (conflict.algorithmId != latest.algorithmId || conflict.name != latest.name ||
            conflict.actual != latest.actual || latest.missing)
            continue; // moved once more since: the next lookup explains that one
        conflict.hasUserId = latest.hasUserId;
        conflict.userId = latest.userId;
        conflict.dbRole = latest.dbRole;
        conflict.modifiedAt = latest.modifiedAt;
        conflict.reason = latest.reason;
        conflict.changeSet = latest.changeSet;
        setTheirDetails(conflict);
    }
}

void ConflictDialog::setTheirDetails(const ParameterConflict &conflict)
{
    const QList<QLabel *> cells = m_theirCells.value(conflict.name);
    if (cells.size() != 4)
        return;
    cells.at(1)->setText(who(conflict).toHtmlEscaped());
    cells.at(2)->setText(whenText(conflict).toHtmlEscaped());
    cells.at(2)->setToolTip(conflict.changeSet);
    cells.at(3)->setText(reasonHtml(conflict));
}
