#include "connectionbanner.h"

#include "colours.h"
#include "icons.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_reconnect(
          new QPushButton(Icons::action(QStringLiteral("refresh")), tr("Reconnect now"), this))
    , m_countdown(new QTimer(this))
{
    setObjectName(QStringLiteral("connectionBanner"));
    // The warning banner's colours, as a strip across the window (with a button).
    const Colours::Set warning = Colours::of(Colours::Tone::Warning);
    setStyleSheet(QStringLiteral("#connectionBanner { background: %1; border-bottom: 1px solid %2; }"
                                 " QLabel { color: %3; }")
                      .arg(Colours::css(warning.background), Colours::css(warning.border),
                           Colours::css(warning.text)));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_text, 1);
    m_reconnect->setObjectName(QStringLiteral("reconnectButton"));
    layout->addWidget(m_reconnect);
    connect(m_reconnect, &QPushButton::clicked, this, &ConnectionBanner::reconnectRequested);
    m_countdown->setInterval(250);
    connect(m_countdown, &QTimer::timeout, this, &ConnectionBanner::updateCountdown);
    hide();
}

void ConnectionBanner::showLost(const DbError &error, int retryInMs, int attempt)
{
    m_reason = error.message;
    m_attempt = attempt;
    m_retryAt = QDateTime::currentMSecsSinceEpoch() + retryInMs;
    updateCountdown();
    m_countdown->start();
    show();
}

void ConnectionBanner::showReconnected()
{
    m_countdown->stop();
    hide();
}

void ConnectionBanner::updateCountdown()
{
    const qint64 left = m_retryAt - QDateTime::currentMSecsSinceEpoch();
    const QString next =
        left > 0 ? tr("reconnecting in %1 s").arg((left + 999) / 1000) : tr("reconnecting…");
    const QString attempts = m_attempt > 0 ? tr(" (attempt %1 failed)").arg(m_attempt) : QString();
    m_text->setText(tr("<b>Connection lost</b>: %1 — %2%3. Your pending work is kept.")
                        .arg(m_reason.toHtmlEscaped(), next, attempts));
}
