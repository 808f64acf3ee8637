// Interactive training: start, pause, resume and stop any trainer node (its type's traits say
// which nodes train), save a checkpoint at any moment, and watch what it reports: its curves,
// the probability of each action choice per step, per-step profiles (the noise levels a policy
// took, a sampler's step noise) and its latest samples.
#pragma once

#include <QImage>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace irl::nodes {
struct TrainingReport;
}

namespace irl::studio {

class ActionHeatMap;
class TrainingCharts;

class TrainingView : public QWidget {
    Q_OBJECT
public:
    explicit TrainingView(QWidget* parent = nullptr);

    // The trainer nodes of the graph, for the chooser.
    void set_trainers(const QStringList& node_ids);
    QString trainer() const;
    void select_trainer(const QString& node_id);
    // The engine's state: running (training in progress), paused.
    void set_running(bool running);
    void set_paused(bool paused);
    bool running() const { return running_; }

    void clear();
    void add_iteration(const irl::nodes::TrainingReport& report);
    int iterations_shown() const { return iterations_; }
    // The points of a plotted curve ("discriminator_loss", "fd", ...), for tests.
    QList<QPointF> series_points(const QString& name) const;
    ActionHeatMap* heat_map() const { return heat_map_; }
    TrainingCharts* charts() const { return charts_; }
    QImage latest_samples() const { return samples_; }
    void set_message(const QString& text);

Q_SIGNALS:
    void start_requested(const QString& trainer);
    void pause_requested(bool paused);
    void stop_requested();
    void checkpoint_requested();
    void use_result_requested(const QString& trainer);

private:
    void update_buttons();

    bool running_ = false;
    bool paused_ = false;
    int iterations_ = 0;
    QComboBox* trainers_;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* stop_;
    QPushButton* checkpoint_;
    QPushButton* use_;
    QLabel* status_;
    QLabel* profiles_;
    QLabel* samples_label_;
    QLabel* samples_caption_;
    QImage samples_;
    TrainingCharts* charts_;
    ActionHeatMap* heat_map_;
};

}  // namespace irl::studio
