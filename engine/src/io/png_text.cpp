#include "irl/engine/io/png_text.h"

#include <zlib.h>

#include <cstdint>
#include <stdexcept>

namespace irl {
namespace {

const std::string kSignature("\x89PNG\r\n\x1a\n", 8);

uint32_t read_be32(const std::string& s, size_t at) {
    return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) | (uint32_t(uint8_t(s[at + 2])) << 8) |
           uint32_t(uint8_t(s[at + 3]));
}

void append_be32(std::string& s, uint32_t v) {
    s.push_back(char(v >> 24));
    s.push_back(char(v >> 16));
    s.push_back(char(v >> 8));
    s.push_back(char(v));
}

}  // namespace

std::string add_png_text(const std::string& png, const std::string& keyword, const std::string& text) {
    // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC) = 33 bytes. The first chunk
    // must be that IHDR: inserting at byte 33 of anything else would cut a chunk in two (found by
    // fuzzing: the text then could not be read back).
    if (png.compare(0, 8, kSignature) != 0 || png.size() < 33 || read_be32(png, 8) != 13 || png.compare(12, 4, "IHDR") != 0)
        throw std::invalid_argument("add_png_text: not a PNG");
    std::string body = "tEXt" + keyword + std::string(1, '\0') + text;
    std::string chunk;
    append_be32(chunk, static_cast<uint32_t>(body.size() - 4));
    chunk += body;
    append_be32(chunk, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
    return png.substr(0, 33) + chunk + png.substr(33);
}

std::optional<std::string> read_png_text(const std::string& png, const std::string& keyword) {
    if (png.compare(0, 8, kSignature) != 0) return std::nullopt;
    size_t at = 8;
    while (at + 12 <= png.size()) {
        const uint32_t length = read_be32(png, at);
        if (at + 12 + length > png.size()) return std::nullopt;
        const std::string type = png.substr(at + 4, 4);
        if (type == "tEXt") {
            const std::string data = png.substr(at + 8, length);
            const size_t zero = data.find('\0');
            if (zero != std::string::npos && data.compare(0, zero, keyword) == 0 && zero == keyword.size())
                return data.substr(zero + 1);
        }
        if (type == "IEND") break;
        at += 12 + length;
    }
    return std::nullopt;
}

}  // namespace irl
