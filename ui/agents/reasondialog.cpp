#include "reasondialog.h"

#include "editing/pendingedits.h"
#include "shell/colours.h"
#include "shell/keyboard.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

ActiveReasonDialog::ActiveReasonDialog(const QString &title, const QString &question,
                                       QWidget *parent)
    : QDialog(parent)
    , m_edit(new QLineEdit(this))
    , m_hint(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("reasonDialog"));
    setWindowTitle(title);
    auto *label = new QLabel(question, this);
    label->setWordWrap(true);
    m_edit->setObjectName(QStringLiteral("reasonEdit"));
    m_edit->setPlaceholderText(tr("e.g. paused during the data migration"));
    m_edit->setMinimumWidth(420);
    m_hint->setObjectName(QStringLiteral("reasonHint"));
    m_hint->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Change"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_edit, &QLineEdit::textChanged, this, &ActiveReasonDialog::updateState);
    Keyboard::submitWith(this, m_buttons->button(QDialogButtonBox::Ok));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    layout->addWidget(m_edit);
    layout->addWidget(m_hint);
    layout->addWidget(m_buttons);
    updateState();
}

QString ActiveReasonDialog::reason() const
{
    return m_edit->text().simplified();
}

void ActiveReasonDialog::updateState()
{
    // The same rule and wording as the Apply dialog's.
    const QString problem = reasonProblem(m_edit->text());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    const QString span = QStringLiteral("<span style='color:%1'>%2</span>");
    m_hint->setText(
        problem.isEmpty()
            ? tr("%1 It is written to the changelog with your user id.")
                  .arg(span.arg(Colours::css(Colours::success()),
                                tr("✓ Required: at least 3 words or 10 characters.")))
            : span.arg(Colours::css(Colours::muted()), problem.toHtmlEscaped()));
}
