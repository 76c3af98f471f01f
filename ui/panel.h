#pragma once

#include "db/connectionoptions.h"
#include "db/dberror.h"
#include "shell/icons.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QWidget>

class QAction;

// What a panel knows of the connection the window is on.
struct ConnectionContext
{
    QString profileName;       // "Local sandbox", "staging", … (status bar, confirmations)
    ConnectionOptions options; // resolved, password included when one was given
    QString auditUserId;       // written to algorithm_changelog.user_id by writes
    bool production = false;   // writes ask for confirmation first
    bool readOnly = false;     // the server or the role allows no writes
    QString readOnlyReason;    // why ("role reader may not UPDATE algorithm_parameters")
    // While not connected yet: what the window is doing ("Starting the local sandbox…"), for
    // panels to say instead of "Not connected". Empty when nothing is being opened.
    QString connecting;
    bool isValid() const { return !profileName.isEmpty(); }
    // auditUserId as the repositories take it: RepositorySupport::NoUserId when the profile
    // names none (the changelog's user_id then stays NULL rather than a made-up 0).
    int auditUser() const;
    // Why no write is possible (readOnlyReason, or a general reason when it names none);
    // empty when writes are allowed.
    QString whyReadOnly() const;
};

// A link from one panel to what another shows (Agents → a parameter's history, Changelog → an
// agent): the panel's id and what to show there; unset members do not matter.
struct PanelLink
{
    QString panel;         // the id of the panel to show ("changelog")
    QString algorithmId;   // an agent
    QString parameterName; // one of its parameters (or "is_active")
    QString changeSet;     // a change set
    QString entryId;       // a changelog entry
    QDateTime moment;      // a moment (UTC spec, as the tables store it)
};

// One page of the main window. MainWindow hands every panel the connection, puts its actions
// in a menu of its own, shows its busy state in the status bar (with a Cancel button) and
// turns connectionLost() into the reconnect banner. A panel does its database work off the
// GUI thread through a DatabaseWorker of its own (app/db/databaseworker.h) and never blocks.
class Panel : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual QString panelId() const = 0;    // "schema": for --panel and the saved last panel
    virtual QString panelTitle() const = 0; // "Schema": the tab/sidebar label and menu title
    // The sidebar's icon: by default the icon named like the panel's id (resources/algoadmin.qrc).
    virtual QIcon panelIcon() const { return Icons::action(panelId()); }

    // Called with an invalid context while disconnected. The panel drops what it shows of the
    // previous connection unless the connection is the same one coming back after a loss;
    // nothing the user has pending is dropped either way.
    virtual void setConnection(const ConnectionContext &context) = 0;
    const ConnectionContext &connection() const { return m_connection; }
    // Reload what the panel shows (File > Refresh, after a reconnect).
    virtual void refresh() = 0;
    // Stops the running request: the server statement is cancelled, the panel keeps what it had.
    virtual void cancel() = 0;
    virtual bool isBusy() const = 0;
    // For the panel's own menu; shortcuts are set on them (context: window).
    virtual QList<QAction *> panelActions() const { return {}; }
    // Something is about to drop what the user has pending here (closing the window,
    // switching or losing the connection on purpose): ask, naming `what` ("Quit", "Connect to
    // staging"). True to go on (nothing pending, or the user agreed to discard it).
    virtual bool confirmDiscardPending(const QString &what)
    {
        Q_UNUSED(what);
        return true;
    }
    // What quitting now would interrupt, as a question for the user ("A migration is running:
    // quit and roll it back?"), or empty when nothing long-running would be lost (a short read
    // being cancelled is not worth a question).
    virtual QString interruptQuestion() const { return {}; }
    // Starts a named action as if its button were pressed ("migrate", "rehearse", "verify",
    // "baseline" for the schema panel), for `--run`; false when there is no such action.
    virtual bool runAction(const QString &name)
    {
        Q_UNUSED(name);
        return false;
    }
    // Shows what `link` points at (the window has just made this panel current); false when
    // the panel cannot (e.g. not connected yet: it then shows it once it can).
    virtual bool showLink(const PanelLink &link)
    {
        Q_UNUSED(link);
        return false;
    }

Q_SIGNALS:
    // The panel's data for the current connection has arrived (or failed to, with the error
    // shown): --screenshot waits for this.
    void loaded();
    // Work started or ended; `what` says what is running ("Migrating 3 of 9…").
    void busyChanged(bool busy, const QString &what);
    // A request failed because the connection is gone (SQLSTATE class 08, or libpq lost it).
    void connectionLost(const DbError &error);
    // A short message for the status bar.
    void messagePosted(const QString &message);
    // The user followed a link to another panel: the window shows that panel and hands it the
    // link (showLink).
    void linkActivated(const PanelLink &link);

protected:
    // Stores the context; subclasses call it from setConnection().
    void storeConnection(const ConnectionContext &context) { m_connection = context; }
    // Tells the window (busyChanged) that work started or ended, or that what runs is now
    // `what`: call after anything that may change isBusy(). Emits only on a change.
    void reportBusy(const QString &what);
    // For a production connection asks "Really <what> on <profile>?" (default No); true
    // otherwise or when confirmed.
    bool confirmWrite(const QString &what);

private:
    ConnectionContext m_connection;
    bool m_reportedBusy = false;
    QString m_reportedWhat;
};
