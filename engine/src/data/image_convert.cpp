#include "irl/engine/data/image_convert.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace irl {

namespace {

// The conversion itself, on one picture as float pixels in rows x cols x channels (1 or 3, RGB),
// any range in which black and white are fixed values: luma and the resampling are linear.
cv::Mat convert_pixels(cv::Mat pixels, const ImageShape& shape, AspectFit fit, ConversionNotes& notes) {
    const int channels = pixels.channels();
    if (channels == 3 && shape.channels == 1) {
        std::vector<cv::Mat> planes;
        cv::split(pixels, planes);
        double largest = 0.0;
        for (int c = 0; c < 2; ++c) {
            cv::Mat difference;
            cv::absdiff(planes[c], planes[c + 1], difference);
            double high = 0.0;
            cv::minMaxLoc(difference, nullptr, &high);
            largest = std::max(largest, high);
        }
        if (largest > 1e-3) ++notes.colour_to_grey;  // a grey picture stored as RGB loses nothing
        cv::Mat grey;
        cv::cvtColor(pixels, grey, cv::COLOR_RGB2GRAY);  // 0.299 R + 0.587 G + 0.114 B
        pixels = grey;
    } else if (channels == 1 && shape.channels == 3) {
        ++notes.grey_to_colour;
        cv::Mat colour;
        cv::cvtColor(pixels, colour, cv::COLOR_GRAY2RGB);
        pixels = colour;
    }
    const int rows = pixels.rows, cols = pixels.cols;
    const int height = static_cast<int>(shape.height), width = static_cast<int>(shape.width);
    if (rows == height && cols == width) return pixels;
    ++notes.reshaped;
    const double sy = double(height) / rows, sx = double(width) / cols;
    const double scale = fit == AspectFit::Crop ? std::max(sy, sx) : std::min(sy, sx);
    int scaled_rows = std::max(1, static_cast<int>(std::lround(rows * scale)));
    int scaled_cols = std::max(1, static_cast<int>(std::lround(cols * scale)));
    // Rounding must not leave a crop short of the target or a pad beyond it.
    if (fit == AspectFit::Crop) {
        scaled_rows = std::max(scaled_rows, height);
        scaled_cols = std::max(scaled_cols, width);
    } else {
        scaled_rows = std::min(scaled_rows, height);
        scaled_cols = std::min(scaled_cols, width);
    }
    if (scaled_rows != rows || scaled_cols != cols) {
        cv::Mat scaled;
        // Area averaging when shrinking (no aliasing), bilinear when enlarging.
        cv::resize(pixels, scaled, cv::Size(scaled_cols, scaled_rows), 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
        pixels = scaled;
    }
    if (fit == AspectFit::Crop) {
        const cv::Rect middle((scaled_cols - width) / 2, (scaled_rows - height) / 2, width, height);
        return pixels(middle).clone();
    }
    const int top = (height - scaled_rows) / 2, left = (width - scaled_cols) / 2;
    cv::Mat padded;
    cv::copyMakeBorder(pixels, padded, top, height - scaled_rows - top, left, width - scaled_cols - left, cv::BORDER_REPLICATE);
    return padded;
}

torch::Tensor chw_of(const cv::Mat& pixels) {
    const cv::Mat continuous = pixels.isContinuous() ? pixels : pixels.clone();
    return torch::from_blob(continuous.data, {continuous.rows, continuous.cols, continuous.channels()}, torch::kFloat32)
        .permute({2, 0, 1})
        .clone(at::MemoryFormat::Contiguous);  // owns its pixels: the picture's may be freed
}

}  // namespace

std::string count_of(int64_t count, const std::string& thing) {
    return std::to_string(count) + " " + thing + (count == 1 ? "" : "s");
}

std::string ImageShape::text() const {
    return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

ImageShape parse_image_shape(const std::string& text, const std::string& what) {
    std::string plain;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "\xC3\x97") == 0) {  // ×
            plain += 'x';
            ++i;
        } else if (text[i] != ' ') {
            plain += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        }
    }
    std::vector<int64_t> numbers;
    std::stringstream parts(plain);
    std::string part;
    while (std::getline(parts, part, 'x')) {
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 6) {
            numbers.clear();
            break;
        }
        numbers.push_back(std::stoll(part));
    }
    const std::string expected = what + " must be CxHxW with C 1 or 3 and sides 1 to 4096 (e.g. 3x32x32), not '" + text + "'";
    if (numbers.size() != 3 || (numbers[0] != 1 && numbers[0] != 3) || numbers[1] < 1 || numbers[1] > 4096 ||
        numbers[2] < 1 || numbers[2] > 4096)
        throw std::invalid_argument(expected);
    return {numbers[0], numbers[1], numbers[2]};
}

ImageShape image_shape_of(const std::vector<int64_t>& sample_shape) {
    if (sample_shape.size() != 3 || (sample_shape[0] != 1 && sample_shape[0] != 3)) {
        std::string text;
        for (int64_t d : sample_shape) text += (text.empty() ? "" : "x") + std::to_string(d);
        throw std::invalid_argument("the denoiser's samples (" + text + ") are not images of 1 or 3 channels");
    }
    return {sample_shape[0], sample_shape[1], sample_shape[2]};
}

AspectFit aspect_fit_from_string(const std::string& text, const std::string& what) {
    if (text == "crop") return AspectFit::Crop;
    if (text == "pad") return AspectFit::Pad;
    throw std::invalid_argument(what + " must be crop or pad, not '" + text + "'");
}

