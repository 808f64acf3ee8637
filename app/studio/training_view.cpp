#include "training_view.h"
#include "theme.h"

#include "action_heat_map.h"
#include "training_charts.h"

#include "irl/nodes/previews.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace irl::studio {

TrainingView::TrainingView(QWidget* parent) : QWidget(parent) {
    setObjectName("training-view");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* bar = new QHBoxLayout;
    trainers_ = new QComboBox;
    trainers_->setObjectName("trainer-chooser");
    trainers_->setToolTip(tr("The trainer node to train"));
    start_ = new QPushButton(tr("Train"));
    start_->setObjectName("train-start");
    start_->setToolTip(tr("Run the graph up to this trainer and train"));
    pause_ = new QPushButton(tr("Pause"));
    pause_->setObjectName("train-pause");
    stop_ = new QPushButton(tr("Stop"));
    stop_->setObjectName("train-stop");
    stop_->setToolTip(tr("End training now and keep what was learned so far"));
    checkpoint_ = new QPushButton(tr("Save checkpoint"));
    checkpoint_->setObjectName("train-checkpoint");
    checkpoint_->setToolTip(tr("Write a checkpoint at the next iteration (training resumes from it)"));
    use_ = new QPushButton(tr("Use result"));
    use_->setObjectName("train-use");
    use_->setToolTip(tr("Add a node that loads the file this trainer wrote"));
    bar->addWidget(new QLabel(tr("Trainer")));
    bar->addWidget(trainers_, 1);
    for (QPushButton* b : {start_, pause_, stop_, checkpoint_, use_}) bar->addWidget(b);
    layout->addLayout(bar);
    status_ = new QLabel(tr("Not training."));
    status_->setObjectName("training-status");
    // One line that never widens the window: long text is cut, the whole of it in the tooltip.
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(status_);
    profiles_ = new QLabel;
    profiles_->setObjectName("training-profiles");
    profiles_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    profiles_->hide();
    layout->addWidget(profiles_);

    charts_ = new TrainingCharts;
    layout->addWidget(charts_, 3);

    auto* bottom = new QHBoxLayout;
    heat_map_ = new ActionHeatMap;
    bottom->addWidget(heat_map_, 3);
    auto* samples = new QVBoxLayout;
    samples_label_ = new QLabel(tr("latest samples"));
    samples_label_->setObjectName("training-samples");
    samples_label_->setAlignment(Qt::AlignCenter);
    samples_label_->setMinimumSize(160, 160);
    samples_label_->setStyleSheet(picture_box_style());
    samples_caption_ = new QLabel;
    samples_caption_->setObjectName("training-samples-caption");
    samples_caption_->setAlignment(Qt::AlignCenter);
    samples_caption_->setWordWrap(true);
    samples->addWidget(samples_label_, 1);
    samples->addWidget(samples_caption_);
    bottom->addLayout(samples, 1);
    layout->addLayout(bottom, 2);

    connect(start_, &QPushButton::clicked, this, [this] {
        if (!trainer().isEmpty()) Q_EMIT start_requested(trainer());
    });
    connect(pause_, &QPushButton::clicked, this, [this] { Q_EMIT pause_requested(!paused_); });
    connect(stop_, &QPushButton::clicked, this, [this] { Q_EMIT stop_requested(); });
    connect(checkpoint_, &QPushButton::clicked, this, [this] { Q_EMIT checkpoint_requested(); });
    connect(use_, &QPushButton::clicked, this, [this] {
        if (!trainer().isEmpty()) Q_EMIT use_result_requested(trainer());
    });
    update_buttons();
}

void TrainingView::set_trainers(const QStringList& node_ids) {
    const QString current = trainer();
    const QSignalBlocker block(trainers_);
    trainers_->clear();
    trainers_->addItems(node_ids);
    if (node_ids.contains(current)) trainers_->setCurrentText(current);
    update_buttons();
    if (!running_ && node_ids.isEmpty())
        set_message(tr("This graph has no trainer. Add one from the palette (Shift+A, the Learning group), link a denoiser, a "
                       "schedule, a dataset of real data and the actions it may choose; or open an example graph that trains."));
    else if (!running_ && status_->text().startsWith(tr("This graph has no trainer")))
        set_message(tr("Not training."));
}

QString TrainingView::trainer() const { return trainers_->currentText(); }

void TrainingView::select_trainer(const QString& node_id) {
    const int index = trainers_->findText(node_id);
    if (index >= 0) trainers_->setCurrentIndex(index);
}

void TrainingView::set_running(bool running) {
    running_ = running;
    if (!running) paused_ = false;
    update_buttons();
}

void TrainingView::set_paused(bool paused) {
    paused_ = paused;
    update_buttons();
    if (running_) set_message(paused ? tr("Paused at iteration %1.").arg(iterations_) : tr("Training…"));
}

void TrainingView::update_buttons() {
    const bool any = trainers_->count() > 0;
    start_->setEnabled(any && !running_);
    pause_->setEnabled(running_);
    pause_->setText(paused_ ? tr("Resume") : tr("Pause"));
    stop_->setEnabled(running_);
    checkpoint_->setEnabled(running_);
    use_->setEnabled(any && !running_);
}

void TrainingView::clear() {
    iterations_ = 0;
    charts_->clear();
    heat_map_->set_tables({});
    samples_ = QImage();
    samples_label_->setPixmap(QPixmap());
    samples_label_->setText(tr("latest samples"));
    samples_caption_->clear();
    profiles_->clear();
    profiles_->hide();
}

void TrainingView::add_iteration(const irl::nodes::TrainingReport& report) {
    iterations_ = report.iteration;
    charts_->add(report.iteration, report.curves);
    if (!report.tables.isEmpty()) heat_map_->set_tables(report.tables);
    heat_map_->setVisible(!heat_map_->tables().isEmpty());
    QImage image;
    if (!report.samples_png.isEmpty() && image.loadFromData(report.samples_png, "PNG")) {
        samples_ = image;
        // Fit the label, pixels sharp for small image grids, smooth for scatter plots.
        const QSize room = samples_label_->contentsRect().size().boundedTo(QSize(480, 480)).expandedTo(QSize(120, 120));
        const bool grid = image.width() < 200;
        samples_label_->setPixmap(QPixmap::fromImage(image.scaled(room, Qt::KeepAspectRatio, grid ? Qt::FastTransformation : Qt::SmoothTransformation)));
        samples_caption_->setText(report.samples_caption);
    }
    set_message(paused_ ? tr("Paused · ") + report.status : report.status);
    if (!report.profiles.isEmpty()) {
        QStringList lines;
        for (const auto& profile : report.profiles) {
            QStringList values;
            for (double v : profile.values) values << QString::number(v, 'g', 3);
            lines << QStringLiteral("%1: %2").arg(profile.label, values.join(QStringLiteral(" → ")));
        }
        profiles_->setText(lines.join('\n'));
        profiles_->show();
    }
}

QList<QPointF> TrainingView::series_points(const QString& name) const { return charts_->points(name); }

void TrainingView::set_message(const QString& text) {
    status_->setText(text);
    status_->setToolTip(text);
}

}  // namespace irl::studio
