// MetricsPanel's answers and flows: series and markers arriving, the impact of a change, the
// overlays, follow-live, the values in effect, export and links (metricspanel.cpp builds it).
#include "metrics/metricchartview.h"
#include "metrics/metricspanel.h"
#include "shell/colours.h"
#include "shell/messagebanner.h"
#include "workers/metricsworker.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSaveFile>
#include <QSet>
#include <QTextBrowser>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace {

constexpr int MainSlot = 0;
constexpr int SecondMetricSlot = 1;
constexpr int ShiftSlot = 2;
constexpr int FirstCompareSlot = 3;
constexpr int LiveSlot = MetricsWorker::MaxSlots - 1;
constexpr int MaxCompared = LiveSlot - FirstCompareSlot;

QString percentText(double value)
{
    if (!std::isfinite(value))
        return QStringLiteral("—");
    return QStringLiteral("%1%2 %").arg(value > 0 ? QStringLiteral("+") : QString(),
                                        QLocale().toString(value * 100, 'f', 1));
}

QString numberText(double value)
{
    return std::isfinite(value) ? QLocale().toString(value, 'g', 6) : QStringLiteral("—");
}

QString valueText(const QString &value)
{
    return value.isNull() ? QStringLiteral("NULL") : value;
}

} // namespace

void MetricsPanel::seriesLoaded(int request, const QList<MetricSeriesRequest> &series,
                                const QList<QList<MetricBucket>> &buckets, const DbError &error)
{
    const bool live = request == m_liveRequest;
    if (!live && request != m_seriesRequest)
        return;
    (live ? m_liveRequest : m_seriesRequest) = -1;
    if (error.isError()) {
        // The old curves stay; the banner says why they did not change.
        failed(tr("Could not read %1 of %2").arg(series.value(0).metric, series.value(0).agent),
               error);
        updateBusy();
        if (!live)
            Q_EMIT loaded();
        return;
    }
    if (live) {
        if (!series.isEmpty() && !buckets.isEmpty())
            liveLoaded(series.constFirst(), buckets.constFirst());
        updateBusy();
        return;
    }
    // Every curve at once (slots not asked for any more go): one rebuild of the plot.
    QMap<int, ChartCurve> curves;
    for (qsizetype i = 0; i < series.size() && i < buckets.size(); ++i)
        curves.insert(series.at(i).slot, curveFor(series.at(i), buckets.at(i)));
    m_chart->setCurves(curves);
    updateBusy();
    Q_EMIT loaded();
}

void MetricsPanel::liveLoaded(const MetricSeriesRequest &series, const QList<MetricBucket> &buckets)
{
    // The newest part only: it replaces the main curve's buckets from its start on, and the
    // range moves on to now.
    ChartCurve main = m_chart->curve(MainSlot);
    QList<MetricBucket> kept;
    for (const MetricBucket &bucket : main.buckets) {
        if (bucket.start >= m_from && bucket.start < series.from)
            kept.append(bucket);
    }
    kept.append(buckets);
    main.buckets = kept;
    m_chart->setRange(m_from, m_to);
    m_chart->setCurve(MainSlot, main);
}

ChartCurve MetricsPanel::curveFor(const MetricSeriesRequest &series,
                                  const QList<MetricBucket> &buckets)
{
    ChartCurve curve;
    curve.buckets = buckets;
    curve.bucketSeconds = std::max<qint64>(
        1, qint64(std::ceil(double(series.from.msecsTo(series.to)) / 1000.0 / series.points)));
    if (series.slot == MainSlot) {
        curve.label = QStringLiteral("%1 · %2").arg(series.agent, series.metric);
        curve.band = true;
        curve.colour = Colours::series(0);
        m_chart->setMessage(
            buckets.isEmpty() ? tr("No data for %1 in this range.").arg(series.metric) : QString());
    } else if (series.slot == SecondMetricSlot) {
        curve.label = QStringLiteral("%1 · %2 (right axis)").arg(series.agent, series.metric);
        curve.secondAxis = true;
        curve.colour = Colours::series(1);
    } else if (series.slot == ShiftSlot) {
        curve.label = series.shiftSeconds == 86400 ? tr("%1, a day earlier").arg(series.metric)
                                                   : tr("%1, a week earlier").arg(series.metric);
        curve.colour = Colours::muted();
    } else {
        curve.label = QStringLiteral("%1 · %2").arg(series.agent, series.metric);
        curve.colour = Colours::series(uint(series.slot));
    }
    return curve;
}

