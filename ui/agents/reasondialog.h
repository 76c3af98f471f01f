#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Asks why a change is made; the reason is written to the changelog. OK stays disabled until
// the reason has a few words (minimumWords, at least minimumLength characters).
class ActiveReasonDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int minimumWords = 2;
    static constexpr int minimumLength = 8;

    ActiveReasonDialog(const QString &title, const QString &question, QWidget *parent = nullptr);

    QString reason() const; // trimmed
    static bool acceptable(const QString &reason);

private:
    void updateState();

    QLineEdit *m_edit = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};
