#include "changelog/revertdialog.h"

#include "editing/pendingedits.h"
#include "shell/colours.h"
#include "shell/keyboard.h"
#include "shell/messagebanner.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace {

QString shown(const QString &value)
{
    return value.isNull() ? QStringLiteral("NULL") : value;
}

} // namespace

RevertDialog::RevertDialog(const QString &title, const QString &profileName, bool production,
                           QWidget *parent)
    : QDialog(parent)
    , m_profileName(profileName)
    , m_production(production)
    , m_banner(new MessageBanner(this))
    , m_report(new QTextBrowser(this))
    , m_override(new QCheckBox(tr("Revert anyway: overwrite the values changed since"), this))
    , m_reason(new QPlainTextEdit(this))
    , m_reasonRule(new QLabel(this))
{
    setObjectName(QStringLiteral("revertDialog"));
    setWindowTitle(title);
    resize(620, 480);
    m_report->setObjectName(QStringLiteral("revertReport"));
    m_override->setObjectName(QStringLiteral("overrideConflicts"));
    m_override->hide();
    m_reason->setObjectName(QStringLiteral("revertReason"));
    m_reason->setPlaceholderText(tr("Why? (required; goes into the changelog)"));
    m_reason->setTabChangesFocus(true);
    m_reason->setMaximumHeight(70);
    m_reasonRule->setStyleSheet(QStringLiteral("color: %1").arg(Colours::css(Colours::muted())));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_confirm =
        buttons->addButton(title.section(QLatin1Char(' '), 0, 0), QDialogButtonBox::AcceptRole);
    m_confirm->setObjectName(QStringLiteral("confirmRevert"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_report, 1);
    layout->addWidget(m_override);
    layout->addWidget(new QLabel(tr("Reason"), this));
    layout->addWidget(m_reason);
    layout->addWidget(m_reasonRule);
    if (m_production) {
        m_profile = new QLineEdit(this);
        m_profile->setObjectName(QStringLiteral("profileConfirmation"));
        m_profile->setPlaceholderText(m_profileName);
        layout->addWidget(new QLabel(tr("This is the production profile “%1”: type its name to "
                                        "confirm")
                                         .arg(m_profileName.toHtmlEscaped()),
                                     this));
        layout->addWidget(m_profile);
        connect(m_profile, &QLineEdit::textChanged, this, &RevertDialog::updateState);
    }
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_confirm, &QPushButton::clicked, this, [this] {
        if (!canConfirm())
            return;
        Q_EMIT confirmed(reason(), overrideConflicts());
        accept();
    });
    connect(m_override, &QCheckBox::toggled, this, [this](bool on) {
        setPreviewing();
        Q_EMIT previewRequested(on);
    });
    connect(m_reason, &QPlainTextEdit::textChanged, this, &RevertDialog::updateState);
    Keyboard::submitWith(this, m_confirm, m_reason);
    setPreviewing();
}

void RevertDialog::setPreviewing()
{
    m_previewing = true;
    m_banner->showMessage(Colours::Tone::Information,
                          tr("Previewing: running it in a transaction that is rolled back…"));
    updateState();
}

void RevertDialog::setPreview(const SimulateResult &preview, const DbError &error)
{
    m_previewing = false;
    m_ok = preview.ok && !error.isError();
    QString html = QStringLiteral("<table cellspacing=4><tr><th align=left>%1</th><th "
                                  "align=left>%2</th><th align=left>%3</th></tr>")
                       .arg(tr("Agent"), tr("Parameter"), tr("From → to"));
    for (const AppliedChange &c : preview.changes)
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3 → <b>%4</b></td></tr>")
                    .arg(c.algorithmId.toHtmlEscaped(), c.name.toHtmlEscaped(),
                         shown(c.oldValue).toHtmlEscaped(), shown(c.newValue).toHtmlEscaped());
    html += QStringLiteral("</table>");
    if (preview.changes.isEmpty() && preview.conflicts.isEmpty() && !error.isError())
        html = tr("<p>Nothing to change: every value already is what it would be set to.</p>");
    if (!preview.conflicts.isEmpty()) {
        html += tr("<p><b>Changed since the entry:</b></p><ul>");
        for (const ParameterConflict &c : preview.conflicts)
            html += QStringLiteral("<li>%1</li>").arg(c.toString().toHtmlEscaped());
        html += QStringLiteral("</ul>");
    }
    m_report->setHtml(html);
    m_override->setVisible(!preview.conflicts.isEmpty() || m_override->isChecked());
    if (error.isError() && preview.conflicts.isEmpty()) {
        m_banner->showMessage(
            Colours::Tone::Error,
            tr("Refused, nothing would be written: %1").arg(error.toString().toHtmlEscaped()));
    } else if (!preview.conflicts.isEmpty()) {
        m_banner->showMessage(Colours::Tone::Warning,
                              tr("%n value(s) changed since the entry. Nothing will be written "
                                 "unless you choose to overwrite them.",
                                 nullptr, int(preview.conflicts.size())));
    } else if (m_ok && preview.changes.isEmpty()) {
        m_banner->showMessage(Colours::Tone::Information, tr("Nothing to change."));
        m_ok = false;
    } else if (m_ok) {
        m_banner->showMessage(Colours::Tone::Positive,
                              tr("The database accepts %n change(s) with today's bounds and "
                                 "types. They will be written in one transaction, as new "
                                 "changelog entries.",
                                 nullptr, int(preview.changes.size())));
    }
    updateState();
}

bool RevertDialog::overrideConflicts() const
{
    return m_override->isChecked();
}

QString RevertDialog::reason() const
{
    return m_reason->toPlainText().trimmed();
}

QString RevertDialog::reportText() const
{
    return m_banner->text() + QLatin1Char('\n') + m_report->toPlainText();
}

bool RevertDialog::canConfirm() const
{
    const bool profileTyped = !m_production || (m_profile && m_profile->text() == m_profileName);
    return m_ok && !m_previewing && reasonProblem(reason()).isEmpty() && profileTyped;
}

void RevertDialog::updateState()
{
    const QString problem = reasonProblem(reason());
    m_reasonRule->setText(problem);
    m_confirm->setEnabled(canConfirm());
}