void MetricsPanel::markersLoaded(int request, const QList<ChangelogEntry> &entries,
                                 const DbError &error)
{
    const bool live = request == m_liveMarkersRequest;
    if (!live && request != m_markersRequest)
        return;
    (live ? m_liveMarkersRequest : m_markersRequest) = -1;
    if (error.isError()) {
        failed(tr("Could not read the changes"), error);
        updateBusy();
        return;
    }
    m_markersTo = m_markersAskedTo;
    if (!live) {
        applyEntries(entries);
        return;
    }
    // Follow live read the newest changes only (and a minute before, for an apply that
    // committed after the last read but was stamped before it): the entries still in the
    // moving range and the new ones, each once.
    QSet<QString> fresh;
    for (const ChangelogEntry &entry : entries)
        fresh.insert(entry.id);
    QList<ChangelogEntry> merged;
    for (const ChangelogEntry &entry : std::as_const(m_entries)) {
        if (entry.modifiedAt >= m_from && !fresh.contains(entry.id))
            merged.append(entry);
    }
    merged.append(entries);
    std::stable_sort(merged.begin(), merged.end(),
                     [](const ChangelogEntry &a, const ChangelogEntry &b) {
                         return a.modifiedAt < b.modifiedAt;
                     });
    bool same = merged.size() == m_entries.size();
    for (qsizetype i = 0; same && i < merged.size(); ++i)
        same = merged.at(i).id == m_entries.at(i).id;
    if (same) {
        updateBusy(); // nothing new: the markers, the selection and its impact stay
        return;
    }
    applyEntries(merged);
}

void MetricsPanel::applyEntries(const QList<ChangelogEntry> &entries)
{
    // Keep the selected change selected when it is still in range.
    QString selectedId;
    if (m_selected >= 0 && m_selected < m_groups.size())
        selectedId = m_groups.at(m_selected).constFirst().id;
    if (m_pendingLink && !m_pendingLink->entryId.isEmpty())
        selectedId = m_pendingLink->entryId;
    m_entries = entries;
    // The parameter filter's choices: every parameter changed in range.
    QStringList parameters;
    for (const ChangelogEntry &entry : entries) {
        if (!parameters.contains(entry.parameterName))
            parameters.append(entry.parameterName);
    }
    parameters.sort();
    m_markersMenu->clear();
    for (const QString &parameter : parameters) {
        QAction *action = m_markersMenu->addAction(parameter);
        action->setCheckable(true);
        action->setChecked(!m_hiddenParameters.contains(parameter));
        connect(action, &QAction::toggled, this, [this, parameter](bool shown) {
            QStringList hidden = m_hiddenParameters;
            hidden.removeAll(parameter);
            if (!shown)
                hidden.append(parameter);
            setHiddenParameters(hidden);
        });
    }
    showMarkers();
    for (int i = 0; i < m_groups.size() && !selectedId.isEmpty(); ++i) {
        for (const ChangelogEntry &entry : m_groups.at(i)) {
            if (entry.id == selectedId || (m_pendingLink && !m_pendingLink->changeSet.isEmpty() &&
                                           entry.changeSet == m_pendingLink->changeSet)) {
                selectedId.clear();
                selectMarker(i);
                break;
            }
        }
    }
    m_pendingLink.reset();
    updateBusy();
}

void MetricsPanel::setHiddenParameters(const QStringList &parameters)
{
    m_hiddenParameters = parameters;
    for (QAction *action : m_markersMenu->actions())
        action->setChecked(!parameters.contains(action->text()));
    showMarkers();
}

void MetricsPanel::showMarkers()
{
    // One marker per change set (the entries of one apply); entries without one (old rows)
    // group by their exact time.
    m_groups.clear();
    for (const ChangelogEntry &entry : m_entries) {
        if (m_hiddenParameters.contains(entry.parameterName))
            continue;
        if (!m_groups.isEmpty()) {
            const ChangelogEntry &last = m_groups.constLast().constFirst();
            const bool sameSet = !entry.changeSet.isEmpty() && entry.changeSet == last.changeSet;
            const bool sameMoment = entry.changeSet.isEmpty() && last.changeSet.isEmpty() &&
                                    entry.modifiedAtText == last.modifiedAtText;
            if (sameSet || sameMoment) {
                m_groups.last().append(entry);
                continue;
            }
        }
        m_groups.append({entry});
    }
    QList<QDateTime> moments;
    moments.reserve(m_groups.size());
    for (const QList<ChangelogEntry> &group : std::as_const(m_groups))
        moments.append(group.constFirst().modifiedAt);
    m_chart->setMarkers(moments); // their tooltips when asked (markerTooltip)
    m_selected = -1;
    m_impactResult.reset();
    m_chart->setWindows({}, {}, {});
    m_changelogAction->setEnabled(false);
    showImpact();
}

