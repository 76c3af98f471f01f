// The Chat panel on the offscreen platform against a migrated, demo-seeded test database: the
// agents with their counts, an agent's exchanges paged in as the list scrolls, a 100 KB
// Markdown response rendered without a long stall, the search across agents with its matches
// marked, the user filter, copy as Markdown and the export, every model under
// QAbstractItemModelTester.
#include "chat/chatagentmodel.h"
#include "chat/chatdetailview.h"
#include "chat/chatfilterbar.h"
#include "chat/chatmessagemodel.h"
#include "chat/chatpanel.h"
#include "chat/highlightdelegate.h"
#include "repositories/chatmarkdown.h"
#include "repositoryfixture.h"

#include <QAbstractItemModelTester>
#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>

#include <memory>

using namespace Qt::StringLiterals;
using Tester = QAbstractItemModelTester;

class TstChatPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void listsTheAgentsWithTheirCounts();
    void scrollingFetchesEveryExchangeOnce();
    void aLongMarkdownResponseIsRenderedQuickly();
    void searchFindsAcrossAgentsAndMarksTheMatches();
    void userAndTimeFiltersNarrow();
    void ctrlCCopiesTheExchangeAsMarkdown();
    void exportWritesAMarkdownFile();

private:
    bool openPanel();
    bool waitIdle();
    QTableView *view(const char *name) const;
    ChatMessageModel *messages() const;

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ChatPanel> m_panel;
    QList<std::shared_ptr<Tester>> m_testers;
    QString m_big; // the 100 KB response
};

void TstChatPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_db = std::make_unique<TestDatabase>(u"chatpanel"_s);
    const QString problem = prepareSeededDatabase(*m_db);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    // 250 more for A7 (the newest 250 minutes), the second newest with a 100 KB response.
    QVERIFY(m_db->exec("INSERT INTO algorithm_chat_history (algorithm_id, user_id, message,"
                       " response, created_at) SELECT 'A7', 10 + g % 3, 'question ' || g,"
                       " 'answer **' || g || '**', timestamp '2030-01-01' +"
                       " g * interval '1 minute' FROM generate_series(1, 250) g")
                .ok());
    QString big = u"# Big heading\n\nIntro with **bold** text.\n\n"_s;
    for (int i = 0; big.size() < 100 * 1024; ++i) {
        big +=
            u"## Section %1\n\nSome *emphasis*, `code` and a [link](https://example.org).\n\n"
            "| key | value |\n|-----|-------|\n| a%1 | %1 |\n\n- item one\n- item two\n\n"_s.arg(i);
    }
    m_big = big;
    QVERIFY(m_db->exec("UPDATE algorithm_chat_history SET response = $1"
                       " WHERE algorithm_id = 'A7' AND message = 'question 249'",
                       {big.toUtf8()})
                .ok());
    // Needles in two other agents for the search, with a decoy for the %.
    QVERIFY(m_db->exec("INSERT INTO algorithm_chat_history (algorithm_id, user_id, message,"
                       " response, created_at) VALUES"
                       " ('A2', 7, 'where is the NeedLe 5%?', 'here', '2029-01-01'),"
                       " ('A9', 8, 'nothing', 'the needle 5% is here', '2029-01-02'),"
                       " ('A9', 8, 'decoy', 'the needle 5x is not', '2029-01-03')")
                .ok());
}

void TstChatPanel::init()
{
    m_panel = std::make_unique<ChatPanel>();
    m_panel->resize(1200, 760);
    for (const char *name : {"chatAgentsView", "chatExchangesView"})
        m_testers.append(
            std::make_shared<Tester>(view(name)->model(), Tester::FailureReportingMode::QtTest));
}

void TstChatPanel::cleanup()
{
    m_testers.clear();
    m_panel.reset();
}

bool TstChatPanel::openPanel()
{
    m_panel->show();
    m_panel->activateWindow();
    if (!QTest::qWaitForWindowActive(m_panel.get()))
        return false;
    ConnectionContext context;
    context.profileName = u"test"_s;
    context.options = m_db->options();
    QSignalSpy loaded(m_panel.get(), &Panel::loaded);
    m_panel->setConnection(context);
    return loaded.wait(20000) && waitIdle();
}

bool TstChatPanel::waitIdle()
{
    return QTest::qWaitFor([this] { return !m_panel->isBusy(); }, 20000);
}

QTableView *TstChatPanel::view(const char *name) const
{
    return m_panel->findChild<QTableView *>(QLatin1String(name));
}

ChatMessageModel *TstChatPanel::messages() const
{
    return static_cast<ChatMessageModel *>(view("chatExchangesView")->model());
}

void TstChatPanel::listsTheAgentsWithTheirCounts()
{
    QVERIFY(openPanel());
    QAbstractItemModel *agents = view("chatAgentsView")->model();
    const QStringList expected =
        rows(*m_db, "SELECT a.algorithm_id, (SELECT count(*) FROM algorithm_chat_history c"
                    " WHERE c.algorithm_id = a.algorithm_id) FROM algorithm_agents a"
                    " ORDER BY length(a.algorithm_id), a.algorithm_id");
    QStringList shown;
    for (int row = 0; row < agents->rowCount(); ++row)
        shown.append(agents->index(row, ChatAgentModel::Agent).data(Qt::UserRole).toString() +
                     u'|' + agents->index(row, ChatAgentModel::Messages).data().toString());
    QCOMPARE(shown, expected);
}

