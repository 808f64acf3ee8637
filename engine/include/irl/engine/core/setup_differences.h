// What differs between the setup a file was written for and the one asked for now: trainers
// store their setup (a flat JSON object) in their checkpoints and refuse to resume another one,
// saying what differs.
#pragma once

#include <string>

namespace irl {

// One line per top-level key whose value differs: "actions: [...] in the checkpoint, [...] here".
// Empty when the two objects are equal. Text that is not a JSON object compares as a whole.
std::string setup_differences(const std::string& stored_json, const std::string& current_json, const std::string& stored_name);

}  // namespace irl
