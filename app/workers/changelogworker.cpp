#include "workers/changelogworker.h"

#include <QFile>
#include <QSaveFile>

ChangelogWorker::ChangelogWorker(bool feed)
    : DatabaseWorker(feed ? QStringLiteral("changelog") : QStringLiteral("changelog-charts"))
    , m_feed(feed)
{}

DbError ChangelogWorker::prepareConnection(const QSqlDatabase &database)
{
    m_changelog = std::make_unique<ChangelogRepository>(database);
    m_parameters = std::make_unique<ParameterRepository>(database);
    m_travel = std::make_unique<TimeTravelRepository>(database);
    if (!m_feed) {
        Q_EMIT connectionOpened();
        return {};
    }
    // The change feed on a connection of its own, started by startFeed(); it reconnects by
    // itself when it drops.
    ConnectionOptions listening = connectionOptions();
    listening.applicationName += QStringLiteral(" (changes)");
    m_listener = new ChangeListener(listening, this);
    connect(m_listener, &ChangeListener::changeReceived, this, &ChangelogWorker::changeReceived);
    connect(m_listener, &ChangeListener::connectionLost, this, [this] { m_listening = false; });
    // Notices sent while the feed was down are lost: one "something changed" covers them.
    connect(m_listener, &ChangeListener::connectionRestored, this, [this] {
        m_listening = true;
        Q_EMIT changeReceived({});
    });
    // Reopened after a loss: the feed that was running runs again.
    if (m_feedWanted)
        m_listening = m_listener->start();
    Q_EMIT connectionOpened();
    return {};
}

int ChangelogWorker::startFeed()
{
    const auto work = [this](int request) {
        m_feedWanted = true;
        DbError error;
        if (m_listener && !m_listener->isListening() && ensureOpen(&error, "changelog"))
            m_listening = m_listener->start(); // a failure retries in the background
        Q_EMIT feedStarted(request);
    };
    return enqueue(work, [this](int request) { Q_EMIT feedStarted(request); });
}

void ChangelogWorker::releaseConnection()
{
    m_listening = false;
    delete m_listener;
    m_listener = nullptr;
    m_changelog.reset();
    m_parameters.reset();
    m_travel.reset();
}

int ChangelogWorker::loadPage(const ChangelogPageRequest &page)
{
    return read<std::optional<ChangelogPage>>(
        "read a page of the changelog", "page",
        [this, page](DbError *error) {
            return m_changelog->page(page.filter, page.after, page.limit, error, page.order);
        },
        [this](int id, const std::optional<ChangelogPage> &result, const DbError &error) {
            Q_EMIT pageLoaded(id, result.value_or(ChangelogPage()), error);
        });
}

int ChangelogWorker::loadNewer(const ChangelogFilter &filter, const ChangelogCursor &newest,
                               int limit)
{
    // Oldest first from the newest row shown: the rows that came since, nearest first.
    return read<std::optional<ChangelogPage>>(
        "look for new changes", "newer",
        [this, filter, newest, limit](DbError *error) {
            return m_changelog->page(filter, newest, limit, error, ChangelogOrder::OldestFirst);
        },
        [this](int id, const std::optional<ChangelogPage> &result, const DbError &error) {
            Q_EMIT newerLoaded(id, result.value_or(ChangelogPage()), error);
        });
}

int ChangelogWorker::loadEstimate(const ChangelogFilter &filter)
{
    return read<qint64>(
        "estimate the changes", "estimate",
        [this, filter](DbError *error) { return m_changelog->estimateCount(filter, error); },
        [this](int id, qint64 result, const DbError &error) {
            Q_EMIT estimateLoaded(id, error.isError() ? -1 : result, error);
        });
}

int ChangelogWorker::loadTimeline(const ChangelogFilter &filter, int maxBuckets)
{
    return read<std::optional<ChangelogTimeline>>(
        "compute the timeline", "timeline",
        [this, filter, maxBuckets](DbError *error) {
            return m_changelog->timeline(filter, maxBuckets, error);
        },
        [this](int id, const std::optional<ChangelogTimeline> &result, const DbError &error) {
            Q_EMIT timelineLoaded(id, result.value_or(ChangelogTimeline()), error);
        });
}

