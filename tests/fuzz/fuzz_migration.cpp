// libFuzzer target: one migration file's bytes through everything that reads a file before
// anything runs: the loader (UTF-8 check, the no-transaction marker, splitting, checksums) and
// the splitter in both modes, then the statement summaries the reports show. Any crash, hang,
// or AddressSanitizer / UndefinedBehaviorSanitizer report is a failure; refusing the input
// with a message is the expected outcome for most of what a fuzzer makes.
#include "migrations/migration.h"
#include "migrations/sqlsplitter.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    Migration migration;
    QString error;
    if (parseMigration(QStringLiteral("001_fuzz.sql"), QStringLiteral("/fuzz/001_fuzz.sql"), bytes,
                       &migration, &error)) {
        // What a resume compares, over every prefix length.
        for (int count = 0; count <= migration.statements.size(); ++count)
            (void)statementsChecksum(migration, count);
    }
    const QString text = QString::fromUtf8(bytes);
    for (bool transactional : {true, false}) {
        const SqlSplitResult split = splitSqlStatements(text, {transactional});
        for (const SqlStatement &statement : split.statements)
            (void)summarizeStatement(statement.text);
    }
    return 0;
}
