#pragma once

#include "repositories/changelogrepository.h"

#include <QWidget>

class HistoryChart;
class QLabel;
class QPushButton;
class QTableWidget;
class QTextBrowser;

// The selected changelog entry in full (values and reason wrapped, NULLs said), the other
// entries of its change set, and the parameter's whole history as a step chart; buttons to
// revert the entry or its change set, to see the agent just before the change, and to go to
// the agent in the Agents panel.
class EntryDetailView : public QWidget
{
    Q_OBJECT

public:
    explicit EntryDetailView(QWidget *parent = nullptr);

    // The entry as the row had it; the change set and history follow with setDetail().
    void showEntry(const std::optional<ChangelogEntry> &entry);
    void setDetail(const ChangelogDetail &detail);
    void setDetailError(const QString &message);
    // The revert buttons; `why` (a read-only connection's reason) goes in their tips.
    void setWritable(bool writable, const QString &why = {});

    const std::optional<ChangelogEntry> &entry() const { return m_entry; }
    QString text() const; // the entry's text as shown (tests)
    int changeSetRows() const;
    HistoryChart *historyChart() const { return m_chart; }
    QTableWidget *changeSetTable() const { return m_changeSet; }

Q_SIGNALS:
    void revertEntryRequested(const ChangelogEntry &entry);
    void revertChangeSetRequested(const QString &changeSet);
    void travelRequested(const ChangelogEntry &entry); // the agent just before this change
    void showAgentRequested(const QString &algorithmId, const QString &parameterName);
    void showOnChartRequested(const ChangelogEntry &entry);
    void changeSetRequested(const QString &changeSet); // filter the rows on it

private:
    void updateButtons();

    std::optional<ChangelogEntry> m_entry;
    bool m_writable = false;
    QTextBrowser *m_text;
    QLabel *m_changeSetLabel;
    QTableWidget *m_changeSet;
    QLabel *m_historyLabel;
    HistoryChart *m_chart;
    QPushButton *m_revertEntry;
    QPushButton *m_revertSet;
    QPushButton *m_travel;
    QPushButton *m_showAgent;
    QPushButton *m_showOnChart;
    QPushButton *m_filterSet;
};
