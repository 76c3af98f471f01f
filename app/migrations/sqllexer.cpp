#include "migrations/sqllexer.h"

using namespace Qt::StringLiterals;

namespace {

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

} // namespace

namespace SqlLexing {

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

void Lexer::advance()
{
    if (m_sql[m_pos] == u'\n')
        ++m_line;
    ++m_pos;
}

void Lexer::advance(qsizetype count)
{
    count = qMin(count, m_sql.size() - m_pos);
    m_line += int(m_sql.sliced(m_pos, count).count(u'\n'));
    m_pos += count;
}

Token Lexer::fail(Token token, const QString &message)
{
    m_error = message;
    m_errorLine = token.line;
    token.kind = TokenKind::Error;
    return token;
}

Token Lexer::next()
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

    applyPendingStandardStrings();
    const QChar c = peek();
    if (c == u'\'') {
        token.kind = TokenKind::Literal;
        const bool closed = m_standardStrings ? scanStandardString() : scanEscapeString();
        if (!closed) {
            return fail(token, m_standardStrings
                                   ? u"unterminated quoted string"_s
                                   : u"unterminated quoted string (read with "
                                     u"standard_conforming_strings off, where a backslash "
                                     u"escapes the next character)"_s);
        }
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

bool Lexer::skipWhitespaceAndComments()
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

bool Lexer::skipBlockComment()
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
// whole so that summaries show such names intact. N'..' needs no rule: psql lexes the N as a word
// and the rest as an ordinary quoted string.
void Lexer::scanWord(Token &token)
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
        // B'..' and X'..' never treat a backslash as an escape, whatever
        // standard_conforming_strings says (psql's and the server's xb and xh states).
        if ((prefix == u'b' || prefix == u'x') && after == u'\'') {
            token.kind = TokenKind::Literal;
            advance();
            if (!scanQuoted(after))
                token = fail(token, u"unterminated quoted string"_s);
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

// A backslash is an ordinary character here; only a doubled quote stands for a quote. Used for
// quoted identifiers, U&, B and X strings, and (through scanStandardString) plain strings while
// standard_conforming_strings is on.
bool Lexer::scanQuoted(QChar quote)
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

// A plain '...' string under standard_conforming_strings on. A continuation ('a'<newline>'b') is
// the same literal, so it is read the same way even if a SET changed the setting in between.
bool Lexer::scanStandardString()
{
    for (;;) {
        if (!scanQuoted(u'\''))
            return false;
        const qsizetype reopen = quoteContinuation(m_pos);
        if (reopen < 0)
            return true;
        advance(reopen - m_pos);
    }
}

void Lexer::setStandardConformingStrings(bool on, int fromLine)
{
    applyPendingStandardStrings();
    m_pendingStandardStrings = on;
    m_pendingFromLine = fromLine;
    applyPendingStandardStrings();
}

bool Lexer::standardConformingStrings() const
{
    return m_pendingFromLine > 0 ? m_pendingStandardStrings : m_standardStrings;
}

void Lexer::applyPendingStandardStrings()
{
    if (m_pendingFromLine > 0 && m_line >= m_pendingFromLine) {
        m_standardStrings = m_pendingStandardStrings;
        m_pendingFromLine = 0;
    }
}

void Lexer::skipRestOfLine()
{
    while (!atEnd() && peek() != u'\n')
        ++m_pos;
}

// An E'...' string, or a plain one under standard_conforming_strings off: the server's and
// psql's xe state.
bool Lexer::scanEscapeString()
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
qsizetype Lexer::quoteContinuation(qsizetype from) const
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

qsizetype Lexer::dollarTagLength(qsizetype at) const
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
bool Lexer::scanDollarQuoted(qsizetype tagLength)
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
void Lexer::skipNumberJunk()
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

} // namespace SqlLexing
