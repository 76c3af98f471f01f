#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Asks why a change is made; the reason is written to the changelog. OK stays disabled until
// the reason follows the same rule as an apply's (reasonProblem: at least 3 words or 10
// characters), which the dialog states.
class ActiveReasonDialog : public QDialog
{
    Q_OBJECT

public:
    ActiveReasonDialog(const QString &title, const QString &question, QWidget *parent = nullptr);

    QString reason() const; // trimmed

private:
    void updateState();

    QLineEdit *m_edit = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};
