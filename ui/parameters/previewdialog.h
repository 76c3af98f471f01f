#pragma once

#include "repositories/metricsrepository.h"
#include "repositories/parameterrepository.h"

#include <QDialog>

class AgentWorker;
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

    // Asks `worker` what the agent's past changes like these did to its metrics (a day before
    // against a day after each) and adds it to the report when it comes.
    void requestOutlook(AgentWorker *worker, const QString &algorithmId,
                        const QList<ParameterChange> &changes);
    bool outlookShown() const { return m_outlookShown; }
    static constexpr qint64 OutlookWindowSeconds = 24 * 3600;

Q_SIGNALS:
    void applyRequested();

private:
    void showOutlook(const QList<ChangeOutlook> &outlook, const DbError &error);

    QTextBrowser *m_report;
    QString m_html;
    int m_outlookRequest = -1;
    bool m_outlookShown = false;
};

// A JSON value as one short readable text: strings quoted, objects/arrays compact, absent "—".
QString jsonValueText(const QJsonValue &value);
