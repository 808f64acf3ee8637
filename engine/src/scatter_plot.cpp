#include "irl/engine/scatter_plot.h"

#include <torch/torch.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace irl {

void write_file_atomically(const std::string& path, const std::string& bytes) {
    static std::atomic<int> counter{0};
    const std::filesystem::path target(path);
    const std::filesystem::path temp = target.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write '" + temp.string() + "'");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw std::runtime_error("cannot write '" + temp.string() + "' (disk full?)");
        }
    }
    std::error_code error;
    std::filesystem::rename(temp, target, error);
    if (error) {
        std::filesystem::remove(temp, error);
        throw std::runtime_error("cannot move the new file into '" + path + "'");
    }
}

void write_scatter_png(const std::string& path, const torch::Tensor& samples, const torch::Tensor& reference,
                       const ScatterPlotOptions& options) {
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
    cv::Mat image(size, size, CV_8UC3, cv::Scalar(250, 248, 246));
    auto to_pixel = [&](double u, double v) {
        return cv::Point(static_cast<int>((u / extent * 0.5 + 0.5) * (size - 1)),
                         static_cast<int>((0.5 - v / extent * 0.5) * (size - 1)));
    };
    cv::line(image, to_pixel(-extent, 0), to_pixel(extent, 0), cv::Scalar(215, 210, 205), 1, cv::LINE_AA);
    cv::line(image, to_pixel(0, -extent), to_pixel(0, extent), cv::Scalar(215, 210, 205), 1, cv::LINE_AA);
    auto draw = [&](const torch::Tensor& pts, const cv::Scalar& colour, int radius) {
        auto a = pts.accessor<double, 2>();
        for (int64_t i = 0; i < pts.size(0); ++i)
            if (std::isfinite(a[i][0]) && std::isfinite(a[i][1]))
                cv::circle(image, to_pixel(a[i][0], a[i][1]), radius, colour, cv::FILLED, cv::LINE_AA);
    };
    draw(behind, cv::Scalar(200, 190, 180), 2);        // true distribution, grey-blue
    draw(points, cv::Scalar(40, 110, 230), 2);         // samples, orange (BGR)
    if (!options.title.empty())
        cv::putText(image, options.title, cv::Point(10, 24), cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(60, 60, 60), 1,
                    cv::LINE_AA);
    std::vector<uchar> png;
    if (!cv::imencode(".png", image, png)) throw std::runtime_error("cannot encode the PNG for '" + path + "'");
    write_file_atomically(path, std::string(png.begin(), png.end()));
}

}  // namespace irl
