#include "auditidentity.h"

#include "repositories/repositorysupport.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QVBoxLayout>

namespace AuditIdentity {

namespace {

QString settingsKey(const QString &profileName)
{
    return QStringLiteral("auditUserIds/") + QString::fromLatin1(profileName.toUtf8().toHex());
}

// Profiles for which the user chose to write without an id in this session.
QSet<QString> &goingOnWithout()
{
    static QSet<QString> profiles;
    return profiles;
}

} // namespace

QString remembered(const QString &profileName)
{
    return QSettings().value(settingsKey(profileName)).toString();
}

bool confirm(QWidget *parent, ConnectionContext *context, const QString &what)
{
    if (context->auditUser() != RepositorySupport::NoUserId)
        return true;
    const QString known = remembered(context->profileName);
    if (!known.isEmpty()) {
        context->auditUserId = known;
        return true;
    }
    if (goingOnWithout().contains(context->profileName))
        return true;

    QDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("auditIdentityDialog"));
    dialog.setWindowTitle(QObject::tr("Who is making this change?"));
    auto *text = new QLabel(
        QObject::tr("<p>The profile <b>%1</b> has no audit user id. If you %2 now, the changelog "
                    "records it with no user, and the agent's <i>Modified by</i> becomes "
                    "empty.</p><p>Your user id (remembered for this profile):</p>")
            .arg(context->profileName.toHtmlEscaped(), what.toHtmlEscaped()),
        &dialog);
    text->setWordWrap(true);
    auto *id = new QLineEdit(&dialog);
    id->setObjectName(QStringLiteral("auditUserIdEdit"));
    id->setValidator(new QIntValidator(0, std::numeric_limits<int>::max(), id));
    id->setPlaceholderText(QObject::tr("e.g. 42"));
    auto *buttons = new QDialogButtonBox(&dialog);
    QPushButton *set =
        buttons->addButton(QObject::tr("&Set and continue"), QDialogButtonBox::AcceptRole);
    set->setObjectName(QStringLiteral("setAuditUserButton"));
    set->setDefault(true);
    set->setEnabled(false);
    QPushButton *without =
        buttons->addButton(QObject::tr("Continue &without"), QDialogButtonBox::ActionRole);
    without->setObjectName(QStringLiteral("withoutAuditUserButton"));
    buttons->addButton(QDialogButtonBox::Cancel);
    QObject::connect(id, &QLineEdit::textChanged, set,
                     [id, set] { set->setEnabled(id->hasAcceptableInput()); });
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    bool withoutChosen = false;
    QObject::connect(without, &QPushButton::clicked, &dialog, [&] {
        withoutChosen = true;
        dialog.accept();
    });
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(text);
    layout->addWidget(id);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    if (withoutChosen) {
        goingOnWithout().insert(context->profileName);
        return true;
    }
    context->auditUserId = id->text().trimmed();
    QSettings().setValue(settingsKey(context->profileName), context->auditUserId);
    return true;
}

} // namespace AuditIdentity
