#include "panel.h"

#include "repositories/repositorysupport.h"

#include <QMessageBox>

int ConnectionContext::auditUser() const
{
    bool ok = false;
    const int id = auditUserId.trimmed().toInt(&ok);
    return ok ? id : RepositorySupport::NoUserId;
}

QString ConnectionContext::whyReadOnly() const
{
    if (!readOnly)
        return {};
    return readOnlyReason.isEmpty() ? QObject::tr("the server accepts no writes") : readOnlyReason;
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

void Panel::reportBusy(const QString &what)
{
    const bool busy = isBusy();
    const QString shown = busy ? what : QString();
    if (busy == m_reportedBusy && shown == m_reportedWhat)
        return;
    m_reportedBusy = busy;
    m_reportedWhat = shown;
    Q_EMIT busyChanged(busy, shown);
}
