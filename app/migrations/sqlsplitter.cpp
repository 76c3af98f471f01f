#include "migrations/sqlsplitter.h"
#include "migrations/sqllexer.h"

#include <QStringView>

#include <array>

using namespace Qt::StringLiterals;

// The statement assembly on top of SqlLexing's tokens: where a statement begins and ends, with
// its file line. The summaries of single statements are in statementsummary.cpp.

namespace {

using SqlLexing::isKeyword;
using SqlLexing::isSqlSpace;
using SqlLexing::isSymbol;
using SqlLexing::Token;
using SqlLexing::TokenKind;
using SqlLexing::tokenText;

// psql's heuristic for SQL-standard function bodies (PostgreSQL 14+): in a statement that starts
// with CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN opens a block, CASE nests inside one, END
// closes, and ';' ends the statement only outside all blocks. Only bare words at parenthesis
// depth 0 count, so strings, quoted identifiers, comments and dollar-quoted bodies (a plpgsql
// BEGIN ... END) never do. It deliberately keeps psql's quirks so both split files identically.
class AtomicBodyTracker
{
public:
    void reset()
    {
        m_leading.fill(0);
        m_wordCount = 0;
        m_depth = 0;
    }

    void addWord(QStringView word, int parenDepth)
    {
        if (m_wordCount < qsizetype(m_leading.size())) {
            static constexpr const char *prefixWords[] = {"create", "function", "procedure", "or",
                                                          "replace"};
            for (const char *prefixWord : prefixWords) {
                if (isKeyword(word, QLatin1String(prefixWord)))
                    m_leading[m_wordCount] = prefixWord[0];
            }
        }
        ++m_wordCount;

        if (!isRoutineDefinition() || parenDepth != 0)
            return;
        if (isKeyword(word, "begin"_L1))
            ++m_depth;
        else if (isKeyword(word, "case"_L1) && m_depth > 0)
            ++m_depth;
        else if (isKeyword(word, "end"_L1) && m_depth > 0)
            --m_depth;
    }

    int depth() const { return m_depth; }

private:
    bool isRoutineDefinition() const
    {
        const auto isRoutine = [](char c) { return c == 'f' || c == 'p'; };
        return m_leading[0] == 'c' &&
               (isRoutine(m_leading[1]) ||
                (m_leading[1] == 'o' && m_leading[2] == 'r' && isRoutine(m_leading[3])));
    }

    std::array<char, 4> m_leading{};
    qsizetype m_wordCount = 0;
    int m_depth = 0;
};

QString metaCommandName(QStringView sql, qsizetype backslash)
{
    qsizetype end = backslash + 1;
    // psql's \; and \: are two-character escapes rather than commands, but just as unsupported.
    if (end < sql.size() && (sql[end] == u';' || sql[end] == u':'))
        return sql.sliced(backslash, 2).toString();
    while (end < sql.size() && !isSqlSpace(sql[end]) && sql[end] != u'\\')
        ++end;
    return sql.sliced(backslash, end - backslash).toString();
}

} // namespace

SqlSplitResult splitSqlStatements(const QString &sql)
{
    SqlSplitResult result;
    SqlLexing::Lexer lexer(sql);
    AtomicBodyTracker atomicBody;
    qsizetype statementBegin = -1;
    int statementLine = 0;
    int parenDepth = 0;

    // The text stays an exact slice of the file: the server reports error positions as offsets
    // into what it was sent, and callers map them back to file lines from SqlStatement::line.
    auto finishStatement = [&](qsizetype end) {
        if (statementBegin >= 0) {
            while (end > statementBegin && isSqlSpace(sql[end - 1]))
                --end;
            result.statements.append(
                {sql.sliced(statementBegin, end - statementBegin), statementLine});
        }
        statementBegin = -1;
        parenDepth = 0;
        atomicBody.reset();
    };

    for (;;) {
        const Token token = lexer.next();
        if (token.kind == TokenKind::Error) {
            // A file that cannot be split must not be half-run, so nothing is returned.
            result.statements.clear();
            result.error = lexer.error();
            result.errorLine = lexer.errorLine();
            return result;
        }
        if (token.kind == TokenKind::End) {
            finishStatement(sql.size()); // psql also runs a last statement lacking its ';'
            return result;
        }
        if (isSymbol(sql, token, u';') && parenDepth == 0 && atomicBody.depth() == 0) {
            finishStatement(token.begin);
            continue;
        }
        // psql hands any backslash outside quotes and comments to its meta-command parser, so
        // it can never be part of SQL we send.
        if (token.kind == TokenKind::Backslash) {
            result.statements.clear();
            result.error =
                u"psql meta-command %1 is not supported"_s.arg(metaCommandName(sql, token.begin));
            result.errorLine = token.line;
            return result;
        }

        if (statementBegin < 0) {
            statementBegin = token.begin;
            statementLine = token.line;
        }
        if (isSymbol(sql, token, u'('))
            ++parenDepth;
        else if (isSymbol(sql, token, u')') && parenDepth > 0)
            --parenDepth;
        else if (token.kind == TokenKind::Word)
            atomicBody.addWord(tokenText(sql, token), parenDepth);
    }
}
