#pragma once

#include <QLatin1String>
#include <QString>
#include <QStringView>

// The lexical layer under the statement splitter (sqlsplitter.cpp) and the statement summaries
// (statementsummary.cpp): PostgreSQL's token rules, reduced to what those two need. Internal to
// app/migrations; the public interface is sqlsplitter.h.
namespace SqlLexing {

enum class TokenKind
{
    End,
    Error,
    Word,
    QuotedIdentifier,
    Literal,
    Number,
    Symbol,
    Backslash
};

struct Token
{
    TokenKind kind = TokenKind::End;
    qsizetype begin = 0;
    qsizetype end = 0;
    int line = 1;
};

// Tokenizes with the server's lexical rules (scan.l / psqlscan.l), but only in as much detail as
// statement splitting and summarizing need: whitespace and comments are skipped, and each literal
// (quoted, escape or dollar-quoted) is one opaque token. Lines count '\n' only, so CRLF files
// number their lines like any editor does.
class Lexer
{
public:
    explicit Lexer(QStringView sql)
        : m_sql(sql)
    {}

    Token next();
    const QString &error() const { return m_error; }
    int errorLine() const { return m_errorLine; }

    // standard_conforming_strings as psql's lexer sees it (on unless changed): off makes a
    // backslash escape the next character in a plain '...' string, as in E'...'. The new value
    // applies to quotes opened on `fromLine` or later: psql reads the value the server reported
    // once per input line, so a SET takes effect on the line after the one its ';' ends.
    void setStandardConformingStrings(bool on, int fromLine);
    // The value in effect once every pending change has applied.
    bool standardConformingStrings() const;
    // Skips the rest of the current line (the argument of a psql meta-command).
    void skipRestOfLine();

private:
    bool atEnd() const { return m_pos >= m_sql.size(); }
    QChar charAt(qsizetype index) const { return index < m_sql.size() ? m_sql[index] : QChar(); }
    QChar peek(qsizetype ahead = 0) const { return charAt(m_pos + ahead); }
    void advance();
    void advance(qsizetype count);

    bool skipWhitespaceAndComments();
    bool skipBlockComment();
    void scanWord(Token &token);
    bool scanQuoted(QChar quote);
    bool scanStandardString();
    bool scanEscapeString();
    void applyPendingStandardStrings();
    qsizetype quoteContinuation(qsizetype from) const;
    qsizetype dollarTagLength(qsizetype at) const;
    bool scanDollarQuoted(qsizetype tagLength);
    void skipNumberJunk();
    Token fail(Token token, const QString &message);

    QStringView m_sql;
    qsizetype m_pos = 0;
    int m_line = 1;
    QString m_error;
    int m_errorLine = 0;
    bool m_standardStrings = true;
    bool m_pendingStandardStrings = true;
    int m_pendingFromLine = 0; // 0: no change pending
};

// The server lexer's whitespace set. Anything else, non-ASCII spaces such as U+00A0 included,
// belongs to a token, so skipping or trimming it would change what the server sees.
bool isSqlSpace(QChar c);
// The token's text, a slice of `sql` (the text the lexer was given).
QStringView tokenText(QStringView sql, const Token &token);
// Case-insensitive comparison of a word with an ASCII keyword.
bool isKeyword(QStringView word, QLatin1String keyword);
// Whether `token` is the one-character symbol `symbol`.
bool isSymbol(QStringView sql, const Token &token, char16_t symbol);

} // namespace SqlLexing