QString MetricsPanel::markerTooltip(const QList<ChangelogEntry> &group) const
{
    const ChangelogEntry &first = group.constFirst();
    QString who = first.userId ? tr("user %1").arg(*first.userId) : QString();
    if (!first.dbRole.isEmpty())
        who += (who.isEmpty() ? QString() : QStringLiteral(" · ")) + first.dbRole;
    QString text = QStringLiteral("<b>%1</b> %2<br>")
                       .arg(first.modifiedAtText.toHtmlEscaped(),
                            (who.isEmpty() ? tr("unknown") : who).toHtmlEscaped());
    for (const ChangelogEntry &entry : group)
        text +=
            QStringLiteral("%1: %2 → %3<br>")
                .arg(entry.parameterName.toHtmlEscaped(), valueText(entry.oldValue).toHtmlEscaped(),
                     valueText(entry.newValue).toHtmlEscaped());
    if (!first.reason.isEmpty())
        text += QStringLiteral("<i>%1</i>").arg(first.reason.toHtmlEscaped());
    return text;
}

void MetricsPanel::selectMarker(int index)
{
    if (index < 0 || index >= m_groups.size())
        return;
    m_selected = index;
    m_chart->setSelectedMarker(index);
    m_changelogAction->setEnabled(true);
    loadImpact();
}

void MetricsPanel::setImpactWindow(qint64 seconds)
{
    m_windowSeconds = seconds;
    const int index = m_windowBox->findData(int(seconds));
    if (index >= 0 && index != m_windowBox->currentIndex())
        m_windowBox->setCurrentIndex(index);
    loadImpact();
}

void MetricsPanel::loadImpact()
{
    m_impactResult.reset();
    if (m_selected < 0 || m_selected >= m_groups.size() || !m_open) {
        m_chart->setWindows({}, {}, {});
        showImpact();
        return;
    }
    const ChangelogEntry &change = m_groups.at(m_selected).constFirst();
    const QDateTime at = change.modifiedAt;
    m_chart->setWindows(at.addSecs(-m_windowSeconds), at, at.addSecs(m_windowSeconds));
    m_impactRequest = m_worker->loadImpact(change, metric(), m_windowSeconds);
    // And what the parameter's earlier changes did (the first of a change set's parameters).
    m_pastChanges.reset();
    m_historyParameter = change.parameterName;
    m_historyRequest = m_worker->loadParameterImpacts(change.algorithmId, change.parameterName,
                                                      m_windowSeconds, PastChangesShown);
    showImpact();
    updateBusy();
}

void MetricsPanel::impactLoaded(int request, const ChangelogEntry &, const MetricImpact &impact,
                                const DbError &error)
{
    if (request != m_impactRequest)
        return;
    m_impactRequest = -1;
    if (error.isError())
        failed(tr("Could not measure the change's impact"), error);
    else
        m_impactResult = impact;
    showImpact();
    updateBusy();
}

void MetricsPanel::parameterImpactsLoaded(int request, const QString &,
                                          const QList<PastChangeImpact> &changes,
                                          const DbError &error)
{
    if (request != m_historyRequest)
        return;
    m_historyRequest = -1;
    if (error.isError())
        failed(tr("Could not read the parameter's past changes"), error);
    else
        m_pastChanges = changes;
    showImpact();
    updateBusy();
}

QString MetricsPanel::historyHtml() const
{
    if (!m_pastChanges)
        return {};
    const QString name = m_historyParameter.toHtmlEscaped();
    QString html = QStringLiteral("<h4>%1</h4>").arg(tr("Past changes of %1").arg(name));
    if (m_pastChanges->isEmpty())
        return html + tr("<p>No dated changes.</p>");
    html += QStringLiteral("<table cellspacing=3>");
    for (const PastChangeImpact &past : *m_pastChanges) {
        QString effect = QStringLiteral("—");
        for (const MetricImpact &impact : past.impacts) {
            if (impact.metric != metric())
                continue;
            effect = percentText(impact.relativeChange);
            if (impact.verdict() == MetricImpact::Verdict::Moved)
                effect = QStringLiteral("<b>%1</b>").arg(effect);
            else if (impact.verdict() == MetricImpact::Verdict::WithinNoise)
                effect += tr(" (noise)");
        }
        html += QStringLiteral("<tr><td>%1</td><td>%2 → %3</td><td>%4</td></tr>")
                    .arg(past.change.modifiedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                         valueText(past.change.oldValue).toHtmlEscaped(),
                         valueText(past.change.newValue).toHtmlEscaped(), effect);
    }
    return html + QStringLiteral("</table>");
}

