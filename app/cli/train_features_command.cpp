// `irlstudio-cli train-features`: a feature network for the metrics of data the bundled Fashion
// classifier does not fit (another shape, colour, the user's own pictures), trained here as a
// classifier of the folder's classes on the engine's training driver. Resumable; Ctrl+C keeps a
// checkpoint and the network so far (marked partial). Writes FILE and its card FILE.md.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/learning/feature_training.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>

namespace irl::cli {
namespace {

std::string percent(double fraction) { return fraction < 0 ? std::string("not measured") : fixed(100.0 * fraction, 1) + " %"; }

// How well it does on the held-out pictures, in words.
std::string held_out_result(const FeatureFacts& facts) {
    if (facts.kind != "autoencoder") return "held-out accuracy " + percent(facts.held_out_accuracy);
    if (facts.held_out_error < 0) return "held-out reconstruction error not measured";
    return "held-out reconstruction error " + fixed(facts.held_out_error, 4) + " per pixel (their variance, the error of their mean picture: " +
           fixed(facts.data_variance, 4) + ")";
}

void write_card(const std::string& path, const FeatureFacts& facts, const ImageShape& shape) {
    std::ofstream card(path);
    card << "# Feature network: " << facts.data << "\n\n"
         << "A " << shape.text()
         << (facts.kind == "autoencoder" ? std::string(" autoencoder (the folder has no classes)")
                                         : " classifier of " + std::to_string(facts.class_names.size()) + " classes")
         << ", trained by `irlstudio-cli train-features`"
         << " for the metrics (FD, precision and recall on its 128-d features"
         << (facts.kind == "autoencoder" ? ")" : ", class accuracy on its logits)")
         << (facts.partial ? "; **the training was cut short**" : "") << ".\n\n"
         << "- command: `" << facts.command << "`\n"
         << "- data: " << facts.data << ", " << facts.train_images << " pictures trained on, " << facts.held_out_images
         << " held out (never trained on)\n"
         << "- classes: ";
    for (size_t i = 0; i < facts.class_names.size(); ++i) card << (i ? ", " : "") << facts.class_names[i];
    card << "\n- " << held_out_result(facts) << "\n"
         << "- iterations: " << facts.iterations << ", seed " << facts.seed << ", " << format_duration(facts.seconds) << "\n\n"
         << "Its numbers compare samples of one model, or of several, against real pictures of this data only: FD on these\n"
         << "features is not FD on another network's features (Fashion's bundled classifier, Inception), and not across data sets.\n";
}

}  // namespace

int train_features_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"folder", "fit", "shape", "model", "out", "iterations", "batch", "lr", "width", "held-out", "seed",
                               "checkpoint", "checkpoint-every", "threads"},
                         {"flips", "fresh", "json", "help"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-features --folder DIR [--out FILE] [OPTIONS]\n"
                     "       irlstudio-cli train-features --out FILE [OPTIONS]   (Fashion-MNIST)\n\n"
                     "Trains a feature network for the metrics of data the bundled Fashion classifier does not fit: a classifier\n"
                     "of the folder's classes (DIR/<class>/<pictures>, two classes or more), or for a folder without classes\n"
                     "(DIR/<pictures>) an autoencoder whose 128-d code are the features; without --folder, a classifier of\n"
                     "Fashion-MNIST's training images. Every tenth picture of each class is held out and scored (accuracy,\n"
                     "or reconstruction error); FILE.md is its card.\n"
                     "FILE defaults to DIR.features, next to the folder, where the Evaluate node finds it.\n\n"
                  << folder_options_help()
                  << "  --shape CxHxW         the pictures' shape (that of the model whose samples it will score); default\n"
                     "                        the shape of --model FILE, else of the bundled model (1x28x28)\n"
                     "  --iterations 3000     optimiser steps of --batch 64 pictures, learning rate --lr 1e-3\n"
                     "  --width 32            channels of the first stage (then 2x and 4x)\n"
                     "  --held-out 0.1        share of each class held out\n"
                     "  --flips               random left-right flips of the training pictures\n"
                     "  --seed 0              weights and batches\n"
                     "  --checkpoint FILE     every --checkpoint-every iterations (default 500) and at the end; an existing one\n"
                     "                        is resumed, --fresh starts over; Ctrl+C writes one (default OUT.ckpt) and the\n"
                     "                        network so far, marked partial\n"
                     "  --json                the card as JSON on stdout\n"
                  << threads_option_help();
        return kExitOk;
    }
    // By default next to the folder, where the Evaluate node looks for it.
    const std::string out = args.text("out", args.has("folder") ? features_file_for_folder(args.text("folder", "")) : "");
    if (out.empty()) throw UsageError("--out FILE is required without --folder: where the feature network goes");
    use_threads_option(args);
    ImageShape shape;
    if (args.has("shape")) {
        try {
            shape = parse_image_shape(args.text("shape", ""), "--shape");
        } catch (const std::invalid_argument& e) {
            throw UsageError(e.what());
        }
    } else {
        shape = image_shape_of(model_option(args)->sample_shape());
    }
    const ImageDataset data = training_images_option(args, shape, "train");

    FeatureTrainingOptions options;
    options.run.iterations = args.integer("iterations", 3000, 1, 10000000);
    options.batch = args.integer("batch", 64, 2, 65536);
    options.learning_rate = args.number("lr", 1e-3);
    options.width = args.integer("width", 32, 4, 512);
    options.held_out = args.number("held-out", 0.1);
    if (!(options.held_out > 0.0 && options.held_out < 0.5)) throw UsageError("--held-out: a share between 0 and 0.5");
    options.flips = args.flag("flips");
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1LL << 40));
    options.out = out;
    options.command = "irlstudio-cli train-features";
    for (const std::string& a : raw) options.command += " " + a;
    const std::string checkpoint_option = args.text("checkpoint", "");
    options.run.checkpoint = checkpoint_option.empty() ? out + ".ckpt" : checkpoint_option;
    options.run.checkpoint_every = checkpoint_option.empty() ? 0 : args.integer("checkpoint-every", 500, 1, 10000000);
    options.run.resume = !checkpoint_option.empty() && !args.flag("fresh");

    std::unique_ptr<FeatureTraining> training;
    try {
        training = std::make_unique<FeatureTraining>(data, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const bool json = args.flag("json");
    if (!json)
        std::cerr << data.source << ": " << training->split().train.size() << " pictures to train on, " << training->split().held_out.size()
                  << " held out, " << data.class_names.size() << " classes, " << shape.text() << "\n";
    if (training->iterations() > 0 && !json) std::cerr << "resuming " << options.run.checkpoint << " at iteration " << training->iterations() << "\n";
    ProgressBar bar("train-features", !json);
    const int64_t done_at_start = training->iterations();
    TrainingSteering steering;
    steering.cancel = &cancel;
    try {
        training->run(steering, [&](const TrainingStep& step) {
            bar.update(step.done, step.total, step.seconds, "loss " + fixed(training->running_loss(), 4), done_at_start);
        });
    } catch (const Cancelled&) {
        bar.finish();
        write_card(out + ".md", training->facts(), shape);
        std::cerr << "interrupted after " << training->iterations() << " iterations: wrote the checkpoint " << options.run.checkpoint
                  << " (resume with --checkpoint " << options.run.checkpoint << ") and the network so far to " << out
                  << " (marked partial)\n";
        throw;
    }
    bar.finish();
    const FeatureFacts& facts = training->facts();
    write_card(out + ".md", facts, shape);
    if (json) {
        std::cout << facts.to_json() << std::endl;
        return kExitOk;
    }
    const std::string classes = facts.kind == "autoencoder" ? std::string() : " (" + std::to_string(facts.class_names.size()) + " classes)";
    std::printf("%s: %s on %lld pictures%s; %lld iterations in %s\nwrote %s and its card %s.md\n", facts.kind.c_str(),
                held_out_result(facts).c_str(), static_cast<long long>(facts.held_out_images), classes.c_str(),
                static_cast<long long>(facts.iterations), format_duration(facts.seconds).c_str(), out.c_str(), out.c_str());
    return kExitOk;
}

}  // namespace irl::cli
