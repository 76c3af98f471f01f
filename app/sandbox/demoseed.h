#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

struct DemoSeedOptions
{
    qint64 changelogRows = 2000; // rows of algorithm_changelog history to generate
    qint64 metricRows = 200000;  // rows of algorithm_metrics to generate
    qint64 chatRows = 300;       // rows of algorithm_chat_history to generate
};

// One statement of the seeding script, with its bound parameters ($1, $2 … as text).
struct SeedStep
{
    QString summary;          // what it does, for the progress report ("metrics: 10000000 rows")
    QByteArray sql;           // one statement, parameters as $1..$n
    QList<QByteArray> params; // text values for $1..$n
};

// The statements that fill a migrated database (the bundled migrations) with demo data for the
// agents A1..A30, generated server-side. They run in one transaction, in order. Agents and
// parameters that already exist are left as they are (ON CONFLICT DO NOTHING, never UPDATE);
// changelog, chat and metric rows are appended.
QList<SeedStep> demoSeedSteps(const DemoSeedOptions &options);
