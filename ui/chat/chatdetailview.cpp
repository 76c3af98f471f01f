#include "chat/chatdetailview.h"

#include "repositories/chatmarkdown.h"
#include "shell/colours.h"

#include <QTextBlock>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTimer>

namespace {

constexpr auto Dialect = QTextDocument::MarkdownDialectGitHub;

} // namespace

ChatDetailView::ChatDetailView(QWidget *parent)
    : QTextBrowser(parent)
    , m_next(new QTimer(this))
{
    setOpenExternalLinks(true);
    setReadOnly(true);
    document()->setDocumentMargin(10);
    m_next->setSingleShot(true);
    m_next->setInterval(0);
    connect(m_next, &QTimer::timeout, this, &ChatDetailView::renderNext);
}

QStringList ChatDetailView::chunks(const QString &markdown)
{
    QStringList parts;
    qsizetype start = 0;
    qsizetype lineStart = 0;
    bool inFence = false;
    const qsizetype size = markdown.size();
    while (lineStart < size) {
        qsizetype lineEnd = markdown.indexOf(QLatin1Char('\n'), lineStart);
        if (lineEnd < 0)
            lineEnd = size;
        const QStringView line = QStringView(markdown).mid(lineStart, lineEnd - lineStart);
        const QStringView trimmed = line.trimmed();
        if (trimmed.startsWith(QLatin1String("```")) || trimmed.startsWith(QLatin1String("~~~")))
            inFence = !inFence;
        // A blank line outside a fence ends a block: a part may end here.
        if (!inFence && trimmed.isEmpty() && lineEnd - start >= ChunkChars) {
            parts.append(markdown.mid(start, lineEnd - start));
            start = lineEnd + 1;
        }
        lineStart = lineEnd + 1;
    }
    if (start < size)
        parts.append(markdown.mid(start));
    return parts;
}

void ChatDetailView::showExchange(const ChatMessage &message, const QString &term)
{
    m_next->stop();
    setExtraSelections({});
    m_term = term;
    m_pending = chunks(ChatMarkdown::exchange(message));
    // Parsed into a document of its own and then set: parsing into the shown document would
    // lay it out block by block as each is added, several times slower.
    auto *document = new QTextDocument(this);
    document->setDocumentMargin(10);
    document->setDefaultFont(font());
    document->setMarkdown(m_pending.isEmpty() ? QString() : m_pending.takeFirst(), Dialect);
    // The first document is the editor's own (it deletes it); the later ones are this view's.
    QTextDocument *previous = this->document();
    const bool ours = previous && previous->parent() == this;
    setDocument(document);
    if (ours)
        previous->deleteLater();
    moveCursor(QTextCursor::Start);
    if (m_pending.isEmpty()) {
        mark(m_term);
        Q_EMIT rendered();
    } else {
        m_next->start();
    }
}

void ChatDetailView::renderNext()
{
    if (m_pending.isEmpty())
        return;
    QTextDocument part;
    part.setMarkdown(m_pending.takeFirst(), Dialect);
    // One insertion: the layout follows once, for this part only.
    QTextCursor end(document());
    end.movePosition(QTextCursor::End);
    end.insertBlock(QTextBlockFormat(), QTextCharFormat());
    end.insertFragment(QTextDocumentFragment(&part));
    if (!m_pending.isEmpty()) {
        m_next->start();
        return;
    }
    mark(m_term);
    Q_EMIT rendered();
}

void ChatDetailView::showNothing(const QString &text)
{
    m_next->stop();
    m_pending.clear();
    setExtraSelections({});
    setPlainText(text);
}

void ChatDetailView::mark(const QString &term)
{
    if (term.isEmpty())
        return;
    const Colours::Set tone = Colours::of(Colours::Tone::Warning);
    QTextCharFormat format;
    format.setBackground(tone.background.darker(108));
    format.setForeground(tone.text);
    QList<ExtraSelection> marks;
    QTextCursor found = document()->find(term);
    while (!found.isNull() && marks.size() < MaxMarks) {
        marks.append({found, format});
        found = document()->find(term, found);
    }
    setExtraSelections(marks);
    if (!marks.isEmpty()) {
        // The first occurrence in view, without selecting it.
        QTextCursor first = marks.constFirst().cursor;
        first.clearSelection();
        setTextCursor(first);
        ensureCursorVisible();
    }
}
