#pragma once

#include "migrations/migrationengine.h"

#include <QJsonObject>
#include <QString>

// Text and JSON renderings of the engine's reports, shared by the command line and tests.
namespace Report {

QString stepHeader();                    // the column titles of the step table
QString stepRow(const StepReport &step); // one row, printed live as each step finishes
QString runTotals(const RunReport &report);
QString runFailure(const RunReport &report); // what went wrong and the state after, or empty
QString statusTable(const StatusReport &report);
QString verifyText(const VerifyReport &report);
QString baselineText(const BaselineReport &report);

QJsonObject errorJson(const DbError &error);
QJsonObject runJson(const RunReport &report);
QJsonObject statusJson(const StatusReport &report);
QJsonObject verifyJson(const VerifyReport &report);

} // namespace Report
