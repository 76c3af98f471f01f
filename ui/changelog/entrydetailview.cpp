#include "changelog/entrydetailview.h"

#include "changelog/historychart.h"
#include "shell/colours.h"
#include "shell/readonlytip.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace {

QString valueHtml(const QString &value)
{
    if (value.isNull())
        return QStringLiteral("<i style='color:%1'>NULL</i>").arg(Colours::css(Colours::muted()));
    if (value.isEmpty())
        return QStringLiteral("<i style='color:%1'>(empty)</i>")
            .arg(Colours::css(Colours::muted()));
    return QStringLiteral("<pre style='white-space:pre-wrap'>%1</pre>").arg(value.toHtmlEscaped());
}

QString plainOrNull(const QString &value)
{
    return value.isNull() ? QStringLiteral("NULL") : value;
}

} // namespace

EntryDetailView::EntryDetailView(QWidget *parent)
    : QWidget(parent)
    , m_text(new QTextBrowser(this))
    , m_changeSetLabel(new QLabel(this))
    , m_changeSet(new QTableWidget(this))
    , m_historyLabel(new QLabel(this))
    , m_chart(new HistoryChart(this))
    , m_revertEntry(new QPushButton(tr("Revert this change…"), this))
    , m_revertSet(new QPushButton(tr("Revert change set…"), this))
    , m_travel(new QPushButton(tr("Agent before this change"), this))
    , m_showAgent(new QPushButton(tr("Show agent"), this))
    , m_showOnChart(new QPushButton(tr("Show on chart"), this))
    , m_filterSet(new QPushButton(tr("Only this change set"), this))
{
    setObjectName(QStringLiteral("entryDetail"));
    m_text->setObjectName(QStringLiteral("entryText"));
    m_text->setOpenLinks(false);
    m_revertEntry->setObjectName(QStringLiteral("revertEntry"));
    m_revertSet->setObjectName(QStringLiteral("revertChangeSet"));
    m_travel->setObjectName(QStringLiteral("travelBefore"));
    m_showAgent->setObjectName(QStringLiteral("showAgent"));
    m_showOnChart->setObjectName(QStringLiteral("showOnChart"));
    m_showOnChart->setToolTip(tr("The agent's metrics around this change, its marker selected"));
    m_filterSet->setObjectName(QStringLiteral("filterChangeSet"));
    m_revertEntry->setToolTip(tr("Set the old value again: previewed first, then written as a new, "
                                 "audited change"));
    m_revertSet->setToolTip(tr("Revert every change of this change set in one transaction"));
    m_travel->setToolTip(
        tr("The agent's whole configuration just before this change, beside today's"));
    m_showAgent->setToolTip(tr("Select this agent and parameter in the Agents panel"));
    m_changeSet->setObjectName(QStringLiteral("changeSetEntries"));
    m_changeSet->setColumnCount(3);
    m_changeSet->setHorizontalHeaderLabels({tr("Agent"), tr("Parameter"), tr("Old → new")});
    m_changeSet->verticalHeader()->hide();
    m_changeSet->horizontalHeader()->setStretchLastSection(true);
    m_changeSet->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_changeSet->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_changeSet->setMaximumHeight(130);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_revertEntry);
    buttons->addWidget(m_revertSet);
    buttons->addStretch(1);
    auto *links = new QHBoxLayout;
    links->addWidget(m_travel);
    links->addWidget(m_showAgent);
    links->addWidget(m_showOnChart);
    links->addWidget(m_filterSet);
    links->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 3);
    layout->addLayout(buttons);
    layout->addLayout(links);
    layout->addWidget(m_changeSetLabel);
    layout->addWidget(m_changeSet, 1);
    layout->addWidget(m_historyLabel);
    layout->addWidget(m_chart, 2);

    connect(m_revertEntry, &QPushButton::clicked, this, [this] {
        if (m_entry)
            Q_EMIT revertEntryRequested(*m_entry);
    });
    connect(m_revertSet, &QPushButton::clicked, this, [this] {
        if (m_entry && !m_entry->changeSet.isEmpty())
            Q_EMIT revertChangeSetRequested(m_entry->changeSet);
    });
    connect(m_travel, &QPushButton::clicked, this, [this] {
        if (m_entry)
            Q_EMIT travelRequested(*m_entry);
    });
    connect(m_showAgent, &QPushButton::clicked, this, [this] {
        if (m_entry)
            Q_EMIT showAgentRequested(m_entry->algorithmId, m_entry->parameterName);
    });
    connect(m_showOnChart, &QPushButton::clicked, this, [this] {
        if (m_entry)
            Q_EMIT showOnChartRequested(*m_entry);
    });
    connect(m_filterSet, &QPushButton::clicked, this, [this] {
        if (m_entry && !m_entry->changeSet.isEmpty())
            Q_EMIT changeSetRequested(m_entry->changeSet);
    });
    showEntry(std::nullopt);
}

