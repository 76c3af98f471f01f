#pragma once

#include "db/serverprobe.h"
#include "panel.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

// The permanent part of the status bar: busy indicator with Cancel, then the connection —
// profile, server version, role, read-only badge, encryption and the measured round trip.
class ConnectionStatus : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionStatus(QWidget *parent = nullptr);

    void setConnecting(const QString &what);
    void setConnected(const ConnectionContext &context, const ServerInfo &info);
    void setDisconnected(const QString &why = {});
    void setLost(bool lost);
    void setRoundTrip(double ms);
    // `cancellable`: whether the Cancel button shows (connecting cannot be cancelled).
    void setBusy(bool busy, const QString &what, bool cancellable = true);
    // Sits in `bar` and leaves room for its temporary message: in a narrow window the server,
    // the role and then the busy text step aside (into tooltips) while a message is shown.
    void makeRoomIn(QStatusBar *bar);
    // 0 all shown, 1 server and role hidden, 2 busy text hidden as well.
    int compactness() const { return m_compactness; }
    // The server connected to now ("15.5 (Debian 15.5-0+deb12u1)", "postgres", "Local
    // sandbox"); empty strings while connecting or disconnected. Help > About shows it.
    QString serverVersion() const { return m_serverVersion; }
    QString serverRole() const { return m_serverRole; }
    QString profileName() const { return m_profileName; }

Q_SIGNALS:
    void cancelRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void forgetServer();
    void compact();
    void applyCompactness(int level);
    // "TLS 1.3", a NOT ENCRYPTED badge for a remote host without TLS, or "local, no TLS";
    // cleared for an empty `info`.
    void setTransport(const ServerInfo &info);

    QProgressBar *m_busy = nullptr;
    QLabel *m_busyText = nullptr;
    QToolButton *m_cancel = nullptr;
    QLabel *m_profile = nullptr;
    QLabel *m_server = nullptr;
    QLabel *m_role = nullptr;
    QLabel *m_readOnly = nullptr;
    QLabel *m_transport = nullptr;
    bool m_transportWarns = false;
    QLabel *m_roundTrip = nullptr;
    QString m_serverVersion;
    QString m_serverRole;
    QString m_profileName;
    QString m_profileTarget; // where the profile points (its tooltip)
    QStatusBar *m_bar = nullptr;
    bool m_isBusy = false;
    int m_compactness = 0;
};
