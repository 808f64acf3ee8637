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

uint64_t le64(std::string_view b, size_t at) { return static_cast<uint64_t>(le32(b, at)) | static_cast<uint64_t>(le32(b, at + 4)) << 32; }

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

namespace {

// The CRC-32 of a deflated ZIP entry once inflated; a stream that does not inflate to `size`
// bytes gives a value no entry records with it (the CRC of nothing, or of too little).
uint32_t inflated_crc32(std::string_view deflated, uint64_t size) {
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return 0;
    std::string out(1 << 16, '\0');
    uLong crc = ::crc32(0L, Z_NULL, 0);
    uint64_t produced = 0;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data()));
    size_t fed = 0;  // zlib takes lengths as uInt: feed large entries in pieces
    int status = Z_OK;
    while (status == Z_OK) {
        if (stream.avail_in == 0 && fed < deflated.size()) {
            const size_t piece = std::min<size_t>(deflated.size() - fed, 1u << 30);
            stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data() + fed));
            stream.avail_in = static_cast<uInt>(piece);
            fed += piece;
        }
        stream.next_out = reinterpret_cast<Bytef*>(out.data());
        stream.avail_out = static_cast<uInt>(out.size());
        status = inflate(&stream, Z_NO_FLUSH);
        const uInt got = static_cast<uInt>(out.size()) - stream.avail_out;
        crc = ::crc32(crc, reinterpret_cast<const Bytef*>(out.data()), got);
        produced += got;
        if ((status == Z_OK && got == 0) || produced > size) break;  // stuck, or more than the entry says
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END || produced != size) return ~static_cast<uint32_t>(crc);
    return static_cast<uint32_t>(crc);
}

}  // namespace

bool has_archive_header(std::string_view bytes) { return bytes.substr(0, kMagic.size()) == kMagic; }

std::string archive_header_line(const std::string& format, int version, std::string_view payload) {
    char header[kLongestHeader];
    std::snprintf(header, sizeof header, "%s%s %d crc32 %08x size %zu\n", std::string(kMagic).c_str(), format.c_str(), version,
                  static_cast<unsigned>(crc32_of(payload)), payload.size());
    return header;
}

