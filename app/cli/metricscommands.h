#pragma once

#include "cli/clisupport.h"

#include <QStringList>

// The commands over the metrics, one file each: metricscommand.cpp (a metric's buckets) and
// impactcommand.cpp (what a change did to the agent's metrics).
namespace Cli {

Command metricsCommand();
int runMetrics(const QStringList &arguments);

Command impactCommand();
int runImpact(const QStringList &arguments);

// A number as a table cell or CSV field: `blank` for NaN and ±Infinity, else up to 6
// significant digits (CSV: 17, so that it reads back exactly).
QString metricNumber(double value, const QString &blank = QStringLiteral("-"), int digits = 6);

} // namespace Cli
