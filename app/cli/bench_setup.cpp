#include "bench_setup.h"

#include "commands.h"

#include "irl/engine/core/resources.h"
#include "irl/engine/models/torchscript_denoiser.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace irl::cli {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

FashionSetup load_fashion_setup(const Arguments& args) {
    FashionSetup setup;
    setup.model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    setup.denoiser = UnetDenoiser::load(setup.model_path);
    setup.classifier = load_classifier(args.has("classifier") ? args.text("classifier", "") : find_resource("models/fashion-classifier.pt"));
    return setup;
}

std::unique_ptr<Denoiser> model_option(const Arguments& args, std::string* path) {
    const std::string file = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    if (path) *path = file;
    return load_denoiser_file(file);
}

void tell_folder_report(const ImageFolderReport& report, const ImageShape& shape, AspectFit fit) {
    if (!report.skipped.empty()) {
        std::fprintf(stderr, "skipped %s of the folder:\n", count_of(static_cast<int64_t>(report.skipped.size()), "file").c_str());
        for (size_t i = 0; i < std::min<size_t>(3, report.skipped.size()); ++i) std::fprintf(stderr, "  %s\n", report.skipped[i].c_str());
        if (report.skipped.size() > 3) std::fprintf(stderr, "  and %zu more\n", report.skipped.size() - 3);
    }
    const std::string converted = report.converted.sentence(shape, fit);
    if (!converted.empty()) std::fprintf(stderr, "%s\n", converted.c_str());
}

ImageDataset training_images_option(const Arguments& args, const Denoiser& denoiser, const std::string& split) {
    return training_images_option(args, image_shape_of(denoiser.sample_shape()), split);
}

ImageDataset training_images_option(const Arguments& args, const ImageShape& shape, const std::string& split) {
    const AspectFit fit = aspect_fit_from_string(args.text("fit", "crop"), "--fit");
    if (args.has("folder")) {
        ImageFolderReport report;
        ImageDataset data = load_image_folder(args.text("folder", ""), shape, fit, &report);
        tell_folder_report(report, shape, fit);
        return data;
    }
    ImageDataset data = load_fashion_mnist(split);
    ConversionNotes converted;
    data.images = convert_images(data.images, shape, fit, &converted);
    const std::string note = converted.sentence(shape, fit);
    if (!note.empty()) std::fprintf(stderr, "Fashion-MNIST: %s\n", note.c_str());
    return data;
}

const char* folder_options_help() {
    return "  --folder DIR          learn from DIR/<class>/<pictures> (or DIR/<pictures>, one class) instead of\n"
           "                        Fashion-MNIST; pictures of any size, grey or colour, are converted to the model's shape\n"
           "  --fit crop|pad        another aspect: the middle of the picture (default), or all of it with its border extended\n";
}

ActionSpace action_space_option(const Arguments& args, const std::string& fallback) {
    try {
        return parse_action_space(args.text("actions", fallback));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--actions: ") + e.what());
    }
}

std::vector<DivergenceSpec> divergences_option(const Arguments& args, const std::string& fallback) {
    try {
        return parse_divergences(args.text("divergence", fallback));
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--divergence: ") + e.what());
    }
}

UserSettings command_settings(const Arguments& args, const std::set<std::string>& read_elsewhere) {
    UserSettings settings;
    settings.text = [&args, read_elsewhere](const std::string& name) -> std::optional<std::string> {
        if (read_elsewhere.count(name) || !args.has(name)) return std::nullopt;
        return args.text(name, "");
    };
    settings.called = [](const std::string& name) { return "--" + name; };
    return settings;
}

std::vector<uint64_t> training_seeds(const Arguments& args, uint64_t seed) {
    std::vector<uint64_t> seeds;
    for (double s : args.numbers("seeds")) {
        if (s < 0 || s != std::floor(s)) throw UsageError("--seeds: whole numbers >= 0, separated by commas");
        seeds.push_back(static_cast<uint64_t>(s));
    }
    if (seeds.empty()) seeds.push_back(seed);
    return seeds;
}

std::vector<uint64_t> evaluation_seeds(const Arguments& args) {
    std::vector<uint64_t> seeds;
    for (double s : args.numbers("eval-seeds")) {
        if (s < 0 || s != std::floor(s)) throw UsageError("--eval-seeds: whole numbers >= 0, separated by commas");
        seeds.push_back(static_cast<uint64_t>(s));
    }
    if (seeds.empty()) seeds = {1000003, 1000004, 1000005};
    return seeds;
}

void print_row(const std::string& name, const nlohmann::json& row, const std::vector<std::string>& keys) {
    std::string text;
    char part[96];
    for (const std::string& key : keys) {
        if (!row.contains(key)) continue;
        const std::string spread = row.contains(key + "_spread") ? " ±" + fixed(row[key + "_spread"].get<double>() / 2.0, 4) : "";
        std::snprintf(part, sizeof part, "  %s %.5g%s", key.c_str(), row[key].get<double>(), spread.c_str());
        text += part;
    }
    std::fprintf(stderr, "%-44s%s  NFE %.2f\n", name.c_str(), text.c_str(), row.value("nfe", 0.0));
}

}  // namespace irl::cli