void MetricsPanel::showImpact()
{
    if (m_selected < 0 || m_selected >= m_groups.size()) {
        m_impact->setHtml(tr("<p>Click a change marker on the chart to see what it did to the "
                             "metric: the mean and median before against after, and whether "
                             "the difference is more than noise.</p>"));
        return;
    }
    const QList<ChangelogEntry> &group = m_groups.at(m_selected);
    QString html = markerTooltip(group);
    if (!m_impactResult) {
        m_impact->setHtml(html + tr("<p>Measuring…</p>") + historyHtml());
        return;
    }
    const MetricImpact &m = *m_impactResult;
    const QLocale locale;
    html += QStringLiteral("<h4>%1</h4>")
                .arg(tr("%1, %2 before against after")
                         .arg(metric().toHtmlEscaped(), m_windowBox->currentText()));
    html += QStringLiteral("<table cellspacing=4><tr><th></th><th>%1</th><th>%2</th></tr>"
                           "<tr><td>%3</td><td>%4</td><td>%5</td></tr>"
                           "<tr><td>%6</td><td>%7</td><td>%8</td></tr>"
                           "<tr><td>%9</td><td>%10</td><td>%11</td></tr></table>")
                .arg(tr("before"), tr("after"), tr("mean"), numberText(m.meanBefore),
                     numberText(m.meanAfter), tr("median"), numberText(m.medianBefore),
                     numberText(m.medianAfter), tr("values"), locale.toString(m.countBefore),
                     locale.toString(m.countAfter));
    const QString p =
        std::isfinite(m.pValue)
            ? (m.pValue < 0.0001 ? QStringLiteral("p &lt; 0.0001")
                                 : QStringLiteral("p = %1").arg(locale.toString(m.pValue, 'g', 2)))
            : QString();
    switch (m.verdict()) {
    case MetricImpact::Verdict::NoData:
        html += tr("<p><b>Too few values to judge</b> (at least %1 a side are needed).</p>")
                    .arg(MetricImpact::MinCountForSignificance);
        break;
    case MetricImpact::Verdict::WithinNoise:
        html += tr("<p>Mean moved by %1: <b>within noise</b> (Mann–Whitney %2).</p>")
                    .arg(percentText(m.relativeChange), p);
        break;
    case MetricImpact::Verdict::Moved:
        html += tr("<p>Mean moved by <b>%1</b>: <b>unlikely to be noise</b> (Mann–Whitney "
                   "%2).</p>")
                    .arg(percentText(m.relativeChange), p);
        break;
    }
    if (m.excludedBefore + m.excludedAfter > 0)
        html += tr("<p>%1 values before and %2 after were NaN, ±Infinity or NULL and are not "
                   "counted.</p>")
                    .arg(locale.toString(m.excludedBefore), locale.toString(m.excludedAfter));
    if (!m.othersInWindow.isEmpty()) {
        QStringList others;
        for (const ChangelogEntry &other : m.othersInWindow)
            others.append(QStringLiteral("%1 %2: %3 → %4")
                              .arg(other.modifiedAtText, other.parameterName,
                                   valueText(other.oldValue), valueText(other.newValue))
                              .toHtmlEscaped());
        html += QStringLiteral("<p style='color:%1'>%2<br>%3</p>")
                    .arg(Colours::css(Colours::caution()),
                         tr("Other changes of %1 fall inside the window, so the difference may "
                            "be theirs:")
                             .arg(m.algorithmId.toHtmlEscaped()),
                         others.join(QStringLiteral("<br>")));
    }
    html += historyHtml();
    m_impact->setHtml(html);
}

// ---------------------------------------------------------------------------------------------
// Overlays and live

void MetricsPanel::setCompareAgents(const QStringList &agents)
{
    m_compareAgents = agents.mid(0, MaxCompared);
    for (QAction *action : m_compareMenu->actions()) {
        action->blockSignals(true);
        action->setChecked(m_compareAgents.contains(action->text()));
        action->blockSignals(false);
    }
    reloadCurves();
}

