#include "connectiondialog.h"

#include "db/passwordstore.h"
#include "shell/colours.h"
#include "shell/keyboard.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QStyle>
#include <QVBoxLayout>

#include <utility>

namespace {

constexpr int NameRole = Qt::UserRole;
constexpr int LocalRole = Qt::UserRole + 1;
constexpr int ProbePings = 3;

const QString ErrorStyle = QStringLiteral("color: %1;").arg(Colours::css(Colours::failure()));
const QString HintStyle = QStringLiteral("color: palette(mid);");

QString formatMs(double ms)
{
    // Sub-millisecond round trips on a local socket are real information; 12.3 ms is noise.
    return ms < 10 ? QString::number(ms, 'f', 1) : QString::number(qRound(ms));
}

} // namespace

struct ConnectionDialog::Ui
{
    QListWidget *profileList = nullptr;
    QFormLayout *form = nullptr;
    QLabel *localDescription = nullptr;
    QLineEdit *nameEdit = nullptr;
    QLineEdit *hostEdit = nullptr;
    QLineEdit *portEdit = nullptr;
    QLineEdit *databaseEdit = nullptr;
    QLineEdit *userEdit = nullptr;
    QLineEdit *passwordEdit = nullptr;
    QComboBox *sslModeCombo = nullptr;
    QLabel *transportWarning = nullptr; // a remote host without certain TLS
    QLineEdit *auditUserEdit = nullptr;
    QWidget *productionBox = nullptr;
    QCheckBox *productionCheck = nullptr;
    QWidget *savePasswordBox = nullptr;
    QCheckBox *savePasswordCheck = nullptr;
    QLabel *keyringMessage = nullptr;
    QCheckBox *demoCheck = nullptr;
    QLabel *formMessage = nullptr;
    QPushButton *newButton = nullptr;
    QPushButton *deleteButton = nullptr;
    QPushButton *saveButton = nullptr;
    QPushButton *testButton = nullptr;
    QLabel *testResult = nullptr;
    QPushButton *connectButton = nullptr;

    // The stored name of the profile in the form: empty for a new one, the sandbox's name for
    // the sandbox. Differs from the name field while the user renames it.
    QString storedName;
    bool local = false;
    bool loading = false; // filling the form or the list: not an edit
    quint64 revision = 0; // bumped by every edit of what the connection depends on
    quint64 testRevision = 0;
    ConnectionProfile accepted;
    QPair<QString, QString> lastWritten; // profile and password last sent to the keyring
    QString readPending;                 // profile whose password the keyring has not answered yet
    bool connectWhenRead = false;        // Connect was pressed while that read was on its way
};

