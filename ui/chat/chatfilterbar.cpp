#include "chat/chatfilterbar.h"

#include <QAction>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>

ChatFilterBar::ChatFilterBar(QAction *find, QAction *exportAction, QWidget *parent)
    : QWidget(parent)
    , m_debounce(new QTimer(this))
{
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &ChatFilterBar::changed);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("chatSearch"));
    m_search->setPlaceholderText(tr("Search every agent's messages and responses (%1)")
                                     .arg(find->shortcut().toString(QKeySequence::NativeText)));
    m_user = new QLineEdit(this);
    m_user->setObjectName(QStringLiteral("chatUser"));
    m_user->setPlaceholderText(tr("User id"));
    m_user->setValidator(new QIntValidator(m_user));
    m_user->setMaximumWidth(110);
    m_from = new QLineEdit(this);
    m_from->setObjectName(QStringLiteral("chatFrom"));
    m_from->setPlaceholderText(tr("From YYYY-MM-DD"));
    m_from->setToolTip(tr("Exchanges at or after this time: YYYY-MM-DD [HH:MM[:SS]], UTC"));
    m_to = new QLineEdit(this);
    m_to->setObjectName(QStringLiteral("chatTo"));
    m_to->setPlaceholderText(tr("To YYYY-MM-DD"));
    m_to->setToolTip(tr("Exchanges before this time (a date: up to its end): "
                        "YYYY-MM-DD [HH:MM[:SS]], UTC"));
    for (QLineEdit *edit : {m_search, m_user, m_from, m_to}) {
        edit->setClearButtonEnabled(true);
        connect(edit, &QLineEdit::textChanged, this, &ChatFilterBar::edited);
        connect(edit, &QLineEdit::returnPressed, this, [this] {
            if (m_debounce->isActive()) {
                m_debounce->stop();
                Q_EMIT changed();
            }
        });
    }
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName(QStringLiteral("chatExport"));
    exportButton->setToolTip(exportAction->toolTip());
    connect(exportButton, &QPushButton::clicked, exportAction, &QAction::trigger);
    connect(exportAction, &QAction::enabledChanged, exportButton, &QPushButton::setEnabled);
    exportButton->setEnabled(exportAction->isEnabled());
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("chatCount"));
    layout->addWidget(m_search, 3);
    layout->addWidget(m_user);
    layout->addWidget(m_from, 1);
    layout->addWidget(m_to, 1);
    layout->addWidget(exportButton);
    layout->addSpacing(8);
    layout->addWidget(m_count);
    setTabOrder(m_search, m_user);
    setTabOrder(m_user, m_from);
    setTabOrder(m_from, m_to);
}

ChatFilter ChatFilterBar::filter(const QString &agent) const
{
    ChatFilter filter;
    filter.text = m_search->text();
    if (filter.text.isEmpty())
        filter.algorithmId = agent;
    bool ok = false;
    const int user = m_user->text().toInt(&ok);
    if (ok)
        filter.userId = user;
    if (const auto from = parseTime(m_from->text(), false, &ok))
        filter.from = *from;
    if (const auto to = parseTime(m_to->text(), true, &ok))
        filter.to = *to;
    return filter;
}

void ChatFilterBar::clearSearch()
{
    const QSignalBlocker blocker(m_search);
    m_search->clear();
}

void ChatFilterBar::setCount(const QString &text)
{
    m_count->setText(text);
}

void ChatFilterBar::stopDebounce()
{
    m_debounce->stop();
}

void ChatFilterBar::edited()
{
    bool fromOk = false;
    bool toOk = false;
    parseTime(m_from->text(), false, &fromOk);
    parseTime(m_to->text(), true, &toOk);
    // A time half typed changes nothing until it reads as one.
    if (!fromOk || !toOk) {
        m_debounce->stop();
        Q_EMIT timeInvalid(true);
        return;
    }
    Q_EMIT timeInvalid(false);
    m_debounce->start();
}

std::optional<QDateTime> ChatFilterBar::parseTime(const QString &text, bool end, bool *ok)
{
    *ok = true;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    // Only a date alone (Qt reads the date of "2030-01-01 02:00" and ignores the rest).
    const QDate date = t.size() == 10 ? QDate::fromString(t, Qt::ISODate) : QDate();
    if (date.isValid())
        return QDateTime(end ? date.addDays(1) : date, QTime(0, 0), Qt::UTC);
    for (const QString &format :
         {QStringLiteral("yyyy-MM-dd HH:mm"), QStringLiteral("yyyy-MM-dd HH:mm:ss")}) {
        QDateTime time = QDateTime::fromString(t, format);
        if (time.isValid()) {
            time.setTimeSpec(Qt::UTC);
            return time;
        }
    }
    const QDateTime iso = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (iso.isValid())
        return iso.timeSpec() == Qt::LocalTime ? QDateTime(iso.date(), iso.time(), Qt::UTC)
                                               : iso.toUTC();
    *ok = false;
    return std::nullopt;
}
