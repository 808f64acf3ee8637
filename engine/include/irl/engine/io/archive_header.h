// The byte-level checks of the project's archive files, before LibTorch parses anything: the
// header line (format, version, CRC-32, payload size) and the ZIP structure of the payload
// (end record, central directory, local headers, all inside the file). No LibTorch here, so
// the fuzz targets (tests/fuzz) build these checks with coverage instrumentation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace irl {

struct ArchiveBytes {
    std::string problem;        // empty when the bytes may go to LibTorch; else the end of a sentence
    bool checksummed = false;   // false: an archive from before headers existed (bare ZIP)
    int version = 0;            // from the header (0 for a bare ZIP: its format entry says)
    size_t payload_offset = 0;  // where the ZIP starts
    std::string checksum;       // the payload's CRC-32 from the header, 8 hex digits (empty for a bare ZIP)
};

// `format`/`newest` name what the caller expects ("irlstudio-policy", 2); `what` is how messages
// call it ("policy file").
ArchiveBytes check_archive_bytes(std::string_view bytes, const std::string& format, int newest, const std::string& what);

// Whether `bytes` start with a header line (true) or are a bare archive from before headers.
bool has_archive_header(std::string_view bytes);

// The header line written before a payload (ends with a newline).
std::string archive_header_line(const std::string& format, int version, std::string_view payload);

// Empty when `zip` is a well-formed ZIP (ZIP64 included) whose every entry lies inside it, has
// a local header that agrees with its directory entry, and data with the CRC-32 recorded for it;
// else what is wrong, as the end of a sentence that starts with the file's name.
std::string zip_structure_problem(std::string_view zip);

// CRC-32 (zlib's polynomial) of a byte string.
uint32_t crc32_of(std::string_view bytes);

}  // namespace irl
