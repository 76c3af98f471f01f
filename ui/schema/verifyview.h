#pragma once

#include "migrations/migrationengine.h"

#include <QWidget>

class QLabel;
class QTreeView;
class VerifyTreeModel;

// Verify's outcome: a one-line summary and the differences as a tree.
class VerifyView : public QWidget
{
    Q_OBJECT

public:
    explicit VerifyView(QWidget *parent = nullptr);

    void setReport(const VerifyReport &report);
    void clear();

private:
    VerifyTreeModel *m_model = nullptr;
    QLabel *m_summary = nullptr;
    QTreeView *m_tree = nullptr;
};
