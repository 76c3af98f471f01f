#pragma once

#include "repositories/parameterrepository.h"

#include <QDialog>

class QTextBrowser;

// What an apply would do, rehearsed in a rolled-back transaction: each change old → new with
// its bound check, the agents' current_config before → after (changed keys), conflicts, and
// the error the database raised, if any. Nothing of it persisted.
class PreviewDialog : public QDialog
{
    Q_OBJECT

public:
    PreviewDialog(const QList<ParameterChange> &changes, const QList<Parameter> &parameters,
                  const SimulateResult &result, const DbError &error, QWidget *parent = nullptr);

    QString text() const; // the report as plain text (tests)

Q_SIGNALS:
    void applyRequested();

private:
    QTextBrowser *m_report;
};

// A JSON value as one short readable text: strings quoted, objects/arrays compact, absent "—".
QString jsonValueText(const QJsonValue &value);
