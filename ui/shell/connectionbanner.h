#pragma once

#include "db/dberror.h"

#include <QFrame>

class QLabel;
class QPushButton;
class QTimer;

// The strip above the panels while the connection is lost: the reason, a countdown to the
// next reconnect attempt and a "Reconnect now" button.
class ConnectionBanner : public QFrame
{
    Q_OBJECT

public:
    explicit ConnectionBanner(QWidget *parent = nullptr);

    void showLost(const DbError &error, int retryInMs, int attempt);
    void showReconnected();

Q_SIGNALS:
    void reconnectRequested();

private:
    void updateCountdown();

    QLabel *m_text = nullptr;
    QPushButton *m_reconnect = nullptr;
    QTimer *m_countdown = nullptr;
    QString m_reason;
    qint64 m_retryAt = 0; // msecs since epoch
    int m_attempt = 0;
};
