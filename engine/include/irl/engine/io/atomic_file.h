// Files written whole or not at all: the bytes go to a temporary file beside the target, which a
// rename then puts in place. Temporary files that a killed process left beside the same target
// are removed the next time it is written.
#pragma once

#include <string>

namespace irl {

// Throws std::runtime_error naming the file when it cannot be written (missing folder, no
// permission, disk full); the old file, if any, is then unchanged.
void write_file_atomically(const std::string& path, const std::string& bytes);
// Checks that a file could be written at `path` (its folder exists or can be made, and a
// temporary file there can be created), so that a long job finds out before it starts.
// Throws std::runtime_error naming the path otherwise.
void check_writable(const std::string& path);
// The whole file; throws std::runtime_error naming it when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace irl