ConnectionDialog::ConnectionDialog(ProfileStore *profiles, PasswordStore *passwords,
                                   QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui>())
    , m_profiles(profiles)
    , m_passwords(passwords)
    , m_probe(new ProbeWorker)
{
    setWindowTitle(tr("Connect to a database"));
    Ui &ui = *m_ui;

    // Left: the profiles, with New and Delete under them.
    ui.profileList = new QListWidget;
    ui.profileList->setObjectName(QStringLiteral("profileList"));
    ui.profileList->setMinimumWidth(180);
    ui.newButton = new QPushButton(tr("&New"));
    ui.newButton->setObjectName(QStringLiteral("newButton"));
    ui.newButton->setToolTip(tr("A new profile (Ctrl+N)"));
    ui.deleteButton = new QPushButton(tr("Delete"));
    ui.deleteButton->setObjectName(QStringLiteral("deleteButton"));
    ui.deleteButton->setToolTip(tr("Delete the selected profile (Del)"));
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(ui.newButton);
    listButtons->addWidget(ui.deleteButton);
    listButtons->addStretch();
    auto *left = new QVBoxLayout;
    left->addWidget(ui.profileList);
    left->addLayout(listButtons);

    // Right: the form.
    const auto lineEdit = [](const char *name, const QString &placeholder = {}) {
        auto *edit = new QLineEdit;
        edit->setObjectName(QLatin1String(name));
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(false);
        return edit;
    };
    ui.localDescription =
        new QLabel(tr("A private PostgreSQL in your data directory, created, started and "
                      "stopped by AlgoAdmin. Nothing to configure."));
    ui.localDescription->setWordWrap(true);
    ui.nameEdit = lineEdit("nameEdit", tr("e.g. staging"));
    ui.hostEdit = lineEdit("hostEdit", tr("localhost, an address or a socket directory"));
    ui.portEdit = lineEdit("portEdit", QStringLiteral("5432"));
    ui.databaseEdit = lineEdit("databaseEdit", tr("database name"));
    ui.userEdit = lineEdit("userEdit", tr("your login name"));
    ui.passwordEdit = lineEdit("passwordEdit", tr("from ~/.pgpass or PGPASSWORD"));
    ui.passwordEdit->setEchoMode(QLineEdit::Password);
    ui.sslModeCombo = new QComboBox;
    ui.sslModeCombo->setObjectName(QStringLiteral("sslModeCombo"));
    ui.sslModeCombo->addItem(tr("libpq default (prefer)"), QString());
    for (const QString &mode : ConnectionProfile::sslModes())
        ui.sslModeCombo->addItem(mode, mode);
    ui.auditUserEdit = lineEdit("auditUserEdit", tr("your user id in the changelog"));

    ui.productionCheck = new QCheckBox(tr("Production database"));
    ui.productionCheck->setObjectName(QStringLiteral("productionCheck"));
    auto *productionHint = new QLabel(tr("Colours the window red and asks before every write."));
    productionHint->setStyleSheet(HintStyle);
    productionHint->setWordWrap(true);
    // Hints line up with the check box's text, not its box.
    const int textIndent = style()->pixelMetric(QStyle::PM_IndicatorWidth) +
                           style()->pixelMetric(QStyle::PM_CheckBoxLabelSpacing);
    productionHint->setContentsMargins(textIndent, 0, 0, 0);
    ui.productionBox = new QWidget;
    auto *productionLayout = new QVBoxLayout(ui.productionBox);
    productionLayout->setContentsMargins(0, 0, 0, 0);
    productionLayout->setSpacing(2);
    productionLayout->addWidget(ui.productionCheck);
    productionLayout->addWidget(productionHint);

    ui.savePasswordCheck = new QCheckBox(tr("Save password in the system keyring"));
    ui.savePasswordCheck->setObjectName(QStringLiteral("savePasswordCheck"));
    ui.keyringMessage = new QLabel;
    ui.keyringMessage->setObjectName(QStringLiteral("keyringMessage"));
    ui.keyringMessage->setWordWrap(true);
    ui.keyringMessage->setContentsMargins(textIndent, 0, 0, 0);
    ui.keyringMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ui.keyringMessage->hide();
    ui.savePasswordBox = new QWidget;
    auto *savePasswordLayout = new QVBoxLayout(ui.savePasswordBox);
    savePasswordLayout->setContentsMargins(0, 0, 0, 0);
    savePasswordLayout->setSpacing(2);
    savePasswordLayout->addWidget(ui.savePasswordCheck);
    savePasswordLayout->addWidget(ui.keyringMessage);

    ui.demoCheck = new QCheckBox(tr("Fill an empty sandbox with demo data"));
    ui.demoCheck->setObjectName(QStringLiteral("demoCheck"));
    ui.demoCheck->setChecked(true);

    ui.form = new QFormLayout;
    ui.form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    ui.form->addRow(ui.localDescription);
    ui.form->addRow(tr("Na&me:"), ui.nameEdit);
    ui.form->addRow(tr("&Host:"), ui.hostEdit);
    ui.form->addRow(tr("&Port:"), ui.portEdit);
    ui.form->addRow(tr("&Database:"), ui.databaseEdit);
    ui.form->addRow(tr("&User:"), ui.userEdit);
    ui.form->addRow(tr("Pass&word:"), ui.passwordEdit);
    ui.form->addRow(QString(), ui.savePasswordBox);
    ui.form->addRow(tr("SS&L mode:"), ui.sslModeCombo);
    ui.transportWarning = new QLabel;
    ui.transportWarning->setObjectName(QStringLiteral("transportWarning"));
    ui.transportWarning->setWordWrap(true);
    ui.transportWarning->setStyleSheet(ErrorStyle);
    ui.form->addRow(QString(), ui.transportWarning);
    ui.form->addRow(tr("&Audit user id:"), ui.auditUserEdit);
    ui.form->addRow(QString(), ui.productionBox);
    ui.form->addRow(QString(), ui.demoCheck);

    ui.formMessage = new QLabel;
    ui.formMessage->setObjectName(QStringLiteral("formMessage"));
    ui.formMessage->setWordWrap(true);
    ui.formMessage->setStyleSheet(ErrorStyle);
    ui.formMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ui.formMessage->hide();

    ui.saveButton = new QPushButton(tr("&Save"));
    ui.saveButton->setObjectName(QStringLiteral("saveButton"));
    ui.saveButton->setToolTip(tr("Save the profile, never its password (Ctrl+S)"));
    ui.testButton = new QPushButton(tr("&Test connection"));
    ui.testButton->setObjectName(QStringLiteral("testButton"));
    ui.testButton->setToolTip(tr("Connect once and show the server, role and round trip (Ctrl+T)"));
    auto *formButtons = new QHBoxLayout;
    formButtons->addWidget(ui.saveButton);
    formButtons->addWidget(ui.testButton);
    formButtons->addStretch();

    ui.testResult = new QLabel;
    ui.testResult->setObjectName(QStringLiteral("testResult"));
    ui.testResult->setWordWrap(true);
    ui.testResult->setTextFormat(Qt::PlainText);
    ui.testResult->setTextInteractionFlags(Qt::TextSelectableByMouse |
                                           Qt::TextSelectableByKeyboard);
    ui.testResult->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    ui.testResult->setMinimumHeight(ui.testResult->fontMetrics().lineSpacing() * 3);

    auto *right = new QVBoxLayout;
    right->addLayout(ui.form);
    right->addWidget(ui.formMessage);
    right->addLayout(formButtons);
    right->addWidget(ui.testResult);
    right->addStretch();

    auto *columns = new QHBoxLayout;
    columns->addLayout(left, 2);
    columns->addSpacing(8);
    columns->addLayout(right, 5);

    auto *buttons = new QDialogButtonBox;
    ui.connectButton = buttons->addButton(tr("&Connect"), QDialogButtonBox::AcceptRole);
    ui.connectButton->setObjectName(QStringLiteral("connectButton"));
    ui.connectButton->setDefault(true);
    Keyboard::submitWith(this, ui.connectButton);
    buttons->addButton(QDialogButtonBox::Cancel);
    // Enter connects wherever the focus is; the side buttons have their own shortcuts.
    for (QPushButton *button : {ui.newButton, ui.deleteButton, ui.saveButton, ui.testButton})
        button->setAutoDefault(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addWidget(buttons);
    resize(760, 500);

    // Shortcuts of their own rather than the buttons': a button's shortcut clicks it 100 ms
    // later (animateClick), these act at once.
    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *created = new QShortcut(keys, this);
        connect(created, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence::New, &ConnectionDialog::newProfile);
    shortcut(QKeySequence::Save, [this] { saveProfile(); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_T), &ConnectionDialog::testConnection);
    // Del deletes only from the list: in a field it deletes characters.
    auto *deleteShortcut = new QShortcut(QKeySequence::Delete, ui.profileList);
    deleteShortcut->setContext(Qt::WidgetShortcut);
    connect(deleteShortcut, &QShortcut::activated, this, &ConnectionDialog::deleteProfile);

    connect(
        ui.profileList, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *current) {
            if (!m_ui->loading && current)
                loadProfile(current->data(NameRole).toString(), current->data(LocalRole).toBool());
        });
    // A double click connects; not itemActivated, which a single click fires in some styles.
    connect(ui.profileList, &QListWidget::itemDoubleClicked, this,
            &ConnectionDialog::connectProfile);
    connect(ui.newButton, &QPushButton::clicked, this, &ConnectionDialog::newProfile);
    connect(ui.deleteButton, &QPushButton::clicked, this, &ConnectionDialog::deleteProfile);
    connect(ui.saveButton, &QPushButton::clicked, this, [this] { saveProfile(); });
    connect(ui.testButton, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::connectProfile);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_probe, &ProbeWorker::probed, this, &ConnectionDialog::showTestResult);
    m_probe->start();

    for (QLineEdit *edit :
         {ui.hostEdit, ui.portEdit, ui.databaseEdit, ui.userEdit, ui.passwordEdit}) {
        connect(edit, &QLineEdit::textChanged, this, &ConnectionDialog::connectionEdited);
    }
    connect(ui.sslModeCombo, &QComboBox::currentIndexChanged, this,
            &ConnectionDialog::connectionEdited);
    for (QLineEdit *edit : {ui.nameEdit, ui.auditUserEdit})
        connect(edit, &QLineEdit::textChanged, this, [this] { m_ui->formMessage->hide(); });

    if (m_passwords) {
        connect(m_passwords, &PasswordStore::passwordRead, this, &ConnectionDialog::passwordRead);
        connect(m_passwords, &PasswordStore::passwordWritten, this,
                &ConnectionDialog::passwordWritten);
    }

    reloadList();
    const QString last = m_profiles ? m_profiles->lastUsed() : QString();
    selectProfile(last.isEmpty() ? localSandboxName() : last);
    if (!ui.profileList->currentItem())
        selectProfile(localSandboxName());
}

