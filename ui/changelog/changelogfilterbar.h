#pragma once

#include "repositories/changelogrepository.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QHBoxLayout;
class QLineEdit;
class QTimer;

// The Changelog panel's filters: agent, parameter (its choices narrowed by the agent), user
// id, database role, source, time range (presets and custom), reason text and change set. Edits
// are debounced into one changed() signal; the active filters are shown as removable chips;
// the filter is remembered between sessions (QSettings).
class ChangelogFilterBar : public QWidget
{
    Q_OBJECT

public:
    explicit ChangelogFilterBar(QWidget *parent = nullptr);

    // The filter as the boxes say now (the time presets relative to this moment).
    ChangelogFilter filter() const;
    // Sets every box at once (a link from another panel, a timeline drag); emits changed().
    void setFilter(const ChangelogFilter &filter);
    void setTimeRange(const QDateTime &from, const QDateTime &to);
    void clearAll();

    // The choices of the boxes, from the server.
    void setFacets(const ChangelogFacets &facets);
    void setParameterNames(const QString &algorithmId, const QStringList &names);
    QString agent() const;

    QLineEdit *reasonEdit() const { return m_reason; }
    QWidget *chips() const { return m_chips; }
    // The chips' texts, for tests ("Agent: A3").
    QStringList chipTexts() const;
    void stopDebounce();

    void saveState() const;
    void restoreState();

Q_SIGNALS:
    void changed();
    void agentChanged(const QString &algorithmId); // the panel asks for its parameter names

private:
    void edited();
    void updateChips();
    void updateTimeBoxes();
    void addChip(const QString &text, const std::function<void()> &remove);
    static void setComboText(QComboBox *box, const QString &text);

    QComboBox *m_agent;
    QComboBox *m_parameter;
    QLineEdit *m_user;
    QComboBox *m_role;
    QComboBox *m_source;
    QComboBox *m_range;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QLineEdit *m_reason;
    QLineEdit *m_changeSet;
    QWidget *m_chips;
    QHBoxLayout *m_chipLayout;
    QTimer *m_debounce;
    bool m_setting = false;
};
