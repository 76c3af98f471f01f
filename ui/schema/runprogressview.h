#pragma once

#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QTimer;

// The progress of the running operation: finished steps of the expected total (or a busy bar
// for operations without steps), the elapsed time updated every 100 ms, and the round trips of
// the last finished operation.
class RunProgressView : public QWidget
{
    Q_OBJECT

public:
    explicit RunProgressView(QWidget *parent = nullptr);

    // `totalSteps` < 0: the operation has no steps to count.
    void start(int totalSteps);
    void setFinishedSteps(int finished);
    // Stops the clock; the elapsed time stays shown. `totalSteps` >= 0 corrects the total.
    void finish(int roundTrips, int finishedSteps = -1, int totalSteps = -1);
    // A run that had nothing to do: the bar full, saying so ("Nothing to migrate: all 9 applied").
    void finishWithNothingToDo(int roundTrips, const QString &text);
    void setRoundTrips(int roundTrips);
    bool hasRoundTrips() const;
    void reset();

private:
    void tick();

    QProgressBar *m_bar = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_roundTrips = nullptr;
    QTimer *m_ticker = nullptr;
    QElapsedTimer m_clock;
};