ConnectionDialog::~ConnectionDialog()
{
    // A probe still running keeps its thread until libpq's connect_timeout at most, then the
    // worker goes; its answer reaches nobody. No wait here: the window never waits on the
    // network.
    m_probe->disconnect(this);
    m_probe->shutdown(QDeadlineTimer(0));
}

QString ConnectionDialog::localSandboxName()
{
    // Not translated: it is also the sandbox's key in the settings (the last used profile).
    return QStringLiteral("Local sandbox");
}

void ConnectionDialog::selectProfile(const QString &name)
{
    for (int row = 0; row < m_ui->profileList->count(); ++row) {
        QListWidgetItem *item = m_ui->profileList->item(row);
        if (item->data(NameRole).toString() == name) {
            m_ui->profileList->setCurrentItem(item);
            return;
        }
    }
}

ConnectionProfile ConnectionDialog::profile() const
{
    if (result() == QDialog::Accepted)
        return m_ui->accepted;
    return formProfile();
}

QString ConnectionDialog::password() const
{
    return m_ui->local ? QString() : m_ui->passwordEdit->text();
}

bool ConnectionDialog::demoData() const
{
    return m_ui->local && m_ui->demoCheck->isChecked();
}

ConnectionProfile ConnectionDialog::formProfile() const
{
    ConnectionProfile profile;
    if (m_ui->local) {
        profile.local = true;
        profile.name = localSandboxName();
        return profile;
    }
    // Names and addresses never mean their surrounding spaces; a password might.
    profile.name = m_ui->nameEdit->text().trimmed();
    profile.host = m_ui->hostEdit->text().trimmed();
    profile.port = m_ui->portEdit->text().trimmed();
    profile.database = m_ui->databaseEdit->text().trimmed();
    profile.user = m_ui->userEdit->text().trimmed();
    profile.sslMode = m_ui->sslModeCombo->currentData().toString();
    profile.auditUserId = m_ui->auditUserEdit->text().trimmed();
    profile.production = m_ui->productionCheck->isChecked();
    profile.savePassword = m_ui->savePasswordCheck->isChecked();
    return profile;
}

