#pragma once

#include "migrationengine.h"

#include <QElapsedTimer>
#include <QWidget>

class LockHolderModel;
class QLabel;
class QTableView;

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
    // Updates the countdown; call it from a timer while waiting.
    void tick();
    LockHolderModel *model() const { return m_model; }

private:
    LockHolderModel *m_model = nullptr;
    QLabel *m_label = nullptr;
    QTableView *m_table = nullptr;
    LockWait m_wait;
    QElapsedTimer m_observed; // since m_wait arrived
    bool m_waiting = false;
};
