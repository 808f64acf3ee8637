#include "irl/engine/io/archive.h"
#include "irl/engine/io/archive_header.h"

#include "irl/engine/core/diagnostics.h"
#include "irl/engine/io/atomic_file.h"

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace irl {
namespace {

std::string format_entry(const std::string& format, int version) { return format + "/" + std::to_string(version); }

// "irlstudio-unet/1" -> its name and version; version 0 when there is none or it is damaged.
struct FormatEntry {
    std::string name;
    int version = 0;
};
FormatEntry read_format_entry(const std::string& entry) {
    const auto slash = entry.rfind('/');
    if (slash == std::string::npos) return {entry, 0};
    const std::string digits = entry.substr(slash + 1);
    const bool number = !digits.empty() && digits.size() < 6 && digits.find_first_not_of("0123456789") == std::string::npos;
    return {entry.substr(0, slash), number ? std::stoi(digits) : 0};
}

// Loads `bytes` (a LibTorch archive) into `archive` and returns its format entry; `fail` (which
// throws) says what is wrong with an unreadable archive or one without that entry.
template <typename Fail>
std::string load_with_format_entry(torch::serialize::InputArchive& archive, const std::string& bytes, const Fail& fail) {
    try {
        std::istringstream stream(bytes);
        archive.load_from(stream);
    } catch (const std::exception&) {
        fail("is not a readable LibTorch archive (corrupt or truncated)");
    }
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isString()) fail("is not a file of IRL Sampler Studio (it has no format entry)");
    return format.toStringRef();
}

}  // namespace

ArchiveWriter::ArchiveWriter(FileKind kind) : kind_(std::move(kind)) {
    archive_.write("format", c10::IValue(format_entry(kind_.format, kind_.version)));
}

void ArchiveWriter::text(const std::string& key, const std::string& value) { archive_.write(key, c10::IValue(value)); }
void ArchiveWriter::tensor(const std::string& key, const torch::Tensor& value) { archive_.write(key, value); }
void ArchiveWriter::integer(const std::string& key, int64_t value) { archive_.write(key, torch::tensor(value)); }
void ArchiveWriter::number(const std::string& key, double value) {
    archive_.write(key, torch::tensor(value, torch::TensorOptions().dtype(torch::kFloat64)));
}

void ArchiveWriter::module(const std::string& key, const torch::nn::Module& module) {
    torch::serialize::OutputArchive nested;
    module.save(nested);
    archive_.write(key, nested);
}

void ArchiveWriter::optimizer(const std::string& key, const torch::optim::Optimizer& optimizer) {
    torch::serialize::OutputArchive nested;
    optimizer.save(nested);
    archive_.write(key, nested);
}

std::string ArchiveWriter::bytes() const {
    std::ostringstream payload;
    archive_.save_to(payload);
    const std::string body = payload.str();
    return archive_header_line(kind_.format, kind_.version, body) + body;
}

void ArchiveWriter::save(const std::string& path) const { write_file_atomically(path, bytes()); }

ArchiveReader::ArchiveReader(const FileKind& kind, std::string path) : kind_(kind), path_(std::move(path)) {}

ArchiveReader::ArchiveReader(const std::string& path, const FileKind& kind) : ArchiveReader(kind, path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) fail("does not exist");
    std::string bytes;
    try {
        bytes = read_file(path);
    } catch (const std::runtime_error& e) {
        fail(std::string("cannot be read (") + e.what() + ")");
    }
    parse(bytes);
    if (!checksummed_)
        warn(kind_.what + " '" + path + "' was written before files carried a checksum of their own: only its "
             "ZIP entries' CRC-32s are checked ('irlstudio-cli add-checksum FILE' adds one)");
}

ArchiveReader ArchiveReader::from_bytes(const std::string& bytes, const std::string& source, const FileKind& kind) {
    ArchiveReader reader(kind, source);
    reader.parse(bytes);
    return reader;
}

