#include "metrics/metricspanel.h"

#include "metrics/metricchartview.h"
#include "shell/colours.h"
#include "shell/icons.h"
#include "shell/messagebanner.h"
#include "workers/metricsworker.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSaveFile>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace {

constexpr int MainSlot = 0;
constexpr int SecondMetricSlot = 1;
constexpr int ShiftSlot = 2;
constexpr int FirstCompareSlot = 3;
constexpr int HoverDebounceMs = 150;

qint64 presetSeconds(MetricsPanel::Preset preset)
{
    switch (preset) {
    case MetricsPanel::Preset::Hour:
        return 3600;
    case MetricsPanel::Preset::Day:
        return 86400;
    case MetricsPanel::Preset::Week:
        return 7 * 86400;
    case MetricsPanel::Preset::Month:
        return 30 * 86400;
    case MetricsPanel::Preset::Quarter:
        return 90 * 86400;
    case MetricsPanel::Preset::All:
    case MetricsPanel::Preset::Custom:
        break;
    }
    return 0;
}

} // namespace

QDateTime MetricsPanel::wallClockNow()
{
    const QDateTime local = QDateTime::currentDateTime();
    return QDateTime(local.date(), local.time(), Qt::UTC);
}

MetricsPanel::MetricsPanel(QWidget *parent)
    : Panel(parent)
    , m_worker(new MetricsWorker)
    , m_live(new QTimer(this))
    , m_hoverDebounce(new QTimer(this))
{
    m_worker->start();
    m_live->setInterval(LiveIntervalMs);
    connect(m_live, &QTimer::timeout, this, &MetricsPanel::liveTick);
    m_hoverDebounce->setSingleShot(true);
    m_hoverDebounce->setInterval(HoverDebounceMs);
    connect(m_hoverDebounce, &QTimer::timeout, this, [this] {
        if (m_open && !agent().isEmpty() && m_hoverAt.isValid())
            m_inEffectRequest = m_worker->loadInEffect(agent(), m_hoverAt);
    });
    buildActions();
    buildLayout();
    connectWorker();
}

MetricsPanel::~MetricsPanel()
{
    m_worker->disconnect(this);
    m_worker->shutdown();
}

QList<QAction *> MetricsPanel::panelActions() const
{
    return {m_backAction,      m_resetAction,     m_liveAction,     m_exportPngAction,
            m_exportSvgAction, m_exportCsvAction, m_changelogAction};
}