std::string to_string(AspectFit fit) { return fit == AspectFit::Crop ? "crop" : "pad"; }

void ConversionNotes::add(const ConversionNotes& other) {
    colour_to_grey += other.colour_to_grey;
    grey_to_colour += other.grey_to_colour;
    alpha_dropped += other.alpha_dropped;
    reshaped += other.reshaped;
}

std::string ConversionNotes::sentence(const ImageShape& shape, AspectFit fit) const {
    std::vector<std::string> parts;
    if (colour_to_grey > 0) parts.push_back("made " + count_of(colour_to_grey, "colour image") + " grey");
    if (grey_to_colour > 0) parts.push_back("repeated " + count_of(grey_to_colour, "grey image") + " into colour");
    if (alpha_dropped > 0) parts.push_back("composited " + count_of(alpha_dropped, "transparent image") + " over white");
    if (reshaped > 0)
        parts.push_back("fitted " + count_of(reshaped, "image") + " of another size to " +
                        std::to_string(shape.height) + "x" + std::to_string(shape.width) + " by " +
                        (fit == AspectFit::Crop ? "centre-crop" : "pad"));
    if (parts.empty()) return {};
    std::string text;
    for (size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    return text + " (the images are " + shape.text() + " now)";
}

torch::Tensor picture_to_image(const cv::Mat& picture, const ImageShape& shape, AspectFit fit, ConversionNotes* notes) {
    double range = 1.0;
    switch (picture.depth()) {
        case CV_8U: range = 255.0; break;
        case CV_16U: range = 65535.0; break;
        case CV_32F: range = 1.0; break;
        default: throw std::invalid_argument("pictures of 8 or 16 bits or float are supported, this one has another depth");
    }
    const int channels = picture.channels();
    if (channels < 1 || channels > 4) throw std::invalid_argument("a picture must have 1 to 4 channels, this one has " + std::to_string(channels));
    cv::Mat pixels;
    picture.convertTo(pixels, CV_32F, 1.0 / range);
    ConversionNotes seen;
    if (channels == 2 || channels == 4) {
        // Straight alpha over white: c * a + (1 - a).
        std::vector<cv::Mat> planes;
        cv::split(pixels, planes);
        cv::Mat alpha = planes.back();
        cv::max(alpha, 0.0, alpha);
        cv::min(alpha, 1.0, alpha);
        double lowest = 1.0;
        cv::minMaxLoc(alpha, &lowest);
        if (lowest < 1.0) ++seen.alpha_dropped;
        planes.pop_back();
        for (cv::Mat& plane : planes) plane = plane.mul(alpha) + (1.0 - alpha);
        cv::merge(planes, pixels);
    }
    if (pixels.channels() == 3) cv::cvtColor(pixels, pixels, cv::COLOR_BGR2RGB);
    if (picture.depth() == CV_32F) {
        cv::Mat flat = pixels.reshape(1);  // shares the pixels
        cv::max(flat, 0.0, flat);
        cv::min(flat, 1.0, flat);
    }
    const cv::Mat converted = convert_pixels(pixels, shape, fit, seen);
    if (notes) notes->add(seen);
    return chw_of(converted).mul_(2.0).sub_(1.0);
}

torch::Tensor read_picture(const std::string& path, const ImageShape& shape, AspectFit fit, ConversionNotes* notes) {
    // Pictures smaller than this on a side carry no image a model could learn from; larger ones are
    // refused rather than converted: at 4 bytes a value a 40-megapixel colour picture already takes
    // half a gigabyte on its way down to a model's size.
    constexpr int kSmallestSide = 4;
    constexpr double kLargestMegapixels = 40.0;
    const cv::Mat picture = cv::imread(path, cv::IMREAD_UNCHANGED);
    if (picture.empty()) throw std::runtime_error("not an image OpenCV can read");
    const std::string size = std::to_string(picture.cols) + "x" + std::to_string(picture.rows) + " pixels";
    if (picture.rows < kSmallestSide || picture.cols < kSmallestSide)
        throw std::runtime_error(size + ", smaller than " + std::to_string(kSmallestSide) + " on a side");
    if (double(picture.rows) * picture.cols > kLargestMegapixels * 1e6)
        throw std::runtime_error(size + ", larger than " + std::to_string(int(kLargestMegapixels)) + " megapixels (shrink it first)");
    try {
        return picture_to_image(picture, shape, fit, notes);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
}

torch::Tensor convert_images(const torch::Tensor& images, const ImageShape& shape, AspectFit fit, ConversionNotes* notes) {
    if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
        throw std::invalid_argument("images to convert must be [N, C, H, W] with C 1 or 3");
    if (images.sizes() == torch::IntArrayRef{images.size(0), shape.channels, shape.height, shape.width}) return images;
    const torch::Tensor source = images.to(torch::kFloat32).permute({0, 2, 3, 1}).contiguous();
    const int rows = static_cast<int>(images.size(2)), cols = static_cast<int>(images.size(3));
    const int type = CV_MAKETYPE(CV_32F, static_cast<int>(images.size(1)));
    std::vector<torch::Tensor> converted;
    converted.reserve(static_cast<size_t>(images.size(0)));
    ConversionNotes seen;
    for (int64_t i = 0; i < images.size(0); ++i) {
        const torch::Tensor one = source[i];
        const cv::Mat pixels(rows, cols, type, one.data_ptr<float>());
        converted.push_back(chw_of(convert_pixels(pixels, shape, fit, seen)));
    }
    if (notes) notes->add(seen);
    return torch::stack(converted);
}

}  // namespace irl
