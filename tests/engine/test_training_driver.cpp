// The engine's one training driver, against a trainer small enough to count everything it is
// asked to do: a cancel writes the checkpoint and the partial result exactly once; a stop writes
// the checkpoint once; a finished run that checkpoints periodically does not write its last one
// twice; N + N iterations through a checkpoint end bit for bit where 2N in one go end; a pause
// holds the iteration count and still serves a checkpoint request; evaluations fall every K
// iterations and at the last; a checkpoint the trainer refuses reaches the caller as its sentence.
#include "irl/engine/learning/training_driver.h"
#include "test_registry.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace irl;

namespace {

// A random walk with its own generator: its whole state is the count, the value and the generator.
class WalkTrainer : public Trainer {
public:
    explicit WalkTrainer(std::string setup = "walk", uint64_t seed = 7) : setup_(std::move(setup)), generator_(seed) {}

    int64_t iterations() const override { return iterations_; }
    void iterate(const CancelToken* cancel) override {
        if (cancel) cancel->throw_if_cancelled();
        value_ += std::normal_distribution<double>(0.0, 1.0)(generator_);
        ++iterations_;
    }
    void save_checkpoint(const std::string& path) const override {
        ++checkpoints_written;
        std::ofstream out(path);
        out << setup_ << ' ' << iterations_ << ' ';
        out.precision(17);
        out << value_ << ' ' << generator_;
    }
    void load_checkpoint(const std::string& path) override {
        std::ifstream in(path);
        std::string setup;
        in >> setup;
        if (setup != setup_) throw std::runtime_error(path + " is a checkpoint of the setup \"" + setup + "\", not \"" + setup_ + "\"");
        in >> iterations_ >> value_ >> generator_;
    }
    void save_result(bool partial, double) override { results.push_back(partial); }

    double value() const { return value_; }
    mutable int checkpoints_written = 0;
    std::vector<bool> results;  // one entry per result written: whether it was partial

private:
    std::string setup_;
    std::mt19937_64 generator_;
    int64_t iterations_ = 0;
    double value_ = 0.0;
};

TrainingRunOptions run_of(int64_t iterations, const std::string& checkpoint = {}) {
    TrainingRunOptions options;
    options.iterations = iterations;
    options.checkpoint = checkpoint;
    return options;
}

}  // namespace

class TestTrainingDriver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aFinishedRunWritesItsResultOnce();
    void cancelWritesTheCheckpointAndThePartialResultOnce();
    void stopWritesTheCheckpointOnce();
    void periodicCheckpointsAreNotWrittenTwiceAtTheEnd();
    void twoHalvesThroughACheckpointEqualOneRun();
    void pauseHoldsTheCountAndServesACheckpointRequest();
    void evaluationsFallEveryKAndAtTheLast();
    void aRefusedOrUnwritableCheckpointIsASentence();
};

void TestTrainingDriver::aFinishedRunWritesItsResultOnce() {
    WalkTrainer trainer;
    TrainingDriver driver(trainer, run_of(4));
    int steps = 0;
    const TrainingOutcome outcome = driver.run({}, [&](const TrainingStep& step) {
        ++steps;
        QCOMPARE(step.done, int64_t(steps));
        QCOMPARE(step.total, int64_t(4));
    });
    QVERIFY(!outcome.stopped);
    QCOMPARE(steps, 4);
    QCOMPARE(trainer.iterations(), int64_t(4));
    QCOMPARE(trainer.results, std::vector<bool>{false});
    QCOMPARE(trainer.checkpoints_written, 0);  // no checkpoint file was asked for
}

void TestTrainingDriver::cancelWritesTheCheckpointAndThePartialResultOnce() {
    QTemporaryDir dir;
    const std::string checkpoint = dir.filePath("walk.ckpt").toStdString();
    WalkTrainer trainer;
    TrainingDriver driver(trainer, run_of(10, checkpoint));
    CancelToken cancel;
    TrainingSteering control;
    control.cancel = &cancel;
    QVERIFY_THROWS_EXCEPTION(Cancelled, driver.run(control, [&](const TrainingStep& step) {
        if (step.done == 3) cancel.cancel();
    }));
    QCOMPARE(trainer.iterations(), int64_t(3));
    QCOMPARE(trainer.checkpoints_written, 1);
    QCOMPARE(trainer.results, std::vector<bool>{true});
    // A cancel while paused ends the pause, and keeps what the iterations before it learned.
    WalkTrainer paused;
    TrainingDriver paused_driver(paused, run_of(10, checkpoint));
    CancelToken paused_cancel;
    TrainingSteering paused_control;
    paused_control.cancel = &paused_cancel;
    int polls = 0;
    paused_control.paused = [&] {
        if (paused.iterations() != 2) return false;
        if (++polls == 3) paused_cancel.cancel();
        return true;
    };
    QVERIFY_THROWS_EXCEPTION(Cancelled, paused_driver.run(paused_control));
    QCOMPARE(paused.iterations(), int64_t(2));
    QCOMPARE(paused.checkpoints_written, 1);
    QCOMPARE(paused.results, std::vector<bool>{true});
}

void TestTrainingDriver::stopWritesTheCheckpointOnce() {
    QTemporaryDir dir;
    WalkTrainer trainer;
    TrainingDriver driver(trainer, run_of(10, dir.filePath("walk.ckpt").toStdString()));
    TrainingSteering control;
    control.stop = [&] { return trainer.iterations() >= 2; };
    const TrainingOutcome outcome = driver.run(control);
    QVERIFY(outcome.stopped);
    QCOMPARE(trainer.iterations(), int64_t(2));
    QCOMPARE(trainer.checkpoints_written, 1);
    QCOMPARE(trainer.results, std::vector<bool>{false});
}

