#pragma once

#include "db/pgconnection.h"

#include <limits>

// What metricsrepository.cpp and metricimpacts.cpp share (private to them).

// SQL: `column` holds a finite value. numeric orders -Infinity < finite < Infinity < NaN, and a
// NULL compares to nothing, so NaN, ±Infinity and NULL are all left out.
#define ALGOADMIN_FINITE(column) column " > '-Infinity' AND " column " < 'Infinity'"

namespace MetricSql {

// The double of a float8 column, NaN for NULL.
inline double nanOr(const PgResult &r, int row, int column)
{
    return r.isNull(row, column) ? std::numeric_limits<double>::quiet_NaN()
                                 : r.value(row, column).toDouble();
}

} // namespace MetricSql
