#pragma once

class Panel;
class QWidget;

// With ALGOADMIN_STARTUP_TRACE=1 in the environment, prints to stderr
//   startup first-paint <ms>
//   startup panel-loaded <ms>
// where <ms> is CLOCK_MONOTONIC in milliseconds (QElapsedTimer::msecsSinceReference), the
// same clock a benchmark that started the process reads: the first time `window` has been
// painted, and the first time `panel` has loaded its data. Does nothing otherwise.
void traceStartup(QWidget *window, Panel *panel);
