#include "migrations/sqlsplitter.h"

#include <QStringView>

#include <array>

using namespace Qt::StringLiterals;

namespace {

// The server lexer's whitespace set. Anything else, non-ASCII spaces such as U+00A0 included,
// belongs to a token, so skipping or trimming it would change what the server sees.
bool isSqlSpace(QChar c)
{
    switch (c.unicode()) {
    case u' ':
    case u'\t':
    case u'\n':
    case u'\r':
    case u'\f':
    case u'\v':
        return true;
    default:
        return false;
    }
}

// The server lexes bytes and lets every byte >= 0x80 into identifiers, so in UTF-16 terms any
// non-ASCII character is an identifier character.
bool isIdentStart(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || u == u'_' || u >= 0x80;
}

bool isDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

// Dollar-quote tags are identifiers that cannot contain '$' (it would end the tag).
bool isDollarTagChar(QChar c)
{
    return isIdentStart(c) || isDigit(c);
}

// '$' may continue an identifier, which is why "a$b" and "x$$" are not dollar quotes.
bool isIdentChar(QChar c)
{
    return isDollarTagChar(c) || c == u'$';
}

bool isNewline(QChar c)
{
    return c == u'\n' || c == u'\r';
}

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
class SqlLexer
{
public:
    explicit SqlLexer(QStringView sql)
        : m_sql(sql)
    {}