void MetricsPanel::setSecondMetric(const QString &metric)
{
    m_secondMetric = metric;
    reloadCurves();
}

void MetricsPanel::setShift(Shift shift)
{
    m_shift = shift;
    reloadCurves();
}

void MetricsPanel::setFollowLive(bool follow)
{
    if (m_liveAction->isChecked() != follow)
        m_liveAction->setChecked(follow);
    if (follow)
        m_live->start();
    else
        m_live->stop();
}

void MetricsPanel::liveTick()
{
    if (!m_open || agent().isEmpty() || metric().isEmpty() || !m_from.isValid())
        return;
    // Only a range that ends now follows; the user's zoom into the past stays put.
    const ChartCurve main = m_chart->curve(MainSlot);
    const qint64 span = m_from.secsTo(m_to);
    const QDateTime next = wallClockNow();
    if (m_preset == Preset::Custom || m_preset == Preset::All)
        return;
    if (main.buckets.isEmpty()) {
        setPreset(m_preset);
        return;
    }
    // Ask from the last bucket's start on, with the same bucket width (the same origin), so
    // that the new buckets line up with those shown.
    const QDateTime from = main.buckets.constLast().start;
    m_to = next;
    m_from = next.addSecs(-span);
    MetricSeriesRequest request;
    request.agent = agent();
    request.metric = metric();
    request.from = from;
    request.to = next;
    request.points = std::max(1, int(std::ceil(double(from.secsTo(next)) /
                                               double(std::max<qint64>(1, main.bucketSeconds)))));
    request.slot = LiveSlot;
    m_liveRequest = m_worker->loadSeries({request}, true);
    m_markersAskedTo = next;
    if (m_markersRequest >= 0 || !m_markersTo.isValid()) {
        // The range's own read is still to come (it would be overtaken): read it all again.
        m_markersRequest = m_worker->loadMarkers(agent(), m_from, m_to);
    } else {
        m_liveMarkersRequest =
            m_worker->loadMarkers(agent(), std::max(m_from, m_markersTo.addSecs(-60)), next);
    }
    updateBusy();
}

void MetricsPanel::hovered(const QDateTime &at)
{
    m_hoverAt = at;
    m_hoverDebounce->start();
}

QString MetricsPanel::impactText() const
{
    return m_impact->toPlainText();
}

QString MetricsPanel::inEffectText() const
{
    return m_inEffect->text();
}

// ---------------------------------------------------------------------------------------------
// Export and links

bool MetricsPanel::exportPng(const QString &path)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && m_chart->image().save(&file, "PNG") && file.commit();
}

bool MetricsPanel::exportSvg(const QString &path)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) &&
           m_chart->writeSvg(&file, QStringLiteral("%1 · %2").arg(agent(), metric())) &&
           file.commit();
}

bool MetricsPanel::exportCsv(const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray text = "curve,start,end,min,avg,max,count,excluded\n";
    auto field = [](double value) {
        return std::isfinite(value) ? QByteArray::number(value, 'g', 17) : QByteArray();
    };
    for (int slot : m_chart->curveSlots()) {
        const ChartCurve curve = m_chart->curve(slot);
        QByteArray label = curve.label.toUtf8();
        label.replace('"', "\"\"");
        for (const MetricBucket &bucket : curve.buckets) {
            const QDateTime end =
                bucket.end.isValid() ? bucket.end : bucket.start.addSecs(curve.bucketSeconds);
            text += '"' + label + "\"," +
                    bucket.start.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toUtf8() + ',' +
                    end.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toUtf8() + ',' +
                    field(bucket.min) + ',' + field(bucket.avg) + ',' + field(bucket.max) + ',' +
                    QByteArray::number(bucket.count) + ',' + QByteArray::number(bucket.excluded) +
                    '\n';
        }
    }
    file.write(text);
    return file.commit();
}

bool MetricsPanel::showLink(const PanelLink &link)
{
    if (link.algorithmId.isEmpty())
        return false;
    m_pendingLink = link;
    if (link.moment.isValid()) {
        m_history.append({m_from, m_to});
        m_preset = Preset::Custom;
        m_from = link.moment.addSecs(-12 * 3600);
        m_to = link.moment.addSecs(12 * 3600);
    }
    if (!m_open)
        return false;
    if (agent() != link.algorithmId) {
        if (!selectAgent(link.algorithmId))
            return false;
    } else {
        loadRange();
    }
    return true;
}
