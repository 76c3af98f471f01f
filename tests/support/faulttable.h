#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

#include <algorithm>

// The rows of README's fault table ("Faults: what was injected and what was lost"), printed by
// the tests that prove them, with the figures measured in the run: `bash
// tests/faults/fault-table.sh` runs the fault suite and writes what they printed into the
// README. A test counts its functions that passed (and what they measured) and prints its row
// in cleanupTestCase only when all of them did, so a failing run prints no row that claims it.
class FaultTable
{
public:
    explicit FaultTable(int functions)
        : m_functions(functions)
    {}

    // At the end of a test function, reached only when all its checks passed.
    void passed(qint64 measuredMs = -1)
    {
        ++m_passed;
        measure(measuredMs);
    }
    // A time measured on the way (negative: none).
    void measure(qint64 ms)
    {
        if (ms >= 0)
            m_ms.append(ms);
    }
    bool allPassed() const { return m_passed == m_functions; }
    qint64 longestMs() const
    {
        return m_ms.isEmpty() ? -1 : *std::max_element(m_ms.cbegin(), m_ms.cend());
    }
    qint64 shortestMs() const
    {
        return m_ms.isEmpty() ? -1 : *std::min_element(m_ms.cbegin(), m_ms.cend());
    }

    // "fault-table | fault | `test` | what happened | lost |", when every function passed.
    void print(const QString &fault, const char *test, const QString &happened,
               const QString &lost = QStringLiteral("nothing")) const
    {
        if (!allPassed())
            return;
        qInfo("fault-table | %s | `%s` | %s | %s |", qPrintable(fault), test, qPrintable(happened),
              qPrintable(lost));
    }

private:
    int m_functions = 0;
    int m_passed = 0;
    QList<qint64> m_ms;
};