void TstChatPanel::scrollingFetchesEveryExchangeOnce()
{
    // The tester calls fetchMore() itself on every change, which would fetch every page with no
    // scrolling at all: this test is about the view's own fetching (the others keep it).
    m_testers.clear();
    QVERIFY(openPanel());
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(waitIdle());
    QCOMPARE(m_panel->shownAgent(), u"A7"_s);
    ChatMessageModel *model = messages();
    QCOMPARE(model->rowCount(), ChatPanel::PageSize);
    QCOMPARE(model->message(0).message, u"question 250"_s);
    QTableView *exchanges = view("chatExchangesView");
    const int total =
        value(*m_db, "SELECT count(*) FROM algorithm_chat_history WHERE algorithm_id = 'A7'")
            .toInt();
    for (int guard = 0; guard < 20 && model->rowCount() < total; ++guard) {
        exchanges->scrollToBottom();
        QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isBusy(), 10000);
        QApplication::processEvents();
    }
    QCOMPARE(model->rowCount(), total);
    QVERIFY(model->isComplete());
    QStringList ids;
    for (int row = 0; row < model->rowCount(); ++row)
        ids.append(model->message(row).id);
    QCOMPARE(ids, rows(*m_db, "SELECT id FROM algorithm_chat_history WHERE algorithm_id = 'A7'"
                              " ORDER BY created_at DESC, id DESC"));
}

void TstChatPanel::aLongMarkdownResponseIsRenderedQuickly()
{
    QVERIFY(openPanel());
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(waitIdle());
    QTableView *exchanges = view("chatExchangesView");
    QCOMPARE(messages()->message(1).response.size(), m_big.size());
    // The list draws a one-line preview: painting it costs nothing like the whole text.
    QVERIFY(messages()->index(1, ChatMessageModel::Response).data().toString().size() <=
            ChatMessageModel::PreviewChars + 1);
    auto *detail = m_panel->findChild<ChatDetailView *>(u"chatDetail"_s);
    QElapsedTimer clock;
    clock.start();
    exchanges->setCurrentIndex(messages()->index(1, ChatMessageModel::Message));
    m_panel->grab(); // painted, the detail laid out as far as it shows
    const qint64 blocked = clock.elapsed();
    qInfo("selecting the exchange with a 100 KB Markdown response blocked the GUI thread for "
          "%lld ms",
          blocked);
    QVERIFY2(blocked < 400, qPrintable(QString::number(blocked)));
    QVERIFY(detail->isRendering()); // the rest follows, a part per turn of the event loop
    // No turn of the event loop is held long while the rest renders.
    qint64 longest = 0;
    int turns = 0;
    while (detail->isRendering() && turns < 1000) {
        clock.restart();
        QCoreApplication::processEvents();
        longest = qMax(longest, clock.elapsed());
        ++turns;
    }
    QVERIFY(!detail->isRendering());
    qInfo("the rest rendered in %d turns of the event loop, the longest %lld ms", turns, longest);
    QVERIFY2(longest < 400, qPrintable(QString::number(longest)));
    const QString text = detail->document()->toPlainText();
    QVERIFY(text.contains(u"Big heading"_s));
    QVERIFY(!text.contains(u"# Big heading"_s)); // rendered, not shown as source
    QVERIFY(!text.contains(u"**bold**"_s));
    QVERIFY(text.contains(u"question 249"_s));
    // Every part is there, in order, and rendered (no Markdown source left over).
    QVERIFY(text.contains(u"Section 0\n"_s));
    const int sections = int(m_big.count(u"## Section"_s));
    QVERIFY(text.contains(u"Section %1\n"_s.arg(sections - 1)));
    QVERIFY(text.indexOf(u"Section 10\n"_s) < text.indexOf(u"Section 11\n"_s));
    QVERIFY(!text.contains(u"## Section"_s));
    QVERIFY(!text.contains(u"|-----|"_s));
    QCOMPARE(int(text.count(u"item two"_s)), sections);
    // Scrolling the detail stays quick too.
    clock.restart();
    detail->verticalScrollBar()->setValue(detail->verticalScrollBar()->maximum());
    detail->viewport()->grab();
    qInfo("scrolling it to the end took %lld ms", clock.elapsed());
}

