#include "irl/engine/data/image_dataset.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

namespace irl {

namespace {

std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

// "a/b/" and "a/b" are both named "b".
std::string name_of(const std::filesystem::path& dir) {
    std::string text = dir.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return std::filesystem::path(text).filename().string();
}

}  // namespace

ImageDataset load_image_folder(const std::string& folder, const ImageShape& shape, AspectFit fit, ImageFolderReport* report) {
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::is_directory(folder, error)) throw std::runtime_error("image folder '" + folder + "' is not a folder");
    std::vector<fs::path> class_dirs;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (entry.is_directory()) class_dirs.push_back(entry.path());
    std::sort(class_dirs.begin(), class_dirs.end());
    const bool flat = class_dirs.empty();
    if (flat) class_dirs.push_back(fs::path(folder));  // unconditional: one class, the folder itself

    ImageDataset data;
    data.source = "folder:" + folder;
    ImageFolderReport seen;
    std::vector<torch::Tensor> images;
    std::vector<int64_t> labels;
    for (size_t label = 0; label < class_dirs.size(); ++label) {
        const fs::path& dir = class_dirs[label];
        data.class_names.push_back(name_of(dir));
        for (const fs::path& file : files_in(dir)) {
            try {
                images.push_back(read_picture(file.string(), shape, fit, &seen.converted));
            } catch (const std::runtime_error& e) {
                seen.skipped.push_back(file.string() + ": " + e.what());
                continue;
            }
            labels.push_back(static_cast<int64_t>(label));
        }
    }
    if (report) *report = seen;
    if (images.empty()) {
        std::string why = "image folder '" + folder + "' holds no readable image";
        if (!seen.skipped.empty())
            why += " (" + count_of(static_cast<int64_t>(seen.skipped.size()), "file") + " skipped, e.g. " + seen.skipped.front() + ")";
        throw std::runtime_error(why);
    }
    data.images = torch::stack(images);
    data.labels = torch::tensor(labels, torch::kInt64);
    return data;
}

}  // namespace irl
