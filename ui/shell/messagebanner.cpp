#include "messagebanner.h"

MessageBanner::MessageBanner(QWidget *parent)
    : QLabel(parent)
{
    setWordWrap(true); // plain or rich text as QLabel tells them apart (an error may hold "<")
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setStyleSheet(styleSheet(m_tone));
    hide();
}

void MessageBanner::showMessage(Tone tone, const QString &html)
{
    if (tone != m_tone) {
        m_tone = tone;
        setStyleSheet(styleSheet(tone));
    }
    setText(html);
    setVisible(!html.isEmpty());
}

void MessageBanner::clearMessage()
{
    clear();
    hide();
}

QString MessageBanner::styleSheet(Tone tone, const QString &selector)
{
    const Colours::Set set = Colours::of(tone);
    return QStringLiteral("%1 { background: %2; color: %3; border: 1px solid %4;"
                          " border-left: 4px solid %4; border-radius: 2px; padding: 6px 8px; }")
        .arg(selector, Colours::css(set.background), Colours::css(set.text),
             Colours::css(set.border));
}