void ConnectionDialog::reloadList()
{
    Ui &ui = *m_ui;
    ui.loading = true;
    ui.profileList->clear();
    auto *sandbox = new QListWidgetItem(localSandboxName(), ui.profileList);
    sandbox->setData(NameRole, localSandboxName());
    sandbox->setData(LocalRole, true);
    sandbox->setToolTip(tr("The embedded PostgreSQL, started by AlgoAdmin"));
    QFont bold = sandbox->font();
    bold.setBold(true);
    sandbox->setFont(bold);
    if (m_profiles) {
        for (const ConnectionProfile &profile : m_profiles->profiles()) {
            auto *item = new QListWidgetItem(profile.name, ui.profileList);
            item->setData(NameRole, profile.name);
            item->setData(LocalRole, false);
            item->setToolTip(profile.options().displayName());
            if (profile.production) {
                item->setText(tr("%1  (production)").arg(profile.name));
                item->setForeground(Colours::failure());
            }
        }
    }
    ui.loading = false;
}

void ConnectionDialog::loadProfile(const QString &name, bool local)
{
    Ui &ui = *m_ui;
    ConnectionProfile profile;
    if (local) {
        profile.local = true;
        profile.name = localSandboxName();
    } else if (const auto stored = m_profiles ? m_profiles->profile(name) : std::nullopt) {
        profile = *stored;
    } else {
        return;
    }
    ui.loading = true;
    ui.storedName = profile.name;
    ui.local = profile.local;
    ui.readPending.clear();
    ui.connectWhenRead = false;
    ui.nameEdit->setText(profile.name);
    ui.hostEdit->setText(profile.host);
    ui.portEdit->setText(profile.port);
    ui.databaseEdit->setText(profile.database);
    ui.userEdit->setText(profile.user);
    ui.passwordEdit->clear();
    int ssl = ui.sslModeCombo->findData(profile.sslMode);
    if (ssl < 0) {
        // Not one we know: kept as it is, so that Connect names it rather than losing it.
        ui.sslModeCombo->addItem(profile.sslMode, profile.sslMode);
        ssl = ui.sslModeCombo->count() - 1;
    }
    ui.sslModeCombo->setCurrentIndex(ssl);
    ui.auditUserEdit->setText(profile.auditUserId);
    ui.productionCheck->setChecked(profile.production);
    ui.savePasswordCheck->setChecked(profile.savePassword);
    ui.loading = false;
    setLocalMode(profile.local);
    connectionEdited();
    showKeyringMessage({}, false);
    ui.formMessage->hide();
    if (!profile.local && profile.savePassword && m_passwords) {
        ui.passwordEdit->setPlaceholderText(tr("reading the system keyring…"));
        ui.readPending = profile.name;
        m_passwords->read(profile.name);
    }
}

