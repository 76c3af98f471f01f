#pragma once

#include "db/dberror.h"
#include "migrations/migration.h"
#include "migrations/schemasnapshot.h"

#include <QList>

struct EngineSession;

// What verify and baseline learn by replaying migrations in a private scratch database.
struct ShadowRun
{
    QList<SchemaSnapshot> after; // the shadow's catalog after each migration (or only the last)
    DbError error;
    int catalogQueries = 0;
};

// Applies `migrations` to a scratch database of its own on the same server (made from
// template0 like the live one, given the live database's extensions the migrations do not
// create, and dropped afterwards), inside a transaction that is rolled back, in one round trip,
// and reads the live schema's namesake there after each migration (`snapshotEach`) or only
// after the last. Nothing live is locked or changed: schema-qualified statements and pg_dump
// files replay as they are. Statements that cannot run in a transaction run in the form that
// can, or not at all. A role that may not create databases gets an error saying so.
// `transportOk` is false, with `transport` set, when the connection failed.
ShadowRun runShadow(EngineSession &session, const QList<const Migration *> &migrations,
                    bool snapshotEach, DbError *transport, bool *transportOk);
