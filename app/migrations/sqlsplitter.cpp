#include "migrations/sqlsplitter.h"
#include "migrations/sqllexer.h"

#include <QStringView>
#include <QVarLengthArray>

#include <array>
#include <optional>

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

// PostgreSQL's parse_bool: the words and their unique prefixes ("of" is off, "o" is neither).
std::optional<bool> parseBool(QStringView value)
{
    const QString v = value.toString().toLower();
    if (v.isEmpty())
        return std::nullopt;
    auto prefixOf = [&](QLatin1String word, qsizetype minimum) {
        return v.size() >= minimum && QLatin1String(word).startsWith(v);
    };
    if (v == "1"_L1 || v == "on"_L1 || prefixOf("true"_L1, 1) || prefixOf("yes"_L1, 1))
        return true;
    if (v == "0"_L1 || prefixOf("off"_L1, 2) || prefixOf("false"_L1, 1) || prefixOf("no"_L1, 1))
        return false;
    return std::nullopt;
}

constexpr QLatin1String StandardStrings("standard_conforming_strings");

bool namesStandardStrings(QStringView sql, const Token &token)
{
    QStringView text = tokenText(sql, token);
    if (token.kind == TokenKind::QuotedIdentifier && text.size() >= 2 && text.startsWith(u'"'))
        text = text.sliced(1, text.size() - 2);
    else if (token.kind != TokenKind::Word)
        return false;
    return isKeyword(text, StandardStrings);
}

// What one statement does to standard_conforming_strings, from its first tokens and whether it
// names the setting anywhere else. psql needs no such rules: it asks the server after each
// statement. A file could change the setting in ways no splitter can predict (a function that
// calls set_config), so the plain SET/RESET forms are followed, and any other statement that
// names the setting (as a word, or a string that is just its name) is refused rather than
// guessed; function bodies are left alone, DO blocks are not.
class StandardStringsFollower
{
public:
    enum class Effect
    {
        None,
        Set,
        Refuse
    };

    void reset()
    {
        m_head.clear();
        m_tokenCount = 0;
        m_mentioned = false;
    }

    void addToken(QStringView sql, const Token &token)
    {
        if (m_head.size() < MaxHead)
            m_head.append(token);
        ++m_tokenCount;
        if (namesStandardStrings(sql, token)) {
            m_mentioned = true;
        } else if (token.kind == TokenKind::Literal) {
            // A string that is the setting's name (set_config's or pg_settings' argument); prose
            // that mentions it is data. A DO body runs now, so any mention there counts; other
            // dollar-quoted text is a function body, run later if ever.
            const QStringView text = tokenText(sql, token);
            if (firstWordIs(sql, "do"_L1))
                m_mentioned = m_mentioned || text.contains(StandardStrings, Qt::CaseInsensitive);
            else if (text.startsWith(u'\'') && text.size() >= 2)
                m_mentioned = m_mentioned ||
                              isKeyword(text.sliced(1, text.size() - 2).trimmed(), StandardStrings);
        }
    }

    // The effect of the statement just completed; `value` receives the new setting for Set,
    // `error` the reason for Refuse.
    Effect finish(QStringView sql, bool transactional, bool *value, QString *error) const
    {
        if (firstWordIs(sql, "set"_L1)) {
            qsizetype at = 1;
            bool local = false;
            if (wordAt(sql, 1, "local"_L1) || wordAt(sql, 1, "session"_L1)) {
                local = wordAt(sql, 1, "local"_L1);
                at = 2;
            }
            if (at < m_head.size() && namesStandardStrings(sql, m_head[at])) {
                if (local && !transactional) {
                    *error = u"SET LOCAL standard_conforming_strings in a no-transaction file "
                             u"lasts until its transaction block ends, which algoadmin does not "
                             u"follow; use SET standard_conforming_strings = on|off and RESET "
                             u"standard_conforming_strings instead"_s;
                    return Effect::Refuse;
                }
                const bool assigns =
                    at + 1 < m_head.size() &&
                    (isSymbol(sql, m_head[at + 1], u'=') || wordAt(sql, at + 1, "to"_L1));
                if (!assigns || m_tokenCount != at + 3) {
                    *error = cannotFollow();
                    return Effect::Refuse;
                }
                if (wordAt(sql, at + 2, "default"_L1)) {
                    *value = true;
                    return Effect::Set;
                }
                const Token &valueToken = m_head[at + 2];
                QStringView text = tokenText(sql, valueToken);
                const bool plainLiteral =
                    valueToken.kind == TokenKind::Literal && text.startsWith(u'\'');
                if (plainLiteral)
                    text = text.sliced(1, text.size() - 2);
                const std::optional<bool> parsed = parseBool(text);
                if (!parsed && (plainLiteral || valueToken.kind == TokenKind::Word ||
                                valueToken.kind == TokenKind::Number)) {
                    return Effect::None; // the server refuses the statement, so nothing changes
                }
                if (!parsed) {
                    *error = cannotFollow();
                    return Effect::Refuse;
                }
                *value = *parsed;
                return Effect::Set;
            }
        } else if (firstWordIs(sql, "reset"_L1) && m_tokenCount == 2 &&
                   (namesStandardStrings(sql, m_head[1]) || wordAt(sql, 1, "all"_L1))) {
            *value = true;
            return Effect::Set;
        } else if (firstWordIs(sql, "discard"_L1) && m_tokenCount == 2 &&
                   wordAt(sql, 1, "all"_L1)) {
            *value = true;
            return Effect::Set;
        } else if (firstWordIs(sql, "show"_L1) || firstWordIs(sql, "create"_L1) ||
                   firstWordIs(sql, "alter"_L1) || firstWordIs(sql, "comment"_L1)) {
            // A function's SET clause or a role's or database's default leaves this session's
            // value alone.
            return Effect::None;
        }
        if (m_mentioned) {
            *error = cannotFollow();
            return Effect::Refuse;
        }
        return Effect::None;
    }

private:
    static constexpr qsizetype MaxHead = 5;