void ConnectionDialog::setLocalMode(bool local)
{
    Ui &ui = *m_ui;
    ui.form->setRowVisible(ui.localDescription, local);
    ui.form->setRowVisible(ui.nameEdit, !local);
    for (QWidget *field : std::initializer_list<QWidget *>{
             ui.hostEdit, ui.portEdit, ui.databaseEdit, ui.userEdit, ui.passwordEdit,
             ui.savePasswordBox, ui.sslModeCombo, ui.auditUserEdit, ui.productionBox}) {
        ui.form->setRowVisible(field, !local);
    }
    ui.form->setRowVisible(ui.demoCheck, local);
    ui.nameEdit->setReadOnly(local);
    ui.saveButton->setEnabled(!local);
    ui.deleteButton->setEnabled(!local && !ui.storedName.isEmpty());
    // The sandbox is not running until Connect starts it: there is nothing to test yet.
    ui.testButton->setEnabled(!local);
    ui.testButton->setToolTip(local ? tr("The sandbox starts when you connect")
                                    : tr("Connect once and show the server, role and round "
                                         "trip (Ctrl+T)"));
}

void ConnectionDialog::newProfile()
{
    Ui &ui = *m_ui;
    ui.loading = true;
    ui.profileList->setCurrentItem(nullptr);
    ui.profileList->clearSelection();
    ui.storedName.clear();
    ui.local = false;
    for (QLineEdit *edit : {ui.nameEdit, ui.hostEdit, ui.portEdit, ui.databaseEdit, ui.userEdit,
                            ui.passwordEdit, ui.auditUserEdit})
        edit->clear();
    ui.sslModeCombo->setCurrentIndex(0);
    ui.productionCheck->setChecked(false);
    ui.savePasswordCheck->setChecked(false);
    ui.loading = false;
    setLocalMode(false);
    connectionEdited();
    showKeyringMessage({}, false);
    ui.formMessage->hide();
    ui.nameEdit->setFocus();
}

