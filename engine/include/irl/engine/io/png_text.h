// PNG text chunks: images the studio saves carry the graph that made them (a tEXt chunk), and
// opening such a PNG restores it. Byte-level, no image library needed.
#pragma once

#include <optional>
#include <string>

namespace irl {

// Returns `png` with a tEXt chunk keyword=text inserted after IHDR. Throws std::invalid_argument
// when `png` is not a PNG.
std::string add_png_text(const std::string& png, const std::string& keyword, const std::string& text);
// The text of the first tEXt chunk with that keyword, if any. Not a PNG: nullopt.
std::optional<std::string> read_png_text(const std::string& png, const std::string& keyword);

}  // namespace irl