void EntryDetailView::showEntry(const std::optional<ChangelogEntry> &entry)
{
    m_entry = entry;
    m_changeSet->setRowCount(0);
    m_chart->clear();
    if (!entry) {
        m_text->setHtml(tr("<p style='color:%1'>Select a change to see it in full, the other "
                           "changes made with it and the parameter's history.</p>")
                            .arg(Colours::css(Colours::muted())));
        m_changeSetLabel->clear();
        m_historyLabel->clear();
        m_changeSet->hide();
        m_chart->hide();
        updateButtons();
        return;
    }
    const ChangelogEntry &e = *entry;
    const QString muted = Colours::css(Colours::muted());
    const auto row = [](const QString &label, const QString &html) {
        return QStringLiteral("<tr><td style='padding-right:10px'><b>%1</b></td><td>%2</td></tr>")
            .arg(label, html);
    };
    const auto textOrNull = [&](const QString &value) {
        return value.isNull() ? QStringLiteral("<i style='color:%1'>NULL</i>").arg(muted)
                              : value.toHtmlEscaped();
    };
    QString html = QStringLiteral("<h3>%1 · %2</h3><table>")
                       .arg(e.algorithmId.toHtmlEscaped(), e.parameterName.toHtmlEscaped());
    html += row(tr("Time"), e.modifiedAtText.isNull()
                                ? tr("<i style='color:%1'>not recorded</i>").arg(muted)
                                : e.modifiedAtText.toHtmlEscaped());
    html += row(tr("User"), e.userId ? QString::number(*e.userId) : textOrNull({}));
    html += row(tr("Database role"), textOrNull(e.dbRole));
    html += row(tr("Source"), textOrNull(e.source));
    html += row(tr("Change set"), textOrNull(e.changeSet));
    html += row(tr("Entry"), e.id.toHtmlEscaped());
    html += QStringLiteral("</table>");
    html += tr("<p><b>Old value</b></p>") + valueHtml(e.oldValue);
    html += tr("<p><b>New value</b></p>") + valueHtml(e.newValue);
    html += tr("<p><b>Reason</b></p>") + valueHtml(e.reason);
    m_text->setHtml(html);
    m_changeSetLabel->setText(e.changeSet.isEmpty() ? tr("Not part of a change set")
                                                    : tr("Changes of this change set: loading…"));
    m_historyLabel->setText(tr("History of %1: loading…").arg(e.parameterName));
    m_changeSet->setVisible(!e.changeSet.isEmpty());
    m_chart->show();
    updateButtons();
}

void EntryDetailView::setDetail(const ChangelogDetail &detail)
{
    if (!m_entry)
        return;
    m_changeSet->setRowCount(int(detail.changeSet.size()));
    for (int i = 0; i < detail.changeSet.size(); ++i) {
        const ChangelogEntry &e = detail.changeSet.at(i);
        const QStringList cells{e.algorithmId, e.parameterName,
                                plainOrNull(e.oldValue) + QStringLiteral(" → ") +
                                    plainOrNull(e.newValue)};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            item->setToolTip(cells.at(c).left(2000));
            if (e.id == m_entry->id) {
                QFont bold = item->font();
                bold.setBold(true);
                item->setFont(bold);
            }
            m_changeSet->setItem(i, c, item);
        }
    }
    if (!m_entry->changeSet.isEmpty())
        m_changeSetLabel->setText(
            tr("Changes of this change set: %n", nullptr, int(detail.changeSet.size())));
    m_chart->setHistory(detail.parameterHistory, m_entry->id, detail.historyTruncated);
    m_historyLabel->setText(detail.historyTruncated ? tr("History of %1: the newest %2 changes")
                                                          .arg(m_entry->parameterName)
                                                          .arg(detail.parameterHistory.size())
                                                    : tr("History of %1: %n changes", nullptr,
                                                         int(detail.parameterHistory.size()))
                                                          .arg(m_entry->parameterName));
}

void EntryDetailView::setDetailError(const QString &message)
{
    m_changeSetLabel->setText(message);
    m_historyLabel->clear();
}

void EntryDetailView::setWritable(bool writable, const QString &why)
{
    m_writable = writable;
    ReadOnlyTip::show(m_revertEntry, why);
    ReadOnlyTip::show(m_revertSet, why);
    updateButtons();
}

void EntryDetailView::updateButtons()
{
    const bool has = m_entry.has_value();
    const bool inSet = has && !m_entry->changeSet.isEmpty();
    m_revertEntry->setEnabled(has && m_writable);
    m_revertSet->setEnabled(inSet && m_writable);
    m_travel->setEnabled(has && m_entry->modifiedAt.isValid());
    m_showAgent->setEnabled(has);
    m_showOnChart->setEnabled(has && m_entry->modifiedAt.isValid());
    m_filterSet->setEnabled(inSet);
}

QString EntryDetailView::text() const
{
    return m_text->toPlainText();
}

int EntryDetailView::changeSetRows() const
{
    return m_changeSet->rowCount();
}
