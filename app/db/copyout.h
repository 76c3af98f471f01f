#pragma once

#include "db/pgconnection.h"

#include <QByteArray>

#include <functional>

// Runs one COPY … TO STDOUT on a libpq connection (any: a PgConnection's or the one under a
// QPSQL QSqlDatabase, see sqldatabase.h) and hands over each line of data as the server sends
// it, without collecting the result: the server formats the rows (CSV and all) and memory stays
// flat however many there are. COPY takes no bound values: pass them as settings of the
// transaction (set_config(…, true)) that the statement reads with current_setting().
namespace CopyOut {

// Called with each line (a row, or the header), exactly as the server sent it. Returns false
// to stop: the statement is then cancelled and what is still on its way is read and dropped.
using LineHandler = std::function<bool(const char *data, int size)>;

// Called about every 250 ms while nothing arrives, with how long nothing has: why to give up
// (a LinkWatch's verdict), or empty to wait on.
using WaitHandler = std::function<QString(qint64 quietMs)>;

// Runs `sql` and returns its final result (COPY n, or the server's error; a cancelled run ends
// with SQLSTATE 57014 unless it had finished). False, with `error` set, only when the
// connection itself failed, could not send the statement, or `onWait` gave up (08006 with its
// words).
bool run(PGconn *conn, const QByteArray &sql, const LineHandler &onLine, PgResult *final,
         DbError *error, const WaitHandler &onWait = {});

} // namespace CopyOut
