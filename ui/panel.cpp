#include "panel.h"

#include "repositories/repositorysupport.h"

#include <QMessageBox>

int ConnectionContext::auditUser() const
{
    bool ok = false;
    const int id = auditUserId.trimmed().toInt(&ok);
    return ok ? id : RepositorySupport::NoUserId;
}

bool Panel::confirmWrite(const QString &what)
{
    if (!m_connection.production)
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Production database"),
                    tr("You are connected to the production profile \"%1\" (%2).\n\n"
                       "Really %3?")
                        .arg(m_connection.profileName, m_connection.options.displayName(), what),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName(QStringLiteral("productionConfirmation"));
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}
