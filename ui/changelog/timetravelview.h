#pragma once

#include "repositories/timetravel.h"

#include <QWidget>

class ConfigAtModel;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;
class QTableView;

// Time travel: an agent and a moment (or "just before a change"); the agent's configuration as
// it was then, rebuilt from the changelog by the server, beside today's, key by key; and
// "Restore to this moment…".
class TimeTravelView : public QWidget
{
    Q_OBJECT

public:
    explicit TimeTravelView(QWidget *parent = nullptr);

    void setAgents(const QStringList &agents);
    // Shows what the panel asked for: the agent and the moment, loading.
    void setTarget(const QString &algorithmId, const QDateTime &moment, const QString &caption);
    void setConfig(const ConfigAt &config);
    void setError(const QString &message);
    // The restore button; `why` (a read-only connection's reason) goes in its tip.
    void setWritable(bool writable, const QString &why = {});
    void clear();

    QString algorithmId() const;
    QDateTime moment() const;
    ConfigAtModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QString summary() const; // the line above the table (tests)

Q_SIGNALS:
    void showRequested(const QString &algorithmId, const QDateTime &moment);
    void restoreRequested(const QString &algorithmId, const QDateTime &moment);

private:
    void updateButtons();

    ConfigAtModel *m_model;
    QComboBox *m_agent;
    QDateTimeEdit *m_moment;
    QPushButton *m_show;
    QPushButton *m_restore;
    QLabel *m_summary;
    QTableView *m_table;
    bool m_writable = false;
    bool m_loaded = false;
};
