#include "agentdetailview.h"

#include "configdiffmodel.h"
#include "shell/colours.h"
#include "shell/columnfitter.h"
#include "shell/keyboard.h"
#include "shell/wrappingdelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

static QString keyCount(int count)
{
    return count == 1 ? AgentDetailView::tr("1 key") : AgentDetailView::tr("%1 keys").arg(count);
}

// The drift badge in the colours of `tone`.
static QString badgeStyle(Colours::Tone tone, bool bold)
{
    const Colours::Set set = Colours::of(tone);
    return QStringLiteral("QLabel { background: %1; color: %2; border: 1px solid %3;"
                          " border-radius: 3px; padding: 2px 8px;%4 }")
        .arg(Colours::css(set.background), Colours::css(set.text), Colours::css(set.border),
             bold ? QStringLiteral(" font-weight: bold;") : QString());
}

AgentDetailView::AgentDetailView(QWidget *parent)
    : QFrame(parent)
    , m_diff(new ConfigDiffModel(this))
{
    setObjectName(QStringLiteral("detailPane"));
    setFrameShape(QFrame::StyledPanel);
    m_detailTitle = new QLabel(this);
    m_detailTitle->setObjectName(QStringLiteral("detailTitle"));
    m_detailTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_detailTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_detailTitle->setFont(titleFont);
    m_detailMeta = new QLabel(this);
    m_detailMeta->setObjectName(QStringLiteral("detailMeta"));
    m_detailMeta->setWordWrap(true);
    m_driftBadge = new QLabel(this);
    m_driftBadge->setObjectName(QStringLiteral("driftBadge"));
    m_driftBadge->hide();
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_detailTitle, 1);
    titleRow->addWidget(m_driftBadge, 0, Qt::AlignTop);
    m_detailDescription = new QLabel(this);
    m_detailDescription->setObjectName(QStringLiteral("detailDescription"));
    m_detailDescription->setWordWrap(true);
    m_detailDescription->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailDescription->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_detailPath = new QLabel(this);
    m_detailPath->setObjectName(QStringLiteral("detailPath"));
    m_detailPath->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_diffSummary = new QLabel(this);
    m_diffSummary->setObjectName(QStringLiteral("diffSummary"));
    m_diffSummary->setWordWrap(true);
    m_diffView = new QTableView(this);
    m_diffView->setObjectName(QStringLiteral("configDiffView"));
    m_diffView->setModel(m_diff);
    m_diffView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_diffView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diffView->setWordWrap(false);
    m_diffView->verticalHeader()->hide();
    m_diffView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView *diffHeader = m_diffView->horizontalHeader();
    diffHeader->setHighlightSections(false);
    diffHeader->setSectionResizeMode(ConfigDiffModel::Change, QHeaderView::ResizeToContents);
    diffHeader->resizeSection(ConfigDiffModel::Key, 130); // then fitted to the keys shown
    // The values share what the key leaves (and wrap, see below); a narrow pane drops the
    // Change column (the row's colour and tooltip say it) rather than scrolling.
    new ColumnFitter(m_diffView, {ConfigDiffModel::Default, ConfigDiffModel::Current}, 50,
                     {ConfigDiffModel::Change}, QStringLiteral("agents/hiddenDiffColumns"));
    connect(m_diff, &QAbstractItemModel::modelReset, this, [this] {
        m_diffView->resizeColumnToContents(ConfigDiffModel::Key);
        m_diffView->setColumnWidth(
            ConfigDiffModel::Key,
            std::clamp(m_diffView->columnWidth(ConfigDiffModel::Key) + 8, 80, 180));
    });
    // A long value (a budget in cents, a JSON list) wraps rather than ending in "…".
    auto *wrapping = new WrappingDelegate(m_diffView);
    for (int column : {ConfigDiffModel::Default, ConfigDiffModel::Current})
        m_diffView->setItemDelegateForColumn(column, wrapping);
    m_diffView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *detailLayout = new QVBoxLayout(this);
    detailLayout->setContentsMargins(10, 8, 10, 8);
    detailLayout->addLayout(titleRow);
    detailLayout->addWidget(m_detailMeta);
    detailLayout->addWidget(m_detailDescription);
    detailLayout->addWidget(m_detailPath);
    detailLayout->addSpacing(4);
    detailLayout->addWidget(m_diffSummary);
    detailLayout->addWidget(m_diffView, 1);
}

QTableView *AgentDetailView::diffView() const
{
    return m_diffView;
}

void AgentDetailView::showPlaceholder(const QString &title, const QString &text)
{
    m_detailTitle->setText(title);
    m_detailMeta->clear();
    m_detailDescription->setText(text);
    m_detailPath->clear();
    m_diffSummary->clear();
    m_diff->clear();
    m_driftBadge->hide();
}

