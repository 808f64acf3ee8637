// `irlstudio-cli train-denoiser`: trains the EDM U-Net on Fashion-MNIST (or a class subset),
// resumable from its checkpoint, exporting EMA weights for the studio as it goes.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/learning/denoiser_training.h"
#include "irl/engine/data/image_dataset.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

namespace irl::cli {

int train_denoiser_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw,
                         {"steps", "batch", "lr", "warmup", "ema", "label-dropout", "channels", "embedding", "seed",
                          "checkpoint", "checkpoint-every", "out", "threads", "classes", "log-every", "folder", "image-size", "fit"},
                         {"json", "help", "no-attention", "grey", "balance-classes"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-denoiser --out WEIGHTS [OPTIONS]\n\n"
                     "  --steps N            total optimiser steps; a resumed run continues to N (default 20000)\n"
                     "  --batch N            default 128\n"
                     "  --lr X               Adam learning rate (default 1e-3, warm-up --warmup 500 steps)\n"
                     "  --ema X              EMA decay (default 0.999)\n"
                     "  --label-dropout P    null-label rate for classifier-free guidance (default 0.1)\n"
                     "  --channels A,B,C     U-Net widths per level (default 32,64,64)\n"
                     "  --classes A,B,...    train on these classes only\n"
                     "  --folder DIR         train on DIR/<class>/<images> instead of Fashion-MNIST, in colour at\n"
                     "                       --image-size N (default 32) unless --grey; other sizes and aspects\n"
                     "                       by --fit crop|pad (default crop: the middle; pad: border extended)\n"
                     "  --balance-classes    draw classes uniformly, whatever their sizes\n"
                     "  --checkpoint FILE    resumable state (default WEIGHTS.ckpt), written every --checkpoint-every steps\n"
                     "  --seed N, --json\n"
                  << threads_option_help();
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out WEIGHTS is required");
    DenoiserTrainingOptions options;
    options.steps = args.integer("steps", 20000, 1, 100000000);
    options.batch = args.integer("batch", 128, 1, 65536);
    options.learning_rate = args.number("lr", 1e-3);
    options.warmup = args.integer("warmup", 500, 0, 100000000);
    options.ema_decay = args.number("ema", 0.999);
    if (!(options.ema_decay > 0.0 && options.ema_decay < 1.0)) throw UsageError("--ema: the EMA decay must be between 0 and 1, e.g. 0.999");
    options.label_dropout = args.number("label-dropout", 0.1);
    if (!(options.label_dropout >= 0.0 && options.label_dropout <= 1.0)) throw UsageError("--label-dropout must be in 0..1");
    if (!(options.learning_rate > 0.0)) throw UsageError("--lr must be > 0");
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    options.checkpoint = args.text("checkpoint", out + ".ckpt");
    options.checkpoint_every = args.integer("checkpoint-every", 250, 1, 100000000);
    options.export_path = out;
    options.model.embedding = args.integer("embedding", 128, 8, 4096);
    options.model.attention_at_lowest = !args.flag("no-attention");
    if (args.has("channels")) {
        options.model.channels.clear();
        for (double c : args.numbers("channels")) {
            if (c < 8 || c > 1024 || c != static_cast<int64_t>(c)) throw UsageError("--channels: widths must be integers in 8..1024");
            options.model.channels.push_back(static_cast<int64_t>(c));
        }
    }
    use_threads_option(args);

    options.balance_classes = args.flag("balance-classes");
    ImageDataset data;
    if (args.has("folder")) {
        ImageFolderReport report;
        const int64_t size = args.integer("image-size", 32, 8, 512);
        const ImageShape shape{args.flag("grey") ? 1 : 3, size, size};
        const AspectFit fit = aspect_fit_from_string(args.text("fit", "crop"), "--fit");
        data = load_image_folder(args.text("folder", ""), shape, fit, &report);
        tell_folder_report(report, shape, fit);
        options.model.image_channels = data.images.size(1);
        options.model.image_size = size;
        options.model.num_classes = static_cast<int64_t>(data.class_names.size());
    } else {
        data = load_fashion_mnist("train");
    }
    if (args.has("classes")) {
        std::vector<int64_t> classes;
        for (double c : args.numbers("classes")) classes.push_back(static_cast<int64_t>(c));
        data = data.filtered(classes);
    }
    const int64_t log_every = args.integer("log-every", 0, 0, 100000000);
    ProgressBar bar("train-denoiser", log_every == 0);
    int64_t first_step = -1;
    DenoiserTrainingProgress last;
    train_denoiser(data, options, [&](const DenoiserTrainingProgress& p) {
        if (first_step < 0) {
            first_step = p.step - 1;
            if (p.resumed) std::fprintf(stderr, "resumed from %s at step %lld\n", options.checkpoint.c_str(), (long long)first_step);
        }
        last = p;
        char detail[64];
        std::snprintf(detail, sizeof detail, "loss %.4f", p.loss);
        bar.update(p.step, p.total, p.seconds, detail, first_step);
        if (log_every > 0 && p.step % log_every == 0)
            std::fprintf(stderr, "step %lld/%lld loss %.4f  %.3f s/step  total %s\n", (long long)p.step, (long long)p.total,
                         p.loss, p.seconds / double(p.step - first_step), format_duration(p.total_seconds).c_str());
    }, &cancel);
    bar.finish();
    if (args.flag("json"))
        std::cout << nlohmann::json{{"steps", last.step}, {"loss", last.loss}, {"seconds", last.seconds},
                                    {"total_seconds", last.total_seconds}, {"weights", out}}.dump() << std::endl;
    else
        std::cout << "wrote " << out << " after " << last.step << " steps (" << format_duration(last.total_seconds) << " in all)\n";
    return kExitOk;
}

}  // namespace irl::cli
