#pragma once

#include "db/dberror.h"
#include "migrations/migration.h"
#include "migrations/schemasnapshot.h"

#include <QList>

struct EngineSession;

// What verify and baseline learn by replaying migrations in a scratch schema.
struct ShadowRun
{
    QList<SchemaSnapshot> after; // the shadow's catalog after each migration (or only the last)
    DbError error;
    int catalogQueries = 0;
};

// Applies `migrations` to a scratch schema inside a transaction that is rolled back, in one
// round trip, and reads its catalog after each migration (`snapshotEach`) or only after the
// last. Statements that cannot run in a transaction run in the form that can, or not at all.
// `transportOk` is false, with `transport` set, when the connection failed.
ShadowRun runShadow(EngineSession &session, const QList<const Migration *> &migrations,
                    bool snapshotEach, DbError *transport, bool *transportOk);
