#pragma once

#include "repositories/parameterrepository.h"

#include <QDialog>
#include <QHash>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

// Asks for the reason of an apply (required: reasonProblem() says the rule) and, on a
// production profile, for the profile's name typed out, before the Apply button enables.
class ApplyDialog : public QDialog
{
    Q_OBJECT

public:
    // `newest`: for an edit whose stored value moved since it began (a conflict), the value
    // stored now, shown beside the edit's base.
    ApplyDialog(const QString &algorithmId, const QList<ParameterChange> &changes,
                const QString &profileName, bool production, const QString &reason,
                const QHash<QString, QString> &newest = {}, QWidget *parent = nullptr);

    QString reason() const;

private:
    void updateState();

    QString m_profileName;
    bool m_production;
    QPlainTextEdit *m_reason;
    QLabel *m_reasonRule;
    QLineEdit *m_profile = nullptr;
    QPushButton *m_apply;
};
