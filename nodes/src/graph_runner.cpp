#include "irl/nodes/graph_runner.h"

#include "graph_runner_worker.h"
#include "irl/nodes/graph_file.h"

Q_DECLARE_METATYPE(irl::nodes::Graph)

namespace irl::nodes {

void GraphRunnerWorker::run(const Graph& graph, const QString& output_dir, const QStringList& targets, const QString& graph_file) {
    RunContext context;
    context.cancel = &token_;
    context.training = &training_;
    context.output_dir = output_dir;
    context.graph_json = write_graph(graph);
    context.graph_file = graph_file;
    context.progress = [this](const QString& node, double fraction, const QString&) { Q_EMIT progress(node, fraction); };
    context.sampling_preview = [this](const SamplingPreview& p) { Q_EMIT sampling_preview(p); };
    context.training_report = [this](const TrainingReport& r) { Q_EMIT training_report(r); };
    context.notice = [this](const QString& node, const QString& text) { Q_EMIT notice(node, text); };
    executor_.on_status = [this](const QString& node, NodeStatus status, const QString& message) {
        Q_EMIT node_status(node, static_cast<int>(status), message);
    };
    Q_EMIT finished(executor_.run(graph, context, targets));
}

GraphRunner::GraphRunner(const NodePacks& packs, QObject* parent)
    : QObject(parent), thread_(new QThread(this)), worker_(new GraphRunnerWorker(packs)) {
    qRegisterMetaType<SamplingPreview>();
    qRegisterMetaType<TrainingReport>();
    qRegisterMetaType<RunOutcome>();
    qRegisterMetaType<Graph>();
    thread_->setObjectName("engine");
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    // Every signal reaches receivers on this object's thread, in the order the engine sent it,
    // whatever connection type they use (a direct receiver or a QSignalSpy never runs on the
    // engine thread). busy() turns false just before finished is emitted, so a receiver of
    // finished may start the next run at once.
    connect(worker_, &GraphRunnerWorker::node_status, this, &GraphRunner::node_status, Qt::QueuedConnection);
    connect(worker_, &GraphRunnerWorker::progress, this, &GraphRunner::progress, Qt::QueuedConnection);
    connect(worker_, &GraphRunnerWorker::sampling_preview, this, &GraphRunner::sampling_preview, Qt::QueuedConnection);
    connect(worker_, &GraphRunnerWorker::training_report, this, &GraphRunner::training_report, Qt::QueuedConnection);
    connect(worker_, &GraphRunnerWorker::notice, this, &GraphRunner::notice, Qt::QueuedConnection);
    connect(
        worker_, &GraphRunnerWorker::finished, this,
        [this](const RunOutcome& outcome) {
            busy_ = false;
            Q_EMIT finished(outcome);
        },
        Qt::QueuedConnection);
    thread_->start();
}

GraphRunner::~GraphRunner() {
    cancel();
    thread_->quit();
    thread_->wait();
}

bool GraphRunner::start(const Graph& graph, const QString& output_dir, const QStringList& targets, const QString& graph_file) {
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true)) return false;
    worker_->token().reset();
    worker_->training().reset();
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(irl::nodes::Graph, graph),
                              Q_ARG(QString, output_dir), Q_ARG(QStringList, targets), Q_ARG(QString, graph_file));
    return true;
}

void GraphRunner::cancel() { worker_->token().cancel(); }

void GraphRunner::set_training_paused(bool paused) { worker_->training().paused = paused; }
bool GraphRunner::training_paused() const { return worker_->training().paused.load(); }
void GraphRunner::stop_training() { worker_->training().stop = true; }
void GraphRunner::request_checkpoint() { ++worker_->training().checkpoint_requests; }

}  // namespace irl::nodes
