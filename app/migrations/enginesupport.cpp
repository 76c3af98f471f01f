#include "migrations/enginesupport.h"

#include <QRegularExpression>

#include <algorithm>

DbError loadMigrationsError(const MigrationSet &set)
{
    return {QStringLiteral("load migrations"), set.source, set.error, {}, {}, {}};
}

bool isTransactionControl(const QString &statement)
{
    // BEGIN inside a DO or function body is in a dollar quote, never at a statement's start.
    static const QRegularExpression control(
        QStringLiteral("^\\s*(BEGIN|START\\s+TRANSACTION|COMMIT(?!\\s+PREPARED)|END|"
                       "ROLLBACK(?!\\s+(TO|PREPARED))|ABORT|PREPARE\\s+TRANSACTION)\\b"),
        QRegularExpression::CaseInsensitiveOption);
    return control.match(statement).hasMatch();
}

// COPY … FROM STDIN / TO STDOUT needs a data stream that a migration file does not carry.
bool isClientCopy(const QString &statement)
{
    static const QRegularExpression copy(
        QStringLiteral("^\\s*COPY\\b[\\s\\S]*\\b(FROM\\s+STDIN|TO\\s+STDOUT)\\b"),
        QRegularExpression::CaseInsensitiveOption);
    return copy.match(statement).hasMatch();
}

// Statements that may not run inside a transaction block, in the form in which they can: for a
// rehearsal or the verify shadow, which both run inside one. A null result means "leave out".
QString transactionSafe(const QString &statement)
{
    static const QRegularExpression concurrently(
        QStringLiteral("^(\\s*(?:CREATE\\s+(?:UNIQUE\\s+)?INDEX|DROP\\s+INDEX|REINDEX\\s+\\w+)"
                       ")\\s+CONCURRENTLY\\b"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression outsideOnly(
        QStringLiteral("^\\s*(VACUUM|CHECKPOINT|ALTER\\s+SYSTEM|CREATE\\s+DATABASE|"
                       "DROP\\s+DATABASE|CREATE\\s+TABLESPACE|DROP\\s+TABLESPACE)\\b"),
        QRegularExpression::CaseInsensitiveOption);
    // Transaction control would end the rehearsal's or the replay's own transaction.
    if (outsideOnly.match(statement).hasMatch() || isTransactionControl(statement))
        return {};
    QString safe = statement;
    safe.replace(concurrently, QStringLiteral("\\1"));
    return safe;
}

bool addsEnumValue(const Migration &migration)
{
    // Anywhere in the statement: also in a DO block (drizzle-kit wraps it in one), or in a
    // comment, where it costs a commit that was not needed.
    static const QRegularExpression addValue(
        QStringLiteral("\\bALTER\\s+TYPE\\b[\\s\\S]*?\\bADD\\s+VALUE\\b"),
        QRegularExpression::CaseInsensitiveOption);
    return std::any_of(
        migration.statements.cbegin(), migration.statements.cend(),
        [](const SqlStatement &statement) { return addValue.match(statement.text).hasMatch(); });
}

// The server counts the error position in characters (code points), QString in UTF-16 units.
int lineOfError(const SqlStatement &statement, int position)
{
    int line = statement.line;
    int characters = 0;
    const QString &text = statement.text;
    for (qsizetype i = 0; i < text.size() && characters < position - 1; ++i, ++characters) {
        if (text.at(i) == QLatin1Char('\n'))
            ++line;
        else if (text.at(i).isHighSurrogate() && i + 1 < text.size())
            ++i;
    }
    return line;
}
