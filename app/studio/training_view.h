// Interactive policy training: start, pause, resume and stop the IRL Trainer node, save a
// checkpoint at any moment, and watch live plots (discriminator loss and accuracy, mean reward,
// policy entropy, FD / precision / recall when evaluated), a heat map of the action
// probabilities per step and the latest samples of the policy.
#pragma once

#include <QImage>
#include <QVariantMap>
#include <QWidget>

#include <cmath>

class QComboBox;
class QLabel;
class QPushButton;
class QLineSeries;
class QChart;
class QValueAxis;

namespace irl::nodes {
struct NodePreview;
}

namespace irl::studio {

// Probability of each choice (rows) at each step (columns), per action component.
class ActionHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit ActionHeatMap(QWidget* parent = nullptr);
    // tables: component -> {"choices": [...], "probabilities": [[p per choice] per level]}
    void set_tables(const QVariantMap& tables);
    QVariantMap tables() const { return tables_; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QVariantMap tables_;
};

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
    void add_iteration(const irl::nodes::NodePreview& preview);
    int iterations_shown() const { return iterations_; }
    // The points of a plotted series ("discriminator_loss", "fd", ...), for tests.
    QList<QPointF> series_points(const QString& name) const;
    ActionHeatMap* heat_map() const { return heat_map_; }
    QImage latest_samples() const { return samples_; }
    void set_message(const QString& text);

Q_SIGNALS:
    void start_requested(const QString& trainer);
    void pause_requested(bool paused);
    void stop_requested();
    void checkpoint_requested();
    void use_policy_requested(const QString& trainer);

private:
    struct Plot {
        QChart* chart = nullptr;
        QValueAxis* x = nullptr;
        QValueAxis* y = nullptr;
        QValueAxis* y2 = nullptr;           // right axis, for the series in `secondary`
        QHash<QString, QLineSeries*> series;
        QStringList secondary;
        // Running bounds of the left and right axes' values, so that appending stays O(1).
        double low[2] = {INFINITY, INFINITY}, high[2] = {-INFINITY, -INFINITY};
        double last_x = 1;
    };
    QWidget* make_plot(Plot& plot, const QString& title, const QStringList& series, const QStringList& labels,
                       const QStringList& secondary = {});
    void add_series(Plot& plot, const QString& name, const QString& label, bool secondary);
    void append(Plot& plot, const QString& name, double x, double y);
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
    QLabel* samples_label_;
    QImage samples_;
    ActionHeatMap* heat_map_;
    Plot discriminator_, reward_, entropy_, quality_;
};

}  // namespace irl::studio