bool ConnectionDialog::saveProfile()
{
    Ui &ui = *m_ui;
    if (ui.local || !m_profiles)
        return true;
    ConnectionProfile profile = formProfile();
    QString problem = profile.validate();
    if (problem.isEmpty() && profile.name == localSandboxName())
        problem =
            tr("“%1” is the built-in sandbox: give the profile another name.").arg(profile.name);
    if (problem.isEmpty() && profile.name != ui.storedName && m_profiles->profile(profile.name))
        problem = tr("A profile named “%1” already exists: choose another name.").arg(profile.name);
    if (!problem.isEmpty()) {
        // Everything typed stays where it is; only the message is new.
        ui.formMessage->setText(problem);
        ui.formMessage->show();
        return false;
    }
    ui.formMessage->hide();

    const std::optional<ConnectionProfile> before =
        ui.storedName.isEmpty() ? std::nullopt : m_profiles->profile(ui.storedName);
    const bool renamed = before && before->name != profile.name;
    if (renamed)
        m_profiles->rename(before->name, profile.name);
    m_profiles->save(profile);

    const QString password = ui.passwordEdit->text();
    if (m_passwords) {
        // Save then Connect asks once: a keyring may prompt to be unlocked for every write.
        const QPair<QString, QString> toWrite{profile.name, password};
        const bool writesNew = profile.savePassword && !password.isEmpty();
        if (writesNew && ui.lastWritten != toWrite) {
            ui.lastWritten = toWrite;
            showKeyringMessage(tr("Saving the password in the system keyring…"), false);
            m_passwords->write(profile.name, password);
        }
        // A keyring entry the profile no longer uses is not left behind; on a rename the old
        // entry goes only once the password is under the new name (it may not have been read
        // back yet, or the keyring refused: then it stays where it is rather than be lost).
        if (before && before->savePassword && (!profile.savePassword || (renamed && writesNew)))
            m_passwords->remove(before->name);
    }

    ui.storedName = profile.name;
    reloadList();
    ui.loading = true;
    selectProfile(profile.name);
    ui.loading = false;
    ui.deleteButton->setEnabled(true);
    return true;
}

