// Converting pictures and image data to the shape a denoiser declares (C x H x W): colour to grey
// or back, any size, and a different aspect by centre-crop or by pad. Written once: the image
// folder loader, the Dataset node and every trainer's expert data use it.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cv {
class Mat;
}

namespace irl {

struct ImageShape {
    int64_t channels = 1;
    int64_t height = 28;
    int64_t width = 28;

    std::vector<int64_t> sizes() const { return {channels, height, width}; }
    std::string text() const;  // "3x32x32"
    bool operator==(const ImageShape&) const = default;
};

// "CxHxW" (also "C×H×W" or with spaces), C 1 or 3, sides 1..4096; `what` names where the text came
// from for the one-sentence error ("--shape", "the Dataset node's Shape").
ImageShape parse_image_shape(const std::string& text, const std::string& what);
// The shape of a denoiser's samples, when they are images ([C, H, W] with C 1 or 3); else throws
// naming the shape.
ImageShape image_shape_of(const std::vector<int64_t>& sample_shape);

// "1 image", "3 images": a count and its noun, for the sentences that tell what was done.
std::string count_of(int64_t count, const std::string& thing);

// A picture whose aspect differs from the target's: Crop scales it to cover the target and cuts
// the middle out; Pad scales it to fit inside and extends its border pixels to fill the rest.
enum class AspectFit { Crop, Pad };
AspectFit aspect_fit_from_string(const std::string& text, const std::string& what);  // "crop", "pad"
std::string to_string(AspectFit fit);

// What a conversion did, for one note in the log instead of silence.
struct ConversionNotes {
    int64_t colour_to_grey = 0;  // pictures with colour made grey (ITU-R BT.601 luma)
    int64_t grey_to_colour = 0;  // grey pictures repeated into three channels
    int64_t alpha_dropped = 0;   // pictures with transparency composited over white
    int64_t reshaped = 0;        // pictures resized, cropped or padded

    void add(const ConversionNotes& other);
    // One sentence, or empty when nothing was converted: "made 12 colour images grey and fitted
    // 40 images of another size to 28x28 by centre-crop (the images are 1x28x28 now)".
    std::string sentence(const ImageShape& shape, AspectFit fit) const;
};

// A picture as OpenCV reads it (IMREAD_UNCHANGED: 8 or 16 bits or float, 1, 2 (grey and alpha),
// 3 (BGR) or 4 (BGRA) channels) to `shape` in [-1, 1], RGB order; transparency is composited over
// white. Throws std::invalid_argument for other depths or channel counts.
torch::Tensor picture_to_image(const cv::Mat& picture, const ImageShape& shape, AspectFit fit,
                               ConversionNotes* notes = nullptr);

// A picture file read by OpenCV and converted as above. Throws std::runtime_error with the reason
// (without the path, which the caller names): not a picture OpenCV can read, smaller than 4 pixels
// on a side, larger than 40 megapixels.
torch::Tensor read_picture(const std::string& path, const ImageShape& shape, AspectFit fit, ConversionNotes* notes = nullptr);

// Images [N, C, h, w] in [-1, 1] (C 1 or 3) to [N, shape]: the same conversion as a picture's.
// Returns `images` itself when it already has the shape.
torch::Tensor convert_images(const torch::Tensor& images, const ImageShape& shape, AspectFit fit,
                             ConversionNotes* notes = nullptr);

}  // namespace irl
