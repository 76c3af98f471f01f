#pragma once

#include <QDialog>

class QLabel;

// Help > About: the program's version, the Qt and libpq it runs on (what `algoadmin --version`
// prints), and the server the window is connected to.
class AboutDialog : public QDialog
{
    Q_OBJECT

public:
    // `serverVersion` as the server reports it ("15.5 (Debian 15.5-0+deb12u1)"), empty when not
    // connected; `profile` and `role` say where.
    AboutDialog(const QString &serverVersion, const QString &profile, const QString &role,
                QWidget *parent = nullptr);

    // The text shown, for tests and Copy.
    QString detailsText() const;

private:
    QLabel *m_details = nullptr;
};
