#pragma once

#include "migrations/migrationengine.h"
#include "migrations/migrationworker.h"
#include "migrations/runarchive.h"

#include <QWidget>

class QLabel;
class QTextBrowser;

// What the Schema panel says about the database and its operations: a summary line (applied,
// pending, changed or missing migrations) and, under it, the failure box with a failure in full
// (as tall as its text, up to a limit), hidden when there is none; and the words for an
// operation running, interrupted or with nothing to do.
class RunSummary : public QWidget
{
    Q_OBJECT

public:
    explicit RunSummary(QWidget *parent = nullptr);

    // The migration history of `report.target`, counted.
    void showStatus(const StatusReport &report);
    // The history of `database` could not be read.
    void showStatusUnreadable(const QString &database);
    void clear();
    // Rich text for the failure box; empty hides it.
    void showFailure(const QString &html);

    // The one-line message of a finished run (for the status bar); `nothingToDo` says that no
    // migration was pending.
    static QString runMessage(const RunReport &report, const RunComparison &comparison,
                              const QString &nothingToDo);
    // "Nothing to migrate (rehearse): all `count` applied".
    static QString nothingToDo(bool rehearsal, int count);
    // The busy indicator's text while `operation` runs (steps counted for a run).
    static QString busyText(MigrationWorker::Operation operation, int finishedSteps,
                            int totalSteps);
    // The question before quitting stops `operation`; empty for a status read (a short read).
    static QString interruptQuestion(MigrationWorker::Operation operation);

private:
    QLabel *m_summary;
    QTextBrowser *m_errorView;
};
