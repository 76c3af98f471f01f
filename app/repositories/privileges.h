#pragma once

#include "db/dberror.h"

#include <QSqlDatabase>
#include <QString>

// What the connected role may do, so that the UI can go read-only instead of failing on apply.
struct Privileges
{
    // UPDATE of algorithm_parameters.current_value plus what its triggers write (INSERT into
    // algorithm_changelog, UPDATE of the agent's config columns).
    bool canUpdateParameters = false;
    // UPDATE of algorithm_agents.is_active plus INSERT into algorithm_changelog.
    bool canToggleAgents = false;
    QString role; // current_user
};

// One query (has_table_privilege / has_column_privilege). On failure returns all-false
// privileges and sets `error`.
Privileges readPrivileges(const QSqlDatabase &database, DbError *error);
