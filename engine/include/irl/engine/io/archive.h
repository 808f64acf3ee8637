// The one format of every file the project writes with LibTorch (weights, policies, checkpoints,
// energies): a header line naming the format, its version and a CRC-32 of the payload, then the
// payload, a LibTorch archive. Reading checks all three before LibTorch parses a byte.
#pragma once

#include "irl/engine/io/archive_header.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cstdint>
#include <string>

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}

namespace irl {

// What a file is: its format name, the newest version this build writes, and how messages call it.
struct FileKind {
    std::string format;  // "irlstudio-policy"
    int version = 1;
    std::string what;    // "policy file"
};

class ArchiveWriter {
public:
    explicit ArchiveWriter(FileKind kind);

    void text(const std::string& key, const std::string& value);
    void tensor(const std::string& key, const torch::Tensor& value);
    void integer(const std::string& key, int64_t value);
    void number(const std::string& key, double value);
    void module(const std::string& key, const torch::nn::Module& module);
    void optimizer(const std::string& key, const torch::optim::Optimizer& optimizer);
    torch::serialize::OutputArchive& archive() { return archive_; }

    // The header line and the payload.
    std::string bytes() const;
    // Atomically (temporary file and rename): a crash leaves the old file or the new one.
    void save(const std::string& path) const;

private:
    FileKind kind_;
    mutable torch::serialize::OutputArchive archive_;
};

class ArchiveReader {
public:
    // Reads `path` and checks that it exists, that its header names `kind`'s format with a version
    // this build reads, and that the payload's checksum matches. Files written before checksums
    // existed (a bare LibTorch archive with a "format" entry) still load; for a file outside the
    // bundled resources a warning says it carries no checksum. Every failure is a std::runtime_error
    // of one sentence that names the file.
    ArchiveReader(const std::string& path, const FileKind& kind);
    // The same checks over bytes already in memory; `source` names them in messages.
    static ArchiveReader from_bytes(const std::string& bytes, const std::string& source, const FileKind& kind);

    int version() const { return version_; }
    bool checksummed() const { return checksummed_; }
    // The payload's CRC-32 (8 hex digits) from the header line; empty for a file from before checksums.
    const std::string& checksum() const { return checksum_; }
    const std::string& path() const { return path_; }

    bool has(const std::string& key);
    std::string text(const std::string& key);
    torch::Tensor tensor(const std::string& key);
    int64_t integer(const std::string& key);
    double number(const std::string& key);
    // Loads parameters and buffers; a mismatch (another network size) is one sentence naming the file.
    void load_module(const std::string& key, torch::nn::Module& module);
    void load_optimizer(const std::string& key, torch::optim::Optimizer& optimizer);
    torch::serialize::InputArchive& archive() { return archive_; }

    // Throws "<what> '<path>': <message>".
    [[noreturn]] void fail(const std::string& message) const;

private:
    ArchiveReader(const FileKind& kind, std::string path);
    void parse(const std::string& bytes);

    FileKind kind_;
    std::string path_;
    int version_ = 0;
    bool checksummed_ = false;
    std::string checksum_;
    torch::serialize::InputArchive archive_;
};

// The bytes of a file written before files carried a checksum (a bare LibTorch archive with a
// format entry, any kind) with the header line in front. The payload is kept byte for byte, so
// every tensor in it loads unchanged. Bytes that already start with a header line are returned as
// they are. Throws std::runtime_error naming `source` for anything else (a damaged file, a ZIP
// that is no file of the studio), before a byte is written anywhere.
std::string with_checksum_header(const std::string& bytes, const std::string& source);

}  // namespace irl
