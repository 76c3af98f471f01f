#include "previewdialog.h"

#include "parametertablemodel.h"
#include "shell/colours.h"
#include "shell/keyboard.h"
#include "workers/agentworker.h"

#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSet>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <cmath>

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString reportStyle()
{
    return QStringLiteral("<style>"
                          "body { font-size: 10pt; }"
                          "h3 { margin: 10px 0 4px 0; }"
                          "table { border-collapse: collapse; }"
                          "th { background: %1; text-align: left; padding: 4px 10px; }"
                          "td { padding: 3px 10px; border-bottom: 1px solid %2; }"
                          ".ok { color: %3; } .bad { color: %4; }"
                          ".old { color: %5; } .new { font-weight: bold; }"
                          ".mono { font-family: monospace; }"
                          "</style>")
        .arg(Colours::css(Colours::neutralBackground()), Colours::css(Colours::neutralBorder()),
             Colours::css(Colours::success()), Colours::css(Colours::failure()),
             Colours::css(Colours::muted()));
}

} // namespace

QString jsonValueText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Undefined:
        return QStringLiteral("—");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        // The shortest text that reads back as the same double (0.05, not 0.050000000000000003).
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QJsonValue::String:
        return u'"' + value.toString() + u'"';
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return {};
}

PreviewDialog::PreviewDialog(const QList<ParameterChange> &changes,
                             const QList<Parameter> &parameters, const SimulateResult &result,
                             const DbError &error, QWidget *parent)
    : QDialog(parent)
    , m_report(new QTextBrowser(this))
{
    setObjectName(QStringLiteral("previewDialog"));
    setWindowTitle(
        tr("Preview of %1")
            .arg(ParameterTableModel::count(int(changes.size()), tr("change"), tr("changes"))));
    m_report->setObjectName(QStringLiteral("previewReport"));
    m_report->setOpenLinks(false);

    QString html = reportStyle();
    if (result.ok)
        html +=
            tr("<p class='ok'><b>✓ The database accepts these %1.</b> They were "
               "rehearsed in a transaction that was rolled back: nothing was written.</p>")
                .arg(ParameterTableModel::count(int(changes.size()), tr("change"), tr("changes")));
    else
        html += tr("<p class='bad'><b>✗ The database would refuse this apply.</b> It was "
                   "rehearsed in a transaction that was rolled back: nothing was written.</p>");

    html += QStringLiteral("<h3>%1</h3><table width='100%'><tr><th>%2</th><th>%3</th>"
                           "<th></th><th>%4</th><th>%5</th></tr>")
                .arg(esc(tr("Changes")), esc(tr("Parameter")), esc(tr("Old")), esc(tr("New")),
                     esc(tr("Bound check")));
    for (const ParameterChange &change : changes) {
        Validation validation;
        validation.ok = false;
        validation.message = tr("no such parameter");
        for (const Parameter &p : parameters)
            if (p.name == change.name)
                validation = validateParameterValue(change.to, p.rule());
        const QString check =
            validation.ok
                ? QStringLiteral("<span class='ok'>✓ %1</span>")
                      .arg(esc(validation.allowedRange.isEmpty()
                                   ? tr("valid")
                                   : tr("within %1").arg(validation.allowedRange)))
                : QStringLiteral("<span class='bad'>✗ %1</span>").arg(esc(validation.message));
        html += QStringLiteral("<tr><td class='mono'>%1</td><td class='old'>%2</td><td>→</td>"
                               "<td class='new'>%3</td><td>%4</td></tr>")
                    .arg(esc(change.name), esc(ParameterTableModel::displayValue(change.from)),
                         esc(ParameterTableModel::displayValue(change.to)), check);
    }
    html += QStringLiteral("</table>");

    if (!result.conflicts.isEmpty()) {
        html += QStringLiteral("<h3 class='bad'>%1</h3><ul>").arg(esc(tr("Conflicts")));
        for (const ParameterConflict &conflict : result.conflicts)
            html += QStringLiteral("<li>%1</li>").arg(esc(conflict.toString()));
        html += QStringLiteral("</ul>");
    }

    for (const ConfigDiff &diff : result.configs) {
        html += QStringLiteral("<h3>%1</h3>")
                    .arg(esc(tr("current_config of %1").arg(diff.algorithmId)));
        QStringList keys = diff.before.keys() + diff.after.keys();
        keys.removeDuplicates();
        keys.sort();
        QString rows;
        int unchanged = 0;
        for (const QString &key : keys) {
            const QJsonValue before = diff.before.value(key);
            const QJsonValue after = diff.after.value(key);
            if (before == after) {
                ++unchanged;
                continue;
            }
            rows += QStringLiteral("<tr><td class='mono'>%1</td><td class='old'>%2</td><td>→</td>"
                                   "<td class='new'>%3</td></tr>")
                        .arg(esc(key), esc(jsonValueText(before)), esc(jsonValueText(after)));
        }
        if (rows.isEmpty())
            html += QStringLiteral("<p>%1</p>").arg(esc(tr("No key changes.")));
        else
            html += QStringLiteral("<table><tr><th>%1</th><th>%2</th><th></th><th>%3</th></tr>%4"
                                   "</table>")
                        .arg(esc(tr("Key")), esc(tr("Before")), esc(tr("After")), rows);
        html += QStringLiteral("<p class='old'>%1</p>")
                    .arg(esc(tr("%1 unchanged.")
                                 .arg(ParameterTableModel::count(unchanged, tr("other key"),
                                                                 tr("other keys")))));
    }

    if (error.isError())
        html += QStringLiteral("<h3 class='bad'>%1</h3><pre>%2</pre>")
                    .arg(esc(tr("Database error")), esc(error.toString()));

    html += QStringLiteral("<h3>%1</h3><p class='old'>%2</p>")
                .arg(esc(tr("What past changes like these did")),
                     esc(tr("Looking up the agent's history…")));
    m_html = html;
    m_report->setHtml(html);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *apply = buttons->addButton(tr("Apply…"), QDialogButtonBox::AcceptRole);
    apply->setObjectName(QStringLiteral("previewApply"));
    apply->setEnabled(result.ok);
    apply->setDefault(result.ok);
    Keyboard::submitWith(this, apply);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(apply, &QPushButton::clicked, this, [this] {
        accept();
        Q_EMIT applyRequested();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_report);
    layout->addWidget(buttons);
    resize(760, 480);
}

QString PreviewDialog::text() const
{
    return m_report->toPlainText();
}

void PreviewDialog::requestOutlook(AgentWorker *worker, const QString &algorithmId,
                                   const QList<ParameterChange> &changes)
{
    QList<PendingChange> pending;
    for (const ParameterChange &change : changes)
        pending.append({change.name, change.from, change.to});
    connect(worker, &AgentWorker::outlookLoaded, this,
            [this](int request, const QList<ChangeOutlook> &outlook, const DbError &error) {
                if (request == m_outlookRequest)
                    showOutlook(outlook, error);
            });
    m_outlookRequest = worker->loadOutlook(algorithmId, pending, OutlookWindowSeconds);
}

void PreviewDialog::showOutlook(const QList<ChangeOutlook> &outlook, const DbError &error)
{
    const QLocale locale;
    // The placeholder paragraph of the constructor is replaced.
    QString html = m_html.left(m_html.lastIndexOf(QStringLiteral("<p class='old'>")));
    if (error.isError()) {
        html += QStringLiteral("<p class='bad'>%1</p>")
                    .arg(esc(tr("Could not look up the history: %1").arg(error.toString())));
    } else {
        html += QStringLiteral("<p class='old'>%1</p>")
                    .arg(esc(tr("Each past change of the same parameter in the same direction, "
                                "its metric means a day before against a day after.")));
        for (const ChangeOutlook &item : outlook) {
            html += QStringLiteral("<p><span class='mono'>%1</span> %2 → %3: ")
                        .arg(esc(item.change.parameter),
                             esc(ParameterTableModel::displayValue(item.change.oldValue)),
                             esc(ParameterTableModel::displayValue(item.change.newValue)));
            if (item.pastChanges == 0) {
                html += esc(tr("no history: it was never changed this way before.")) +
                        QStringLiteral("</p>");
                continue;
            }
            html += esc(tr("%1 like it before.")
                            .arg(ParameterTableModel::count(item.pastChanges, tr("change"),
                                                            tr("changes")))) +
                    QStringLiteral("</p><table><tr><th>%1</th><th>%2</th><th>%3</th></tr>")
                        .arg(esc(tr("Metric")), esc(tr("Median effect")), esc(tr("Consistency")));
            for (const MetricOutlook &metric : item.metrics) {
                const QString effect =
                    std::isfinite(metric.medianRelativeChange)
                        ? QStringLiteral("%1%2 %").arg(
                              metric.medianRelativeChange > 0 ? QStringLiteral("+") : QString(),
                              locale.toString(metric.medianRelativeChange * 100, 'f', 1))
                        : QStringLiteral("—");
                const QString consistency =
                    std::isfinite(metric.consistency)
                        ? tr("%1 of %2 the same way")
                              .arg(qRound(metric.consistency * metric.changes))
                              .arg(metric.changes)
                        : QStringLiteral("—");
                html += QStringLiteral("<tr><td class='mono'>%1</td><td>%2</td><td>%3</td></tr>")
                            .arg(esc(metric.metric), esc(effect), esc(consistency));
            }
            html += QStringLiteral("</table>");
        }
    }
    m_outlookShown = true;
    m_report->setHtml(html);
}