void ConnectionDialog::deleteProfile()
{
    Ui &ui = *m_ui;
    if (ui.local || ui.storedName.isEmpty() || !m_profiles)
        return;
    const QString name = ui.storedName;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete profile"),
                                tr("Delete the profile “%1”?").arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteConfirmation"));
    box->setInformativeText(tr("The database itself is not touched."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->button(QMessageBox::Yes)->setText(tr("Delete"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    // open(), not exec(): no nested event loop, and the dialog keeps receiving test results.
    connect(box, &QMessageBox::finished, this, [this, box, name] {
        if (box->standardButton(box->clickedButton()) != QMessageBox::Yes)
            return;
        const std::optional<ConnectionProfile> stored = m_profiles->profile(name);
        m_profiles->remove(name);
        if (stored && stored->savePassword && m_passwords)
            m_passwords->remove(name);
        reloadList();
        selectProfile(localSandboxName());
    });
    box->open();
}

void ConnectionDialog::connectProfile()
{
    Ui &ui = *m_ui;
    if (!ui.local && !ui.readPending.isEmpty() && ui.passwordEdit->text().isEmpty()) {
        // The keyring has not answered yet: connecting now would go without the password.
        ui.connectWhenRead = true;
        showKeyringMessage(tr("Waiting for the system keyring…"), false);
        return;
    }
    // Saving also sends the password to the keyring when asked to; its answer reaches
    // whoever else listens to the PasswordStore, as the dialog is gone by then.
    if (!ui.local && !saveProfile())
        return;
    ui.accepted = formProfile();
    if (m_profiles)
        m_profiles->setLastUsed(ui.accepted.name);
    accept();
}

void ConnectionDialog::connectionEdited()
{
    Ui &ui = *m_ui;
    if (ui.loading)
        return;
    ++ui.revision;
    ui.formMessage->hide();
    const QString warning = ui.local ? QString() : formProfile().transportWarning();
    ui.transportWarning->setText(warning);
    ui.form->setRowVisible(ui.transportWarning, !warning.isEmpty());
    // What is shown belongs to the settings before the edit: drop it, and let a new test
    // start even while the old one is still on its way (its answer will be dropped).
    ui.testResult->clear();
    ui.testResult->setStyleSheet({});
    ui.testButton->setText(tr("&Test connection"));
    ui.testButton->setEnabled(!ui.local);
}

void ConnectionDialog::testConnection()
{
    Ui &ui = *m_ui;
    if (ui.local || !ui.testButton->isEnabled())
        return;
    const ConnectionProfile profile = formProfile();
    // Only what libpq would refuse to parse stops a test; the name may still be empty.
    ConnectionProfile forTest = profile;
    if (forTest.name.isEmpty())
        forTest.name = QStringLiteral("test");
    const QString problem = forTest.validate();
    if (!problem.isEmpty()) {
        showTestFailure(problem);
        return;
    }
    ui.testRevision = ui.revision;
    ui.testButton->setText(tr("Testing…"));
    ui.testButton->setEnabled(false);
    ui.testResult->setStyleSheet({});
    ui.testResult->setText(tr("Connecting to %1…").arg(profile.options().displayName()));
    m_testRequest = m_probe->probe(profile.options(ui.passwordEdit->text()), ProbePings);
}

void ConnectionDialog::showTestResult(int request, const ServerInfo &info)
{
    Ui &ui = *m_ui;
    if (request != m_testRequest)
        return; // a newer test was asked for
    Q_EMIT testAnswered();
    if (ui.testRevision != ui.revision)
        return; // the form changed since the test started: this answer is about something else
    ui.testButton->setText(tr("&Test connection"));
    ui.testButton->setEnabled(!ui.local);
    if (!info.ok()) {
        const QString prefix = info.error.what == QLatin1String("connect")
                                   ? tr("Could not connect: %1")
                                   : tr("Connected, but could not read the server: %1");
        showTestFailure(prefix.arg(info.error.message));
        return;
    }
    QStringList lines;
    lines.append(tr("Connected to PostgreSQL %1 as %2 — round trip %3 ms, connect %4 ms")
                     .arg(info.serverVersion, info.role, formatMs(info.roundTripMs),
                          formatMs(info.connectMs)));
    if (info.readOnly)
        lines.append(tr("Read-only: %1.").arg(info.readOnlyReason));
    if (!info.schemaPresent)
        lines.append(tr("The database %1 has no algorithm tables yet.").arg(info.database));
    ui.testResult->setStyleSheet({});
    ui.testResult->setText(lines.join(QLatin1Char('\n')));
}

void ConnectionDialog::showTestFailure(const QString &message)
{
    m_ui->testResult->setStyleSheet(ErrorStyle);
    m_ui->testResult->setText(message);
}

void ConnectionDialog::passwordRead(const QString &profile, const QString &password,
                                    const QString &error)
{
    Ui &ui = *m_ui;
    if (profile != ui.storedName || ui.local || profile != ui.readPending)
        return; // the user has moved on to another profile
    ui.readPending.clear();
    ui.passwordEdit->setPlaceholderText(tr("from ~/.pgpass or PGPASSWORD"));
    const bool connectNow = std::exchange(ui.connectWhenRead, false);
    if (!error.isEmpty()) {
        // Connect waits no longer: the user sees why and can type the password.
        showKeyringMessage(error, true);
        return;
    }
    // What the user typed meanwhile wins over the keyring.
    if (ui.passwordEdit->text().isEmpty())
        ui.passwordEdit->setText(password);
    if (connectNow) {
        showKeyringMessage({}, false);
        connectProfile();
    }
}

void ConnectionDialog::passwordWritten(const QString &profile, const QString &error)
{
    if (profile != m_ui->storedName)
        return;
    if (error.isEmpty()) {
        showKeyringMessage(tr("The password is saved in the system keyring."), false);
    } else {
        m_ui->lastWritten = {}; // Save may try again, e.g. once the keyring is unlocked
        showKeyringMessage(error, true);
    }
}

void ConnectionDialog::showKeyringMessage(const QString &message, bool isError)
{
    m_ui->keyringMessage->setText(message);
    m_ui->keyringMessage->setStyleSheet(isError ? ErrorStyle : HintStyle);
    m_ui->keyringMessage->setVisible(!message.isEmpty());
}