    static QString cannotFollow()
    {
        return u"this statement changes standard_conforming_strings in a way algoadmin cannot "
               u"follow (the setting decides whether a backslash escapes in '...' strings); "
               u"change it only with SET standard_conforming_strings = on|off or RESET "
               u"standard_conforming_strings, each a statement of its own"_s;
    }

    bool wordAt(QStringView sql, qsizetype index, QLatin1String keyword) const
    {
        return index < m_head.size() && m_head[index].kind == TokenKind::Word &&
               isKeyword(tokenText(sql, m_head[index]), keyword);
    }
    bool firstWordIs(QStringView sql, QLatin1String keyword) const
    {
        return wordAt(sql, 0, keyword);
    }

    QVarLengthArray<Token, MaxHead> m_head;
    qsizetype m_tokenCount = 0;
    bool m_mentioned = false;
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

SqlSplitResult splitSqlStatements(const QString &sql, const SqlSplitOptions &options)
{
    SqlSplitResult result;
    SqlLexing::Lexer lexer(sql);
    AtomicBodyTracker atomicBody;
    StandardStringsFollower standardStrings;
    qsizetype statementBegin = -1;
    int statementLine = 0;
    int parenDepth = 0;
    int turnedOffLine = 0; // the statement that last turned standard_conforming_strings off

    auto failAt = [&](const QString &error, int line) {
        // A file that cannot be split must not be half-run, so nothing is returned.
        result.statements.clear();
        result.error = error;
        result.errorLine = line;
        return result;
    };

    // The text stays an exact slice of the file: the server reports error positions as offsets
    // into what it was sent, and callers map them back to file lines from SqlStatement::line.
    // Returns false when the statement changes standard_conforming_strings in a way that cannot
    // be followed; `endLine` is the line of its ';', after which psql would see the change.
    auto finishStatement = [&](qsizetype end, int endLine) {
        bool followed = true;
        if (statementBegin >= 0) {
            while (end > statementBegin && isSqlSpace(sql[end - 1]))
                --end;
            result.statements.append(
                {sql.sliced(statementBegin, end - statementBegin), statementLine});
            bool value = true;
            QString error;
            switch (standardStrings.finish(sql, options.transactional, &value, &error)) {
            case StandardStringsFollower::Effect::None:
                break;
            case StandardStringsFollower::Effect::Set:
                lexer.setStandardConformingStrings(value, endLine + 1);
                if (!value)
                    turnedOffLine = statementLine;
                break;
            case StandardStringsFollower::Effect::Refuse:
                failAt(error, statementLine);
                followed = false;
                break;
            }
        }
        statementBegin = -1;
        parenDepth = 0;
        atomicBody.reset();
        standardStrings.reset();
        return followed;
    };

    for (;;) {
        const Token token = lexer.next();
        if (token.kind == TokenKind::Error)
            return failAt(lexer.error(), lexer.errorLine());
        if (token.kind == TokenKind::End) {
            // psql also runs a last statement lacking its ';'
            if (!finishStatement(sql.size(), token.line))
                return result;
            if (!lexer.standardConformingStrings()) {
                // The engine runs the next migrations on the same session, and a rehearsal or
                // verify replays them all in one transaction: they would be read with it on
                // and run with it off.
                return failAt(u"SET standard_conforming_strings = off is still in effect at the "
                              u"end of the file, where the migrations after it would run with "
                              u"it; add RESET standard_conforming_strings; at the end of the "
                              u"file"_s,
                              turnedOffLine);
            }
            return result;
        }
        if (isSymbol(sql, token, u';') && parenDepth == 0 && atomicBody.depth() == 0) {
            if (!finishStatement(token.begin, token.line))
                return result;
            continue;
        }
        // psql hands any backslash outside quotes and comments to its meta-command parser, so
        // it can never be part of SQL we send.
        if (token.kind == TokenKind::Backslash) {
            const QString name = metaCommandName(sql, token.begin);
            // pg_dump (17.6, 16.10, 15.14 and later) brackets its output with these: they only
            // forbid psql's own meta-commands in between, which a migration cannot run anyway.
            // Only between statements, where skipping the line leaves every statement intact.
            if (statementBegin < 0 && (name == "\\restrict"_L1 || name == "\\unrestrict"_L1)) {
                lexer.skipRestOfLine();
                continue;
            }
            return failAt(u"psql meta-command %1 is not supported: algoadmin runs SQL only; "
                          u"remove the line or run the file with psql"_s.arg(name),
                          token.line);
        }

        if (statementBegin < 0) {
            statementBegin = token.begin;
            statementLine = token.line;
        }
        standardStrings.addToken(sql, token);
        if (isSymbol(sql, token, u'('))
            ++parenDepth;
        else if (isSymbol(sql, token, u')') && parenDepth > 0)
            --parenDepth;
        else if (token.kind == TokenKind::Word)
            atomicBody.addWord(tokenText(sql, token), parenDepth);
    }
}
