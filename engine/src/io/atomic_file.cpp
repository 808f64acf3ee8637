#include "irl/engine/io/atomic_file.h"

#include "irl/engine/core/diagnostics.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace irl {
namespace {

namespace fs = std::filesystem;

std::string temporary_name(const fs::path& target) {
    static std::atomic<int> counter{0};
    return target.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// "<target>.tmp-PID-N" files whose process is gone: what kill -9 left behind.
void remove_stale_temporaries(const fs::path& target) {
    std::error_code error;
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp-";
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        const std::string rest = name.substr(prefix.size());
        const auto dash = rest.find('-');
        if (dash == std::string::npos || dash == 0) continue;
        // The digits are kept in a named string: `end` points into it and is read below.
        const std::string digits = rest.substr(0, dash);
        char* end = nullptr;
        const long pid = std::strtol(digits.c_str(), &end, 10);
        if (*end != '\0' || pid == ::getpid() || process_alive(pid)) continue;
        if (fs::remove(entry.path(), error))
            warn("removed '" + entry.path().string() + "', a temporary file left by a process that was killed while writing");
    }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
    const fs::path target(path);
    remove_stale_temporaries(target);
    const fs::path temp = temporary_name(target);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            fs::remove(temp, ignored);
            throw std::runtime_error("cannot write '" + path + "' (disk full?)");
        }
    }
    std::error_code error;
    fs::rename(temp, target, error);
    if (error) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw std::runtime_error("cannot move the new file into '" + path + "': " + error.message());
    }
}

void check_writable(const std::string& path) {
    const fs::path target(path);
    std::error_code error;
    if (target.has_parent_path()) fs::create_directories(target.parent_path(), error);
    if (fs::is_directory(target, error)) throw std::runtime_error("cannot write '" + path + "': it is a folder");
    const fs::path probe = temporary_name(target);
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    fs::remove(probe, error);
}

std::string read_file(const std::string& path) {
    std::error_code error;
    if (!fs::exists(path, error)) throw std::runtime_error("'" + path + "' does not exist");
    if (fs::is_directory(path, error)) throw std::runtime_error("'" + path + "' is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

}  // namespace irl
