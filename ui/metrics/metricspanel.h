#pragma once

#include "panel.h"
#include "repositories/metricsrepository.h"
#include "repositories/timetravel.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

class MessageBanner;
struct ChartCurve;
class MetricChartView;
class MetricsWorker;
class QAction;
class QButtonGroup;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QMenu;
class QTextBrowser;
class QTimer;
class QToolButton;
struct MetricSeriesRequest;

// The Metrics panel (issue 14): an agent's metric over time as bucket averages with the
// min–max band (buckets computed by the server, at most one per pixel of the plot), the
// moments its parameters changed as markers, a selected change's impact before against after,
// the parameter values in effect wherever the pointer is, overlays (other agents, a second
// metric, the same series a day or a week earlier), follow-live, and PNG/CSV export. Zooming
// and panning (mouse and keys) re-bucket the visible range on the server; the latest request
// wins and the old curve stays until the new one arrives. Owns its MetricsWorker.
class MetricsPanel : public Panel
{
    Q_OBJECT

public:
    explicit MetricsPanel(QWidget *parent = nullptr);
    ~MetricsPanel() override;

    QString panelId() const override { return QStringLiteral("metrics"); }
    QString panelTitle() const override { return tr("Metrics"); }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override;
    bool isBusy() const override;
    QList<QAction *> panelActions() const override;
    bool showLink(const PanelLink &link) override;

    // The range presets, in the order of their buttons.
    enum class Preset
    {
        Hour,
        Day,
        Week,
        Month,
        Quarter,
        All,
        Custom
    };
    // Comparisons drawn over the main curve.
    enum class Shift
    {
        None,
        Day,
        Week
    };

    // As the user would: pick an agent / a metric / a preset / a range / a marker.
    bool selectAgent(const QString &agent);
    bool selectMetric(const QString &metric);
    void setPreset(Preset preset);
    void showRange(const QDateTime &from, const QDateTime &to);
    void selectMarker(int index);
    void setImpactWindow(qint64 seconds);
    void setCompareAgents(const QStringList &agents);
    void setSecondMetric(const QString &metric); // empty: none
    void setShift(Shift shift);
    void setFollowLive(bool follow);
    // Back through the zoom history (Alt+Left); false when there is none.
    bool back();
    void resetZoom();
    // Each writes the whole file or nothing (QSaveFile).
    bool exportPng(const QString &path);
    bool exportSvg(const QString &path);
    bool exportCsv(const QString &path);

    QString agent() const;
    QString metric() const;
    MetricChartView *chart() const { return m_chart; }
    MetricsWorker *worker() const { return m_worker; } // its answers (benchmarks)
    // The markers: one per change set (entries of one apply), oldest first.
    QList<QList<ChangelogEntry>> markerGroups() const { return m_groups; }
    int selectedMarker() const { return m_selected; }
    // The impact pane's text and the in-effect line, as shown.
    QString impactText() const;
    QString inEffectText() const;
    QStringList hiddenParameters() const { return m_hiddenParameters; }
    void setHiddenParameters(const QStringList &parameters);

    static constexpr int LiveIntervalMs = 5000;
    static constexpr int PastChangesShown = 20; // a parameter's newest changes in the pane
    // Now as the tables store times: this machine's wall clock read as UTC (sqltimestamp.h),
    // which matches the server's now() when both keep the same time zone.
    static QDateTime wallClockNow();

private:
    void buildLayout();
    void buildActions();
    void connectWorker();
    void openConnection();
    void loadRange();    // everything of the current range
    void reloadCurves(); // every curve of the chart, one request
    void seriesLoaded(int request, const QList<MetricSeriesRequest> &series,
                      const QList<QList<MetricBucket>> &buckets, const DbError &error);
    void liveLoaded(const MetricSeriesRequest &series, const QList<MetricBucket> &buckets);
    // The chart's curve for `series` (label, colour, band, axis), showing `buckets`.
    ChartCurve curveFor(const MetricSeriesRequest &series, const QList<MetricBucket> &buckets);
    void markersLoaded(int request, const QList<ChangelogEntry> &entries, const DbError &error);
    // Shows `entries` as the markers (and the parameter filter's choices), keeping the selected
    // change selected when it is still there.
    void applyEntries(const QList<ChangelogEntry> &entries);
    void impactLoaded(int request, const ChangelogEntry &change, const MetricImpact &impact,
                      const DbError &error);
    void parameterImpactsLoaded(int request, const QString &parameter,
                                const QList<PastChangeImpact> &changes, const DbError &error);
    void showMarkers();
    void showImpact();
    void loadImpact();
    void liveTick();
    void hovered(const QDateTime &at);
    void updateBusy();
    void failed(const QString &text, const DbError &error);
    void presetClicked(int id);
    int points() const;
    QString markerTooltip(const QList<ChangelogEntry> &group) const;
    QString historyHtml() const;

    MetricsWorker *m_worker = nullptr;
    MetricChartView *m_chart = nullptr;
    MessageBanner *m_error = nullptr;
    QComboBox *m_agentBox = nullptr;
    QComboBox *m_metricBox = nullptr;
    QButtonGroup *m_presets = nullptr;
    QDateTimeEdit *m_fromEdit = nullptr;
    QDateTimeEdit *m_toEdit = nullptr;
    QToolButton *m_compareButton = nullptr;
    QMenu *m_compareMenu = nullptr;
    QToolButton *m_markersButton = nullptr;
    QMenu *m_markersMenu = nullptr;
    QComboBox *m_windowBox = nullptr;
    QTextBrowser *m_impact = nullptr;
    QLabel *m_inEffect = nullptr;
    QTimer *m_live = nullptr;
    QTimer *m_hoverDebounce = nullptr;
    QAction *m_backAction = nullptr;
    QAction *m_resetAction = nullptr;
    QAction *m_liveAction = nullptr;
    QAction *m_exportPngAction = nullptr;
    QAction *m_exportCsvAction = nullptr;
    QAction *m_exportSvgAction = nullptr;
    QAction *m_changelogAction = nullptr;

    bool m_open = false;
    bool m_opening = false;
    QStringList m_agents;
    QStringList m_metrics;
    Preset m_preset = Preset::Day;
    QDateTime m_from;
    QDateTime m_to;
    QList<std::pair<QDateTime, QDateTime>> m_history; // zoom history, for Back
    QStringList m_compareAgents;
    QString m_secondMetric;
    Shift m_shift = Shift::None;
    QList<ChangelogEntry> m_entries;
    QList<QList<ChangelogEntry>> m_groups;
    QStringList m_hiddenParameters;
    int m_selected = -1;
    qint64 m_windowSeconds = 24 * 3600;
    std::optional<MetricImpact> m_impactResult;
    QDateTime m_hoverAt;
    std::optional<PanelLink> m_pendingLink;
    // Requests in flight (-1: none); series by slot.
    int m_agentsRequest = -1;
    int m_namesRequest = -1;
    int m_extentRequest = -1;
    int m_seriesRequest = -1;
    int m_liveRequest = -1;
    int m_markersRequest = -1;
    int m_liveMarkersRequest = -1; // follow-live's: the newest changes only
    QDateTime m_markersTo;         // the end of the range m_entries were read for
    QDateTime m_markersAskedTo;    // … and of the read in flight
    int m_impactRequest = -1;
    int m_inEffectRequest = -1;
    int m_historyRequest = -1;
    QString m_historyParameter;
    std::optional<QList<PastChangeImpact>> m_pastChanges; // of the selected change's parameter
};
