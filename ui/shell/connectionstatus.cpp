#include "connectionstatus.h"

#include "colours.h"
#include "icons.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

static QLabel *statusLabel(const char *name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QLatin1String(name));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

ConnectionStatus::ConnectionStatus(QWidget *parent)
    : QWidget(parent)
    , m_busy(new QProgressBar(this))
    , m_busyText(statusLabel("busyText", this))
    , m_cancel(new QToolButton(this))
    , m_profile(statusLabel("profileLabel", this))
    , m_server(statusLabel("serverLabel", this))
    , m_role(statusLabel("roleLabel", this))
    , m_readOnly(statusLabel("readOnlyBadge", this))
    , m_transport(statusLabel("transportLabel", this))
    , m_roundTrip(statusLabel("roundTripLabel", this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(10);
    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0); // indeterminate: moves while the GUI thread is free
    m_busy->setMaximumSize(90, 14);
    m_busy->setTextVisible(false);
    m_cancel->setObjectName(QStringLiteral("statusCancelButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setIcon(Icons::action(QStringLiteral("cancel")));
    m_cancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_cancel->setToolTip(tr("Stop the running request on the server (Esc)"));
    m_cancel->setAutoRaise(true);
    connect(m_cancel, &QToolButton::clicked, this, &ConnectionStatus::cancelRequested);
    m_readOnly->setText(tr("READ-ONLY"));
    m_readOnly->setStyleSheet(
        QStringLiteral(
            "QLabel { background: %1; color: white; padding: 0 5px; border-radius: 3px; }")
            .arg(Colours::css(Colours::readOnlyBadge())));
    m_roundTrip->setToolTip(tr("Round trip to the server, measured every few seconds"));
    for (QWidget *widget : {static_cast<QWidget *>(m_busy), static_cast<QWidget *>(m_busyText),
                            static_cast<QWidget *>(m_cancel), static_cast<QWidget *>(m_profile),
                            static_cast<QWidget *>(m_server), static_cast<QWidget *>(m_role),
                            static_cast<QWidget *>(m_readOnly), static_cast<QWidget *>(m_transport),
                            static_cast<QWidget *>(m_roundTrip)})
        layout->addWidget(widget);
    setBusy(false, {});
    setDisconnected();
}

void ConnectionStatus::setConnecting(const QString &what)
{
    m_profile->setText(what);
    forgetServer();
    m_server->clear();
    m_role->clear();
    m_readOnly->hide();
    setTransport({});
    m_roundTrip->clear();
    compact();
}

void ConnectionStatus::setTransport(const ServerInfo &info)
{
    m_transportWarns = false;
    m_transport->setStyleSheet({});
    if (info.target.isEmpty() || !info.ok()) {
        m_transport->clear();
    } else if (!info.tls.isEmpty()) {
        m_transport->setText(tr("TLS %1").arg(QString(info.tls).remove(QLatin1String("TLSv"))));
        m_transport->setToolTip(tr("Encrypted: %1, %2").arg(info.tls, info.tlsCipher));
    } else if (info.remote) {
        m_transportWarns = true;
        m_transport->setText(tr("NOT ENCRYPTED"));
        m_transport->setStyleSheet(
            QStringLiteral(
                "QLabel { background: %1; color: white; padding: 0 5px; border-radius: 3px; }")
                .arg(Colours::css(Colours::failure())));
        m_transport->setToolTip(
            tr("The connection to %1 is not encrypted: the password and every value cross the "
               "network in plain text. Set the profile's SSL mode to verify-full.")
                .arg(info.host));
    } else {
        m_transport->setText(tr("local, no TLS"));
        m_transport->setToolTip(
            tr("Not encrypted; the connection stays on this machine (%1)").arg(info.host));
    }
}

void ConnectionStatus::setConnected(const ConnectionContext &context, const ServerInfo &info)
{
    m_profile->setText(QStringLiteral("<b>%1</b>").arg(context.profileName.toHtmlEscaped()));
    m_profileTarget = info.target;
    m_profile->setToolTip(info.target);
    // "15.5 (Debian 15.5-0+deb12u1)": the number is what matters; the rest is in the tooltip.
    m_server->setText(tr("PostgreSQL %1").arg(info.serverVersion.section(QLatin1Char(' '), 0, 0)));
    m_server->setToolTip(info.serverVersion);
    m_role->setText(tr("role %1").arg(info.role));
    m_readOnly->setVisible(info.readOnly);
    m_readOnly->setToolTip(info.readOnlyReason);
    setTransport(info);
    setRoundTrip(info.roundTripMs);
    m_serverVersion = info.serverVersion;
    m_serverRole = info.role;
    m_profileName = context.profileName;
    compact();
}

void ConnectionStatus::forgetServer()
{
    m_serverVersion.clear();
    m_serverRole.clear();
    m_profileName.clear();
}

void ConnectionStatus::setDisconnected(const QString &why)
{
    m_profile->setText(why.isEmpty() ? tr("Not connected") : why);
    m_profileTarget.clear();
    m_profile->setToolTip({});
    forgetServer();
    m_server->clear();
    m_role->clear();
    m_readOnly->hide();
    setTransport({});
    m_roundTrip->clear();
    compact();
}

void ConnectionStatus::setLost(bool lost)
{
    if (lost)
        m_roundTrip->setText(QStringLiteral("<span style='color:%1'>%2</span>")
                                 .arg(Colours::css(Colours::failure()), tr("connection lost")));
    compact();
}

void ConnectionStatus::setRoundTrip(double ms)
{
    if (ms < 0)
        m_roundTrip->clear();
    else
        m_roundTrip->setText(tr("RTT %1 ms").arg(ms, 0, 'f', ms < 1 ? 2 : ms < 10 ? 1 : 0));
    compact();
}

void ConnectionStatus::setBusy(bool busy, const QString &what, bool cancellable)
{
    m_isBusy = busy;
    m_busy->setVisible(busy);
    m_busy->setToolTip(what);
    m_cancel->setVisible(busy && cancellable);
    m_busyText->setText(what);
    applyCompactness(m_compactness);
    compact();
}

void ConnectionStatus::makeRoomIn(QStatusBar *bar)
{
    m_bar = bar;
    bar->installEventFilter(this);
    connect(bar, &QStatusBar::messageChanged, this, &ConnectionStatus::compact);
}

bool ConnectionStatus::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_bar && event->type() == QEvent::Resize)
        compact();
    return QWidget::eventFilter(watched, event);
}

void ConnectionStatus::applyCompactness(int level)
{
    m_compactness = level;
    m_server->setVisible(level < 1);
    m_role->setVisible(level < 1);
    // A warning never steps aside.
    m_transport->setVisible(!m_transport->text().isEmpty() && (level < 1 || m_transportWarns));
    m_busyText->setVisible(m_isBusy && level < 2);
    // What steps aside stays at hand.
    m_profile->setToolTip(level < 1 ? m_profileTarget
                                    : QStringList{m_profileTarget, m_server->text(), m_role->text()}
                                          .join(QLatin1Char('\n'))
                                          .trimmed());
}

void ConnectionStatus::compact()
{
    if (!m_bar)
        return;
    const QString message = m_bar->currentMessage();
    // QStatusBar draws the message from x = 6 to 2 px before this widget, with a size grip of
    // about 12 px at the right.
    const int room = m_bar->width() - 24 -
                     (message.isEmpty() ? 0 : m_bar->fontMetrics().horizontalAdvance(message));
    int level = 0;
    for (; level < 2; ++level) {
        applyCompactness(level);
        layout()->invalidate();
        if (sizeHint().width() <= room)
            break;
    }
    applyCompactness(level);
}