void TestTrainingDriver::periodicCheckpointsAreNotWrittenTwiceAtTheEnd() {
    QTemporaryDir dir;
    WalkTrainer trainer;
    TrainingRunOptions options = run_of(5, dir.filePath("walk.ckpt").toStdString());
    options.checkpoint_every = 2;
    TrainingDriver driver(trainer, options);
    driver.run({});
    QCOMPARE(trainer.checkpoints_written, 3);  // after 2, 4 and the last, 5
}

void TestTrainingDriver::twoHalvesThroughACheckpointEqualOneRun() {
    QTemporaryDir dir;
    const std::string checkpoint = dir.filePath("walk.ckpt").toStdString();
    WalkTrainer straight;
    TrainingDriver(straight, run_of(8)).run({});

    TrainingRunOptions options = run_of(8, checkpoint);
    options.resume = true;
    WalkTrainer first;
    TrainingDriver first_driver(first, options);
    QVERIFY(!first_driver.resumed());  // no file yet: a fresh start
    TrainingSteering control;
    control.stop = [&] { return first.iterations() >= 4; };
    first_driver.run(control);
    QCOMPARE(first.iterations(), int64_t(4));

    WalkTrainer second;
    TrainingDriver second_driver(second, options);
    QVERIFY(second_driver.resumed());
    QCOMPARE(second.iterations(), int64_t(4));
    second_driver.run({});
    QCOMPARE(second.iterations(), int64_t(8));
    QCOMPARE(second.value(), straight.value());  // bit for bit

    // Without resume (the commands' --fresh) the same file is ignored and training starts over.
    options.resume = false;
    WalkTrainer fresh;
    TrainingDriver fresh_driver(fresh, options);
    QVERIFY(!fresh_driver.resumed());
    QCOMPARE(fresh.iterations(), int64_t(0));
}

void TestTrainingDriver::pauseHoldsTheCountAndServesACheckpointRequest() {
    QTemporaryDir dir;
    const std::string checkpoint = dir.filePath("walk.ckpt").toStdString();
    WalkTrainer trainer;
    TrainingDriver driver(trainer, run_of(5, checkpoint));
    std::vector<int64_t> seen_while_paused;
    int polls = 0;
    bool requested = false;
    std::vector<int64_t> written_at;
    TrainingSteering control;
    control.paused = [&] {
        if (trainer.iterations() != 2 || polls >= 6) return false;
        ++polls;
        seen_while_paused.push_back(trainer.iterations());
        return true;
    };
    control.checkpoint_requested = [&] {
        if (polls != 3 || requested) return false;
        requested = true;
        return true;
    };
    control.checkpoint_written = [&](const std::string& path, int64_t iteration) {
        QCOMPARE(path, checkpoint);
        written_at.push_back(iteration);
    };
    const TrainingOutcome outcome = driver.run(control);
    QCOMPARE(polls, 6);
    QCOMPARE(seen_while_paused, std::vector<int64_t>(6, 2));
    QCOMPARE(written_at, std::vector<int64_t>{2});
    QCOMPARE(trainer.iterations(), int64_t(5));
    QVERIFY(outcome.paused_seconds > 0.1);  // six waits of 30 ms, not counted as training
    QVERIFY(outcome.seconds < outcome.paused_seconds + 1.0);
}

void TestTrainingDriver::evaluationsFallEveryKAndAtTheLast() {
    WalkTrainer trainer;
    TrainingRunOptions options = run_of(7);
    options.evaluate_every = 3;
    std::vector<int64_t> evaluated;
    TrainingDriver(trainer, options).run({}, [&](const TrainingStep& step) {
        if (step.evaluate) evaluated.push_back(step.done);
    });
    QCOMPARE(evaluated, (std::vector<int64_t>{3, 6, 7}));
}

void TestTrainingDriver::aRefusedOrUnwritableCheckpointIsASentence() {
    QTemporaryDir dir;
    const std::string checkpoint = dir.filePath("walk.ckpt").toStdString();
    WalkTrainer other("other-setup");
    TrainingRunOptions other_options = run_of(2, checkpoint);
    other_options.checkpoint_every = 1;
    TrainingDriver(other, other_options).run({});

    TrainingRunOptions options = run_of(4, checkpoint);
    options.resume = true;
    WalkTrainer trainer;
    try {
        TrainingDriver driver(trainer, options);
        QFAIL("a checkpoint of another setup was resumed");
    } catch (const std::runtime_error& e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(QString::fromStdString(checkpoint)) && message.contains("other-setup"), e.what());
    }
    QCOMPARE(trainer.iterations(), int64_t(0));

    // A checkpoint that could not be written fails before any training, naming the path.
    const std::string plain_file = dir.filePath("a-file").toStdString();
    { std::ofstream(plain_file) << "not a folder"; }
    try {
        TrainingDriver driver(trainer, run_of(4, plain_file + "/walk.ckpt"));
        QFAIL("an unwritable checkpoint path was accepted");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(QString::fromStdString(plain_file)), e.what());
    }
    QCOMPARE(trainer.iterations(), int64_t(0));
}

IRL_TEST_CLASS("test_training_driver", TestTrainingDriver)
#include "test_training_driver.moc"