void TstChatPanel::searchFindsAcrossAgentsAndMarksTheMatches()
{
    QVERIFY(openPanel());
    auto *search = m_panel->findChild<QLineEdit *>(u"chatSearch"_s);
    // Ctrl+F goes to the search box.
    view("chatExchangesView")->setFocus();
    QTest::keyClick(m_panel.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasFocus());
    QTest::keyClicks(search, u"needle 5%"_s);
    QTRY_VERIFY_WITH_TIMEOUT(messages()->filter().text == u"needle 5%"_s, 5000);
    QVERIFY(waitIdle());
    ChatMessageModel *model = messages();
    QCOMPARE(model->rowCount(), 2); // never the decoy: the % is literal
    QCOMPARE(model->message(0).algorithmId, u"A9"_s);
    QCOMPARE(model->message(1).algorithmId, u"A2"_s);
    QVERIFY(!view("chatExchangesView")->isColumnHidden(ChatMessageModel::Agent));
    auto *delegate = qobject_cast<HighlightDelegate *>(view("chatExchangesView")->itemDelegate());
    QVERIFY(delegate);
    QCOMPARE(delegate->term(), u"needle 5%"_s);
    QCOMPARE(HighlightDelegate::matches(
                 model->index(1, ChatMessageModel::Message).data().toString(), delegate->term())
                 .size(),
             1);
    auto *detail = m_panel->findChild<ChatDetailView *>(u"chatDetail"_s);
    QCOMPARE(detail->markedCount(), 1); // the first match is selected and marked
    view("chatExchangesView")->setCurrentIndex(model->index(1, ChatMessageModel::Message));
    QCOMPARE(detail->markedCount(), 1);
    QCOMPARE(detail->extraSelections().constFirst().cursor.selectedText(), u"NeedLe 5%"_s);
    QVERIFY(!view("chatAgentsView")->currentIndex().isValid()); // no agent chosen meanwhile
    // ALGOADMIN_GRAB_DIR: a picture of the search, to look at the marks.
    if (const QString dir = qEnvironmentVariable("ALGOADMIN_GRAB_DIR"); !dir.isEmpty())
        m_panel->grab().save(dir + u"/chat-search.png"_s);
    // Choosing an agent ends the search.
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(search->text().isEmpty());
    QVERIFY(waitIdle());
    QCOMPARE(messages()->message(0).algorithmId, u"A7"_s);
    QCOMPARE(detail->markedCount(), 0);
    QCOMPARE(view("chatAgentsView")->currentIndex().data(Qt::UserRole).toString(), u"A7"_s);
}

void TstChatPanel::userAndTimeFiltersNarrow()
{
    QVERIFY(openPanel());
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(waitIdle());
    QTest::keyClicks(m_panel->findChild<QLineEdit *>(u"chatUser"_s), u"11"_s);
    QTest::keyClicks(m_panel->findChild<QLineEdit *>(u"chatFrom"_s), u"2030-01-01 02:00"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->currentFilter().from.isValid() &&
                                 messages()->filter().from == m_panel->currentFilter().from,
                             5000);
    QVERIFY(waitIdle());
    const QStringList expected =
        rows(*m_db, "SELECT id FROM algorithm_chat_history WHERE algorithm_id = 'A7'"
                    " AND user_id = 11 AND created_at >= '2030-01-01 02:00'"
                    " ORDER BY created_at DESC, id DESC");
    QVERIFY(!expected.isEmpty());
    QStringList ids;
    for (int row = 0; row < messages()->rowCount(); ++row)
        ids.append(messages()->message(row).id);
    QCOMPARE(ids, expected);
    // A time that does not parse is said so, and changes nothing.
    QTest::keyClicks(m_panel->findChild<QLineEdit *>(u"chatTo"_s), u"tomorrow"_s);
    QTRY_VERIFY(m_panel->findChild<QWidget *>(u"errorLabel"_s)->isVisible());
    QTest::qWait(ChatFilterBar::DebounceMs + 100);
    QVERIFY(!messages()->filter().to.isValid());
}

void TstChatPanel::ctrlCCopiesTheExchangeAsMarkdown()
{
    QVERIFY(openPanel());
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(waitIdle());
    QTableView *exchanges = view("chatExchangesView");
    exchanges->setFocus();
    exchanges->setCurrentIndex(messages()->index(2, ChatMessageModel::Message));
    QApplication::clipboard()->clear();
    QTest::keyClick(exchanges, Qt::Key_C, Qt::ControlModifier);
    const QString copied = QApplication::clipboard()->text();
    QCOMPARE(copied, ChatMarkdown::exchange(messages()->message(2)));
    QVERIFY(copied.contains(u"> question 248"_s));
    QVERIFY(copied.contains(u"answer **248**"_s));
    QVERIFY(copied.contains(u"user 12"_s)); // 10 + 248 % 3
}

void TstChatPanel::exportWritesAMarkdownFile()
{
    QVERIFY(openPanel());
    QVERIFY(m_panel->selectAgent(u"A7"_s));
    QVERIFY(waitIdle());
    QTemporaryDir dir;
    const QString path = dir.filePath(u"A7.md"_s);
    m_panel->exportTo(path);
    QVERIFY(m_panel->isExporting());
    QTRY_VERIFY_WITH_TIMEOUT(!m_panel->isExporting(), 20000);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.startsWith(u"# Chat with A7"_s));
    QCOMPARE(QString::number(text.count(u"\n### "_s)),
             value(*m_db, "SELECT count(*) FROM algorithm_chat_history"
                          " WHERE algorithm_id = 'A7'"));
    QVERIFY(text.contains(m_big));
}

QTEST_MAIN(TstChatPanel)
#include "tst_chatpanel.moc"
