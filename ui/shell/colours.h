#pragma once

#include <QColor>
#include <QString>

#include <algorithm>

// The one colour set of the window: message banners, badges, state colours in tables and the
// accents of rich text. Light backgrounds with dark text, readable on the Fusion palette.
namespace Colours {

enum class Tone
{
    Information,
    Positive,
    Warning,
    Error
};

struct Set
{
    QColor text;
    QColor background;
    QColor border;
};

inline Set of(Tone tone)
{
    switch (tone) {
    case Tone::Positive:
        return {QColor(0x1b, 0x5e, 0x20), QColor(0xe8, 0xf5, 0xe9), QColor(0x81, 0xc7, 0x84)};
    case Tone::Warning:
        return {QColor(0x5c, 0x44, 0x00), QColor(0xff, 0xf4, 0xce), QColor(0xe0, 0xb0, 0x00)};
    case Tone::Error:
        return {QColor(0x7a, 0x00, 0x12), QColor(0xfd, 0xec, 0xee), QColor(0xc6, 0x28, 0x28)};
    case Tone::Information:
        break;
    }
    return {QColor(0x1d, 0x3b, 0x5c), QColor(0xee, 0xf4, 0xfb), QColor(0x3d, 0x7c, 0xc9)};
}

// Accents for a word or a cell's text.
inline QColor failure()
{
    return QColor(0xc6, 0x28, 0x28);
}
inline QColor success()
{
    return QColor(0x2e, 0x7d, 0x32);
}
inline QColor caution()
{
    return QColor(0xb2, 0x6a, 0x00);
}
inline QColor muted()
{
    return QColor(0x6b, 0x6b, 0x6b);
}

// `color` as "#rrggbb" for a style sheet or rich text.
inline QString css(const QColor &color)
{
    return color.name();
}

// A step that runs now (the Schema panel's step list).
inline QColor running()
{
    return QColor(0x15, 0x65, 0xc0);
}
// Present, but not as expected (verify's "differs"; missing is failure(), unexpected caution()).
inline QColor changed()
{
    return QColor(0x6a, 0x1b, 0x9a);
}
// Bar charts: the plain bars, the bars singled out (e.g. the slowest steps) and the bars of the
// run compared with.
inline QColor chartSeries()
{
    return QColor(0x42, 0x7d, 0xc4);
}
inline QColor chartHighlight()
{
    return QColor(0xd3, 0x2f, 0x2f);
}
inline QColor chartPrevious()
{
    return QColor(0xc5, 0xce, 0xd6);
}
// Neutral surfaces, without a tone: a bar or a table header set apart from the window, and the
// line around it or between rows.
inline QColor neutralBackground()
{
    return QColor(0xf4, 0xf6, 0xf8);
}
inline QColor neutralBorder()
{
    return QColor(0xd9, 0xdd, 0xe3);
}
// The frame of the view the keys go to.
inline QColor focusRing()
{
    return QColor(0x2f, 0x74, 0xc0);
}
// A production connection: the strip across the window (white text on it) and the status
// bar's tint.
inline QColor production()
{
    return QColor(0xb7, 0x1c, 0x1c);
}
inline QColor productionTint()
{
    return QColor(0xff, 0xcd, 0xd2);
}
// The status bar's READ-ONLY badge (white text on it).
inline QColor readOnlyBadge()
{
    return QColor(0x6d, 0x4c, 0x41);
}

// Distinct, readable colours for series or people (the timeline's "who changed most"); `key`
// always gets the same one. Twelve hues, then each again darker, lighter and shifted: 48 keys in
// a row get distinct colours (the Metrics panel overlays up to 36 agents).
inline QColor series(uint key)
{
    static const QColor hues[] = {
        QColor(0x3d, 0x7c, 0xc9), QColor(0x2e, 0x7d, 0x32), QColor(0xb2, 0x6a, 0x00),
        QColor(0x8e, 0x24, 0xaa), QColor(0x00, 0x83, 0x8f), QColor(0xc6, 0x28, 0x28),
        QColor(0xad, 0x14, 0x57), QColor(0x28, 0x35, 0x93), QColor(0x82, 0x77, 0x17),
        QColor(0x02, 0x77, 0xbd), QColor(0xd8, 0x43, 0x15), QColor(0x54, 0x6e, 0x7a)};
    constexpr uint count = sizeof(hues) / sizeof(hues[0]);
    const QColor &base = hues[key % count];
    const uint tier = (key / count) % 4;
    if (tier == 0)
        return base;
    static constexpr int hueShift[] = {0, 12, -12, 24}; // degrees
    static constexpr int lighter[] = {0, -35, 45, 20};  // HSL lightness, of 255
    int h = 0, s = 0, l = 0;
    base.getHsl(&h, &s, &l);
    return QColor::fromHsl((h + hueShift[tier] + 360) % 360, s,
                           std::clamp(l + lighter[tier], 35, 200));
}

} // namespace Colours
