#include "runprogressview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTimer>

#include <algorithm>

RunProgressView::RunProgressView(QWidget *parent)
    : QWidget(parent)
    , m_bar(new QProgressBar(this))
    , m_elapsed(new QLabel(this))
    , m_roundTrips(new QLabel(this))
    , m_ticker(new QTimer(this))
{
    m_bar->setObjectName(QStringLiteral("progressBar"));
    m_bar->setMinimumWidth(160);
    m_elapsed->setObjectName(QStringLiteral("elapsedLabel"));
    m_elapsed->setMinimumWidth(m_elapsed->fontMetrics().horizontalAdvance(
        tr("Elapsed %1 s").arg(QStringLiteral("000.0"))));
    m_roundTrips->setObjectName(QStringLiteral("roundTripsLabel"));
    m_roundTrips->setToolTip(tr("Requests sent to the server and waited on by the last "
                                "operation: what costs time over a slow network"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar, 1);
    layout->addWidget(m_elapsed);
    layout->addWidget(m_roundTrips);
    m_ticker->setInterval(100);
    connect(m_ticker, &QTimer::timeout, this, &RunProgressView::tick);
    reset();
}

void RunProgressView::start(int totalSteps)
{
    if (totalSteps < 0) {
        m_bar->setRange(0, 0); // busy, nothing to count
    } else {
        m_bar->setRange(0, std::max(1, totalSteps));
        m_bar->setValue(0);
        m_bar->setFormat(tr("%v / %m steps"));
    }
    m_roundTrips->setText(tr("Round trips: …"));
    m_clock.start();
    m_ticker->start();
    tick();
}

void RunProgressView::setFinishedSteps(int finished)
{
    if (m_bar->maximum() > 0)
        m_bar->setValue(std::min(finished, m_bar->maximum()));
}

void RunProgressView::finish(int roundTrips, int finishedSteps, int totalSteps)
{
    tick();
    m_ticker->stop();
    m_clock.invalidate();
    setRoundTrips(roundTrips);
    if (totalSteps >= 0) {
        m_bar->setRange(0, std::max(1, totalSteps));
        m_bar->setFormat(tr("%v / %m steps"));
        m_bar->setValue(std::max(0, finishedSteps));
    } else if (m_bar->maximum() == 0) {
        m_bar->setRange(0, 1);
        m_bar->setValue(1);
        m_bar->setFormat(tr("Done"));
    }
}

void RunProgressView::finishWithNothingToDo(int roundTrips, const QString &text)
{
    finish(roundTrips);
    m_bar->setRange(0, 1);
    m_bar->setValue(1);
    m_bar->setFormat(text);
}

void RunProgressView::setRoundTrips(int roundTrips)
{
    m_roundTrips->setText(tr("Round trips: %1").arg(roundTrips));
}

bool RunProgressView::hasRoundTrips() const
{
    return !m_roundTrips->text().isEmpty();
}

void RunProgressView::reset()
{
    m_ticker->stop();
    m_clock.invalidate();
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setFormat(tr("No run yet"));
    m_elapsed->clear();
    m_roundTrips->clear();
}

void RunProgressView::tick()
{
    if (m_clock.isValid())
        m_elapsed->setText(
            tr("Elapsed %1 s").arg(QLocale().toString(m_clock.elapsed() / 1000.0, 'f', 1)));
}
