#include "changelog/changelogfilterbar.h"

#include "shell/colours.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTimer>
#include <QToolButton>

namespace {

constexpr int DebounceMs = 300;

enum Range
{
    AnyTime,
    LastHour,
    LastDay,
    LastWeek,
    LastMonth,
    Custom
};

// The presets' length in seconds (AnyTime and Custom have none).
qint64 rangeSeconds(int range)
{
    switch (range) {
    case LastHour:
        return 3600;
    case LastDay:
        return 24 * 3600;
    case LastWeek:
        return 7 * 24 * 3600;
    case LastMonth:
        return 30 * 24 * 3600;
    default:
        return 0;
    }
}

// Now as the tables store it: the wall-clock time in a UTC-spec QDateTime (sqltimestamp.h).
// The server writes its own wall clock; a client in another time zone sees presets shifted.
QDateTime wallClockNow()
{
    const QDateTime local = QDateTime::currentDateTime();
    return QDateTime(local.date(), local.time(), Qt::UTC);
}

std::optional<QString> nonEmpty(const QString &text)
{
    const QString trimmed = text.trimmed();
    return trimmed.isEmpty() ? std::nullopt : std::optional(trimmed);
}

QComboBox *choiceBox(const QString &any, const QString &name)
{
    auto *box = new QComboBox;
    box->setObjectName(name);
    box->setEditable(true);
    box->setInsertPolicy(QComboBox::NoInsert);
    box->lineEdit()->setPlaceholderText(any);
    box->setMinimumContentsLength(8);
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    return box;
}

} // namespace

ChangelogFilterBar::ChangelogFilterBar(QWidget *parent)
    : QWidget(parent)
    , m_agent(choiceBox(tr("any agent"), QStringLiteral("agentFilter")))
    , m_parameter(choiceBox(tr("any parameter"), QStringLiteral("parameterFilter")))
    , m_user(new QLineEdit)
    , m_role(choiceBox(tr("any role"), QStringLiteral("roleFilter")))
    , m_source(choiceBox(tr("any source"), QStringLiteral("sourceFilter")))
    , m_range(new QComboBox)
    , m_from(new QDateTimeEdit)
    , m_to(new QDateTimeEdit)
    , m_reason(new QLineEdit)
    , m_changeSet(new QLineEdit)
    , m_chips(new QWidget)
    , m_chipLayout(new QHBoxLayout(m_chips))
    , m_debounce(new QTimer(this))
{
    m_user->setObjectName(QStringLiteral("userFilter"));
    m_user->setPlaceholderText(tr("any user"));
    m_user->setValidator(new QIntValidator(m_user));
    m_user->setMaximumWidth(90);
    m_range->setObjectName(QStringLiteral("rangeFilter"));
    m_range->addItems({tr("Any time"), tr("Last hour"), tr("Last 24 hours"), tr("Last 7 days"),
                       tr("Last 30 days"), tr("Custom range")});
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setTimeSpec(Qt::UTC);
        edit->setDateTime(wallClockNow());
    }
    m_from->setObjectName(QStringLiteral("fromFilter"));
    m_to->setObjectName(QStringLiteral("toFilter"));
    m_from->setToolTip(tr("From (inclusive)"));
    m_to->setToolTip(tr("Until (exclusive)"));
    m_reason->setObjectName(QStringLiteral("reasonFilter"));
    m_reason->setPlaceholderText(tr("Reason contains… (Ctrl+F)"));
    m_reason->setClearButtonEnabled(true);
    m_changeSet->setObjectName(QStringLiteral("changeSetFilter"));
    m_changeSet->setPlaceholderText(tr("change set"));
    m_changeSet->setClearButtonEnabled(true);
    m_chips->setObjectName(QStringLiteral("filterChips"));
    m_chipLayout->setContentsMargins(0, 0, 0, 0);
    m_chipLayout->setSpacing(4);

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(6);
    // Two rows, so that a narrow window never needs the whole set side by side.
    grid->addWidget(m_reason, 0, 0, 1, 2);
    grid->addWidget(m_agent, 0, 2);
    grid->addWidget(m_parameter, 0, 3);
    grid->addWidget(m_user, 0, 4);
    grid->addWidget(m_changeSet, 1, 0);
    grid->addWidget(m_role, 1, 1);
    grid->addWidget(m_source, 1, 2);
    auto *range = new QHBoxLayout;
    range->addWidget(m_range);
    range->addWidget(m_from);
    range->addWidget(m_to);
    range->addStretch(1);
    grid->addLayout(range, 1, 3, 1, 2);
    grid->addWidget(m_chips, 2, 0, 1, 5);
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(3, 1);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &ChangelogFilterBar::changed);
    for (QLineEdit *edit : {m_user, m_reason, m_changeSet})
        connect(edit, &QLineEdit::textChanged, this, &ChangelogFilterBar::edited);
    for (QComboBox *box : {m_parameter, m_role, m_source})
        connect(box, &QComboBox::currentTextChanged, this, &ChangelogFilterBar::edited);
    connect(m_agent, &QComboBox::currentTextChanged, this, [this] {
        if (!m_setting)
            Q_EMIT agentChanged(agent());
        edited();
    });
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        updateTimeBoxes();
        edited();
    });
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &ChangelogFilterBar::edited);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &ChangelogFilterBar::edited);
    updateTimeBoxes();
    updateChips();
}

