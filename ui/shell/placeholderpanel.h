#pragma once

#include "panel.h"

// A page a later release fills (Agents, Changelog, Metrics, Chat): says what will be there.
class PlaceholderPanel : public Panel
{
    Q_OBJECT

public:
    PlaceholderPanel(QString id, QString title, const QString &description,
                     QWidget *parent = nullptr);

    QString panelId() const override { return m_id; }
    QString panelTitle() const override { return m_title; }
    void setConnection(const ConnectionContext &context) override;
    void refresh() override;
    void cancel() override {}
    bool isBusy() const override { return false; }

private:
    QString m_id;
    QString m_title;
};
