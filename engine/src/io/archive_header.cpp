#include "irl/engine/io/archive_header.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace irl {
namespace {

// "#irlstudio irlstudio-policy 2 crc32 0a1b2c3d size 12345\n", then `size` bytes of payload.
constexpr std::string_view kMagic = "#irlstudio ";
constexpr std::string_view kZipMagic("PK\x03\x04", 4);
constexpr size_t kLongestHeader = 256;

uint32_t le32(std::string_view b, size_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
uint32_t le16(std::string_view b, size_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) | static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8;
}

}  // namespace

uint32_t crc32_of(std::string_view bytes) {
    uLong crc = ::crc32(0L, Z_NULL, 0);
    // zlib takes lengths as uInt: feed large payloads in pieces.
    constexpr size_t kPiece = 1u << 30;
    for (size_t at = 0; at < bytes.size(); at += kPiece) {
        const size_t length = std::min(kPiece, bytes.size() - at);
        crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(length));
    }
    return static_cast<uint32_t>(crc);
}

std::string archive_header_line(const std::string& format, int version, std::string_view payload) {
    char header[kLongestHeader];
    std::snprintf(header, sizeof header, "%s%s %d crc32 %08x size %zu\n", std::string(kMagic).c_str(), format.c_str(), version,
                  static_cast<unsigned>(crc32_of(payload)), payload.size());
    return header;
}

std::string zip_structure_problem(std::string_view zip) {
    // The layout of APPNOTE.TXT (PKWARE's ZIP specification), sections 4.3.7 (local header),
    // 4.3.12 (central directory header) and 4.3.16 (end of central directory record).
    constexpr size_t kEnd = 22, kCentral = 46, kLocal = 30;
    if (zip.size() < kEnd) return "is truncated (too short for a ZIP archive)";
    const size_t lowest = zip.size() > kEnd + 0xFFFF ? zip.size() - kEnd - 0xFFFF : 0;
    size_t end = std::string_view::npos;
    for (size_t at = zip.size() - kEnd + 1; at-- > lowest;)
        if (le32(zip, at) == 0x06054b50u && at + kEnd + le16(zip, at + 20) == zip.size()) {
            end = at;
            break;
        }
    if (end == std::string_view::npos) return "is truncated or damaged (no ZIP end record)";
    const uint32_t entries = le16(zip, end + 10), directory_size = le32(zip, end + 12), directory_at = le32(zip, end + 16);
    if (entries == 0xFFFF || directory_size == 0xFFFFFFFFu || directory_at == 0xFFFFFFFFu) return {};  // ZIP64: LibTorch checks it
    if (entries == 0) return "is damaged (its ZIP archive is empty)";
    if (static_cast<uint64_t>(directory_at) + directory_size > end) return "is damaged (its ZIP directory lies outside the file)";
    size_t at = directory_at;
    for (uint32_t i = 0; i < entries; ++i) {
        if (at + kCentral > static_cast<size_t>(directory_at) + directory_size || le32(zip, at) != 0x02014b50u)
            return "is damaged (entry " + std::to_string(i + 1) + " of its ZIP directory)";
        const uint64_t packed = le32(zip, at + 20);
        const size_t name = le16(zip, at + 28), extra = le16(zip, at + 30), comment = le16(zip, at + 32);
        const uint64_t local = le32(zip, at + 42);
        if (local + kLocal > directory_at || le32(zip, local) != 0x04034b50u)
            return "is damaged (a ZIP entry points outside the file)";
        const uint64_t data = local + kLocal + le16(zip, local + 26) + le16(zip, local + 28);
        if (packed != 0xFFFFFFFFu && data + packed > directory_at) return "is truncated (a ZIP entry runs past the data)";
        at += kCentral + name + extra + comment;
    }
    return {};
}

ArchiveBytes check_archive_bytes(std::string_view bytes, const std::string& format, int newest, const std::string& what) {
    ArchiveBytes r;
    auto fail = [&](std::string problem) {
        r.problem = std::move(problem);
        return r;
    };
    if (bytes.substr(0, kZipMagic.size()) == kZipMagic) {
        // Written before checksums: the format entry inside says what it is.
        r.problem = zip_structure_problem(bytes);
        return r;
    }
    if (bytes.substr(0, kMagic.size()) != kMagic) return fail("is corrupt or not a " + what + " (it does not start like one)");
    const size_t end = bytes.find('\n');
    if (end == std::string_view::npos || end > kLongestHeader) return fail("is corrupt: its header line is damaged");
    std::istringstream header(std::string(bytes.substr(kMagic.size(), end - kMagic.size())));
    std::string name, crc_word, size_word, crc_text;
    long long version = 0, size = -1;
    header >> name >> version >> crc_word >> crc_text >> size_word >> size;
    if (!header || crc_word != "crc32" || size_word != "size" || crc_text.size() != 8 || size < 0)
        return fail("is corrupt: its header line is damaged");
    if (name != format) return fail("is not an IRL Sampler Studio " + what + " (it is an '" + name + "' file)");
    if (version < 1) return fail("is corrupt: its header line is damaged");
    if (version > newest)
        return fail("was written by a newer version of the studio (format version " + std::to_string(version) + "; this one reads up to " +
                    std::to_string(newest) + ")");
    const size_t payload = bytes.size() - end - 1;
    if (payload != static_cast<unsigned long long>(size))
        return fail("is corrupt or truncated (" + std::to_string(payload) + " bytes of payload, the header says " + std::to_string(size) + ")");
    char actual[16];
    std::snprintf(actual, sizeof actual, "%08x", static_cast<unsigned>(crc32_of(bytes.substr(end + 1))));
    if (crc_text != actual) return fail("is corrupt: its checksum does not match its contents (the file changed after it was written)");
    r.checksummed = true;
    r.version = static_cast<int>(version);
    r.payload_offset = end + 1;
    // A matching checksum over a damaged ZIP: written damaged, or forged. Either way, not for LibTorch.
    r.problem = zip_structure_problem(bytes.substr(r.payload_offset));
    return r;
}

}  // namespace irl
