#pragma once

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

class PgResult;

// One catalog object of a schema, in a form two schemas can be compared by: its definition
// text is what PostgreSQL prints for it, with the schema's own name taken out.
struct SchemaObject
{
    QString kind; // table, column, index, constraint, trigger, function, extension
    QString
        table; // the table it belongs to (the table itself for kind "table"; empty for functions)
    QString name;
    QString definition; // e.g. "character varying(50) NOT NULL", "CREATE INDEX … USING btree (…)"
};

// A difference between what the migrations define and what the database has.
struct SchemaDifference
{
    enum class Change
    {
        Missing,
        Unexpected,
        Differs
    };
    Change change = Change::Differs;
    SchemaObject expected; // empty for Unexpected
    SchemaObject found;    // empty for Missing

    const SchemaObject &object() const { return change == Change::Unexpected ? found : expected; }
    QString changeName() const; // "missing", "unexpected", "differs"
    QString describe() const;   // one line for reports
};

// Every table, column, index, constraint, trigger, function and extension of one schema (what an
// extension brings is compared as the extension and its version).
class SchemaSnapshot
{
public:
    // The catalog query: one statement, $1 = schema name, or NULL for the session's setting
    // algoadmin.live_schema. Run it with search_path set to pg_catalog only, so that names are
    // printed schema-qualified and normalised away here.
    static const char *catalogQuery();
    // `schemas`: the names to take out of definitions (the scratch schema's and the live one's,
    // since a scratch object may refer to live ones such as extension types).
    static SchemaSnapshot fromResult(const PgResult &result, const QStringList &schemas);
    // For the expected-schema cache.
    QByteArray toJson() const;
    static SchemaSnapshot fromJson(const QByteArray &json, bool *ok);

    bool isEmpty() const { return m_objects.isEmpty(); }
    int tableCount() const;
    const QMap<QString, SchemaObject> &objects() const { return m_objects; }

    // Every object missing from `found`, unexpected in it, or defined differently. A table
    // missing or unexpected as a whole is one difference, not one per column or index.
    static QList<SchemaDifference> diff(const SchemaSnapshot &expected,
                                        const SchemaSnapshot &found);
    // Whether any table of `a` is a table of `b` too (by name).
    static bool sharesATable(const SchemaSnapshot &a, const SchemaSnapshot &b);

private:
    static QString keyOf(const SchemaObject &object);
    QMap<QString, SchemaObject> m_objects; // keyed by kind/table/name
};
