#pragma once

#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QWidget>

class QAction;
class QLabel;
class QPushButton;

// The migration set the Schema panel runs: the bundled migrations or a chosen directory of
// NNN_name.sql files. A row saying which set and how many files (or why it cannot be used),
// with Choose directory… and Use bundled.
class MigrationSource : public QWidget
{
    Q_OBJECT

public:
    // `chooseAction` (the panel's, with its shortcut) drives the Choose directory… button.
    explicit MigrationSource(QAction *chooseAction, QWidget *parent = nullptr);

    // Loads the set of `directory` (empty: the bundled one) and shows it in the row.
    MigrationSet load(const QString &directory);
    // Why the last loaded set cannot be used (rich text for the error box); empty when it can.
    QString failureHtml() const { return m_failure; }
    // Enables the buttons while nothing runs (Use bundled only for a chosen directory).
    void setIdle(bool idle);
    // Asks for a directory; directoryChosen() when one is chosen.
    void choose();

    // Before running `set` where the database applied migrations the set lacks (Missing in
    // `statuses`): asks whether to go on with `what` ("Migrate"); true to go on.
    static bool confirmForeignSet(const QList<MigrationStatus> &statuses, const QString &what,
                                  QWidget *parent);

Q_SIGNALS:
    // A directory was chosen, or the bundled set (empty) by Use bundled.
    void directoryChosen(const QString &directory);

private:
    QString m_directory;
    QString m_failure;
    QLabel *m_label;
    QPushButton *m_chooseButton;
    QPushButton *m_bundledButton;
};