    Token next();
    const QString &error() const { return m_error; }
    int errorLine() const { return m_errorLine; }

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
    bool scanEscapeString();
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
};

void SqlLexer::advance()
{
    if (m_sql[m_pos] == u'\n')
        ++m_line;
    ++m_pos;
}

void SqlLexer::advance(qsizetype count)
{
    count = qMin(count, m_sql.size() - m_pos);
    m_line += int(m_sql.sliced(m_pos, count).count(u'\n'));
    m_pos += count;
}

Token SqlLexer::fail(Token token, const QString &message)
{
    m_error = message;
    m_errorLine = token.line;
    token.kind = TokenKind::Error;
    return token;
}

Token SqlLexer::next()
{
    Token token;
    if (!m_error.isEmpty() || !skipWhitespaceAndComments()) {
        token.kind = TokenKind::Error;
        token.line = m_errorLine;
        return token;
    }
    token.begin = m_pos;
    token.line = m_line;
    if (atEnd()) {
        token.end = m_pos;
        return token;
    }

    const QChar c = peek();
    if (c == u'\'') {
        token.kind = TokenKind::Literal;
        if (!scanQuoted(c))
            return fail(token, u"unterminated quoted string"_s);
    } else if (c == u'"') {
        token.kind = TokenKind::QuotedIdentifier;
        if (!scanQuoted(c))
            return fail(token, u"unterminated quoted identifier"_s);
    } else if (c == u'$') {
        if (const qsizetype tagLength = dollarTagLength(m_pos)) {
            token.kind = TokenKind::Literal;
            const QString tag = m_sql.sliced(m_pos, tagLength).toString();
            if (!scanDollarQuoted(tagLength))
                return fail(token, u"unterminated dollar-quoted string %1"_s.arg(tag));
        } else {
            // A parameter ($1) or psql's dolqfailed case ($abc without a closing '$'): only the
            // '$' is consumed and the rest is lexed afresh, which can never open a dollar quote.
            token.kind = TokenKind::Symbol;
            advance();
        }
    } else if (isIdentStart(c)) {
        scanWord(token);
        if (token.kind == TokenKind::Error)
            return token;
    } else if (isDigit(c)) {
        token.kind = TokenKind::Number;
        skipNumberJunk();
    } else if (c == u'\\') {
        token.kind = TokenKind::Backslash;
        advance();
    } else {
        token.kind = TokenKind::Symbol;
        advance();
    }
    token.end = m_pos;
    return token;
}

bool SqlLexer::skipWhitespaceAndComments()
{
    while (!atEnd()) {
        const QChar c = peek();
        if (isSqlSpace(c)) {
            advance();
        } else if (c == u'-' && peek(1) == u'-') {
            // The newline is left for the loop; a comment cannot contain one.
            while (!atEnd() && !isNewline(peek()))
                ++m_pos;
        } else if (c == u'/' && peek(1) == u'*') {
            if (!skipBlockComment())
                return false;
        } else {
            break;
        }
    }
    return true;
}

bool SqlLexer::skipBlockComment()
{
    const int startLine = m_line;
    advance(2);
    int depth = 1;
    while (!atEnd()) {
        // Both markers are consumed whole so that "/*/" opens without also closing.
        if (peek() == u'/' && peek(1) == u'*') {
            ++depth;
            advance(2);
        } else if (peek() == u'*' && peek(1) == u'/') {
            advance(2);
            if (--depth == 0)
                return true;
        } else {
            advance();
        }
    }
    m_error = u"unterminated /* comment"_s;
    m_errorLine = startLine;
    return false;
}

// An identifier or keyword, unless it is the one-letter prefix of a literal. By the server's
// longest-match rule a standalone E before a quote starts an escape string, while a longer word
// ending in E ("tablE'x'") is an identifier followed by a plain string. U&'..' and U&".." are kept
// whole so that summaries show such names intact. B'..', X'..' and N'..' need no rule: a word
// followed by an ordinary quoted string splits exactly the same.
void SqlLexer::scanWord(Token &token)
{
    qsizetype end = m_pos + 1;
    while (end < m_sql.size() && isIdentChar(m_sql[end]))
        ++end;

    if (end - m_pos == 1) {
        const char16_t prefix = peek().toLower().unicode();
        const QChar after = charAt(end);
        if (prefix == u'e' && after == u'\'') {
            token.kind = TokenKind::Literal;
            advance();
            if (!scanEscapeString())
                token = fail(token, u"unterminated E'...' string"_s);
            return;
        }
        const QChar quote = charAt(end + 1);
        if (prefix == u'u' && after == u'&' && (quote == u'\'' || quote == u'"')) {
            const bool isString = quote == u'\'';
            token.kind = isString ? TokenKind::Literal : TokenKind::QuotedIdentifier;
            advance(2);
            if (!scanQuoted(quote)) {
                token = fail(token, isString ? u"unterminated quoted string"_s
                                             : u"unterminated quoted identifier"_s);
            }
            return;
        }
    }
    token.kind = TokenKind::Word;
    m_pos = end; // identifiers never contain a newline
}

// standard_conforming_strings is on, so a backslash is an ordinary character here; only a
// doubled quote stands for a quote.
bool SqlLexer::scanQuoted(QChar quote)
{
    advance();
    while (!atEnd()) {
        if (peek() == quote) {
            if (peek(1) != quote) {
                advance();
                return true;
            }
            advance(2);
        } else {
            advance();
        }
    }
    return false;
}

bool SqlLexer::scanEscapeString()
{
    advance();
    while (!atEnd()) {
        const QChar c = peek();
        if (c == u'\\') {
            advance(2); // whatever follows, a quote included, is escaped
        } else if (c == u'\'' && peek(1) == u'\'') {
            advance(2);
        } else if (c == u'\'') {
            advance();
            // A continuation resumes the escape string, so backslashes in the next piece still
            // escape; treating it as a fresh plain string could misplace the closing quote.
            const qsizetype reopen = quoteContinuation(m_pos);
            if (reopen < 0)
                return true;
            advance(reopen + 1 - m_pos);
        } else {
            advance();
        }
    }
    return false;
}

// SQL's string continuation: 'a'<whitespace with at least one newline>'b' is one literal. Returns
// the index of the reopening quote, or -1.
qsizetype SqlLexer::quoteContinuation(qsizetype from) const
{
    const qsizetype size = m_sql.size();
    qsizetype i = from;
    auto skipLineComment = [&] {
        while (i < size && !isNewline(m_sql[i]))
            ++i;
    };
    auto startsLineComment = [&] {
        return i + 1 < size && m_sql[i] == u'-' && m_sql[i + 1] == u'-';
    };

    // horiz_whitespace* newline
    for (;;) {
        if (i < size && (m_sql[i] == u' ' || m_sql[i] == u'\t' || m_sql[i] == u'\f'))
            ++i;
        else if (startsLineComment())
            skipLineComment();
        else
            break;
    }
    if (i >= size || !isNewline(m_sql[i]))
        return -1;
    ++i;

    // special_whitespace*: a comment only counts here when a newline ends it
    for (;;) {
        if (i < size && isSqlSpace(m_sql[i])) {
            ++i;
        } else if (startsLineComment()) {
            skipLineComment();
            if (i >= size)
                return -1;
            ++i;
        } else {
            break;
        }
    }
    return i < size && m_sql[i] == u'\'' ? i : -1;
}

qsizetype SqlLexer::dollarTagLength(qsizetype at) const
{
    qsizetype i = at + 1;
    if (isIdentStart(charAt(i))) {
        ++i;
        while (isDollarTagChar(charAt(i)))
            ++i;
    }
    return charAt(i) == u'$' ? i - at + 1 : 0;
}

// The body ends at the first exact (case-sensitive) repeat of the opening tag; any other tags
// inside are plain text, which is what lets $outer$ bodies contain $inner$ quotes.
bool SqlLexer::scanDollarQuoted(qsizetype tagLength)
{
    const QStringView tag = m_sql.sliced(m_pos, tagLength);
    const qsizetype close = m_sql.indexOf(tag, m_pos + tagLength);
    if (close < 0)
        return false;
    advance(close + tagLength - m_pos);
    return true;
}

// Digits plus any identifier glued to them: PostgreSQL 16 lexes "1e" or "1abc" as one (invalid)
// token, so the letters can never start an E'' string or a keyword.
void SqlLexer::skipNumberJunk()
{
    while (isDigit(peek()))
        ++m_pos;
    if (isIdentStart(peek())) {
        while (isIdentChar(peek()))
            ++m_pos;
    }
}

QStringView tokenText(QStringView sql, const Token &token)
{
    return sql.sliced(token.begin, token.end - token.begin);
}

bool isKeyword(QStringView word, QLatin1String keyword)
{
    return word.compare(keyword, Qt::CaseInsensitive) == 0;
}

bool isSymbol(QStringView sql, const Token &token, char16_t symbol)
{
    return token.kind == TokenKind::Symbol && sql[token.begin] == symbol;
}

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
    SqlLexer lexer(sql);
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

namespace {

struct ObjectKind
{
    const char *phrase; // upper case, single spaces
    bool named;         // false when no object name follows (ALTER SYSTEM, CREATE CAST (...))
};

// The longest matching phrase wins, so CONSTRAINT TRIGGER is not read as a constraint named
// TRIGGER. (It does read a user named "mapping" as USER MAPPING; rare enough to accept.)
constexpr ObjectKind objectKinds[] = {
    {"ACCESS METHOD", true},
    {"AGGREGATE", true},
    {"CAST", false},
    {"COLLATION", true},
    {"COLUMN", true},
    {"CONSTRAINT", true},
    {"CONSTRAINT TRIGGER", true},
    {"CONVERSION", true},
    {"DATABASE", true},
    {"DEFAULT CONVERSION", true},
    {"DEFAULT PRIVILEGES", false},
    {"DOMAIN", true},
    {"EVENT TRIGGER", true},
    {"EXTENSION", true},
    {"FOREIGN DATA WRAPPER", true},
    {"FOREIGN TABLE", true},
    {"FUNCTION", true},
    {"GROUP", true},
    {"INDEX", true},
    {"LANGUAGE", true},
    {"LARGE OBJECT", true},
    {"MATERIALIZED VIEW", true},
    {"OPERATOR", true},
    {"OPERATOR CLASS", true},
    {"OPERATOR FAMILY", true},
    {"OWNED BY", true},
    {"POLICY", true},
    {"PROCEDURE", true},
    {"PUBLICATION", true},
    {"RECURSIVE VIEW", true},
    {"ROLE", true},
    {"ROUTINE", true},
    {"RULE", true},
    {"SCHEMA", true},
    {"SEQUENCE", true},
    {"SERVER", true},
    {"STATISTICS", true},
    {"SUBSCRIPTION", true},
    {"SYSTEM", false},
    {"TABLE", true},
    {"TABLESPACE", true},
    {"TEXT SEARCH CONFIGURATION", true},
    {"TEXT SEARCH DICTIONARY", true},
    {"TEXT SEARCH PARSER", true},
    {"TEXT SEARCH TEMPLATE", true},
    {"TRANSFORM", false},
    {"TRIGGER", true},
    {"TYPE", true},
    {"UNIQUE INDEX", true},
    {"USER", true},
    {"USER MAPPING", false},
    {"VIEW", true},
};

// Words between CREATE and the object kind that only qualify the object.
constexpr const char *createModifiers[] = {"TEMP",  "TEMPORARY", "UNLOGGED",  "GLOBAL",
                                           "LOCAL", "TRUSTED",   "PROCEDURAL"};

constexpr qsizetype maxSummaryLength = 80;
// Enough for the longest head we look at, e.g. CREATE GLOBAL TEMPORARY TABLE IF NOT EXISTS s.t.
constexpr qsizetype maxHeadTokens = 32;

QString capped(QString summary)
{
    if (summary.size() <= maxSummaryLength)
        return summary;
    qsizetype cut = maxSummaryLength - 1;
    if (summary[cut - 1].isHighSurrogate())
        --cut;
    summary.truncate(cut);
    summary.append(QChar(0x2026));
    return summary;
}

class StatementSummarizer
{
public:
    explicit StatementSummarizer(QStringView statement);
    QString summary();

private:
    QStringView text(qsizetype index) const { return tokenText(m_statement, m_tokens[index]); }
    bool isWord(qsizetype index) const;
    bool isKeywordAt(qsizetype index, QLatin1String keyword) const;
    bool accept(QLatin1String keyword);
    qsizetype matchPhrase(const char *phrase) const;
    void appendObjectKindAndName();
    void skipOptionalClauses();
    void appendName();
    QString firstWords() const;

