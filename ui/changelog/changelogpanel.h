#pragma once

#include "panel.h"
#include "workers/changelogworker.h"

#include <QSet>

class ChangelogFilterBar;
class ChangelogModel;
class ChangelogView;
class EntryDetailView;
class MessageBanner;
class QAction;
class QLabel;
class QProgressDialog;
class QPushButton;
class QTabWidget;
class QTimer;
class RevertDialog;
class TimeTravelView;
class TimelineView;

// The audit history (ui/changelog): the filter bar with its chips, the timeline of changes
// above the rows, the rows as a sliding window of keyset pages (ChangelogModel), the selected
// entry's detail and time travel beside them, revert and restore through the audited apply
// path, new changes from the change feed, the CSV export and copy as TSV.
class ChangelogPanel : public Panel
{
    Q_OBJECT

public:
    explicit ChangelogPanel(QWidget *parent = nullptr);
    ~ChangelogPanel() override;

    QString panelId() const override { return QStringLiteral("changelog"); }
    QString panelTitle() const override { return tr("Changelog"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override;
    bool isBusy() const override;
    QList<QAction *> panelActions() const override;
    bool showLink(const PanelLink &link) override;

    // For tests and the benchmark.
    ChangelogModel *model() const { return m_model; }
    ChangelogView *view() const { return m_view; }
    ChangelogFilterBar *filterBar() const { return m_filters; }
    TimelineView *timeline() const { return m_timeline; }
    EntryDetailView *detail() const { return m_detail; }
    TimeTravelView *timeTravel() const { return m_travel; }
    ChangelogWorker *worker() const { return m_worker; }
    // The worker of the timeline, the estimate, the facets and the change feed.
    ChangelogWorker *backgroundWorker() const { return m_background; }
    QString headerText() const;
    QPushButton *newChangesButton() const { return m_newChanges; }
    QString errorText() const;
    // Starts a revert of the selected entry, its change set, or a restore of the time travel
    // view's agent to its moment: the preview dialog opens (revertDialog()).
    void startRevert(const RevertTarget &target);
    RevertDialog *revertDialog() const { return m_revertDialog; }
    void exportCsv(const QString &path); // → messagePosted when done

private:
    void buildLayout();
    void buildActions();
    void connectWorker();
    void openConnection();
    void reload();
    void reloadCharts();
    void jumpToStart();
    void jumpToEnd();
    void jumpToTime(const QDateTime &start, const QDateTime &end);
    void updateHeader();
    void updateBusy();
    void currentRowChanged();
    void changeReceived();
    void lookForNewer();
    void newerLoaded(int request, const ChangelogPage &page, const DbError &error);
    void showNewChanges();
    void reverted(int request, bool simulated, const SimulateResult &preview,
                  const ApplyResult &result, const DbError &error);
    void showError(const QString &text);
    void clearError();
    void noteError(const QString &what, const DbError &error);
    void sortClicked(int column);

    ChangelogWorker *m_worker;
    // What can wait, on a connection of its own: the timeline and the estimate (a scan of a
    // million rows unfiltered), the filter boxes' choices, and the change feed (whose second
    // connection takes round trips to open). None of them ever delays a page.
    ChangelogWorker *m_background;
    ChangelogModel *m_model;
    ChangelogView *m_view = nullptr;
    ChangelogFilterBar *m_filters = nullptr;
    TimelineView *m_timeline = nullptr;
    EntryDetailView *m_detail = nullptr;
    TimeTravelView *m_travel = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_header = nullptr;
    QPushButton *m_newChanges = nullptr;
    MessageBanner *m_error = nullptr;
    QTimer *m_liveDebounce;
    QTimer *m_timelineDebounce;
    QProgressDialog *m_exportProgress = nullptr;
    RevertDialog *m_revertDialog = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_newestAction = nullptr;
    QAction *m_oldestAction = nullptr;
    QAction *m_travelAction = nullptr;
    QAction *m_revertAction = nullptr;

    QString m_conninfo;
    bool m_opening = false;
    bool m_open = false;
    bool m_loadedOnce = false;
    bool m_feedStarted = false;     // startFeed() asked on this connection
    bool m_chartsAfterPage = false; // reload() waits for its first page to ask for the charts
    bool m_scrollToEnd = false;
    std::optional<PanelLink> m_pendingLink;
    qint64 m_estimate = -1;
    // Requests whose answers the panel waits for (each answers once).
    int m_estimateRequest = -1;
    int m_timelineRequest = -1;
    int m_detailRequest = -1;
    int m_configRequest = -1;
    int m_newerRequest = -1;
    int m_facetsRequest = -1;
    int m_namesRequest = -1;
    int m_previewRequest = -1;
    int m_writeRequest = -1;
    int m_exportRequest = -1;
    int m_feedRequest = -1;
    RevertTarget m_revertTarget;
    QList<ChangelogEntry> m_newRows; // found by the feed, not shown yet (oldest first)
    bool m_moreNew = false;
};
