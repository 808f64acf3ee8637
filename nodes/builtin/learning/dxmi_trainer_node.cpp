#include "dxmi_trainer_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/learning/dxmi/dxmi_files.h"
#include "irl/engine/learning/dxmi/dxmi_trainer.h"
#include "irl/engine/learning/dxmi/energy_check.h"
#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFileInfo>
#include <torch/torch.h>

#include <cmath>
#include <memory>

namespace irl::nodes::builtin {
namespace {

// Where the sampler file goes (the Save as parameter); the energy is written beside it. The DxMI
// Sampler node loads it, so the window offers "use the result".
const OutputFile kSamplerFile{"save", "{node}-sampler.dxmi", "irl.dxmi_sampler", "file", {}, "DxMI sampler", {}, {}, {}, {}, {}};

QString energy_path_for(const QString& sampler_path) {
    const QFileInfo info(sampler_path);
    const QString energy = info.dir().filePath(info.completeBaseName() + ".energy");
    return energy == sampler_path ? sampler_path + ".energy" : energy;  // never over the sampler file
}

// The trained sampler's samples from fixed seeds, scored exactly against fresh true samples.
struct Evaluation {
    torch::Tensor samples;
    double mmd2 = 0.0;
    double log_density_gap = 0.0;  // mean exact log density of the samples minus the true samples'
};

Evaluation evaluate_sampler(Denoiser& denoiser, DxmiTrainer& trainer, const GaussianMixture& toy, int64_t count) {
    at::Generator g = make_generator(777);
    const torch::Tensor truth = toy.sample(count, g);
    const torch::Tensor tiny = torch::full({count}, 0.002, torch::kFloat64);
    Evaluation e;
    e.samples = sample_few_step(denoiser, trainer.sampler(), count, 1000003, torch::kFloat64);
    e.mmd2 = toy_mmd_squared(e.samples, truth);
    e.log_density_gap = (toy.log_density(e.samples, tiny).mean() - toy.log_density(truth, tiny).mean()).item<double>();
    return e;
}

TrainingReport report_of(const DxmiIteration& it, const DxmiTrainer& trainer, int64_t iterations, const QString& node) {
    TrainingReport report;
    report.node = node;
    report.iteration = static_cast<int>(it.iteration);
    report.total = static_cast<int>(iterations);
    report.curves = {{"Energy", "data_energy", "E(data)", it.data_energy, true},
                     {"Energy", "sample_energy", "E(samples)", it.sample_energy, false},
                     {"Losses", "energy_loss", "energy", it.energy_loss, false},
                     {"Losses", "value_loss", "value", it.value_loss, false},
                     {"Losses", "sampler_loss", "sampler", it.sampler_loss, false}};
    // Each step's noise over the iterations on a log scale, and all of them now, step by step.
    StepProfile noise{"step_noise", "s_t: the noise each step adds", {}};
    StepProfile scale{"step_scale", "β_t: the mean squared step (its cost's scale)", {}};
    for (size_t t = 0; t < it.step_noise.size(); ++t) {
        report.curves.push_back({"Step noise (log10 s_t)", QString("log10_s_%1").arg(t), QString("s%1").arg(t), std::log10(it.step_noise[t]), false});
        noise.values << it.step_noise[t];
    }
    for (double beta : it.step_scale) scale.values << beta;
    StepProfile levels{"sigmas", "σ of each step", {}};
    for (size_t t = 0; t + 1 < it.sigmas.size(); ++t) levels.values << it.sigmas[t];
    report.profiles << noise << scale << levels;
    report.status = QString("Iteration %1 of %2 · E(data) %3 · E(samples) %4 · %5 function evaluations so far")
                        .arg(it.iteration)
                        .arg(iterations)
                        .arg(it.data_energy, 0, 'f', 3)
                        .arg(it.sample_energy, 0, 'f', 3)
                        .arg(trainer.total_evaluations());
    return report;
}

}  // namespace

NodeTypeInfo DxmiTrainerNode::declaration() {
    const DxmiOptions d;
    NodeTypeInfo t{"irl.dxmi_trainer", "DxMI Trainer", "Learning",
                   "Trains a few-step sampler and an energy model together (DxMI): the energy is low on the dataset and high "
                   "on the sampler's samples, and the sampler moves toward low energy. 2-D toys for now.",
                   {{"denoiser", ports::denoiser}, {"data", ports::dataset}},
                   {{"denoiser", ports::denoiser, "The fine-tuned denoiser (the exact one, unchanged, when only the step noises learn)"},
                    {"energy", ports::energy, "The learned energy"},
                    {"samples", ports::images, "Samples of the trained few-step sampler"}},
                   {ParameterSchema::integer("steps", "Steps", 4, 1, 100, "Steps = function evaluations of the sampler"),
                    ParameterSchema::number("sigma_max", "σ max", 5.0, 0.01, 1000.0, "The first level (Karras levels down to 0.002)"),
                    ParameterSchema::number("rho", "ρ", 3.0, 0.5, 20.0),
                    ParameterSchema::boolean("learn_levels", "Learn the levels", false,
                                             "Also learn the levels between the first and the last nonzero one"),
                    ParameterSchema::number("level_lr", "Level learning rate", d.level_lr, 0.0, 1.0).shown_if("learn_levels", {"true"}),
                    ParameterSchema::boolean("fine_tune", "Fine-tune an MLP denoiser", true,
                                             "Fit a small MLP denoiser to the toy first and fine-tune its weights; off: the exact denoiser, "
                                             "only the step noises learn"),
                    ParameterSchema::integer("fit_steps", "MLP fit steps", 4000, 1, 1000000).shown_if("fine_tune", {"true"}),
                    ParameterSchema::integer("iterations", "Iterations", 500, 1, 100000000),
                    ParameterSchema::integer("batch", "Batch", d.batch, 2, 1000000, "Samples per iteration"),
                    ParameterSchema::number("noise_fraction", "Start noise fraction", d.noise_fraction, 1e-6, 1.0,
                                            "Each step's noise starts at this share of Euler ancestral's"),
                    ParameterSchema::number("noise_lr", "Step-noise learning rate", d.noise_lr, 0.0, 1.0),
                    ParameterSchema::number("denoiser_lr", "Denoiser learning rate", d.denoiser_lr, 0.0, 1.0).shown_if("fine_tune", {"true"}),
                    ParameterSchema::number("tau1", "Entropy weight τ1", d.tau1, 0.0, 100.0),
                    ParameterSchema::number("tau2", "Step-cost weight τ2", d.tau2, 0.0, 100.0),
                    ParameterSchema::boolean("noised_negatives", "Energy also against noised data", d.noised_negatives,
                                             "The energy learns against data noised at the sampler's levels as well as its samples, "
                                             "so that it rises away from the data"),
                    ParameterSchema::integer("eval_every", "Evaluate every", 50, 1, 1000000, "Iterations between evaluations (MMD², log density, samples)"),
                    ParameterSchema::integer("eval_count", "Evaluation samples", 2000, 100, 1000000),
                    ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
                    ParameterSchema::text("checkpoint", "Checkpoint", "", "A file in the output folder to checkpoint to and resume from (optional)"),
                    ParameterSchema::boolean("resume", "Resume", true, "Continue from the checkpoint when it exists"),
                    ParameterSchema::text("save", "Save as", "",
                                          "The sampler file, in the output folder (the energy goes beside it, .energy); empty: <node>-sampler.dxmi")}};
    t.traits.interactive_training = true;
    t.traits.output_file = kSamplerFile;
    return t;
}

Values DxmiTrainerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    const DatasetValue& data = input<DatasetValue>(in, "data");
    if (!model.toy)
        throw std::runtime_error("the DxMI Trainer runs on the 2-D toys so far: connect a Denoiser node whose source is toy");
    if (data.data.dim() != 2 || data.data.size(1) != model.toy->dimension())
        throw std::runtime_error("the DxMI Trainer's data must be points of the toy: connect a Dataset node whose source is toy");
    const uint64_t seed = static_cast<uint64_t>(p.value("seed").toLongLong());