QString ChangelogFilterBar::agent() const
{
    return m_agent->currentText().trimmed();
}

ChangelogFilter ChangelogFilterBar::filter() const
{
    ChangelogFilter f;
    f.algorithmId = nonEmpty(m_agent->currentText());
    f.parameterName = nonEmpty(m_parameter->currentText());
    bool ok = false;
    const int user = m_user->text().trimmed().toInt(&ok);
    if (ok)
        f.userId = user;
    f.dbRole = nonEmpty(m_role->currentText());
    f.source = nonEmpty(m_source->currentText());
    f.reasonText = nonEmpty(m_reason->text());
    f.changeSet = nonEmpty(m_changeSet->text());
    const int range = m_range->currentIndex();
    if (range == Custom) {
        f.from = m_from->dateTime();
        f.to = m_to->dateTime();
    } else if (const qint64 seconds = rangeSeconds(range)) {
        f.from = wallClockNow().addSecs(-seconds);
    }
    return f;
}

void ChangelogFilterBar::setComboText(QComboBox *box, const QString &text)
{
    const int index = box->findText(text);
    if (index >= 0)
        box->setCurrentIndex(index);
    else
        box->setEditText(text);
}

void ChangelogFilterBar::setFilter(const ChangelogFilter &f)
{
    m_setting = true;
    setComboText(m_agent, f.algorithmId.value_or(QString()));
    setComboText(m_parameter, f.parameterName.value_or(QString()));
    m_user->setText(f.userId ? QString::number(*f.userId) : QString());
    setComboText(m_role, f.dbRole.value_or(QString()));
    setComboText(m_source, f.source.value_or(QString()));
    m_reason->setText(f.reasonText.value_or(QString()));
    m_changeSet->setText(f.changeSet.value_or(QString()));
    if (f.from.isValid() || f.to.isValid()) {
        m_range->setCurrentIndex(Custom);
        m_from->setDateTime(f.from.isValid() ? f.from
                                             : QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC));
        m_to->setDateTime(f.to.isValid() ? f.to : wallClockNow().addDays(1));
    } else {
        m_range->setCurrentIndex(AnyTime);
    }
    m_setting = false;
    updateTimeBoxes();
    Q_EMIT agentChanged(agent());
    updateChips();
    m_debounce->stop();
    Q_EMIT changed();
}

void ChangelogFilterBar::setTimeRange(const QDateTime &from, const QDateTime &to)
{
    m_setting = true;
    m_range->setCurrentIndex(Custom);
    m_from->setDateTime(from);
    m_to->setDateTime(to);
    m_setting = false;
    updateTimeBoxes();
    updateChips();
    m_debounce->stop();
    Q_EMIT changed();
}

void ChangelogFilterBar::clearAll()
{
    setFilter({});
}

void ChangelogFilterBar::setFacets(const ChangelogFacets &facets)
{
    m_setting = true;
    const auto fill = [](QComboBox *box, const QStringList &items) {
        const QString text = box->currentText();
        box->clear();
        box->addItem(QString());
        box->addItems(items);
        setComboText(box, text);
    };
    fill(m_agent, facets.agents);
    fill(m_role, facets.roles);
    fill(m_source, facets.sources);
    m_setting = false;
}

void ChangelogFilterBar::setParameterNames(const QString &algorithmId, const QStringList &names)
{
    if (algorithmId != agent())
        return; // the agent changed again meanwhile
    m_setting = true;
    const QString text = m_parameter->currentText();
    m_parameter->clear();
    m_parameter->addItem(QString());
    m_parameter->addItems(names);
    setComboText(m_parameter, text);
    m_setting = false;
}

void ChangelogFilterBar::edited()
{
    if (m_setting)
        return;
    updateChips();
    m_debounce->start();
}

void ChangelogFilterBar::stopDebounce()
{
    m_debounce->stop();
}

void ChangelogFilterBar::updateTimeBoxes()
{
    const bool custom = m_range->currentIndex() == Custom;
    m_from->setVisible(custom);
    m_to->setVisible(custom);
}

void ChangelogFilterBar::addChip(const QString &text, const std::function<void()> &remove)
{
    auto *chip = new QToolButton(m_chips);
    chip->setText(text + QStringLiteral("  ✕"));
    chip->setToolTip(tr("Remove this filter"));
    chip->setAutoRaise(false);
    const Colours::Set colours = Colours::of(Colours::Tone::Information);
    chip->setStyleSheet(
        QStringLiteral("QToolButton { background: %1; color: %2; border: 1px solid %3;"
                       " border-radius: 9px; padding: 1px 8px; }")
            .arg(Colours::css(colours.background), Colours::css(colours.text),
                 Colours::css(colours.border)));
    chip->setProperty("chipText", text);
    connect(chip, &QToolButton::clicked, this, [this, remove] {
        remove();
        // The chip goes with the filter it stood for.
        QTimer::singleShot(0, this, [this] {
            updateChips();
            m_debounce->stop();
            Q_EMIT changed();
        });
    });
    m_chipLayout->addWidget(chip);
}

