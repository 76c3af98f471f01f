#pragma once

#include "repositories/parameterrepository.h"

#include <QDialog>

class MessageBanner;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

// The preview of a revert or a restore before anything is written: each change from → to as
// the database would make it (run and rolled back, re-checked against today's bounds and
// types), a refusal with the database's reason, conflicts (the value changed since the entry:
// shown, with a knowing override that asks for a new preview), a required reason and, on a
// production profile, the profile's name typed out.
class RevertDialog : public QDialog
{
    Q_OBJECT

public:
    RevertDialog(const QString &title, const QString &profileName, bool production,
                 QWidget *parent = nullptr);

    // The preview's answer (a new one after the override was ticked or unticked).
    void setPreview(const SimulateResult &preview, const DbError &error);
    void setPreviewing(); // a preview is on its way
    bool overrideConflicts() const;
    QString reason() const;
    QString reportText() const; // the preview as plain text (tests)
    bool canConfirm() const;

Q_SIGNALS:
    void previewRequested(bool overrideConflicts);
    void confirmed(const QString &reason, bool overrideConflicts);

private:
    void updateState();

    QString m_profileName;
    bool m_production;
    bool m_ok = false;
    bool m_previewing = true;
    MessageBanner *m_banner;
    QTextBrowser *m_report;
    QCheckBox *m_override;
    QPlainTextEdit *m_reason;
    QLabel *m_reasonRule;
    QLineEdit *m_profile = nullptr;
    QPushButton *m_confirm;
};