std::string zip_structure_problem(std::string_view zip) {
    // The layout of APPNOTE.TXT (PKWARE's ZIP specification), sections 4.3.7 (local header),
    // 4.3.12 (central directory header), 4.3.14-16 (the ZIP64 and plain end records) and 4.5.3
    // (the ZIP64 extra field). LibTorch's reader checks none of the entries' CRC-32s, so a
    // flipped bit inside a tensor would load silently: every entry is checked here.
    constexpr size_t kEnd = 22, kCentral = 46, kLocal = 30;
    const uint64_t n = zip.size();
    if (n < kEnd) return "is truncated (too short for a ZIP archive)";
    const size_t lowest = n > kEnd + 0xFFFF ? n - kEnd - 0xFFFF : 0;
    size_t end = std::string_view::npos;
    for (size_t at = n - kEnd + 1; at-- > lowest;)
        if (le32(zip, at) == 0x06054b50u && at + kEnd + le16(zip, at + 20) == n) {
            end = at;
            break;
        }
    if (end == std::string_view::npos) return "is truncated or damaged (no ZIP end record)";
    uint64_t entries = le16(zip, end + 10), directory_size = le32(zip, end + 12), directory_at = le32(zip, end + 16);
    uint64_t data_end = end;  // where entries' data must stop: the directory
    if (entries == 0xFFFF || directory_size == 0xFFFFFFFFu || directory_at == 0xFFFFFFFFu) {
        // ZIP64: a locator just before the end record points at the 64-bit end record.
        if (end < 20 || le32(zip, end - 20) != 0x07064b50u) return "is damaged (its ZIP64 locator is missing)";
        const uint64_t record = le64(zip, end - 20 + 8);
        if (record > end - 20 || end - 20 - record < 56 || le32(zip, record) != 0x06064b50u) return "is damaged (its ZIP64 end record)";
        entries = le64(zip, record + 32);
        directory_size = le64(zip, record + 40);
        directory_at = le64(zip, record + 48);
        data_end = record;
    }
    if (entries == 0) return "is damaged (its ZIP archive is empty)";
    if (directory_at > data_end || directory_size > data_end - directory_at) return "is damaged (its ZIP directory lies outside the file)";
    uint64_t at = directory_at;
    for (uint64_t i = 0; i < entries; ++i) {
        const std::string which = "entry " + std::to_string(i + 1) + " of its ZIP directory";
        if (at + kCentral > directory_at + directory_size || le32(zip, at) != 0x02014b50u) return "is damaged (" + which + ")";
        const uint32_t flags = le16(zip, at + 8), method = le16(zip, at + 10), crc = le32(zip, at + 16);
        uint64_t packed = le32(zip, at + 20), size = le32(zip, at + 24), local = le32(zip, at + 42);
        const size_t name = le16(zip, at + 28), extra = le16(zip, at + 30), comment = le16(zip, at + 32);
        if (at + kCentral + name + extra + comment > directory_at + directory_size) return "is damaged (" + which + ")";
        // The ZIP64 extra field holds, in this order, the sizes and offset that say 0xFFFFFFFF.
        for (uint64_t x = at + kCentral + name, stop = x + extra; x + 4 <= stop;) {
            const uint32_t id = le16(zip, x), length = le16(zip, x + 2);
            if (x + 4 + length > stop) return "is damaged (" + which + ")";
            if (id == 0x0001) {
                uint64_t y = x + 4;
                auto next = [&](uint64_t& value) {
                    if (value != 0xFFFFFFFFu) return;
                    value = y + 8 <= x + 4 + length ? le64(zip, y) : ~uint64_t(0);
                    y += 8;
                };
                next(size);
                next(packed);
                next(local);
            }
            x += 4 + length;
        }
        const std::string_view entry_name = zip.substr(at + kCentral, name);
        at += kCentral + name + extra + comment;
        if (local > directory_at || directory_at - local < kLocal || le32(zip, local) != 0x04034b50u)
            return "is damaged (a ZIP entry points outside the file)";
        const size_t local_name = le16(zip, local + 26), local_extra = le16(zip, local + 28);
        const uint64_t data = local + kLocal + local_name + local_extra;
        if (data > directory_at || packed > directory_at - data) return "is truncated (a ZIP entry runs past the data)";
        const std::string entry = "ZIP entry '" + std::string(entry_name) + "'";
        // The local header repeats the directory's name, method, flags and (without a data
        // descriptor, flag bit 3) the CRC-32.
        if (zip.substr(local + kLocal, local_name) != entry_name || le16(zip, local + 6) != flags || le16(zip, local + 8) != method ||
            ((flags & 0x8u) == 0 && le32(zip, local + 14) != crc))
            return "is damaged (the header of its " + entry + " does not match its directory)";
        const std::string_view stored = zip.substr(data, packed);
        if (method == 0) {
            if (packed != size || crc32_of(stored) != crc) return "is damaged (its " + entry + " does not match its CRC-32)";
        } else if (method == 8) {
            if (inflated_crc32(stored, size) != crc) return "is damaged (its " + entry + " does not match its CRC-32)";
        } else {
            return "is damaged (its " + entry + " uses compression method " + std::to_string(method) + ")";
        }
    }
    if (at != directory_at + directory_size) return "is damaged (its ZIP directory holds more than its entries)";
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
    r.checksum = crc_text;
    r.version = static_cast<int>(version);
    r.payload_offset = end + 1;
    // A matching checksum over a damaged ZIP: written damaged, or forged. Either way, not for LibTorch.
    r.problem = zip_structure_problem(bytes.substr(r.payload_offset));
    return r;
}

}  // namespace irl
