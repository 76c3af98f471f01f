#pragma once

#include <QString>

// What this build is made of, for `algoadmin --version` and Help > About. The program's version
// has one source: the project version in CMakeLists.txt.
namespace Version {

QString program();   // "0.1.0"
QString qtRuntime(); // the Qt library loaded now: "6.4.2"
QString qtBuild();   // the Qt the program was built against
QString libpq();     // the libpq loaded now (PQlibVersion): "15.14"
// The lines `algoadmin --version` prints: the program, then Qt and libpq.
QString report();

} // namespace Version
