#include "placeholderpanel.h"

#include <QLabel>
#include <QVBoxLayout>

PlaceholderPanel::PlaceholderPanel(QString id, QString title, const QString &description,
                                   QWidget *parent)
    : Panel(parent)
    , m_id(std::move(id))
    , m_title(std::move(title))
{
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(
        QStringLiteral("<h2>%1</h2><p>%2</p>").arg(m_title.toHtmlEscaped(), description), this);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label);
    layout->addStretch();
}

void PlaceholderPanel::setConnection(const ConnectionContext &context)
{
    storeConnection(context);
    refresh();
}

void PlaceholderPanel::refresh()
{
    // Nothing to load: the page is ready as soon as there is a connection.
    if (connection().isValid())
        Q_EMIT loaded();
}
