// What a running node shows the window, pack-neutral: a sampling step (the states and the
// predictions as pictures) and a trainer's report of one iteration (curves, choice tables, per-step
// profiles, samples). Pictures travel as PNG bytes so that the window needs no pack's types.
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace irl::nodes {

// One denoising step of a sampler: x_t and D(x_t) of the batch (for 2-D points, scatter plots).
struct SamplingPreview {
    QString node;
    int step = 0;   // steps taken so far
    int total = 0;  // steps in the schedule
    double sigma = 0.0;
    QByteArray state_png;     // x_t, scaled to unit variance
    QByteArray denoised_png;  // D(x_t)
    bool points = false;      // scatter plots of 2-D points rather than image grids
    // Image grids: how many samples they show, in how many columns (2-pixel gutters), and the
    // class each one was asked for (-1: none), so that a click can name the sample.
    int shown = 0;
    int columns = 0;
    QVector<int> labels;
};

// One value of a plotted curve at this iteration. Curves with the same `chart` share a plot; the
// first curve to name a chart creates it, in the order they arrive.
struct TrainingCurve {
    QString chart;   // "Discriminator"
    QString name;    // "discriminator_loss": stable, for tests and files
    QString label;   // "loss": the legend
    double value = 0.0;
    bool right_axis = false;  // plotted against the chart's right axis
    // A level to compare with, not a measurement of this iteration (the best classic solver's
    // score): drawn as a dashed line across the whole chart at its latest value.
    bool reference = false;
};

// The probability of each choice at each step of the schedule (a learned policy's actions).
struct ChoiceTable {
    QString component;        // "guidance"
    QVector<double> choices;  // the values chosen from
    QVector<QVector<double>> probabilities;  // [step][choice]
    QVector<bool> active;     // per step: does the policy choose there (else a fixed value applies)
    QVector<bool> visited;    // per step: did any trajectory choose this action there (empty: all did)
    QVector<double> sigmas;   // per step: the noise level it starts from (column labels)
};

// A value per step of a sampler that a trainer tunes (DxMI's step noise, a running-cost scale).
struct StepProfile {
    QString name;   // "sigma_t"
    QString label;  // "step noise σ_t"
    QVector<double> values;
};

struct TrainingReport {
    QString node;
    int iteration = 0;
    int total = 0;
    QString status;  // one line for the status bar ("discriminator accuracy 0.61 · 12 800 evaluations")
    QVector<TrainingCurve> curves;
    QVector<ChoiceTable> tables;
    QVector<StepProfile> profiles;
    QByteArray samples_png;  // the trainer's latest samples, when it evaluated at this iteration
    QString samples_caption;

    const TrainingCurve* curve(const QString& name) const {
        for (const TrainingCurve& c : curves)
            if (c.name == name) return &c;
        return nullptr;
    }
};

}  // namespace irl::nodes

Q_DECLARE_METATYPE(irl::nodes::SamplingPreview)
Q_DECLARE_METATYPE(irl::nodes::TrainingReport)
