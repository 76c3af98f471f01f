#pragma once

#include "db/dberror.h"
#include "migrations/migration.h"

// What the parts of the migration engine share besides the session: the errors every
// operation reports the same way.

// The error of every operation on a set that could not be loaded (`set.ok()` is false).
DbError loadMigrationsError(const MigrationSet &set);