void MetricsPanel::buildActions()
{
    m_backAction = new QAction(Icons::action(QStringLiteral("undo")), tr("&Back"), this);
    m_backAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_backAction->setToolTip(tr("The range before the last zoom (Alt+Left)"));
    connect(m_backAction, &QAction::triggered, this, [this] { back(); });
    m_resetAction =
        new QAction(Icons::action(QStringLiteral("reset-row")), tr("&Reset zoom"), this);
    m_resetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_resetAction, &QAction::triggered, this, &MetricsPanel::resetZoom);
    m_liveAction = new QAction(Icons::action(QStringLiteral("refresh")), tr("&Follow live"), this);
    m_liveAction->setCheckable(true);
    m_liveAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_liveAction, &QAction::toggled, this, &MetricsPanel::setFollowLive);
    m_exportPngAction =
        new QAction(Icons::action(QStringLiteral("export")), tr("Export chart as &PNG…"), this);
    connect(m_exportPngAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the chart"), QStringLiteral("%1-%2.png").arg(agent(), metric()),
            tr("PNG images (*.png)"));
        if (!path.isEmpty() && !exportPng(path))
            m_error->showMessage(MessageBanner::Tone::Error,
                                 tr("Could not write %1.").arg(path.toHtmlEscaped()));
    });
    m_exportSvgAction =
        new QAction(Icons::action(QStringLiteral("export")), tr("Export chart as &SVG…"), this);
    connect(m_exportSvgAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the chart"), QStringLiteral("%1-%2.svg").arg(agent(), metric()),
            tr("SVG images (*.svg)"));
        if (!path.isEmpty() && !exportSvg(path))
            m_error->showMessage(MessageBanner::Tone::Error,
                                 tr("Could not write %1.").arg(path.toHtmlEscaped()));
    });
    m_exportCsvAction =
        new QAction(Icons::action(QStringLiteral("export")), tr("Export buckets as &CSV…"), this);
    m_exportCsvAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(m_exportCsvAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export the buckets"), QStringLiteral("%1-%2.csv").arg(agent(), metric()),
            tr("CSV files (*.csv)"));
        if (!path.isEmpty() && !exportCsv(path))
            m_error->showMessage(MessageBanner::Tone::Error,
                                 tr("Could not write %1.").arg(path.toHtmlEscaped()));
    });
    m_changelogAction = new QAction(Icons::action(QStringLiteral("changelog")),
                                    tr("Show change in &changelog"), this);
    m_changelogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_changelogAction->setEnabled(false);
    connect(m_changelogAction, &QAction::triggered, this, [this] {
        if (m_selected < 0 || m_selected >= m_groups.size())
            return;
        const ChangelogEntry &first = m_groups.at(m_selected).constFirst();
        PanelLink link;
        link.panel = QStringLiteral("changelog");
        link.algorithmId = first.algorithmId;
        link.changeSet = first.changeSet;
        if (first.changeSet.isEmpty())
            link.parameterName = first.parameterName; // an old row: narrow to its parameter
        link.entryId = first.id;
        link.moment = first.modifiedAt;
        Q_EMIT linkActivated(link);
    });
    addActions(panelActions());
}