int ChangelogWorker::loadDetail(const ChangelogEntry &entry, int historyLimit)
{
    return read<std::optional<ChangelogDetail>>(
        "read the entry's change set and history", "detail",
        [this, entry, historyLimit](DbError *error) {
            return m_changelog->detail(entry, historyLimit, error);
        },
        [this](int id, const std::optional<ChangelogDetail> &result, const DbError &error) {
            Q_EMIT detailLoaded(id, result.value_or(ChangelogDetail()), error);
        });
}

int ChangelogWorker::loadFacets()
{
    return read<std::optional<ChangelogFacets>>(
        "read the filter choices", "facets",
        [this](DbError *error) { return m_changelog->facets(error); },
        [this](int id, const std::optional<ChangelogFacets> &result, const DbError &error) {
            Q_EMIT facetsLoaded(id, result.value_or(ChangelogFacets()), error);
        });
}

int ChangelogWorker::loadParameterNames(const QString &algorithmId)
{
    return read<QStringList>(
        "read the agent's parameter names", "names",
        [this, algorithmId](DbError *error) {
            return m_changelog->parameterNames(algorithmId, error);
        },
        [this, algorithmId](int id, const QStringList &result, const DbError &error) {
            Q_EMIT parameterNamesLoaded(id, algorithmId, result, error);
        });
}

int ChangelogWorker::loadConfigAt(const QString &algorithmId, const QDateTime &moment,
                                  const QString &entryId)
{
    return read<std::optional<ConfigAt>>(
        "rebuild the configuration", "config",
        [this, algorithmId, moment, entryId](DbError *error) {
            return entryId.isEmpty() ? m_travel->configAt(algorithmId, moment, error)
                                     : m_travel->configBefore(entryId, error);
        },
        [this](int id, const std::optional<ConfigAt> &result, const DbError &error) {
            Q_EMIT configLoaded(id, result.value_or(ConfigAt()), error);
        });
}

int ChangelogWorker::revert(const RevertTarget &target, const QString &reason, int userId,
                            const RevertOptions &options, bool simulate)
{
    const auto work = [this, target, reason, userId, options, simulate](int request) {
        DbError error;
        SimulateResult preview;
        ApplyResult result;
        if (ensureOpen(&error, "changelog")) {
            const bool restore = target.kind == RevertTarget::Kind::Restore;
            if (simulate && restore)
                preview = m_parameters->simulateRestore(target.id, target.moment, &error);
            else if (simulate)
                preview = m_parameters->simulateRevert(target.id, options, &error);
            else if (restore)
                result = m_parameters->restore(target.id, target.moment, reason, userId, options,
                                               &error);
            else
                result = m_parameters->revert(target.id, reason, userId, options, &error);
        } else {
            result.retryable = true;
        }
        noteFailure(error);
        Q_EMIT reverted(request, simulate, preview, result, error);
    };
    const auto dropped = [this, simulate](int request) {
        ApplyResult result;
        result.retryable = true; // never sent
        Q_EMIT reverted(request, simulate, {}, result, droppedError(QStringLiteral("revert")));
    };
    return enqueue(work, dropped);
}

int ChangelogWorker::exportCsv(const ChangelogFilter &filter, const QString &path)
{
    m_exportCancelled = false;
    const auto work = [this, filter, path](int request) {
        DbError error;
        qint64 rows = -1;
        // Written beside the target and renamed at the end: a cancelled or failed export
        // leaves no half file where the user asked for one.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            error = {QStringLiteral("export the changelog as CSV"),
                     path,
                     file.errorString(),
                     {},
                     {},
                     {}};
        } else if (ensureOpen(&error, "changelog")) {
            rows = m_changelog->exportCsv(
                filter, &file,
                [this, request](qint64 written) {
                    Q_EMIT exportProgress(request, written);
                    return !m_exportCancelled.load();
                },
                &error);
            if (rows >= 0 && !file.commit()) {
                rows = -1;
                error = {QStringLiteral("export the changelog as CSV"),
                         path,
                         file.errorString(),
                         {},
                         {},
                         {}};
            }
        }
        noteFailure(error);
        Q_EMIT exportFinished(request, rows, error);
    };
    const auto dropped = [this](int request) {
        Q_EMIT exportFinished(request, -1, droppedError(QStringLiteral("export")));
    };
    return enqueue(work, dropped);
}
