#include "lockwaitview.h"

#include "lockholdermodel.h"
#include "shell/keyboard.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

LockWaitView::LockWaitView(QWidget *parent)
    : QWidget(parent)
    , m_model(new LockHolderModel(this))
    , m_label(new QLabel(this))
    , m_table(new QTableView(this))
    , m_ticker(new QTimer(this))
{
    m_ticker->setInterval(100);
    connect(m_ticker, &QTimer::timeout, this, &LockWaitView::tick);
    m_label->setObjectName(QStringLiteral("lockWaitLabel"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setObjectName(QStringLiteral("lockView"));
    Keyboard::setUpView(m_table);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    header->resizeSection(LockHolderModel::Pid, 70);
    header->resizeSection(LockHolderModel::Role, 110);
    header->resizeSection(LockHolderModel::Application, 160);
    header->resizeSection(LockHolderModel::State, 150);
    header->resizeSection(LockHolderModel::Since, 160);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_label);
    layout->addWidget(m_table, 1);
    clear();
}

void LockWaitView::showWait(const LockWait &wait)
{
    m_wait = wait;
    m_observed.start();
    m_waiting = true;
    m_model->setHolders(wait.holders);
    m_ticker->start();
    tick();
}

void LockWaitView::clear()
{
    m_waiting = false;
    m_ticker->stop();
    m_wait = {};
    m_model->setHolders({});
    m_label->setText(tr("No step is waiting for a lock. When one does, the sessions holding "
                        "the lock are listed here, refreshed every second."));
}

void LockWaitView::tick()
{
    if (!m_waiting)
        return;
    const qint64 since = m_observed.elapsed();
    const qint64 remaining = std::max<qint64>(0, m_wait.remainingMs - since);
    const QString waited = QLocale().toString((m_wait.waitedMs + since) / 1000.0, 'f', 1);
    const QString left = QLocale().toString(remaining / 1000.0, 'f', 1);
    const QString who = tr("%n session(s) hold the lock", nullptr, int(m_wait.holders.size()));
    if (m_wait.migration.isEmpty())
        m_label->setText(tr("<b>Waiting %1 s for the migration runners' lock</b> (another "
                            "migration run is in progress); %2. Gives up in <b>%3 s</b>.")
                             .arg(waited, who, left));
    else
        m_label->setText(tr("<b>Step %1 of %2 has waited %3 s for a lock</b>; %4. Gives up in "
                            "<b>%5 s</b> (lock timeout).")
                             .arg(m_wait.step)
                             .arg(m_wait.migration.toHtmlEscaped(), waited, who, left));
}
