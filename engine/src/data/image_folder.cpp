#include "irl/engine/data/image_dataset.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

namespace irl {

ImageDataset load_image_folder(const std::string& folder, int64_t channels, int64_t size, ImageFolderReport* report) {
    namespace fs = std::filesystem;
    if (channels != 1 && channels != 3) throw std::invalid_argument("image folder: channels must be 1 or 3");
    if (size < 1) throw std::invalid_argument("image folder: size must be >= 1");
    std::error_code error;
    if (!fs::is_directory(folder, error)) throw std::runtime_error("image folder '" + folder + "' is not a folder");
    std::vector<fs::path> class_dirs;
    for (const auto& entry : fs::directory_iterator(folder, error))
        if (entry.is_directory()) class_dirs.push_back(entry.path());
    std::sort(class_dirs.begin(), class_dirs.end());
    if (class_dirs.empty())
        throw std::runtime_error("image folder '" + folder + "' has no class subfolders (expected FOLDER/<class>/<images>)");

    ImageDataset data;
    data.source = "folder:" + folder;
    std::vector<torch::Tensor> images;
    std::vector<int64_t> labels;
    for (size_t label = 0; label < class_dirs.size(); ++label) {
        data.class_names.push_back(class_dirs[label].filename().string());
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(class_dirs[label], error))
            if (entry.is_regular_file()) files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const fs::path& file : files) {
            cv::Mat image = cv::imread(file.string(), channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
            if (image.empty()) {
                if (report) report->skipped.push_back(file.string() + ": not an image OpenCV can read");
                continue;
            }
            const bool shrinking = image.cols > size || image.rows > size;
            cv::resize(image, image, cv::Size(static_cast<int>(size), static_cast<int>(size)), 0, 0,
                       shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
            if (channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
            torch::Tensor t = torch::from_blob(image.data, {size, size, channels}, torch::kUInt8).clone();
            images.push_back(t.permute({2, 0, 1}).to(torch::kFloat32).div_(127.5).sub_(1.0));
            labels.push_back(static_cast<int64_t>(label));
        }
    }
    if (images.empty()) throw std::runtime_error("image folder '" + folder + "' holds no readable image");
    data.images = torch::stack(images);
    data.labels = torch::tensor(labels, torch::kInt64);
    return data;
}

}  // namespace irl