    QStringView m_statement;
    QList<Token> m_tokens;
    qsizetype m_index = 0;
    QStringList m_phrase;
};

StatementSummarizer::StatementSummarizer(QStringView statement)
    : m_statement(statement)
{
    SqlLexer lexer(statement);
    while (m_tokens.size() < maxHeadTokens) {
        const Token token = lexer.next();
        if (token.kind == TokenKind::End || token.kind == TokenKind::Error)
            break;
        m_tokens.append(token);
    }
}

bool StatementSummarizer::isWord(qsizetype index) const
{
    return index < m_tokens.size() && m_tokens[index].kind == TokenKind::Word;
}

bool StatementSummarizer::isKeywordAt(qsizetype index, QLatin1String keyword) const
{
    return isWord(index) && isKeyword(text(index), keyword);
}

bool StatementSummarizer::accept(QLatin1String keyword)
{
    if (!isKeywordAt(m_index, keyword))
        return false;
    ++m_index;
    return true;
}

// Number of words of `phrase` found at the current token, or 0 if it does not match in full.
qsizetype StatementSummarizer::matchPhrase(const char *phrase) const
{
    const QLatin1String words(phrase);
    qsizetype count = 0;
    qsizetype start = 0;
    while (start <= words.size()) {
        qsizetype end = words.indexOf(u' ', start);
        if (end < 0)
            end = words.size();
        if (!isKeywordAt(m_index + count, words.sliced(start, end - start)))
            return 0;
        ++count;
        start = end + 1;
    }
    return count;
}

void StatementSummarizer::skipOptionalClauses()
{
    for (;;) {
        if (isKeywordAt(m_index, "IF"_L1) && isKeywordAt(m_index + 1, "NOT"_L1) &&
            isKeywordAt(m_index + 2, "EXISTS"_L1)) {
            m_index += 3;
        } else if (isKeywordAt(m_index, "IF"_L1) && isKeywordAt(m_index + 1, "EXISTS"_L1)) {
            m_index += 2;
        } else if (!accept("CONCURRENTLY"_L1) && !accept("ONLY"_L1)) {
            return;
        }
    }
}

// The (possibly schema-qualified) name exactly as written, quotes included.
void StatementSummarizer::appendName()
{
    auto isNamePart = [this](qsizetype index) {
        return index < m_tokens.size() && (m_tokens[index].kind == TokenKind::Word ||
                                           m_tokens[index].kind == TokenKind::QuotedIdentifier);
    };
    if (!isNamePart(m_index))
        return;
    QString name = text(m_index++).toString();
    while (m_index + 1 < m_tokens.size() && isSymbol(m_statement, m_tokens[m_index], u'.') &&
           isNamePart(m_index + 1)) {
        name += u'.';
        name += text(m_index + 1);
        m_index += 2;
    }
    m_phrase.append(name);
}

void StatementSummarizer::appendObjectKindAndName()
{
    const ObjectKind *kind = nullptr;
    qsizetype kindWords = 0;
    for (const ObjectKind &candidate : objectKinds) {
        const qsizetype words = matchPhrase(candidate.phrase);
        if (words > kindWords) {
            kind = &candidate;
            kindWords = words;
        }
    }
    if (!kind) {
        if (isWord(m_index))
            m_phrase.append(text(m_index).toString().toUpper());
        return;
    }
    m_phrase.append(QLatin1String(kind->phrase));
    m_index += kindWords;
    skipOptionalClauses();
    if (!kind->named)
        return;
    // The index name is optional; "CREATE INDEX ON t" is all there is to identify it by.
    if (QLatin1String(kind->phrase).endsWith("INDEX"_L1) && accept("ON"_L1)) {
        m_phrase.append(u"ON"_s);
        accept("ONLY"_L1);
    }
    appendName();
}

// The fallback for statements we have no rule for.
QString StatementSummarizer::firstWords() const
{
    QStringList words;
    for (qsizetype i = 0; i < 2 && isWord(i); ++i)
        words.append(text(i).toString().toUpper());
    return words.join(u' ');
}

QString StatementSummarizer::summary()
{
    if (m_tokens.isEmpty())
        return {};
    if (!isWord(0)) {
        // e.g. "(SELECT 1) UNION ...": there is no keyword to go by, so show the start itself.
        return capped(m_statement.sliced(m_tokens[0].begin).toString().simplified());
    }

    const QString verb = text(0).toString().toUpper();
    m_phrase.append(verb);
    m_index = 1;
    if (verb == "CREATE"_L1) {
        for (bool skipped = true; skipped;) {
            skipped = false;
            if (isKeywordAt(m_index, "OR"_L1) && isKeywordAt(m_index + 1, "REPLACE"_L1)) {
                m_index += 2;
                skipped = true;
            }
            for (const char *modifier : createModifiers)
                skipped = accept(QLatin1String(modifier)) || skipped;
        }
        appendObjectKindAndName();
    } else if (verb == "ALTER"_L1 || verb == "DROP"_L1 || verb == "REFRESH"_L1 ||
               verb == "REINDEX"_L1) {
        appendObjectKindAndName();
    } else if (verb == "COMMENT"_L1 && accept("ON"_L1)) {
        m_phrase.append(u"ON"_s);
        appendObjectKindAndName();
    } else if ((verb == "INSERT"_L1 || verb == "MERGE"_L1) && accept("INTO"_L1)) {
        m_phrase.append(u"INTO"_s);
        appendName();
    } else if (verb == "DELETE"_L1 && accept("FROM"_L1)) {
        m_phrase.append(u"FROM"_s);
        accept("ONLY"_L1);
        appendName();
    } else if (verb == "UPDATE"_L1) {
        accept("ONLY"_L1);
        appendName();
    } else if (verb == "TRUNCATE"_L1 || verb == "LOCK"_L1) {
        if (accept("TABLE"_L1))
            m_phrase.append(u"TABLE"_s);
        accept("ONLY"_L1);
        appendName();
    } else if (verb == "COPY"_L1 || verb == "CALL"_L1) {
        appendName();
    } else if (verb != "SELECT"_L1 && verb != "WITH"_L1 && verb != "VALUES"_L1 && verb != "DO"_L1 &&
               verb != "GRANT"_L1 && verb != "REVOKE"_L1) {
        return capped(firstWords());
    }
    return capped(m_phrase.join(u' '));
}

} // namespace

QString summarizeStatement(const QString &statement)
{
    return StatementSummarizer(statement).summary();
}
