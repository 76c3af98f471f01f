#include "migrations/enginesupport.h"

DbError loadMigrationsError(const MigrationSet &set)
{
    return {QStringLiteral("load migrations"), set.source, set.error, {}, {}, {}};
}
