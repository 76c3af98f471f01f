#pragma once

#include "migrations/migrationengine.h"

#include <QElapsedTimer>
#include <QWidget>

class LockHolderModel;
class QLabel;
class QTableView;
class QTimer;

// While a step waits for a lock: which step, for how long, who holds the lock (refreshed with
// every observation, about once a second) and when the lock timeout gives up, counting down
// between observations.
class LockWaitView : public QWidget
{
    Q_OBJECT

public:
    explicit LockWaitView(QWidget *parent = nullptr);

    void showWait(const LockWait &wait);
    void clear();
    bool isWaiting() const { return m_waiting; }
    LockHolderModel *model() const { return m_model; }

private:
    void tick(); // the countdown, every 100 ms while waiting

    LockHolderModel *m_model = nullptr;
    QLabel *m_label = nullptr;
    QTableView *m_table = nullptr;
    LockWait m_wait;
    QTimer *m_ticker = nullptr;
    QElapsedTimer m_observed; // since m_wait arrived
    bool m_waiting = false;
};
