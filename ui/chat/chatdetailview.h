#pragma once

#include "repositories/chatrepository.h"

#include <QStringList>
#include <QTextBrowser>

class QTimer;

// The selected exchange in full: the user's message quoted, the algorithm's response rendered
// as Markdown (QTextDocument's own), the search term's occurrences marked. Only this one
// exchange is ever rendered. A long one (100 KB) is rendered a few kilobytes per turn of the
// event loop: Qt's Markdown parser takes about 10 ms a kilobyte, so the first screenful shows
// at once and the GUI thread is never held for long.
class ChatDetailView : public QTextBrowser
{
    Q_OBJECT

public:
    explicit ChatDetailView(QWidget *parent = nullptr);

    // Renders `message`, marking `term` (case-insensitive) when not empty, once all is shown.
    void showExchange(const ChatMessage &message, const QString &term);
    // Shows `text` (a hint: nothing selected, nothing found) instead of an exchange.
    void showNothing(const QString &text);
    // Whether parts of the exchange are still to be rendered.
    bool isRendering() const { return !m_pending.isEmpty(); }
    // How many occurrences of the term are marked.
    int markedCount() const { return int(extraSelections().size()); }

    // At most this many occurrences are marked (a term of one letter in 100 KB).
    static constexpr int MaxMarks = 2000;
    // A Markdown text cut into parts of about this many characters, at blank lines outside code
    // fences (so that no block is cut in two).
    static constexpr int ChunkChars = 4096;
    static QStringList chunks(const QString &markdown);

Q_SIGNALS:
    void rendered(); // the whole exchange is shown

private:
    void renderNext();
    void mark(const QString &term);

    QStringList m_pending; // the parts still to render, in order
    QString m_term;
    QTimer *m_next = nullptr;
};
