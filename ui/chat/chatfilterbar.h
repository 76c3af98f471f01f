#pragma once

#include "repositories/chatrepository.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QTimer;

// The Chat panel's row above the lists: the search across every agent, the user and time
// filters (debounced), the export button and the count of what is shown.
class ChatFilterBar : public QWidget
{
    Q_OBJECT

public:
    ChatFilterBar(QAction *find, QAction *exportAction, QWidget *parent = nullptr);

    // The filter for `agent` (ignored while a search runs across every agent).
    ChatFilter filter(const QString &agent) const;
    QLineEdit *searchEdit() const { return m_search; }
    void clearSearch(); // without a changed()
    void setCount(const QString &text);
    void stopDebounce();

    // A time filter's text as UTC: "YYYY-MM-DD" (with `end`, the next day's start, so that the
    // day is included), "YYYY-MM-DD HH:MM[:SS]" or ISO 8601. Empty text: no bound. *ok false
    // when the text reads as no time.
    static std::optional<QDateTime> parseTime(const QString &text, bool end, bool *ok);

    static constexpr int DebounceMs = 300;

Q_SIGNALS:
    // The filter changed and settled (or Enter was pressed).
    void changed();
    // A time filter does not parse (`invalid`), or no longer fails to.
    void timeInvalid(bool invalid);

private:
    void edited();

    QLineEdit *m_search = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_from = nullptr;
    QLineEdit *m_to = nullptr;
    QLabel *m_count = nullptr;
    QTimer *m_debounce = nullptr;
};
