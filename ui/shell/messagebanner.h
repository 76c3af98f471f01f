#pragma once

#include "colours.h"

#include <QLabel>

// The one message banner of every panel and dialog (KDE's KMessageWidget is the model): a
// line of rich text in the colours of its tone — information, positive, warning or error — with
// a bar on its leading edge, word-wrapped and selectable, hidden while there is no message.
// A QLabel, so that what it says is read like any label's (and set with setText() as well).
class MessageBanner : public QLabel
{
    Q_OBJECT

public:
    using Tone = Colours::Tone;

    explicit MessageBanner(QWidget *parent = nullptr);

    void showMessage(Tone tone, const QString &html);
    void clearMessage(); // and hide
    Tone tone() const { return m_tone; }

    // The style sheet of a banner of `tone`, for a widget matched by `selector`.
    static QString styleSheet(Tone tone, const QString &selector = QStringLiteral("QLabel"));

private:
    Tone m_tone = Tone::Information;
};
