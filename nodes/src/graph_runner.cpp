#include "irl/nodes/graph_runner.h"

#include "graph_runner_worker.h"
#include "irl/nodes/graph_file.h"

Q_DECLARE_METATYPE(irl::nodes::Graph)

namespace irl::nodes {

void GraphRunnerWorker::run(const Graph& graph, const QString& output_dir, const QStringList& targets) {
    RunContext context;
    context.cancel = &token_;
    context.training = &training_;
    context.output_dir = output_dir;
    context.graph_json = write_graph(graph);
    // Emitting from this thread: receivers in the GUI thread get queued calls.
    context.progress = [this](const QString& node, double fraction, const QString&) { Q_EMIT owner_->progress(node, fraction); };
    context.preview = [this](const NodePreview& p) { Q_EMIT owner_->preview(p); };
    executor_.on_status = [this](const QString& node, NodeStatus status, const QString& message) {
        Q_EMIT owner_->node_status(node, static_cast<int>(status), message);
    };
    const RunOutcome outcome = executor_.run(graph, context, targets);
    owner_->busy_ = false;
    Q_EMIT owner_->finished(outcome);
}

GraphRunner::GraphRunner(const NodePacks& packs, QObject* parent)
    : QObject(parent), thread_(new QThread(this)), worker_(new GraphRunnerWorker(packs, this)) {
    qRegisterMetaType<NodePreview>();
    qRegisterMetaType<RunOutcome>();
    qRegisterMetaType<Graph>();
    thread_->setObjectName("engine");
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
}

GraphRunner::~GraphRunner() {
    cancel();
    thread_->quit();
    thread_->wait();
}

bool GraphRunner::start(const Graph& graph, const QString& output_dir, const QStringList& targets) {
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true)) return false;
    worker_->token().reset();
    worker_->training().reset();
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(irl::nodes::Graph, graph),
                              Q_ARG(QString, output_dir), Q_ARG(QStringList, targets));
    return true;
}

void GraphRunner::cancel() { worker_->token().cancel(); }

void GraphRunner::set_training_paused(bool paused) { worker_->training().paused = paused; }
bool GraphRunner::training_paused() const { return worker_->training().paused.load(); }
void GraphRunner::stop_training() { worker_->training().stop = true; }
void GraphRunner::request_checkpoint() { ++worker_->training().checkpoint_requests; }

}  // namespace irl::nodes
