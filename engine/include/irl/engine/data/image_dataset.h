// Image data sets for training and as expert data: Fashion-MNIST from Debian's package and
// folders of images (subfolder = class), both as float tensors in [-1, 1].
#pragma once

#include "irl/engine/data/image_convert.h"

#include <torch/types.h>
#include <cstdint>
#include <string>
#include <vector>

namespace irl {

struct ImageDataset {
    torch::Tensor images;                  // [N, C, H, W] float32 in [-1, 1]
    torch::Tensor labels;                  // [N] int64
    std::vector<std::string> class_names;  // index = label
    std::string source;                    // where it came from, for messages and model cards

    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    // Keeps only the given classes (labels unchanged). Throws if a class is out of range.
    ImageDataset filtered(const std::vector<int64_t>& classes) const;
};

// The folder with the four gzipped idx files: $IRL_FASHION_MNIST_DIR if set, else Debian's
// /usr/share/datasets/fashion-mnist.
std::string fashion_mnist_folder();
std::vector<std::string> fashion_mnist_class_names();
// split: "train" (60000 images) or "test" (10000). Truncated or foreign files throw
// std::runtime_error naming the file and what is wrong with it.
ImageDataset load_fashion_mnist(const std::string& split, const std::string& folder = fashion_mnist_folder());

// Reads a gzipped (or plain) idx file: returns the dimensions and the raw bytes.
struct IdxFile {
    std::vector<int64_t> dims;
    std::vector<uint8_t> data;
};
IdxFile read_idx_file(const std::string& path, int expected_dims);

}  // namespace irl

namespace irl {

struct ImageFolderReport {
    std::vector<std::string> skipped;  // "path: why" for each file that could not be used
    ConversionNotes converted;         // what was converted to fit the shape
};

// Reads FOLDER/<class name>/<image files> (classes are the subfolders in name order), or a flat
// FOLDER/<image files> as one class named after the folder. Each picture is converted to `shape`
// by picture_to_image (colour kept or converted, aspect by `fit`). Unreadable files are listed in
// report->skipped, never fatal; a folder with no usable image throws std::runtime_error naming it.
ImageDataset load_image_folder(const std::string& folder, const ImageShape& shape, AspectFit fit,
                               ImageFolderReport* report = nullptr);

}  // namespace irl
