// The rows of a long bench kept in a folder as each is scored, so that a run stopped part way (the
// end of a session, Ctrl+C, a reboot) and started again with the same setup scores only what is
// missing. Each row is its own JSON file, written atomically; the folder's setup.json says what
// the rows were scored for, and another setup is refused.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace irl {

class StoredRows {
public:
    // An empty folder name keeps nothing (every row is scored). Otherwise the folder is made, and a
    // setup.json already there must equal `setup`: std::runtime_error naming the folder and the
    // differences when it does not.
    StoredRows(std::string folder, const nlohmann::json& setup);

    // The row stored under `key` (letters, digits, '-', '_' and '.'), or score() written there.
    // A file that does not parse is scored again.
    nlohmann::json row(const std::string& key, const std::function<nlohmann::json()>& score) const;
    // How many rows were read back rather than scored.
    int reused() const { return reused_; }
    const std::string& folder() const { return folder_; }

private:
    std::string folder_;
    mutable int reused_ = 0;
};

}  // namespace irl
