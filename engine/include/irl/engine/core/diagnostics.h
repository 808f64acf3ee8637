// Warnings the engine gives without stopping (a file without a checksum, stale temporary files
// removed): one sentence each, sent to a handler the program sets (stderr by default).
#pragma once

#include <functional>
#include <string>

namespace irl {

using WarningHandler = std::function<void(const std::string& sentence)>;

// Replaces the handler and returns the previous one; an empty handler restores stderr.
WarningHandler set_warning_handler(WarningHandler handler);
void warn(const std::string& sentence);

// The part of an exception's text a user should see: LibTorch appends where it was raised and a
// stack trace ("Exception raised from ...", "frame #0: ..."), which go to the debug log at most.
std::string user_message(const std::string& what);

}  // namespace irl