void AgentDetailView::showAgent(const Agent &agent, const ConfigDrift *drift)
{
    const Agent &a = agent;
    m_detailTitle->setText(a.name.isEmpty() ? a.algorithmId
                                            : QStringLiteral("%1 — %2").arg(a.algorithmId, a.name));
    QStringList meta;
    if (!a.algorithmType.isEmpty())
        meta.append(a.algorithmType.toHtmlEscaped());
    meta.append(QStringLiteral("<span style='color:%1'>%2</span>")
                    .arg(Colours::css(a.isActive ? Colours::success() : Colours::muted()),
                         a.isActive ? tr("● active") : tr("○ inactive")));
    if (a.hasImpactScore)
        meta.append(tr("impact %1").arg(a.impactScore));
    if (!a.version.isEmpty())
        meta.append(tr("version %1").arg(a.version.toHtmlEscaped()));
    if (!a.esaLayers.isEmpty()) {
        QStringList layers;
        for (int layer : a.esaLayers)
            layers.append(QString::number(layer));
        meta.append(tr("ESA layers %1").arg(layers.join(QStringLiteral(", "))));
    }
    if (a.lastModifiedAt.isValid())
        meta.append(a.hasLastModifiedBy ? tr("modified %1 by %2")
                                              .arg(a.lastModifiedAt.toLocalTime().toString(
                                                  QStringLiteral("yyyy-MM-dd HH:mm")))
                                              .arg(a.lastModifiedBy)
                                        : tr("modified %1")
                                              .arg(a.lastModifiedAt.toLocalTime().toString(
                                                  QStringLiteral("yyyy-MM-dd HH:mm"))));
    // An item wraps as a whole, never "ESA layers" on one line and its value on the next.
    for (QString &item : meta)
        if (!item.startsWith(u'<'))
            item.replace(u' ', QStringLiteral("&nbsp;"));
    m_detailMeta->setText(meta.join(QStringLiteral(" · ")));
    m_detailDescription->setText(a.description.isEmpty() ? tr("<i>No description.</i>")
                                                         : a.description.toHtmlEscaped());
    m_detailPath->setText(a.filePath.isEmpty()
                              ? tr("<b>File:</b> <i>none</i>")
                              : tr("<b>File:</b> <tt>%1</tt>").arg(a.filePath.toHtmlEscaped()));
    m_diff->setConfigs(a.defaultConfig, a.currentConfig);
    if (a.currentConfig.isEmpty() && a.defaultConfig.isEmpty())
        m_diffSummary->setText(tr("<b>Configuration:</b> neither current_config nor "
                                  "default_config is set."));
    else if (m_diff->changedCount() == 0)
        m_diffSummary->setText(tr("<b>Configuration:</b> current_config equals default_config "
                                  "(%1).")
                                   .arg(keyCount(m_diff->rowCount())));
    else
        m_diffSummary->setText(tr("<b>Configuration:</b> current_config differs from "
                                  "default_config in %1.")
                                   .arg(keyCount(m_diff->changedCount())));
    showDrift(drift);
}

void AgentDetailView::showDrift(const ConfigDrift *drift)
{
    if (!drift) {
        m_driftBadge->hide();
        return;
    }
    if (!drift->isDrifted()) {
        m_driftBadge->setText(tr("In sync"));
        m_driftBadge->setToolTip(tr("current_config agrees with every parameter row."));
        m_driftBadge->setStyleSheet(badgeStyle(Colours::Tone::Positive, false));
        m_driftBadge->show();
        return;
    }
    const int count = int(drift->differing.size() + drift->missing.size() + drift->extra.size());
    m_driftBadge->setText(tr("⚠ Drift: %n", nullptr, count));
    QStringList lines{tr("current_config disagrees with the parameter rows:")};
    const QString comma = QStringLiteral(", ");
    if (!drift->differing.isEmpty())
        lines.append(tr("• different value: %1").arg(drift->differing.join(comma)));
    if (!drift->missing.isEmpty())
        lines.append(tr("• parameter not in the config: %1").arg(drift->missing.join(comma)));
    if (!drift->extra.isEmpty())
        lines.append(tr("• config key without a parameter: %1").arg(drift->extra.join(comma)));
    lines.append(tr("The parameter rows are what an apply checks and audits."));
    m_driftBadge->setToolTip(lines.join(QLatin1Char('\n')));
    m_driftBadge->setStyleSheet(badgeStyle(Colours::Tone::Warning, true));
    m_driftBadge->show();
}
