// The port types of the built-in pack and the C++ value each carries. Third-party packs that want
// to exchange values with the built-in nodes include this header.
#pragma once

#include "irl/engine/data/image_convert.h"
#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/gaussian_mixture.h"
#include "irl/engine/sampling/action_space.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/step_control.h"

#include <QString>
#include <QVariantMap>
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace irl {
struct EnergyFile;  // irl/engine/learning/dxmi/dxmi_files.h
}

namespace irl::nodes::builtin {

// Port type ids of the built-in pack (their labels and colours are in builtin_pack.cpp).
namespace ports {
inline const QString denoiser = QStringLiteral("denoiser");
inline const QString schedule = QStringLiteral("schedule");
inline const QString policy = QStringLiteral("policy");
inline const QString dataset = QStringLiteral("dataset");
inline const QString images = QStringLiteral("images");
inline const QString metrics = QStringLiteral("metrics");
inline const QString energy = QStringLiteral("energy");
// One port type per action kind, so that a Churn node cannot feed a guidance input.
inline QString action(ActionKind kind) { return QStringLiteral("action.") + QString::fromLatin1(to_string(kind)); }
}  // namespace ports

// The Sampler's and the IRL Trainer's input for an action kind is named after it: "guidance", ...
inline QString action_port_name(ActionKind kind) { return QString::fromLatin1(to_string(kind)); }

struct DenoiserValue {
    std::shared_ptr<Denoiser> denoiser;
    std::shared_ptr<GaussianMixture> toy;  // set for the 2-D toys: the true data, for plots and exact metrics
};

struct ScheduleValue {
    std::vector<double> sigmas;  // descending, ending at 0
    std::vector<double> query_sigmas;  // a learned schedule's query levels, one per nonzero level; empty: at the levels
    // A learned schedule's file: the solver and the model it was fitted for (the Sampler warns on another).
    std::shared_ptr<const LearnedSchedule> learned;
};

// One component of the sampler's per-step control: its value for a fixed sampler, and the
// choices a learned policy may pick from.
struct ActionValue {
    ActionKind kind = ActionKind::Guidance;
    double value = 0.0;
    std::vector<double> choices;
    // A learned policy chooses only at noise levels inside [sigma_min, sigma_max]; outside, `value` applies.
    double sigma_min = 0.0;
    double sigma_max = 1000.0;
};

// A sampling policy and the setup (denoiser, solver, schedule) it was trained for.
struct PolicyValue {
    std::shared_ptr<Policy> policy;
    PolicySetup setup;
    double temperature = 0.0;  // at sampling time; 0 = the most likely action
};

struct ImagesValue {
    torch::Tensor samples;  // [N, C, H, W] images in [-1, 1], or [N, 2] points for the toys
    torch::Tensor labels;   // [N] the classes asked for (-1 = unconditional)
    double nfe = 0.0;
    std::shared_ptr<GaussianMixture> toy;
    bool points() const { return samples.dim() == 2; }
};

// Real data: images [N, C, H, W] in [-1, 1] or toy points [N, 2], with their classes.
struct DatasetValue {
    torch::Tensor data;
    torch::Tensor labels;
    std::vector<std::string> class_names;
    std::string source;
    AspectFit fit = AspectFit::Crop;  // how its images meet a model of another aspect
};

// A learned energy (DxMI): low on data, high elsewhere; `file` is where it was written.
struct EnergyValue {
    std::shared_ptr<const EnergyFile> energy;
    std::string file;
};

struct MetricsValue {
    QVariantMap numbers;
};

}  // namespace irl::nodes::builtin