void MetricsPanel::buildLayout()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    m_error = new MessageBanner(this);
    layout->addWidget(m_error);

    auto *bar = new QHBoxLayout;
    m_agentBox = new QComboBox(this);
    m_agentBox->setObjectName(QStringLiteral("agentBox"));
    m_agentBox->setMinimumContentsLength(6);
    m_agentBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("metricBox"));
    m_metricBox->setMinimumContentsLength(12);
    m_metricBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    auto *agentLabel = new QLabel(tr("&Agent"), this);
    agentLabel->setBuddy(m_agentBox);
    auto *metricLabel = new QLabel(tr("&Metric"), this);
    metricLabel->setBuddy(m_metricBox);
    bar->addWidget(agentLabel);
    bar->addWidget(m_agentBox);
    bar->addWidget(metricLabel);
    bar->addWidget(m_metricBox);
    // The range on a row of its own, so that the panel fits a narrow window.
    auto *rangeBar = new QHBoxLayout;
    m_presets = new QButtonGroup(this);
    const QStringList names = {tr("1 h"), tr("24 h"), tr("7 d"), tr("30 d"), tr("90 d"), tr("All")};
    for (int i = 0; i < names.size(); ++i) {
        auto *button = new QToolButton(this);
        button->setText(names.at(i));
        button->setCheckable(true);
        button->setAutoRaise(true);
        m_presets->addButton(button, i);
        rangeBar->addWidget(button);
    }
    m_fromEdit = new QDateTimeEdit(this);
    m_toEdit = new QDateTimeEdit(this);
    for (QDateTimeEdit *edit : {m_fromEdit, m_toEdit}) {
        edit->setTimeSpec(Qt::UTC);
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        connect(edit, &QDateTimeEdit::editingFinished, this, [this] {
            if (m_fromEdit->dateTime() < m_toEdit->dateTime())
                showRange(m_fromEdit->dateTime(), m_toEdit->dateTime());
        });
    }
    rangeBar->addWidget(m_fromEdit);
    rangeBar->addWidget(new QLabel(QStringLiteral("–"), this));
    rangeBar->addWidget(m_toEdit);
    rangeBar->addStretch(1);
    for (QAction *action : {m_backAction, m_resetAction, m_liveAction}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setAutoRaise(true);
        bar->addWidget(button);
    }
    m_compareMenu = new QMenu(this);
    m_compareButton = new QToolButton(this);
    m_compareButton->setText(tr("Compare"));
    m_compareButton->setMenu(m_compareMenu);
    m_compareButton->setPopupMode(QToolButton::InstantPopup);
    m_markersMenu = new QMenu(this);
    m_markersButton = new QToolButton(this);
    m_markersButton->setText(tr("Markers"));
    m_markersButton->setMenu(m_markersMenu);
    m_markersButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportButton = new QToolButton(this);
    exportButton->setDefaultAction(m_exportPngAction);
    auto *exportMenu = new QMenu(this);
    exportMenu->addAction(m_exportPngAction);
    exportMenu->addAction(m_exportSvgAction);
    exportMenu->addAction(m_exportCsvAction);
    exportButton->setMenu(exportMenu);
    exportButton->setPopupMode(QToolButton::MenuButtonPopup);
    bar->addWidget(m_compareButton);
    bar->addWidget(m_markersButton);
    bar->addWidget(exportButton);
    bar->addStretch(1);
    layout->addLayout(bar);
    layout->addLayout(rangeBar);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_chart = new MetricChartView(splitter);
    m_chart->setObjectName(QStringLiteral("metricChart"));
    m_chart->setMarkerText([this](int index) {
        return index >= 0 && index < m_groups.size() ? markerTooltip(m_groups.at(index))
                                                     : QString();
    });
    auto *side = new QWidget(splitter);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    auto *windowRow = new QHBoxLayout;
    auto *windowLabel = new QLabel(tr("Impact &window"), side);
    m_windowBox = new QComboBox(side);
    m_windowBox->setObjectName(QStringLiteral("windowBox"));
    for (const auto &[text, seconds] :
         {std::pair(tr("1 h"), 3600), std::pair(tr("6 h"), 6 * 3600),
          std::pair(tr("24 h"), 24 * 3600), std::pair(tr("3 d"), 3 * 86400)})
        m_windowBox->addItem(text, seconds);
    m_windowBox->setCurrentIndex(2);
    windowLabel->setBuddy(m_windowBox);
    windowRow->addWidget(windowLabel);
    windowRow->addWidget(m_windowBox, 1);
    auto *toChangelog = new QToolButton(side);
    toChangelog->setDefaultAction(m_changelogAction);
    toChangelog->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    sideLayout->addLayout(windowRow);
    m_impact = new QTextBrowser(side);
    m_impact->setObjectName(QStringLiteral("impact"));
    m_impact->setOpenLinks(false);
    sideLayout->addWidget(m_impact, 1);
    sideLayout->addWidget(toChangelog);
    splitter->addWidget(m_chart);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({900, 300});
    layout->addWidget(splitter, 1);
    m_inEffect = new QLabel(this);
    m_inEffect->setObjectName(QStringLiteral("inEffect"));
    m_inEffect->setWordWrap(true);
    m_inEffect->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_inEffect);
    showImpact();

    connect(m_agentBox, &QComboBox::currentTextChanged, this, [this](const QString &agent) {
        if (!m_open || agent.isEmpty())
            return;
        m_metricBox->clear();
        m_chart->clearCurves();
        m_namesRequest = m_worker->loadMetricNames(agent);
        updateBusy();
    });
    connect(m_metricBox, &QComboBox::currentTextChanged, this, [this](const QString &metric) {
        if (!m_open || metric.isEmpty())
            return;
        m_history.clear();
        setPreset(m_preset);
    });
    connect(m_presets, &QButtonGroup::idClicked, this, &MetricsPanel::presetClicked);
    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this] { setImpactWindow(m_windowBox->currentData().toLongLong()); });
    connect(m_chart, &MetricChartView::rangeRequested, this,
            [this](const QDateTime &from, const QDateTime &to) {
                m_history.append({m_from, m_to});
                m_preset = Preset::Custom;
                m_from = from;
                m_to = to;
                loadRange();
            });
    connect(m_chart, &MetricChartView::markerActivated, this, &MetricsPanel::selectMarker);
    connect(m_chart, &MetricChartView::hovered, this, &MetricsPanel::hovered);
}

