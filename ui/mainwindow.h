#pragma once

#include "connectionoptions.h"
#include "sandbox.h"

#include <QFutureWatcher>
#include <QMainWindow>

class QLabel;
class SchemaPanel;

// Assembles the panels, the menus and the status bar; the work happens in the panels and in
// core, off the GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    struct Startup
    {
        ConnectionOptions connection;
        bool local = true;
        bool demo = false;
        QString dataDir;
        QString screenshot; // write a PNG once loaded, then quit
        QString panel;
    };

    explicit MainWindow(Startup startup, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Connects (starting the sandbox first with --local) in the background.
    void start();

private:
    void sandboxOpened();
    void connectTo(const ConnectionOptions &connection, const QString &label);
    void panelLoaded();

    Startup m_startup;
    SchemaPanel *m_schema = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QFutureWatcher<SandboxResult> m_sandbox;
    bool m_stopSandboxOnExit = false;
};
