#include "repositories/privileges.h"

#include "repositories/repositorysupport.h"

namespace {

// What an apply and a toggle write, triggers included (sql/005, sql/007).
const QByteArray PrivilegesSql = R"SQL(
SELECT has_column_privilege('algorithm_parameters', 'current_value', 'UPDATE')
       AND has_table_privilege('algorithm_changelog', 'INSERT')
       AND has_column_privilege('algorithm_agents', 'current_config', 'UPDATE')
       AND has_column_privilege('algorithm_agents', 'last_modified_by', 'UPDATE')
       AND has_column_privilege('algorithm_agents', 'last_modified_at', 'UPDATE'),
       has_column_privilege('algorithm_agents', 'is_active', 'UPDATE')
       AND has_column_privilege('algorithm_agents', 'updated_at', 'UPDATE')
       AND has_table_privilege('algorithm_changelog', 'INSERT'),
       current_user
)SQL";
// PrivilegesSql's select list, in order.
enum PrivilegesColumn
{
    CanUpdateParameters,
    CanToggleAgents,
    CurrentRole
};

} // namespace

Privileges readPrivileges(const QSqlDatabase &database, DbError *error)
{
    const RepositorySupport::BatchResults batch =
        RepositorySupport::run(database, {{PrivilegesSql}}, QStringLiteral("read privileges"));
    const DbError failure = RepositorySupport::firstError(batch, QStringLiteral("read privileges"));
    if (error)
        *error = failure;
    Privileges privileges;
    if (failure.isError())
        return privileges;
    const PgResult &result = batch.results.constFirst();
    privileges.canUpdateParameters = result.value(0, CanUpdateParameters) == QLatin1String("t");
    privileges.canToggleAgents = result.value(0, CanToggleAgents) == QLatin1String("t");
    privileges.role = result.value(0, CurrentRole);
    return privileges;
}
