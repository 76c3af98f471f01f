#pragma once

#include "migrations/migration.h"
#include "migrations/migrationengine.h"

#include <QString>

// Rich-text renderings of the engine's failures for the schema panel's error box: what failed,
// where (file:line), SQLSTATE, the server's words, and the state the database was left in.
namespace ReportHtml {

// An error of a status, verify or baseline request, under a heading.
QString error(const QString &heading, const DbError &error);
// A migrate or rehearse run that did not end Ok; `set` tells which migrations run outside a
// transaction (their earlier statements stay committed). Empty for an Ok run.
QString runFailure(const RunReport &report, const MigrationSet &set);
// A baseline that failed or gave up waiting for a lock; empty when it succeeded.
QString baselineFailure(const BaselineReport &report);

} // namespace ReportHtml
