#include "irl/engine/io/pictures.h"

#include "irl/engine/io/atomic_file.h"

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

namespace irl {

void write_scatter_png(const std::string& path, const torch::Tensor& samples, const torch::Tensor& reference,
                       const ScatterPlotOptions& options) {
    write_file_atomically(path, encode_scatter_png(samples, reference, options));
}

std::string encode_scatter_png(const torch::Tensor& samples, const torch::Tensor& reference, const ScatterPlotOptions& options) {
    const torch::Tensor points = samples.to(torch::kFloat64).reshape({-1, 2}).contiguous();
    const torch::Tensor behind = reference.defined() && reference.numel() > 0
                                     ? reference.to(torch::kFloat64).reshape({-1, 2}).contiguous()
                                     : torch::zeros({0, 2}, torch::kFloat64);
    double extent = options.extent;
    if (extent <= 0.0) {
        const torch::Tensor all = torch::cat({points, behind});
        const torch::Tensor finite = all.index({torch::isfinite(all).all(1)});
        extent = finite.numel() ? 1.25 * finite.abs().max().item<double>() : 1.0;
        if (extent <= 0.0) extent = 1.0;
    }
    const int size = options.size;
    // Colours are BGR.
    const cv::Scalar background = options.dark ? cv::Scalar(34, 31, 30) : cv::Scalar(250, 248, 246);
    const cv::Scalar axes = options.dark ? cv::Scalar(80, 76, 72) : cv::Scalar(215, 210, 205);
    const cv::Scalar truth = options.dark ? cv::Scalar(120, 112, 105) : cv::Scalar(200, 190, 180);
    const cv::Scalar text = options.dark ? cv::Scalar(220, 222, 226) : cv::Scalar(60, 60, 60);
    cv::Mat image(size, size, CV_8UC3, background);
    auto to_pixel = [&](double u, double v) {
        return cv::Point(static_cast<int>((u / extent * 0.5 + 0.5) * (size - 1)),
                         static_cast<int>((0.5 - v / extent * 0.5) * (size - 1)));
    };
    cv::line(image, to_pixel(-extent, 0), to_pixel(extent, 0), axes, 1, cv::LINE_AA);
    cv::line(image, to_pixel(0, -extent), to_pixel(0, extent), axes, 1, cv::LINE_AA);
    auto draw = [&](const torch::Tensor& pts, const cv::Scalar& colour, int radius) {
        auto a = pts.accessor<double, 2>();
        for (int64_t i = 0; i < pts.size(0); ++i)
            if (std::isfinite(a[i][0]) && std::isfinite(a[i][1]))
                cv::circle(image, to_pixel(a[i][0], a[i][1]), radius, colour, cv::FILLED, cv::LINE_AA);
    };
    draw(behind, truth, 2);                            // true distribution, grey
    draw(points, cv::Scalar(40, 110, 230), 2);         // samples, orange (BGR)
    if (!options.title.empty())
        cv::putText(image, options.title, cv::Point(10, 24), cv::FONT_HERSHEY_SIMPLEX, 0.55, text, 1,
                    cv::LINE_AA);
    std::vector<uchar> png;
    if (!cv::imencode(".png", image, png)) throw std::runtime_error("cannot encode the scatter plot as PNG");
    return std::string(png.begin(), png.end());
}

}  // namespace irl

namespace irl {

void write_image_grid_png(const std::string& path, const torch::Tensor& images, int columns, int zoom) {
    write_file_atomically(path, encode_image_grid_png(images, columns, zoom));
}

std::string encode_image_grid_png(const torch::Tensor& images, int columns, int zoom) {
    if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3) || images.size(0) < 1)
        throw std::invalid_argument("image grid: expected [N, 1 or 3, H, W] images");
    const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
    const int64_t cols = std::max<int64_t>(1, std::min<int64_t>(columns, n)), rows = (n + cols - 1) / cols;
    constexpr int kGutter = 2;
    // [-1, 1] -> bytes, channels last, grey expanded to BGR.
    torch::Tensor pixels = ((images.detach().to(torch::kFloat32).clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8);
    if (pixels.size(1) == 1) pixels = pixels.expand({n, 3, h, w});
    else pixels = pixels.flip({1});  // RGB -> BGR
    pixels = pixels.permute({0, 2, 3, 1}).contiguous();
    cv::Mat canvas(static_cast<int>(rows * (h + kGutter) + kGutter), static_cast<int>(cols * (w + kGutter) + kGutter), CV_8UC3,
                   cv::Scalar(40, 40, 40));
    for (int64_t i = 0; i < n; ++i) {
        cv::Mat tile(static_cast<int>(h), static_cast<int>(w), CV_8UC3, pixels[i].data_ptr<uint8_t>());
        const int x = static_cast<int>(kGutter + (i % cols) * (w + kGutter)), y = static_cast<int>(kGutter + (i / cols) * (h + kGutter));
        tile.copyTo(canvas(cv::Rect(x, y, static_cast<int>(w), static_cast<int>(h))));
    }
    if (zoom > 1) cv::resize(canvas, canvas, cv::Size(), zoom, zoom, cv::INTER_NEAREST);
    std::vector<uchar> png;
    if (!cv::imencode(".png", canvas, png)) throw std::runtime_error("cannot encode the image grid as PNG");
    return std::string(png.begin(), png.end());
}

}  // namespace irl
