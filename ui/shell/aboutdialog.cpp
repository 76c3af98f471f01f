#include "aboutdialog.h"

#include "icons.h"
#include "version.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

AboutDialog::AboutDialog(const QString &serverVersion, const QString &profile, const QString &role,
                         QWidget *parent)
    : QDialog(parent)
    , m_details(new QLabel(this))
{
    setWindowTitle(tr("About AlgoAdmin"));
    setObjectName(QStringLiteral("aboutDialog"));

    auto *icon = new QLabel(this);
    icon->setPixmap(Icons::application().pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);

    auto *title = new QLabel(tr("<h2>AlgoAdmin %1</h2>"
                                "<p>Safe, audited tuning of algorithm parameters in PostgreSQL:<br>"
                                "bounds checked by the database, every change reviewed and "
                                "revertible,<br>schema migrations in one round trip.</p>")
                                 .arg(Version::program()),
                             this);
    title->setTextFormat(Qt::RichText);

    QString qt = Version::qtRuntime();
    if (qt != Version::qtBuild())
        qt = tr("%1 (built against %2)").arg(qt, Version::qtBuild());
    const QString server =
        serverVersion.isEmpty()
            ? tr("not connected")
            : tr("PostgreSQL %1 — %2, role %3").arg(serverVersion, profile, role);
    m_details->setObjectName(QStringLiteral("aboutDetails"));
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setText(tr("Qt: %1\nlibpq: %2\nServer: %3").arg(qt, Version::libpq(), server));

    auto *licence = new QLabel(tr("Licensed under the GNU GPL, version 3 or later. Icons: Lucide "
                                  "(ISC licence)."),
                               this);
    licence->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("&Copy details"), QDialogButtonBox::ActionRole);
    copy->setIcon(Icons::action(QStringLiteral("copy")));
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(detailsText()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *text = new QVBoxLayout;
    text->addWidget(title);
    text->addWidget(m_details);
    text->addWidget(licence);
    auto *top = new QHBoxLayout;
    top->addWidget(icon);
    top->addSpacing(12);
    top->addLayout(text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
}

QString AboutDialog::detailsText() const
{
    return QStringLiteral("AlgoAdmin %1\n%2").arg(Version::program(), m_details->text());
}
