#include "changelog/historychart.h"

#include "shell/colours.h"

#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <cmath>

HistoryChart::HistoryChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("historyChart"));
    setMouseTracking(true);
    setAccessibleName(tr("The parameter's values over time"));
}

void HistoryChart::clear()
{
    m_points.clear();
    m_levels.clear();
    update();
}

void HistoryChart::setHistory(const QList<ChangelogEntry> &history, const QString &selectedId,
                              bool truncated)
{
    m_points.clear();
    m_levels.clear();
    m_truncated = truncated;
    bool numeric = true;
    for (const ChangelogEntry &e : history) {
        if (!e.modifiedAt.isValid())
            continue; // no place in time
        bool ok = false;
        e.newValue.toDouble(&ok);
        numeric = numeric && ok;
    }
    for (const ChangelogEntry &e : history) {
        if (!e.modifiedAt.isValid())
            continue;
        Point p;
        p.time = e.modifiedAt;
        p.value = e.newValue;
        p.selected = e.id == selectedId;
        if (numeric) {
            p.level = e.newValue.toDouble();
        } else {
            const QString key = e.newValue.isNull() ? QStringLiteral("NULL") : e.newValue;
            if (!m_levels.contains(key))
                m_levels.append(key);
            p.level = m_levels.indexOf(key);
        }
        p.text = tr("%1\n%2 → %3\n%4")
                     .arg(e.modifiedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                          e.oldValue.isNull() ? QStringLiteral("NULL") : e.oldValue.left(80),
                          e.newValue.isNull() ? QStringLiteral("NULL") : e.newValue.left(80),
                          e.reason.left(200));
        m_points.append(p);
    }
    update();
}

QRect HistoryChart::plotRect() const
{
    const int labels = m_levels.isEmpty() ? 56 : 90;
    return rect().adjusted(labels, 8, -10, -18);
}

QPointF HistoryChart::position(int index) const
{
    const QRect plot = plotRect();
    const qint64 first = m_points.constFirst().time.toMSecsSinceEpoch();
    const qint64 last = m_points.constLast().time.toMSecsSinceEpoch();
    double low = m_points.constFirst().level, high = low;
    for (const Point &p : m_points) {
        low = std::min(low, p.level);
        high = std::max(high, p.level);
    }
    const double x = last > first ? double(m_points.at(index).time.toMSecsSinceEpoch() - first) /
                                        double(last - first)
                                  : 0.5;
    const double y = high > low ? (m_points.at(index).level - low) / (high - low) : 0.5;
    return {plot.left() + x * plot.width(), plot.bottom() - y * plot.height()};
}

void HistoryChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QRect plot = plotRect();
    painter.setPen(Colours::muted());
    if (m_points.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, tr("No dated history"));
        return;
    }
    painter.drawRect(plot);
    // Level labels: the extremes for numbers, every value for the rest.
    double low = m_points.constFirst().level, high = low;
    for (const Point &p : std::as_const(m_points)) {
        low = std::min(low, p.level);
        high = std::max(high, p.level);
    }
    const QRect labels(0, plot.top() - 6, plot.left() - 6, plot.height() + 12);
    if (m_levels.isEmpty()) {
        painter.drawText(labels, Qt::AlignRight | Qt::AlignTop, QString::number(high, 'g', 8));
        painter.drawText(labels, Qt::AlignRight | Qt::AlignBottom, QString::number(low, 'g', 8));
    } else {
        for (int i = 0; i < m_levels.size() && m_levels.size() <= 6; ++i) {
            const double y = high > low ? (i - low) / (high - low) : 0.5;
            const int py = int(plot.bottom() - y * plot.height());
            painter.drawText(
                QRect(0, py - 8, plot.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
                fontMetrics().elidedText(m_levels.at(i), Qt::ElideRight, plot.left() - 8));
        }
    }
    const QString format = QStringLiteral("yyyy-MM-dd");
    const QRect axis(plot.left(), plot.bottom() + 2, plot.width(), 16);
    painter.drawText(axis, Qt::AlignLeft, m_points.constFirst().time.toString(format));
    painter.drawText(axis, Qt::AlignRight, m_points.constLast().time.toString(format));
    if (m_truncated)
        painter.drawText(plot.adjusted(4, 2, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                         tr("(newest part)"));
    // The steps, then a dot per change.
    QPainterPath path;
    path.moveTo(position(0));
    for (int i = 1; i < m_points.size(); ++i) {
        const QPointF here = position(i);
        path.lineTo(QPointF(here.x(), path.currentPosition().y()));
        path.lineTo(here);
    }
    path.lineTo(QPointF(plot.right(), path.currentPosition().y()));
    painter.setPen(QPen(Colours::running(), 1.5));
    painter.drawPath(path);
    for (int i = 0; i < m_points.size(); ++i) {
        const bool selected = m_points.at(i).selected;
        painter.setBrush(selected ? Colours::caution() : Colours::running());
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(position(i), selected ? 5.0 : 2.5, selected ? 5.0 : 2.5);
    }
}

bool HistoryChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && !m_points.isEmpty()) {
        auto *help = static_cast<QHelpEvent *>(event);
        int nearest = -1;
        double best = 12;
        for (int i = 0; i < m_points.size(); ++i) {
            const double distance = std::abs(position(i).x() - help->pos().x());
            if (distance < best) {
                best = distance;
                nearest = i;
            }
        }
        if (nearest >= 0)
            QToolTip::showText(help->globalPos(), m_points.at(nearest).text, this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}
