#include "migrationsource.h"

#include "reporthtml.h"
#include "shell/colours.h"
#include "shell/icons.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>

MigrationSource::MigrationSource(QAction *chooseAction, QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_chooseButton(new QPushButton(tr("Choose directory…"), this))
    , m_bundledButton(new QPushButton(tr("Use bundled"), this))
{
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chooseButton->setObjectName(QStringLiteral("chooseDirectoryButton"));
    m_chooseButton->setIcon(chooseAction->icon());
    QString tip = chooseAction->toolTip();
    if (!chooseAction->shortcut().isEmpty())
        tip += QStringLiteral(" (%1)").arg(
            chooseAction->shortcut().toString(QKeySequence::NativeText));
    m_chooseButton->setToolTip(tip);
    connect(m_chooseButton, &QPushButton::clicked, chooseAction, &QAction::trigger);
    m_bundledButton->setObjectName(QStringLiteral("bundledButton"));
    m_bundledButton->setIcon(Icons::action(QStringLiteral("bundled")));
    connect(m_bundledButton, &QPushButton::clicked, this, [this] { Q_EMIT directoryChosen({}); });
    // A row of the panel's layout, as if its widgets were in it.
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_label, 1);
    row->addWidget(m_chooseButton);
    row->addWidget(m_bundledButton);
}

MigrationSet MigrationSource::load(const QString &directory)
{
    m_directory = directory;
    const MigrationSet set =
        directory.isEmpty() ? MigrationSet::bundled() : MigrationSet::fromDirectory(directory);
    const QString where =
        directory.isEmpty() ? tr("bundled with AlgoAdmin") : QDir::toNativeSeparators(directory);
    if (!set.ok()) {
        m_label->setText(tr("<b>Migrations:</b> %1 — <span style='color:%3'>cannot be "
                            "used: %2</span>")
                             .arg(where.toHtmlEscaped(), set.error.toHtmlEscaped(),
                                  Colours::css(Colours::failure())));
        m_failure = ReportHtml::error(tr("The migrations directory cannot be used"),
                                      {tr("load migrations"),
                                       where,
                                       set.error,
                                       {},
                                       {},
                                       tr("Fix the file named above, or choose another "
                                          "directory.")});
    } else {
        m_label->setText(
            tr("<b>Migrations:</b> %1 (%n file(s))", nullptr, int(set.migrations.size()))
                .arg(where.toHtmlEscaped()));
        m_failure.clear();
    }
    return set;
}

void MigrationSource::setIdle(bool idle)
{
    m_chooseButton->setEnabled(idle);
    m_bundledButton->setEnabled(idle && !m_directory.isEmpty());
}

void MigrationSource::choose()
{
    const QString directory = QFileDialog::getExistingDirectory(
        this, tr("Choose a directory of NNN_name.sql migrations"), m_directory);
    if (!directory.isEmpty())
        Q_EMIT directoryChosen(directory);
}

bool MigrationSource::confirmForeignSet(const QList<MigrationStatus> &statuses, const QString &what,
                                        QWidget *parent)
{
    QStringList missing;
    for (const MigrationStatus &m : statuses) {
        if (m.state == MigrationStatus::State::Missing)
            missing.append(m.version + QLatin1Char('_') + m.name);
    }
    if (missing.isEmpty())
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Migrations that do not describe this database"),
                    tr("The database has %n applied migration(s) that this set does not contain "
                       "(%1). The set does not describe this database: what %2 finds or does "
                       "may not be what you expect.\n\n%3 anyway?",
                       nullptr, int(missing.size()))
                        .arg(missing.mid(0, 3).join(QStringLiteral(", ")) +
                                 (missing.size() > 3 ? QStringLiteral(", …") : QString()),
                             what.toLower(), what),
                    QMessageBox::Yes | QMessageBox::No, parent);
    box.setObjectName(QStringLiteral("foreignSetWarning"));
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}