void MetricsPanel::connectWorker()
{
    connect(m_worker, &MetricsWorker::connectionOpened, this, [this] {
        m_opening = false;
        m_open = true;
        m_error->clearMessage();
        m_agentsRequest = m_worker->loadAgents();
        updateBusy();
    });
    connect(m_worker, &MetricsWorker::connectionFailed, this, [this](const DbError &error) {
        m_opening = false;
        failed(tr("Could not open the connection for the metrics"), error);
        updateBusy();
        Q_EMIT loaded();
    });
    connect(m_worker, &MetricsWorker::agentsLoaded, this,
            [this](int request, const QStringList &agents, const DbError &error) {
                if (request != m_agentsRequest)
                    return;
                m_agentsRequest = -1;
                if (error.isError())
                    failed(tr("Could not list the agents"), error);
                const QString wanted = m_pendingLink ? m_pendingLink->algorithmId : agent();
                m_agents = agents;
                m_agentBox->blockSignals(true);
                m_agentBox->clear();
                m_agentBox->addItems(agents);
                m_agentBox->blockSignals(false);
                m_compareMenu->clear();
                for (const QString &other : agents) {
                    QAction *action = m_compareMenu->addAction(other);
                    action->setCheckable(true);
                    connect(action, &QAction::toggled, this, [this, other](bool on) {
                        QStringList agents = m_compareAgents;
                        agents.removeAll(other);
                        if (on)
                            agents.append(other);
                        setCompareAgents(agents);
                    });
                }
                const int index = std::max(0, int(agents.indexOf(wanted)));
                if (agents.isEmpty()) {
                    m_chart->setMessage(tr("There are no agents."));
                    Q_EMIT loaded();
                } else {
                    m_agentBox->setCurrentIndex(-1);
                    m_agentBox->setCurrentIndex(index);
                }
                updateBusy();
            });
    connect(m_worker, &MetricsWorker::metricNamesLoaded, this,
            [this](int request, const QString &, const QStringList &names, const DbError &error) {
                if (request != m_namesRequest)
                    return;
                m_namesRequest = -1;
                if (error.isError())
                    failed(tr("Could not list the metrics"), error);
                m_metrics = names;
                QString wanted = metric();
                if (m_pendingLink)
                    wanted.clear();
                m_metricBox->blockSignals(true);
                m_metricBox->clear();
                m_metricBox->addItems(names);
                m_metricBox->blockSignals(false);
                if (names.isEmpty()) {
                    m_chart->clearCurves();
                    m_chart->setMessage(tr("%1 has no metrics.").arg(agent()));
                    Q_EMIT loaded();
                } else {
                    m_metricBox->setCurrentIndex(-1);
                    m_metricBox->setCurrentIndex(std::max(0, int(names.indexOf(wanted))));
                }
                updateBusy();
            });
    connect(
        m_worker, &MetricsWorker::extentLoaded, this,
        [this](int request, const QDateTime &first, const QDateTime &last, const DbError &error) {
            if (request != m_extentRequest)
                return;
            m_extentRequest = -1;
            if (error.isError())
                failed(tr("Could not read the metric's time range"), error);
            if (!first.isValid()) {
                m_chart->clearCurves();
                m_chart->setMessage(tr("No data for %1 yet.").arg(metric()));
                updateBusy();
                Q_EMIT loaded();
                return;
            }
            // A whole range a little wider than the data, so that the first and last
            // buckets are not cut by the edges.
            m_from = first;
            m_to = std::max(last.addSecs(1), first.addSecs(60));
            loadRange();
        });
    connect(m_worker, &MetricsWorker::seriesLoaded, this, &MetricsPanel::seriesLoaded);
    connect(m_worker, &MetricsWorker::markersLoaded, this, &MetricsPanel::markersLoaded);
    connect(m_worker, &MetricsWorker::impactLoaded, this, &MetricsPanel::impactLoaded);
    connect(m_worker, &MetricsWorker::parameterImpactsLoaded, this,
            &MetricsPanel::parameterImpactsLoaded);
    connect(m_worker, &MetricsWorker::inEffectLoaded, this,
            [this](int request, const ConfigAt &config, const DbError &error) {
                if (request != m_inEffectRequest)
                    return;
                m_inEffectRequest = -1;
                if (error.isError()) {
                    m_inEffect->setText(tr("Values in effect: %1").arg(error.toString()));
                    return;
                }
                QStringList parts;
                for (const ConfigAtEntry &entry : config.entries) {
                    if (entry.existedThen)
                        parts.append(QStringLiteral("%1 = %2").arg(
                            entry.name,
                            entry.valueThen.isNull() ? QStringLiteral("NULL") : entry.valueThen));
                }
                m_inEffect->setText(
                    tr("In effect at %1: %2")
                        .arg(config.moment.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                             parts.isEmpty() ? tr("no parameters") : parts.join(u" · ")));
            });
}

