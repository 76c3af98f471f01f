#pragma once

#include "repositories/chatrepository.h"

#include <QAbstractTableModel>

// The exchanges of the Chat panel's filter, newest first, fetched on demand: fetchMore() asks
// for the next keyset page (fetchRequested) and appendPage() adds it when it arrives. Cells
// show a one-line preview; message() holds the whole exchange.
class ChatMessageModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Time,
        Agent,
        User,
        Message,
        Response,
        ColumnCount
    };
    // The preview of a long text stops after this many characters.
    static constexpr int PreviewChars = 240;

    using QAbstractTableModel::QAbstractTableModel;

    // Empties the model for `filter`; the first page is the caller's to request.
    void reset(const ChatFilter &filter);
    const ChatFilter &filter() const { return m_filter; }
    // Adds the page that answered the last request (fetchRequested or the first one).
    void appendPage(const ChatPage &page);
    // The page asked for failed: fetching may be tried again.
    void pageFailed();
    const std::optional<ChatCursor> &nextCursor() const { return m_next; }
    bool isLoading() const { return m_loading; }
    void setLoading(bool loading) { m_loading = loading; }
    bool isComplete() const { return m_complete; }
    const ChatMessage &message(int row) const { return m_messages.at(row); }

    // `text` on one line, cut after PreviewChars.
    static QString preview(const QString &text);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    // The view wants the page after nextCursor().
    void fetchRequested();

private:
    ChatFilter m_filter;
    QList<ChatMessage> m_messages;
    std::optional<ChatCursor> m_next;
    bool m_loading = false;
    bool m_complete = true; // nothing to fetch until reset()
};
