#include "applydialog.h"

#include "parametertablemodel.h"
#include "editing/pendingedits.h"
#include "shell/colours.h"
#include "shell/keyboard.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

// Tab moves on (to the profile name, the buttons) instead of typing a tab into the reason.
class ReasonEdit : public QPlainTextEdit
{
public:
    using QPlainTextEdit::QPlainTextEdit;

protected:
    void keyPressEvent(QKeyEvent *event) override
    {
        if (event->key() == Qt::Key_Tab || event->key() == Qt::Key_Backtab) {
            event->ignore();
            focusNextPrevChild(event->key() == Qt::Key_Tab);
            return;
        }
        // Enter applies (when allowed); Shift+Enter starts a new line.
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
            !(event->modifiers() & Qt::ShiftModifier)) {
            event->ignore();
            return;
        }
        QPlainTextEdit::keyPressEvent(event);
    }
};

} // namespace

ApplyDialog::ApplyDialog(const QString &algorithmId, const QList<ParameterChange> &changes,
                         const QString &profileName, bool production, const QString &reason,
                         const QHash<QString, QString> &newest, QWidget *parent)
    : QDialog(parent)
    , m_profileName(profileName)
    , m_production(production)
    , m_reason(new ReasonEdit(this))
    , m_reasonRule(new QLabel(this))
{
    setObjectName(QStringLiteral("applyDialog"));
    setWindowTitle(
        tr("Apply %1 to %2")
            .arg(ParameterTableModel::count(int(changes.size()), tr("change"), tr("changes")),
                 algorithmId));

    QStringList lines;
    for (const ParameterChange &change : changes) {
        // A value someone else changed since the edit began: the newest value, not only the
        // base the edit started from (the apply will report the conflict).
        const auto moved = newest.constFind(change.name);
        const QString now =
            moved == newest.constEnd()
                ? QString()
                : QStringLiteral("<td style='color:%1'>&nbsp;%2</td>")
                      .arg(Colours::css(Colours::failure()),
                           tr("now %1: changed by someone else since your edit began")
                               .arg(ParameterTableModel::displayValue(*moved))
                               .toHtmlEscaped());
        lines.append(QStringLiteral("<tr><td><code>%1</code></td><td style='color:%2'>"
                                    "&nbsp;%3&nbsp;</td><td>→</td><td><b>&nbsp;%4</b></td>%5</tr>")
                         .arg(change.name.toHtmlEscaped(), Colours::css(Colours::muted()),
                              ParameterTableModel::displayValue(change.from).toHtmlEscaped(),
                              ParameterTableModel::displayValue(change.to).toHtmlEscaped(), now));
    }
    auto *summary = new QLabel(
        tr("<p>These changes to <b>%1</b> on <b>%2</b> are written in one transaction, each "
           "with a changelog row carrying your reason:</p>")
                .arg(algorithmId.toHtmlEscaped(), profileName.toHtmlEscaped()) +
            QStringLiteral("<table>%1</table>").arg(lines.join(QString())),
        this);
    summary->setTextFormat(Qt::RichText);

    m_reason->setObjectName(QStringLiteral("reason"));
    m_reason->setPlaceholderText(tr("Why? e.g. \"raise cache TTL after the load test\""));
    m_reason->setPlainText(reason);
    m_reason->setTabChangesFocus(true);
    m_reason->setFixedHeight(72);
    m_reasonRule->setObjectName(QStringLiteral("reasonRule"));
    m_reasonRule->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);
    form->addRow(QString(), m_reasonRule);
    if (production) {
        m_profile = new QLineEdit(this);
        m_profile->setObjectName(QStringLiteral("profileConfirmation"));
        m_profile->setPlaceholderText(profileName);
        auto *warning =
            new QLabel(tr("%1 Type the profile name <b>%2</b> to confirm:")
                           .arg(QStringLiteral("<b style='color:%1'>%2</b>")
                                    .arg(Colours::css(Colours::failure()), tr("Production.")),
                                profileName.toHtmlEscaped()),
                       this);
        warning->setWordWrap(true);
        form->addRow(warning);
        form->addRow(tr("&Profile:"), m_profile);
        connect(m_profile, &QLineEdit::textChanged, this, &ApplyDialog::updateState);
    }

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_apply = buttons->addButton(tr("&Apply"), QDialogButtonBox::AcceptRole);
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_apply->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QPlainTextEdit::textChanged, this, &ApplyDialog::updateState);
    Keyboard::submitWith(this, m_apply, m_reason);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addLayout(form);
    layout->addWidget(buttons);
    m_reason->setFocus();
    updateState();
    resize(520, sizeHint().height());
}

QString ApplyDialog::reason() const
{
    return m_reason->toPlainText().trimmed();
}

void ApplyDialog::updateState()
{
    const QString problem = reasonProblem(m_reason->toPlainText());
    m_reasonRule->setText(problem.isEmpty() ? tr("✓ Required: at least 3 words or 10 characters.")
                                            : problem);
    m_reasonRule->setStyleSheet(
        QStringLiteral("color: %1")
            .arg(Colours::css(problem.isEmpty() ? Colours::success() : Colours::muted())));
    const bool profileOk = !m_production || (m_profile && m_profile->text() == m_profileName);
    m_apply->setEnabled(problem.isEmpty() && profileOk);
}