// ---------------------------------------------------------------------------------------------
// Connection

void MetricsPanel::setConnection(const ConnectionContext &context)
{
    storeConnection(context);
    m_open = false;
    m_agentsRequest = m_namesRequest = m_extentRequest = -1;
    m_markersRequest = m_liveMarkersRequest = m_impactRequest = m_inEffectRequest = -1;
    m_historyRequest = -1;
    m_seriesRequest = m_liveRequest = -1;
    m_error->clearMessage();
    if (!context.isValid()) {
        m_opening = false;
        m_worker->clearConnection();
        m_chart->clearCurves();
        m_chart->setMarkers({});
        m_chart->setMessage(context.connecting.isEmpty() ? tr("Not connected.")
                                                         : context.connecting);
        updateBusy();
        return;
    }
    openConnection();
}

void MetricsPanel::openConnection()
{
    m_opening = true;
    m_chart->setMessage(tr("Opening the metrics…"));
    m_worker->setConnection(connection().options);
    updateBusy();
}

void MetricsPanel::refresh()
{
    if (!connection().isValid() || m_opening)
        return;
    if (!m_open) {
        openConnection();
        return;
    }
    m_agentsRequest = m_worker->loadAgents();
    updateBusy();
}

void MetricsPanel::cancel()
{
    if (!isBusy())
        return;
    m_worker->cancel();
    Q_EMIT messagePosted(tr("Cancelling…"));
}

bool MetricsPanel::isBusy() const
{
    return m_opening || m_seriesRequest >= 0 || m_liveRequest >= 0 || m_agentsRequest >= 0 ||
           m_namesRequest >= 0 || m_extentRequest >= 0 || m_markersRequest >= 0 ||
           m_liveMarkersRequest >= 0 || m_impactRequest >= 0 || m_historyRequest >= 0;
}

void MetricsPanel::updateBusy()
{
    QString what;
    if (m_opening)
        what = tr("Opening the metrics…");
    else if (isBusy())
        what = tr("Reading the metrics…");
    reportBusy(what);
}

void MetricsPanel::failed(const QString &text, const DbError &error)
{
    m_error->showMessage(MessageBanner::Tone::Error,
                         (text + QStringLiteral(": ") + error.toString()).toHtmlEscaped());
    if (error.isConnectionLoss())
        Q_EMIT connectionLost(error);
}

// ---------------------------------------------------------------------------------------------
// What is shown

QString MetricsPanel::agent() const
{
    return m_agentBox->currentText();
}

QString MetricsPanel::metric() const
{
    return m_metricBox->currentText();
}

bool MetricsPanel::selectAgent(const QString &agent)
{
    const int index = m_agentBox->findText(agent);
    if (index < 0)
        return false;
    m_agentBox->setCurrentIndex(index);
    return true;
}

