#include "icons.h"

#include <QBuffer>
#include <QFile>
#include <QGuiApplication>
#include <QIconEngine>
#include <QImageReader>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QPixmapCache>

// Outside any namespace, as Q_INIT_RESOURCE requires. The resources live in the static ui
// library, whose unreferenced objects the linker would otherwise drop.
static void initResources()
{
    static const bool done = [] {
        Q_INIT_RESOURCE(algoadmin);
        return true;
    }();
    Q_UNUSED(done);
}

namespace Icons {

namespace {

// The colour the action icons are drawn in (resources/icons/actions: Lucide, recoloured).
constexpr char InkColour[] = "#44546a";

// Draws a one-colour SVG icon in the colour its place needs: the ink on a light window, light
// ink on a dark one, white on the highlight of a selected row, faded when disabled. Qt's own
// SVG icon engine keeps a single added pixmap per mode, so it cannot do this at every size.
class InkIconEngine : public QIconEngine
{
public:
    explicit InkIconEngine(QByteArray svg)
        : m_svg(std::move(svg))
    {}

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        Q_UNUSED(state);
        const QByteArray colour = inkFor(mode);
        const QString key = QStringLiteral("algoadmin-ink:%1:%2x%3:%4")
                                .arg(quintptr(m_svg.constData()))
                                .arg(size.width())
                                .arg(size.height())
                                .arg(QString::fromLatin1(colour));
        QPixmap cached;
        if (QPixmapCache::find(key, &cached))
            return cached;
        QByteArray svg = m_svg;
        svg.replace(InkColour, colour);
        QBuffer buffer(&svg);
        QImageReader reader(&buffer, "svg");
        reader.setScaledSize(size);
        const QPixmap drawn = QPixmap::fromImage(reader.read());
        QPixmapCache::insert(key, drawn);
        return drawn;
    }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override
    {
        const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        QPixmap drawn = pixmap(rect.size() * ratio, mode, state);
        drawn.setDevicePixelRatio(ratio);
        painter->drawPixmap(rect.topLeft(), drawn);
    }

    QIconEngine *clone() const override { return new InkIconEngine(m_svg); }

    QString key() const override { return QStringLiteral("algoadmin-ink"); }

private:
    static QByteArray inkFor(QIcon::Mode mode)
    {
        const bool darkWindow =
            QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
        switch (mode) {
        case QIcon::Selected:
            return QByteArrayLiteral("#ffffff");
        case QIcon::Disabled:
            return darkWindow ? QByteArrayLiteral("#5f6b7a") : QByteArrayLiteral("#a9b2bd");
        default:
            return darkWindow ? QByteArrayLiteral("#d5dce4") : QByteArray(InkColour);
        }
    }

    QByteArray m_svg;
};

} // namespace

QIcon application()
{
    initResources();
    static const QIcon icon = [] {
        QIcon i(QStringLiteral(":/icons/algoadmin.svg"));
        for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
            i.addFile(QStringLiteral(":/icons/algoadmin-%1.png").arg(size), QSize(size, size));
        return i;
    }();
    return icon;
}

QIcon action(const QString &name)
{
    initResources();
    QFile file(QStringLiteral(":/icons/actions/%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QIcon(new InkIconEngine(file.readAll()));
}

} // namespace Icons