void ChangelogFilterBar::updateChips()
{
    while (QLayoutItem *item = m_chipLayout->takeAt(0)) {
        if (QWidget *widget = item->widget())
            widget->deleteLater();
        delete item;
    }
    const ChangelogFilter f = filter();
    const auto silently = [this](const std::function<void()> &change) {
        m_setting = true;
        change();
        m_setting = false;
    };
    if (f.algorithmId)
        addChip(tr("Agent: %1").arg(*f.algorithmId), [this, silently] {
            silently([this] { m_agent->setEditText({}); });
            Q_EMIT agentChanged({});
        });
    if (f.parameterName)
        addChip(tr("Parameter: %1").arg(*f.parameterName),
                [this, silently] { silently([this] { m_parameter->setEditText({}); }); });
    if (f.userId)
        addChip(tr("User: %1").arg(*f.userId),
                [this, silently] { silently([this] { m_user->clear(); }); });
    if (f.dbRole)
        addChip(tr("Role: %1").arg(*f.dbRole),
                [this, silently] { silently([this] { m_role->setEditText({}); }); });
    if (f.source)
        addChip(tr("Source: %1").arg(*f.source),
                [this, silently] { silently([this] { m_source->setEditText({}); }); });
    if (f.changeSet)
        addChip(tr("Change set: %1").arg(f.changeSet->left(8)),
                [this, silently] { silently([this] { m_changeSet->clear(); }); });
    if (f.reasonText)
        addChip(tr("Reason: “%1”").arg(*f.reasonText),
                [this, silently] { silently([this] { m_reason->clear(); }); });
    if (m_range->currentIndex() != AnyTime)
        addChip(m_range->currentIndex() == Custom
                    ? tr("Time: %1 – %2")
                          .arg(m_from->dateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                               m_to->dateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
                    : tr("Time: %1").arg(m_range->currentText()),
                [this, silently] { silently([this] { m_range->setCurrentIndex(AnyTime); }); });
    if (m_chipLayout->count() > 1) {
        auto *all = new QToolButton(m_chips);
        all->setText(tr("Clear all"));
        all->setAutoRaise(true);
        connect(all, &QToolButton::clicked, this,
                [this] { QTimer::singleShot(0, this, &ChangelogFilterBar::clearAll); });
        m_chipLayout->addWidget(all);
    }
    m_chipLayout->addStretch(1);
    m_chips->setVisible(m_chipLayout->count() > 1);
}

QStringList ChangelogFilterBar::chipTexts() const
{
    QStringList texts;
    for (int i = 0; i < m_chipLayout->count(); ++i) {
        if (QWidget *widget = m_chipLayout->itemAt(i)->widget()) {
            const QString text = widget->property("chipText").toString();
            if (!text.isEmpty())
                texts.append(text);
        }
    }
    return texts;
}

void ChangelogFilterBar::saveState() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("changelog/filter"));
    settings.setValue(QStringLiteral("agent"), m_agent->currentText());
    settings.setValue(QStringLiteral("parameter"), m_parameter->currentText());
    settings.setValue(QStringLiteral("user"), m_user->text());
    settings.setValue(QStringLiteral("role"), m_role->currentText());
    settings.setValue(QStringLiteral("source"), m_source->currentText());
    settings.setValue(QStringLiteral("reason"), m_reason->text());
    settings.setValue(QStringLiteral("changeSet"), m_changeSet->text());
    settings.setValue(QStringLiteral("range"), m_range->currentIndex());
    settings.setValue(QStringLiteral("from"), m_from->dateTime());
    settings.setValue(QStringLiteral("to"), m_to->dateTime());
}

void ChangelogFilterBar::restoreState()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("changelog/filter"));
    m_setting = true;
    setComboText(m_agent, settings.value(QStringLiteral("agent")).toString());
    setComboText(m_parameter, settings.value(QStringLiteral("parameter")).toString());
    m_user->setText(settings.value(QStringLiteral("user")).toString());
    setComboText(m_role, settings.value(QStringLiteral("role")).toString());
    setComboText(m_source, settings.value(QStringLiteral("source")).toString());
    m_reason->setText(settings.value(QStringLiteral("reason")).toString());
    m_changeSet->setText(settings.value(QStringLiteral("changeSet")).toString());
    m_range->setCurrentIndex(
        std::clamp(settings.value(QStringLiteral("range"), int(AnyTime)).toInt(), 0, int(Custom)));
    const QDateTime from = settings.value(QStringLiteral("from")).toDateTime();
    const QDateTime to = settings.value(QStringLiteral("to")).toDateTime();
    if (from.isValid())
        m_from->setDateTime(from);
    if (to.isValid())
        m_to->setDateTime(to);
    m_setting = false;
    updateTimeBoxes();
    updateChips();
}