void ArchiveReader::parse(const std::string& bytes) {
    const ArchiveBytes checked = check_archive_bytes(bytes, kind_.format, kind_.version, kind_.what);
    if (!checked.problem.empty()) fail(checked.problem);
    checksummed_ = checked.checksummed;
    checksum_ = checked.checksum;
    version_ = checked.version;
    const std::string entry =
        load_with_format_entry(archive_, bytes.substr(checked.payload_offset), [this](const std::string& m) { fail(m); });
    const FormatEntry read = read_format_entry(entry);
    if (read.name != kind_.format) fail("is not an IRL Sampler Studio " + kind_.what + " (it is an '" + read.name + "' file)");
    if (!checksummed_) {
        version_ = read.version;
        if (version_ < 1) fail("has a damaged format entry '" + entry + "'");
        if (version_ > kind_.version) fail("was written by a newer version of the studio (format version " + std::to_string(version_) + ")");
    }
}

void ArchiveReader::fail(const std::string& message) const {
    throw std::runtime_error(kind_.what + " '" + path_ + "' " + message);
}

bool ArchiveReader::has(const std::string& key) {
    c10::IValue value;
    return archive_.try_read(key, value);
}

std::string ArchiveReader::text(const std::string& key) {
    c10::IValue value;
    if (!archive_.try_read(key, value) || !value.isString()) fail("has no text entry '" + key + "'");
    return value.toStringRef();
}

torch::Tensor ArchiveReader::tensor(const std::string& key) {
    c10::IValue value;
    if (!archive_.try_read(key, value) || !value.isTensor()) fail("has no tensor entry '" + key + "'");
    return value.toTensor();
}

int64_t ArchiveReader::integer(const std::string& key) {
    const torch::Tensor t = tensor(key);
    if (t.numel() != 1 || t.is_floating_point()) fail("has a damaged entry '" + key + "' (expected one integer)");
    return t.item<int64_t>();
}

double ArchiveReader::number(const std::string& key) {
    const torch::Tensor t = tensor(key);
    if (t.numel() != 1) fail("has a damaged entry '" + key + "' (expected one number)");
    return t.item<double>();
}

std::string with_checksum_header(const std::string& bytes, const std::string& source) {
    const auto fail = [&](const std::string& message) { throw std::runtime_error("'" + source + "' " + message); };
    if (has_archive_header(bytes)) {
        // Already has one: say so only when it holds (the format and version the line names).
        const size_t end = bytes.find('\n');
        std::istringstream line(bytes.substr(0, end == std::string::npos ? 0 : end));
        std::string magic, name;
        int version = 0;
        line >> magic >> name >> version;
        const ArchiveBytes checked = check_archive_bytes(bytes, name, std::max(version, 1), "file");
        if (!checked.problem.empty()) fail("has a checksum, and " + checked.problem);
        return bytes;
    }
    if (bytes.rfind(std::string("PK\x03\x04", 4), 0) != 0) fail("is not a file of IRL Sampler Studio (it does not start like one)");
    const std::string problem = zip_structure_problem(bytes);
    if (!problem.empty()) fail(problem);
    torch::serialize::InputArchive archive;
    const std::string entry = load_with_format_entry(archive, bytes, fail);
    const FormatEntry read = read_format_entry(entry);
    if (read.version < 1 || read.name.empty()) fail("has a damaged format entry '" + entry + "'");
    std::string result = archive_header_line(read.name, read.version, bytes) + bytes;
    // Read back as every loader reads it.
    const ArchiveBytes checked = check_archive_bytes(result, read.name, read.version, "file");
    if (!checked.problem.empty() || !checked.checksummed) fail("could not be given a checksum (" + checked.problem + ")");
    return result;
}

void ArchiveReader::load_module(const std::string& key, torch::nn::Module& module) {
    torch::serialize::InputArchive nested;
    if (!archive_.try_read(key, nested)) fail("has no '" + key + "' entry");
    try {
        module.load(nested);
    } catch (const std::exception&) {
        fail("holds '" + key + "' weights of another shape than this network (another size, or a damaged file)");
    }
}

void ArchiveReader::load_optimizer(const std::string& key, torch::optim::Optimizer& optimizer) {
    torch::serialize::InputArchive nested;
    if (!archive_.try_read(key, nested)) fail("has no '" + key + "' entry");
    try {
        optimizer.load(nested);
    } catch (const std::exception&) {
        fail("holds an optimiser state '" + key + "' that does not match these parameters");
    }
}

}  // namespace irl
