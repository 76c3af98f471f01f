#include "migrations/sqllexer.h"
#include "migrations/sqlsplitter.h"

#include <QStringList>
#include <QStringView>

using namespace Qt::StringLiterals;

// summarizeStatement (declared in sqlsplitter.h): a short head of one statement for reports,
// read from SqlLexing's tokens.

namespace {

using SqlLexing::isKeyword;
using SqlLexing::isSymbol;
using SqlLexing::Token;
using SqlLexing::TokenKind;
using SqlLexing::tokenText;

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
    SqlLexing::Lexer lexer(statement);
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
