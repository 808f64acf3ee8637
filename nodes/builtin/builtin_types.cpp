// The declarations of the built-in node types: ports and parameter schemas.
#include "builtin_pack.h"

#include "irl/engine/f_divergence.h"
#include "irl/engine/sampler.h"
#include "irl/engine/toy_mixtures.h"

namespace irl::nodes::builtin {
namespace {

QStringList as_qt(const std::vector<std::string>& names) {
    QStringList out;
    for (const auto& n : names) out << QString::fromStdString(n);
    return out;
}

NodeTypeInfo action(const QString& id, const QString& name, const QString& component, double value, double min, double max,
                    const QString& choices, const QString& tooltip) {
    NodeTypeInfo t{id, name, "Actions", tooltip, {}, {{"action", PortType::Action}},
                   {ParameterSchema::number("value", "Value", value, min, max, "Used at every step by a fixed sampler"),
                    ParameterSchema::text("choices", "Choices", choices, "Comma-separated values a learned policy picks from"),
                    ParameterSchema::number("sigma_min", "Policy from σ", 0.0, 0.0, 1000.0,
                                            "A learned policy chooses only at noise levels from this σ..."),
                    ParameterSchema::number("sigma_max", "Policy to σ", 1000.0, 0.0, 1000.0,
                                            "...up to this one; elsewhere Value applies")}};
    t.description += " (component: " + component + ")";
    return t;
}

}  // namespace

QVector<NodeTypeInfo> BuiltinPack::node_types() const {
    QVector<NodeTypeInfo> types;
    types.push_back({"irl.denoiser", "Denoiser", "Models", "The model that predicts the clean image from a noisy one",
                     {}, {{"denoiser", PortType::Denoiser}},
                     {ParameterSchema::choice("source", "Source", {"bundled", "torchscript", "toy"}, "bundled",
                                              "bundled: the Fashion-MNIST U-Net; torchscript: your file; toy: an exact 2-D mixture"),
                      ParameterSchema::file("file", "TorchScript file", "TorchScript (*.pt)", "Needs a JSON sidecar next to it"),
                      ParameterSchema::choice("toy", "Toy", as_qt(toy_mixture_names()), "ring8")}});
    types.push_back({"irl.schedule", "Schedule", "Sampling", "The noise levels the sampler visits", {},
                     {{"schedule", PortType::Schedule}},
                     {ParameterSchema::choice("kind", "Kind", {"karras", "exponential"}, "karras"),
                      ParameterSchema::integer("steps", "Steps", 18, 1, 1000, "Nonzero noise levels"),
                      ParameterSchema::number("sigma_min", "σ min", 0.002, 1e-5, 10.0),
                      ParameterSchema::number("sigma_max", "σ max", 80.0, 0.01, 1000.0),
                      ParameterSchema::number("rho", "ρ", 7.0, 0.5, 20.0, "Karras spacing exponent")}});
    types.push_back(action("irl.guidance", "Guidance", "guidance", 1.0, 0.0, 20.0, "1,1.5,2,3",
                           "Classifier-free guidance scale w"));
    types.push_back(action("irl.churn", "Churn", "churn", 0.0, 0.0, 1.0, "0,0.1,0.25",
                           "Stochasticity injection γ: raise σ to σ(1+γ) with fresh noise"));
    types.push_back(action("irl.renoise", "Renoise", "renoise", 0.0, 0.0, 10.0, "0,1,2",
                           "Jump back up k levels of the schedule"));
    types.push_back(action("irl.stochasticity", "Stochasticity (λ)", "lambda", 0.0, 0.0, 5.0, "0,0.5,1",
                           "gDDIM stochasticity λ: 0 = DDIM, 1 = ancestral"));
    types.push_back({"irl.sampler", "Sampler", "Sampling", "Runs the sampler from pure noise to images",
                     {{"denoiser", PortType::Denoiser}, {"schedule", PortType::Schedule},
                      {"guidance", PortType::Action, "Guidance action", true}, {"churn", PortType::Action, "Churn action", true},
                      {"renoise", PortType::Action, "Renoise action", true},
                      {"stochasticity", PortType::Action, "Stochasticity action", true},
                      {"policy", PortType::Policy, "A learned policy: chooses the actions at every step", true}},
                     {{"images", PortType::Images}},
                     {ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "heun"),
                      ParameterSchema::integer("count", "Count", 16, 1, 100000, "How many samples"),
                      ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
                      ParameterSchema::integer("class", "Class", -1, -2, 1000,
                                               "-1: every class in turn (unconditional for toys); -2: no class (unconditional)"),
                      ParameterSchema::integer("renoise_cap", "Renoise cap", -1, -1, 10000, "-1: as many levels as the schedule")}});
    types.push_back({"irl.policy", "Policy", "Learning", "A sampling policy from a file (trained by an IRL Trainer or train-policy)",
                     {}, {{"policy", PortType::Policy}},
                     {ParameterSchema::file("file", "Policy file", "Policies (*.pt)"),
                      ParameterSchema::number("temperature", "Temperature", 0.0, 0.0, 10.0, "0: always the most likely action")}});
    types.push_back({"irl.irl_trainer", "IRL Trainer", "Learning",
                     "Learns a policy by inverse RL: matches the sampler's states to the dataset's at every noise level",
                     {{"denoiser", PortType::Denoiser}, {"schedule", PortType::Schedule}, {"expert", PortType::Dataset},
                      {"guidance", PortType::Action, "Guidance choices", true}, {"churn", PortType::Action, "Churn choices", true},
                      {"renoise", PortType::Action, "Renoise choices", true},
                      {"stochasticity", PortType::Action, "Stochasticity choices", true}},
                     {{"policy", PortType::Policy}},
                     {ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "heun"),
                      ParameterSchema::choice("policy", "Policy", {"table", "network"}, "table"),
                      ParameterSchema::choice("divergence", "Divergence", as_qt(divergence_names()), "jensen-shannon"),
                      ParameterSchema::number("lambda", "PR λ", 1.0, 0.01, 100.0, "The precision-recall divergence's trade-off"),
                      ParameterSchema::integer("iterations", "Iterations", 100, 1, 100000),
                      ParameterSchema::integer("batch", "Batch", 256, 2, 100000, "Trajectories per iteration"),
                      ParameterSchema::number("policy_lr", "Policy learning rate", 0.03, 1e-5, 1.0),
                      ParameterSchema::number("entropy", "Entropy bonus", 0.01, 0.0, 10.0),
                      ParameterSchema::number("nfe_cost", "Cost per evaluation", 0.0, 0.0, 10.0),
                      ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
                      ParameterSchema::integer("discriminator_steps", "Discriminator steps", 2, 1, 1000,
                                               "Discriminator updates per iteration"),
                      ParameterSchema::choice("labels", "Labels", {"every class", "unconditional"}, "every class",
                                              "unconditional: the sampler gets no class, e.g. to learn to correct its class "
                                              "balance toward the expert's"),
                      ParameterSchema::integer("renoise_cap", "Renoise cap", -1, -1, 10000, "-1: as many levels as the schedule"),
                      ParameterSchema::integer("eval_every", "Evaluate every", 10, 0, 100000,
                                               "Iterations between evaluations (FD, precision, recall, samples); 0: never"),
                      ParameterSchema::integer("eval_count", "Evaluation samples", 256, 16, 100000),
                      ParameterSchema::text("checkpoint", "Checkpoint", "", "A file to checkpoint to and resume from (optional)"),
                      ParameterSchema::boolean("resume", "Resume", true, "Continue from the checkpoint when it exists"),
                      ParameterSchema::text("save", "Save as", "", "The policy file written when training ends; empty: <node>-policy.pt in the output folder")}});
    types.push_back({"irl.dataset", "Dataset", "Data", "Real data: the expert states of inverse RL and the reference of metrics",
                     {}, {{"dataset", PortType::Dataset}},
                     {ParameterSchema::choice("source", "Source", {"fashion-mnist", "image-folder", "toy"}, "fashion-mnist"),
                      ParameterSchema::choice("split", "Split", {"train", "test"}, "test"),
                      ParameterSchema::text("classes", "Classes", "", "Comma-separated class indices to keep; empty keeps all"),
                      ParameterSchema::file("folder", "Image folder", "", "FOLDER/<class>/<images>; converted to 1x28x28"),
                      ParameterSchema::choice("toy", "Toy", as_qt(toy_mixture_names()), "ring8"),
                      ParameterSchema::integer("count", "Toy samples", 4000, 10, 1000000)}});
    NodeTypeInfo evaluate{"irl.evaluate", "Evaluate", "Output",
                          "Scores samples: FD, precision, recall and class accuracy (images), exact log density (toys)",
                          {{"images", PortType::Images}, {"reference", PortType::Dataset, "Real data (default: Fashion-MNIST test)", true}},
                          {{"metrics", PortType::Metrics}}, {}};
    evaluate.is_output = true;
    types.push_back(evaluate);
    NodeTypeInfo save{"irl.save_image", "Save Image", "Output", "Writes a PNG grid (or scatter plot) that embeds the graph",
                      {{"images", PortType::Images}}, {},
                      {ParameterSchema::text("path", "File name", "samples.png", "Relative to the run's output folder"),
                       ParameterSchema::integer("columns", "Columns", 8, 1, 64)}};
    save.is_output = true;
    types.push_back(save);
    NodeTypeInfo preview{"irl.preview", "Preview", "Output", "Shows the images and every denoising step live in the studio",
                         {{"images", PortType::Images}}, {}, {ParameterSchema::integer("zoom", "Zoom", 2, 1, 8)}};
    preview.is_output = true;
    types.push_back(preview);
    return types;
}

}  // namespace irl::nodes::builtin
