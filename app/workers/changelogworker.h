#pragma once

#include "db/changelistener.h"
#include "db/databaseworker.h"
#include "db/dberror.h"
#include "repositories/changelogrepository.h"
#include "repositories/parameterrepository.h"
#include "repositories/timetravel.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

// What one page request asks for: `limit` rows of `filter` in `order`, strictly after `after`.
struct ChangelogPageRequest
{
    ChangelogFilter filter;
    std::optional<ChangelogCursor> after;
    ChangelogOrder order = ChangelogOrder::NewestFirst;
    int limit = 200;
};

// What a revert or a restore acts on.
struct RevertTarget
{
    enum class Kind
    {
        Entry,     // one changelog entry (id)
        ChangeSet, // every entry of a change set (id)
        Restore    // an agent (id) back to `moment`
    };
    Kind kind = Kind::Entry;
    QString id;
    QDateTime moment;
};

// The database work of the Changelog panel on a DatabaseWorker: pages, the planner's estimate,
// the timeline, one entry's detail, time travel, revert/restore (preview and write through
// the parameter editor's audited apply path), the CSV export, and the change feed (LISTEN on a
// second connection). Every request answers exactly once with value structs.
class ChangelogWorker : public DatabaseWorker
{
    Q_OBJECT

public:
    // `feed`: listen for changes on a second connection (startFeed()); a worker that only
    // computes charts beside another needs none.
    explicit ChangelogWorker(bool feed = true);

    // Starts listening for changes (once per connection; the panel asks after its first rows,
    // so that the feed's connection never delays them) → changeReceived from then on.
    int startFeed();
    // Whether the change feed listens now (any thread).
    bool isFeedListening() const { return m_listening; }
    // One keyset page → pageLoaded. Latest wins: a new filter overtakes a page on its way.
    int loadPage(const ChangelogPageRequest &page);
    // The rows newer than `newest` (the live feed's "N new changes") → newerLoaded.
    int loadNewer(const ChangelogFilter &filter, const ChangelogCursor &newest, int limit);
    int loadEstimate(const ChangelogFilter &filter);                 // → estimateLoaded
    int loadTimeline(const ChangelogFilter &filter, int maxBuckets); // → timelineLoaded
    int loadDetail(const ChangelogEntry &entry, int historyLimit);   // → detailLoaded
    int loadFacets();                                                // → facetsLoaded
    int loadParameterNames(const QString &algorithmId);              // → parameterNamesLoaded
    // The agent as it was at `moment`, or just before entry `entryId` when it is set.
    int loadConfigAt(const QString &algorithmId, const QDateTime &moment,
                     const QString &entryId = {}); // → configLoaded
    // A preview (rolled back) → reverted with `simulated` set; or the write → reverted.
    int revert(const RevertTarget &target, const QString &reason, int userId,
               const RevertOptions &options, bool simulate);
    // Streams the filter's rows to `path` as CSV → exportProgress…, exportFinished.
    // cancelExport() stops it from the GUI thread (the file is then removed).
    int exportCsv(const ChangelogFilter &filter, const QString &path);
    void cancelExport() { m_exportCancelled = true; }

Q_SIGNALS:
    void connectionOpened();
    void feedStarted(int request); // startFeed's answer (listening, or retrying on its own)
    void pageLoaded(int request, const ChangelogPage &page, const DbError &error);
    void newerLoaded(int request, const ChangelogPage &page, const DbError &error);
    void estimateLoaded(int request, qint64 estimate, const DbError &error);
    void timelineLoaded(int request, const ChangelogTimeline &timeline, const DbError &error);
    void detailLoaded(int request, const ChangelogDetail &detail, const DbError &error);
    void facetsLoaded(int request, const ChangelogFacets &facets, const DbError &error);
    void parameterNamesLoaded(int request, const QString &algorithmId, const QStringList &names,
                              const DbError &error);
    void configLoaded(int request, const ConfigAt &config, const DbError &error);
    // `preview` for a simulate (nothing written), `result` for a write.
    void reverted(int request, bool simulated, const SimulateResult &preview,
                  const ApplyResult &result, const DbError &error);
    void exportProgress(int request, qint64 rows);
    void exportFinished(int request, qint64 rows, const DbError &error);
    // Something changed (the change feed): the panel looks for newer rows.
    void changeReceived(const ParameterChangeNotice &notice);

protected:
    DbError prepareConnection(const QSqlDatabase &database) override;
    void releaseConnection() override;

private:
    std::unique_ptr<ChangelogRepository> m_changelog;
    std::unique_ptr<ParameterRepository> m_parameters;
    std::unique_ptr<TimeTravelRepository> m_travel;
    ChangeListener *m_listener = nullptr;
    bool m_feed = true;
    bool m_feedWanted = false; // startFeed() was asked: a reopened connection listens again
    std::atomic<bool> m_listening{false};
    std::atomic<bool> m_exportCancelled{false};
};