bool MetricsPanel::selectMetric(const QString &metric)
{
    const int index = m_metricBox->findText(metric);
    if (index < 0)
        return false;
    m_metricBox->setCurrentIndex(index);
    return true;
}

void MetricsPanel::presetClicked(int id)
{
    m_history.append({m_from, m_to});
    setPreset(Preset(id));
}

void MetricsPanel::setPreset(Preset preset)
{
    m_preset = preset;
    if (QAbstractButton *button = m_presets->button(int(preset)))
        button->setChecked(true);
    if (!m_open || agent().isEmpty() || metric().isEmpty())
        return;
    if (preset == Preset::All) {
        m_extentRequest = m_worker->loadExtent(agent(), metric());
        updateBusy();
        return;
    }
    if (preset == Preset::Custom) {
        loadRange();
        return;
    }
    m_to = wallClockNow();
    m_from = m_to.addSecs(-presetSeconds(preset));
    loadRange();
}

void MetricsPanel::showRange(const QDateTime &from, const QDateTime &to)
{
    if (!from.isValid() || !to.isValid() || from >= to)
        return;
    m_history.append({m_from, m_to});
    m_preset = Preset::Custom;
    m_from = from;
    m_to = to;
    loadRange();
}

bool MetricsPanel::back()
{
    while (!m_history.isEmpty()) {
        const auto [from, to] = m_history.takeLast();
        if (!from.isValid())
            continue;
        m_preset = Preset::Custom;
        m_from = from;
        m_to = to;
        loadRange();
        return true;
    }
    return false;
}

void MetricsPanel::resetZoom()
{
    m_history.append({m_from, m_to});
    setPreset(Preset::All);
}

int MetricsPanel::points() const
{
    // One bucket a pixel of the plot at most.
    return std::clamp(int(m_chart->chart()->plotArea().width()), 50, 2000);
}

void MetricsPanel::loadRange()
{
    if (!m_open || agent().isEmpty() || metric().isEmpty() || !m_from.isValid())
        return;
    m_chart->setRange(m_from, m_to);
    m_fromEdit->blockSignals(true);
    m_toEdit->blockSignals(true);
    m_fromEdit->setDateTime(m_from);
    m_toEdit->setDateTime(m_to);
    m_fromEdit->blockSignals(false);
    m_toEdit->blockSignals(false);
    if (m_preset == Preset::Custom && m_presets->checkedButton()) {
        m_presets->setExclusive(false);
        m_presets->checkedButton()->setChecked(false);
        m_presets->setExclusive(true);
    }
    m_backAction->setEnabled(!m_history.isEmpty());
    reloadCurves();
    m_liveMarkersRequest = -1;
    m_markersAskedTo = m_to;
    m_markersRequest = m_worker->loadMarkers(agent(), m_from, m_to);
    updateBusy();
}

void MetricsPanel::reloadCurves()
{
    if (!m_open || agent().isEmpty() || metric().isEmpty() || !m_from.isValid())
        return;
    // Every curve in one request (one round trip); slots that are not asked for any more go
    // when the answer comes, so that the chart never flickers empty.
    QList<MetricSeriesRequest> batch;
    auto add = [&](int slot, const QString &agent, const QString &metric, qint64 shift) {
        MetricSeriesRequest request;
        request.agent = agent;
        request.metric = metric;
        request.from = m_from;
        request.to = m_to;
        request.points = points();
        request.shiftSeconds = shift;
        request.slot = slot;
        batch.append(request);
    };
    add(MainSlot, agent(), metric(), 0);
    if (!m_secondMetric.isEmpty())
        add(SecondMetricSlot, agent(), m_secondMetric, 0);
    if (m_shift != Shift::None)
        add(ShiftSlot, agent(), metric(), m_shift == Shift::Day ? 86400 : 7 * 86400);
    for (int i = 0; i < m_compareAgents.size(); ++i)
        add(FirstCompareSlot + i, m_compareAgents.at(i), metric(), 0);
    m_seriesRequest = m_worker->loadSeries(batch);
    updateBusy();
}
