#pragma once

#include <QTableView>

class ChangelogModel;

// The changelog rows. It keeps pages coming ahead of the viewport in both directions (a page
// is asked for while a page of rows is still left beyond what is shown), keeps its place when
// the model's window drops or adds rows above what is shown, and turns Home/End (and
// Ctrl+Home/Ctrl+End) into jumps to the newest/oldest end of the whole result.
class ChangelogView : public QTableView
{
    Q_OBJECT

public:
    explicit ChangelogView(ChangelogModel *model, QWidget *parent = nullptr);

    // Asks for the next page above or below when the rows left beyond the viewport run short.
    void fetchAhead();

Q_SIGNALS:
    void jumpToStartRequested(); // Home: the first page of the result
    void jumpToEndRequested();   // End: the last page
    void rowsCopied(int rows);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void shiftBy(int rows);

    ChangelogModel *m_model;
};
