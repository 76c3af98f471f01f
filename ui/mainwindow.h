#pragma once

#include "shell/connectioncontroller.h"

#include <QMainWindow>

#include <memory>

class ConnectionBanner;
class ConnectionStatus;
class Panel;
class PasswordStore;
class ProfileStore;
class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;
class SchemaPanel;

// Assembles the panels, the menus, the connection strip and the status bar. The work happens
// in the panels and in core, off the GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    struct Startup
    {
        ConnectionTarget target; // what to open at start
        QString panel;           // panel id to show first (else the last one used)
        QString migrationsDir;   // schema panel: a directory instead of the bundled migrations
        QString screenshot;      // write a PNG once loaded, then quit
        QString runAction;       // with --screenshot: run this panel action first
        int screenshotDelayMs = 0;
    };

    explicit MainWindow(Startup startup, QWidget *parent = nullptr);
    ~MainWindow() override;

    void start(); // opens the start-up target in the background
    Panel *panel(const QString &id) const;
    void showPanel(const QString &id);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void addPanel(Panel *panel);
    void createMenus();
    void showConnectionDialog();
    bool confirmLeavingBusyPanels(const QString &what);
    void connectionOpened(const ConnectionContext &context, const ServerInfo &info);
    void connectionFailed(const QString &name, const DbError &error);
    void panelBusyChanged(Panel *panel, bool busy, const QString &what);
    void cancelRequests();
    void setProductionLook(bool production, const QString &profile);
    void showShortcuts();

    Startup m_startup;
    std::unique_ptr<ProfileStore> m_profiles;
    PasswordStore *m_passwords = nullptr;
    ConnectionController *m_connection = nullptr;
    QList<Panel *> m_panels;
    QList<Panel *> m_busyPanels;
    QListWidget *m_sidebar = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_productionStrip = nullptr;
    ConnectionBanner *m_banner = nullptr;
    ConnectionStatus *m_status = nullptr;
    SchemaPanel *m_schema = nullptr;
    QMenu *m_panelMenu = nullptr;
    QAction *m_cancel = nullptr;
};
