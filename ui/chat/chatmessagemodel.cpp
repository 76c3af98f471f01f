#include "chat/chatmessagemodel.h"

#include "repositories/chatmarkdown.h"
#include "shell/colours.h"

void ChatMessageModel::reset(const ChatFilter &filter)
{
    beginResetModel();
    m_filter = filter;
    m_messages.clear();
    m_next.reset();
    m_loading = true; // the caller requests the first page now
    m_complete = false;
    endResetModel();
}

void ChatMessageModel::appendPage(const ChatPage &page)
{
    m_loading = false;
    m_next = page.next;
    m_complete = !page.next;
    if (page.messages.isEmpty())
        return;
    const int first = int(m_messages.size());
    beginInsertRows({}, first, first + int(page.messages.size()) - 1);
    m_messages.append(page.messages);
    endInsertRows();
}

void ChatMessageModel::pageFailed()
{
    m_loading = false;
}

QString ChatMessageModel::preview(const QString &text)
{
    // Only the start is looked at: a 100 KB message costs no more than a short one.
    QString shown = text.left(PreviewChars + 1);
    for (QChar &c : shown) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    shown = shown.simplified();
    if (text.size() > PreviewChars)
        shown = shown.left(PreviewChars) + QChar(0x2026);
    return shown;
}

int ChatMessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

int ChatMessageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ChatMessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatMessage &m = m_messages.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Time:
            return m.createdAt.isValid()
                       ? m.createdAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : tr("unknown");
        case Agent:
            return m.algorithmId;
        case User:
            return m.userId ? QString::number(*m.userId) : tr("none");
        case Message:
            return m.message.isNull() ? tr("(no message)") : preview(m.message);
        case Response:
            return m.response.isNull() ? tr("(no response)") : preview(m.response);
        default:
            return {};
        }
    }
    if (role == Qt::ForegroundRole) {
        if ((index.column() == User && !m.userId) ||
            (index.column() == Message && m.message.isNull()) ||
            (index.column() == Response && m.response.isNull()) || index.column() == Time)
            return Colours::muted();
    }
    return {};
}

QVariant ChatMessageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time (UTC)");
    case Agent:
        return tr("Agent");
    case User:
        return tr("User");
    case Message:
        return tr("Message");
    case Response:
        return tr("Response");
    default:
        return {};
    }
}

bool ChatMessageModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_complete && !m_loading && m_next.has_value();
}

void ChatMessageModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_loading = true;
    Q_EMIT fetchRequested();
}
