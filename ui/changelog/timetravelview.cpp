#include "changelog/timetravelview.h"

#include "changelog/configatmodel.h"
#include "shell/keyboard.h"
#include "shell/readonlytip.h"
#include "shell/tablecopy.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

TimeTravelView::TimeTravelView(QWidget *parent)
    : QWidget(parent)
    , m_model(new ConfigAtModel(this))
    , m_agent(new QComboBox(this))
    , m_moment(new QDateTimeEdit(this))
    , m_show(new QPushButton(tr("Show"), this))
    , m_restore(new QPushButton(tr("Restore to this moment…"), this))
    , m_summary(new QLabel(this))
    , m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("timeTravel"));
    m_agent->setObjectName(QStringLiteral("travelAgent"));
    m_agent->setEditable(true);
    m_agent->setInsertPolicy(QComboBox::NoInsert);
    m_agent->lineEdit()->setPlaceholderText(tr("agent"));
    m_moment->setObjectName(QStringLiteral("travelMoment"));
    m_moment->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_moment->setCalendarPopup(true);
    m_moment->setTimeSpec(Qt::UTC);
    const QDateTime local = QDateTime::currentDateTime();
    m_moment->setDateTime(QDateTime(local.date(), local.time(), Qt::UTC));
    m_show->setObjectName(QStringLiteral("travelShow"));
    m_restore->setObjectName(QStringLiteral("travelRestore"));
    m_restore->setToolTip(tr("Set every value that differs back to what it was then: previewed "
                             "first, written as new audited changes"));
    m_summary->setObjectName(QStringLiteral("travelSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setObjectName(QStringLiteral("travelTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    // Every column in view: the values share what the key leaves.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ConfigAtModel::Key, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(ConfigAtModel::State,
                                                      QHeaderView::ResizeToContents);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setColumnWidth(ConfigAtModel::Key, 160);
    Keyboard::setUpView(m_table);
    TableCopy::install(m_table);

    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Agent"), this));
    row->addWidget(m_agent);
    row->addWidget(new QLabel(tr("at"), this));
    row->addWidget(m_moment);
    row->addWidget(m_show);
    row->addStretch(1);
    auto *summary = new QHBoxLayout;
    summary->addWidget(m_summary, 1);
    summary->addWidget(m_restore, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addLayout(summary);
    layout->addWidget(m_table, 1);

    connect(m_show, &QPushButton::clicked, this, [this] {
        if (!algorithmId().isEmpty())
            Q_EMIT showRequested(algorithmId(), moment());
    });
    connect(m_agent->lineEdit(), &QLineEdit::returnPressed, m_show, &QPushButton::click);
    connect(m_restore, &QPushButton::clicked, this, [this] {
        Q_EMIT restoreRequested(m_model->config().algorithmId, m_model->config().moment);
    });
    connect(m_agent, &QComboBox::currentTextChanged, this, &TimeTravelView::updateButtons);
    clear();
}

QString TimeTravelView::algorithmId() const
{
    return m_agent->currentText().trimmed();
}

QDateTime TimeTravelView::moment() const
{
    return m_moment->dateTime();
}

void TimeTravelView::setAgents(const QStringList &agents)
{
    const QString text = m_agent->currentText();
    m_agent->clear();
    m_agent->addItems(agents);
    m_agent->setEditText(text);
}

void TimeTravelView::setTarget(const QString &algorithmId, const QDateTime &moment,
                               const QString &caption)
{
    m_agent->setEditText(algorithmId);
    if (moment.isValid())
        m_moment->setDateTime(moment);
    m_loaded = false;
    m_model->setConfig({});
    m_summary->setText(tr("%1: rebuilding from the changelog…").arg(caption));
    updateButtons();
}

void TimeTravelView::setConfig(const ConfigAt &config)
{
    m_model->setConfig(config);
    m_loaded = true;
    if (config.moment.isValid())
        m_moment->setDateTime(config.moment);
    const int changed = m_model->changedCount();
    m_summary->setText(
        changed == 0 ? tr("%1 at %2: as today (%n keys).", nullptr, int(config.entries.size()))
                           .arg(config.algorithmId,
                                config.moment.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")))
                     : tr("%1 at %2: %n key(s) differ from today.", nullptr, changed)
                           .arg(config.algorithmId,
                                config.moment.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))));
    updateButtons();
}

void TimeTravelView::setError(const QString &message)
{
    m_loaded = false;
    m_model->setConfig({});
    m_summary->setText(message);
    updateButtons();
}

void TimeTravelView::setWritable(bool writable, const QString &why)
{
    m_writable = writable;
    ReadOnlyTip::show(m_restore, why);
    updateButtons();
}

void TimeTravelView::clear()
{
    m_loaded = false;
    m_model->setConfig({});
    m_summary->setText(tr("Pick an agent and a moment, or select a change and press “Agent "
                          "before this change”: the configuration then is rebuilt from the "
                          "changelog beside today's."));
    updateButtons();
}

QString TimeTravelView::summary() const
{
    return m_summary->text();
}

void TimeTravelView::updateButtons()
{
    m_show->setEnabled(!algorithmId().isEmpty());
    m_restore->setEnabled(m_writable && m_loaded && m_model->changedCount() > 0);
}
