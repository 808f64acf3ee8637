#include "irl/engine/data/image_dataset.h"

#include <torch/torch.h>
#include <zlib.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace irl {
namespace {

struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
};

std::vector<uint8_t> read_all(const std::string& path) {
    // gzread reads plain files as they are, so both .gz and unpacked idx files work.
    std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
    if (!file) throw std::runtime_error("cannot open '" + path + "'");
    std::vector<uint8_t> bytes;
    std::vector<uint8_t> chunk(1 << 20);
    while (true) {
        const int n = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int code = 0;
            const char* message = gzerror(file.get(), &code);
            throw std::runtime_error("'" + path + "' is not a readable gzip file (" + message + ") after " +
                                     std::to_string(bytes.size()) + " bytes");
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    }
    return bytes;
}

}  // namespace

IdxFile read_idx_file(const std::string& path, int expected_dims) {
    const std::vector<uint8_t> bytes = read_all(path);
    if (bytes.size() < 4) throw std::runtime_error("'" + path + "' is too short for an idx header");
    // idx header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions.
    if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
        throw std::runtime_error("'" + path + "' is not an unsigned-byte idx file (bad magic number)");
    if (bytes[3] != expected_dims)
        throw std::runtime_error("'" + path + "' has " + std::to_string(bytes[3]) + " dimensions, expected " +
                                 std::to_string(expected_dims));
    const size_t header = 4 + 4 * static_cast<size_t>(expected_dims);
    if (bytes.size() < header) throw std::runtime_error("'" + path + "' is truncated inside its header");
    IdxFile idx;
    size_t count = 1;
    for (int d = 0; d < expected_dims; ++d) {
        const uint8_t* p = &bytes[4 + 4 * d];
        const int64_t dim = (int64_t(p[0]) << 24) | (int64_t(p[1]) << 16) | (int64_t(p[2]) << 8) | int64_t(p[3]);
        idx.dims.push_back(dim);
        count *= static_cast<size_t>(dim);
    }
    if (bytes.size() != header + count)
        throw std::runtime_error("'" + path + "' is truncated or padded: the header announces " + std::to_string(count) +
                                 " values, the file holds " + std::to_string(bytes.size() - header));
    idx.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
    return idx;
}

std::string fashion_mnist_folder() {
    if (const char* env = std::getenv("IRL_FASHION_MNIST_DIR"); env && *env) return env;
    return "/usr/share/datasets/fashion-mnist";
}

std::vector<std::string> fashion_mnist_class_names() {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

ImageDataset load_fashion_mnist(const std::string& split, const std::string& folder) {
    std::string prefix;
    if (split == "train") prefix = "train";
    else if (split == "test") prefix = "t10k";
    else throw std::invalid_argument("Fashion-MNIST split must be 'train' or 'test', got '" + split + "'");
    const std::string image_path = folder + "/" + prefix + "-images-idx3-ubyte.gz";
    const std::string label_path = folder + "/" + prefix + "-labels-idx1-ubyte.gz";
    const IdxFile images = read_idx_file(image_path, 3);
    const IdxFile labels = read_idx_file(label_path, 1);
    if (images.dims[1] != 28 || images.dims[2] != 28)
        throw std::runtime_error("'" + image_path + "' holds " + std::to_string(images.dims[1]) + "x" +
                                 std::to_string(images.dims[2]) + " images, Fashion-MNIST's are 28x28");
    if (images.dims[0] != labels.dims[0])
        throw std::runtime_error("'" + label_path + "' has " + std::to_string(labels.dims[0]) + " labels for " +
                                 std::to_string(images.dims[0]) + " images in '" + image_path + "'");
    ImageDataset dataset;
    const int64_t n = images.dims[0];
    dataset.images = torch::from_blob(const_cast<uint8_t*>(images.data.data()), {n, 1, 28, 28}, torch::kUInt8)
                         .to(torch::kFloat32)
                         .div_(127.5)
                         .sub_(1.0);
    dataset.labels = torch::from_blob(const_cast<uint8_t*>(labels.data.data()), {n}, torch::kUInt8).to(torch::kInt64);
    if ((dataset.labels > 9).any().item<bool>())
        throw std::runtime_error("'" + label_path + "' has labels above 9: not Fashion-MNIST");
    dataset.class_names = fashion_mnist_class_names();
    dataset.source = "fashion-mnist:" + split;
    return dataset;
}

ImageDataset ImageDataset::filtered(const std::vector<int64_t>& classes) const {
    torch::Tensor keep = torch::zeros({size()}, torch::kBool);
    for (int64_t c : classes) {
        if (c < 0 || c >= static_cast<int64_t>(class_names.size()))
            throw std::invalid_argument("class " + std::to_string(c) + " is out of range 0.." +
                                        std::to_string(class_names.size() - 1) + " for " + source);
        keep |= labels == c;
    }
    const torch::Tensor index = keep.nonzero().squeeze(1);
    ImageDataset out{images.index_select(0, index), labels.index_select(0, index), class_names, source};
    return out;
}

}  // namespace irl