    // The denoiser it samples with: an MLP fitted to the toy first (its weights then fine-tuned), or the exact one.
    std::shared_ptr<MlpDenoiser> mlp;
    if (p.value("fine_tune").toBool()) {
        MlpFitOptions fit;
        fit.steps = p.value("fit_steps").toLongLong();
        fit.seed = seed;
        if (context.progress) context.progress(context.node, 0.0, "fitting an MLP denoiser to the toy");
        std::string toy_name = model.denoiser->identity();
        if (toy_name.rfind("toy:", 0) == 0) toy_name = toy_name.substr(4);
        mlp = std::shared_ptr<MlpDenoiser>(fit_mlp_denoiser(*model.toy, toy_name, fit, context.cancel).denoiser.release());
    }
    Denoiser& denoiser = mlp ? static_cast<Denoiser&>(*mlp) : *model.denoiser;

    DxmiOptions options;
    options.sigmas = karras_schedule(static_cast<int>(p.value("steps").toLongLong()), ScheduleDefaults::sigma_min,
                                     p.value("sigma_max").toDouble(), p.value("rho").toDouble());
    options.batch = p.value("batch").toLongLong();
    options.noise_fraction = p.value("noise_fraction").toDouble();
    options.noise_lr = p.value("noise_lr").toDouble();
    options.denoiser_lr = p.value("denoiser_lr").toDouble();
    options.learn_levels = p.value("learn_levels").toBool();
    options.noised_negatives = p.value("noised_negatives", false).toBool();
    options.level_lr = p.value("level_lr").toDouble();
    options.tau1 = p.value("tau1").toDouble();
    options.tau2 = p.value("tau2").toDouble();
    options.seed = seed;
    options.run.iterations = p.value("iterations").toLongLong();
    const QString sampler_file = output_file_path(kSamplerFile, context.node, p, context.output_dir);
    options.sampler_file = sampler_file.toStdString();
    options.energy_file = energy_path_for(sampler_file).toStdString();
    // A named checkpoint is written at every evaluation and at the end, and resumed; the default
    // one only on a stop, a cancel or a request from the window.
    const CheckpointPlace checkpoint = checkpoint_of(p, context, "DxMI Trainer");
    const int64_t eval_every = p.value("eval_every").toLongLong(), eval_count = p.value("eval_count").toLongLong();
    options.run.checkpoint = checkpoint.path.toStdString();
    options.run.checkpoint_every = checkpoint.named ? eval_every : 0;
    options.run.resume = checkpoint.named && p.value("resume").toBool();
    DxmiTrainer trainer(denoiser, mlp.get(), data.data.to(torch::kFloat32), options);

