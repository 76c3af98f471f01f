#pragma once

#include "repositories/parameterrepository.h"
#include "editing/pendingedits.h"

#include <QDialog>
#include <QHash>

class MessageBanner;
class QComboBox;
class QLabel;

// An apply refused because others changed some of the values since the user's edits began:
// per parameter theirs (value, who, when, why) beside yours, and a choice of keeping theirs
// (the edit goes, their value is the new base) or re-applying yours (the edit stays, based on
// their value, so that the next Apply overwrites it knowingly). Nothing is decided silently:
// closing the dialog leaves every edit pending and marked as conflicting.
class ConflictDialog : public QDialog
{
    Q_OBJECT

public:
    enum Resolution
    {
        KeepTheirs,
        ReapplyMine
    };

    ConflictDialog(const QList<ParameterConflict> &conflicts, const PendingEdits &edits,
                   QWidget *parent = nullptr);

    const QList<ParameterConflict> &conflicts() const { return m_conflicts; }
    Resolution resolution(const QString &name) const;
    void setResolution(const QString &name, Resolution resolution);
    void setAll(Resolution resolution);
    // Their value moved again while the dialog is open (a live reload): shown in its row and
    // above the table, and what a resolution is based on from now on. False when `value` is
    // what the dialog already shows.
    bool theirValueChanged(const QString &name, const QString &value);
    // Who set their newest value, when and why (ParameterRepository::latestChanges): shown in
    // the row while that is still the value shown.
    void theirChangeExplained(const ParameterConflict &latest);

private:
    void setTheirDetails(const ParameterConflict &conflict);

    MessageBanner *m_changedAgain = nullptr;
    QHash<QString, QList<QLabel *>> m_theirCells; // theirs, who, when, reason
    QList<ParameterConflict> m_conflicts;
    QHash<QString, QComboBox *> m_choices;
};
