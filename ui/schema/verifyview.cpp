#include "verifyview.h"

#include "shell/colours.h"
#include "shell/keyboard.h"
#include "verifytreemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

VerifyView::VerifyView(QWidget *parent)
    : QWidget(parent)
    , m_model(new VerifyTreeModel(this))
    , m_summary(new QLabel(this))
    , m_tree(new QTreeView(this))
{
    m_summary->setObjectName(QStringLiteral("verifySummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tree->setObjectName(QStringLiteral("verifyView"));
    Keyboard::setUpView(m_tree);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->resizeSection(VerifyTreeModel::Object, 260);
    m_tree->header()->resizeSection(VerifyTreeModel::Change, 120);
    m_tree->header()->resizeSection(VerifyTreeModel::Expected, 320);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    clear();
}

void VerifyView::clear()
{
    m_model->setDifferences({});
    m_summary->setText(tr("Press Verify to compare the database with what the applied "
                          "migrations define."));
}

void VerifyView::setReport(const VerifyReport &report)
{
    m_model->setDifferences(report.differences);
    m_tree->expandAll();
    m_tree->resizeColumnToContents(VerifyTreeModel::Object);
    m_tree->resizeColumnToContents(VerifyTreeModel::Change);
    const int rest = m_tree->viewport()->width() - m_tree->columnWidth(VerifyTreeModel::Object) -
                     m_tree->columnWidth(VerifyTreeModel::Change);
    m_tree->setColumnWidth(VerifyTreeModel::Expected, std::max(200, rest / 2));
    if (report.error.isError()) {
        m_summary->setText(tr("<b style='color:%1'>Verify could not run</b>: see the error "
                              "above.")
                               .arg(Colours::css(Colours::failure())));
        return;
    }
    if (report.nothingApplied) {
        m_summary->setText(tr("<b>Nothing is applied yet</b>: this database has no migration "
                              "history and none of the migrations' tables. Migrate (Ctrl+M) "
                              "creates them."));
        return;
    }
    QString text =
        report.differences.isEmpty()
            ? tr("<b style='color:%1'>The schema matches the applied migrations</b>")
                  .arg(Colours::css(Colours::success()))
            : tr("<b style='color:%1'>%n difference(s)</b> between the applied migrations "
                 "and the database",
                 nullptr, int(report.differences.size()))
                  .arg(Colours::css(Colours::failure()));
    text += tr(" (tables expected: %1, catalog queries: %2%3).")
                .arg(report.expectedTables)
                .arg(report.catalogQueries)
                .arg(report.expectedFromCache ? tr(", expected schema from the cache") : QString());
    if (report.hasChanged())
        text += tr(" Some applied files changed on disk: see the list above.");
    m_summary->setText(text);
}