    TrainingSteering control;
    steer_from_window(control, context);
    Evaluation last_evaluation;
    bool evaluated = false;
    trainer.run(control, [&](const DxmiIteration& it) {
        TrainingReport report = report_of(it, trainer, options.run.iterations, context.node);
        if (it.iteration % eval_every == 0 || it.iteration >= options.run.iterations) {
            last_evaluation = evaluate_sampler(denoiser, trainer, *model.toy, eval_count);
            evaluated = true;
            report.curves.push_back({"Evaluation", "mmd2", "MMD²", last_evaluation.mmd2, false});
            report.curves.push_back({"Evaluation", "log_density_gap", "log-density gap", last_evaluation.log_density_gap, true});
            report.status += QString(" · MMD² %1").arg(last_evaluation.mmd2, 0, 'g', 4);
            report.samples_png = picture_of(last_evaluation.samples, model.toy);
            report.samples_caption = "the trained sampler (orange) over the true data (grey)";
        }
        if (context.training_report) context.training_report(report);
        if (context.progress) context.progress(context.node, double(it.iteration) / double(options.run.iterations), QString());
    });
    // A run stopped before its first evaluation (or resumed at its end) is scored now.
    if (!evaluated) last_evaluation = evaluate_sampler(denoiser, trainer, *model.toy, eval_count);
    if (context.report) {
        context.report(context.node, "iterations", static_cast<double>(trainer.iterations()));
        context.report(context.node, "mmd2", last_evaluation.mmd2);
        context.report(context.node, "log_density_gap", last_evaluation.log_density_gap);
        context.report(context.node, "training_evaluations", static_cast<double>(trainer.total_evaluations()));
        const EnergyRanking ranking = energy_ranking(trainer.energy(), *model.toy);
        context.report(context.node, "energy_spearman_mixture", ranking.on_data);
        context.report(context.node, "energy_spearman_grid", ranking.on_grid);
    }
    DenoiserValue tuned{mlp ? std::static_pointer_cast<Denoiser>(mlp) : model.denoiser, model.toy};
    EnergyValue energy{std::make_shared<const EnergyFile>(load_energy(options.energy_file)), options.energy_file};
    ImagesValue samples;
    samples.samples = last_evaluation.samples;
    samples.labels = torch::full({last_evaluation.samples.size(0)}, int64_t(-1));
    samples.nfe = static_cast<double>(trainer.sampler()->steps());
    samples.toy = model.toy;
    return {{"denoiser", tuned}, {"energy", energy}, {"samples", samples}};
}

}  // namespace irl::nodes::builtin
