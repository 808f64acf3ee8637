// Pictures of samples as PNG: scatter plots of 2-D points over reference points (the toys) and
// grids of images. Uses OpenCV; files are written atomically.
#pragma once

#include <torch/types.h>
#include <string>

namespace irl {

struct ScatterPlotOptions {
    int size = 640;          // pixels per side
    double extent = 0.0;     // half-width of the view in data units; 0 = fit the points
    std::string title;
    bool dark = false;       // the studio's dark theme (previews); files stay light
};

// samples, reference: [N, 2] (reference may be empty). Throws std::runtime_error naming the path
// when the file cannot be written.
void write_scatter_png(const std::string& path, const torch::Tensor& samples, const torch::Tensor& reference,
                       const ScatterPlotOptions& options = {});

std::string encode_scatter_png(const torch::Tensor& samples, const torch::Tensor& reference,
                               const ScatterPlotOptions& options = {});

// images [N, C, H, W] in [-1, 1] (C = 1 or 3) tiled `columns` wide with a 2-pixel gutter, each
// pixel scaled by `zoom`; written atomically as PNG.
void write_image_grid_png(const std::string& path, const torch::Tensor& images, int columns, int zoom = 2);
std::string encode_image_grid_png(const torch::Tensor& images, int columns, int zoom = 2);

}  // namespace irl
