#include "irl/engine/learning/irl/stored_rows.h"

#include "irl/engine/core/setup_differences.h"
#include "irl/engine/io/atomic_file.h"

#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace irl {

StoredRows::StoredRows(std::string folder, const nlohmann::json& setup) : folder_(std::move(folder)) {
    if (folder_.empty()) return;
    std::error_code error;
    std::filesystem::create_directories(folder_, error);
    if (error) throw std::runtime_error("cannot make the folder '" + folder_ + "' for the bench's rows: " + error.message());
    const std::string path = (std::filesystem::path(folder_) / "setup.json").string();
    if (!std::filesystem::exists(path)) {
        write_file_atomically(path, setup.dump(2) + "\n");
        return;
    }
    const std::string differences = setup_differences(read_file(path), setup.dump(), "the folder's rows");
    if (!differences.empty())
        throw std::runtime_error("the folder '" + folder_ + "' holds the rows of another bench setup (give another folder, or empty it):\n" +
                                 differences);
}

nlohmann::json StoredRows::row(const std::string& key, const std::function<nlohmann::json()>& score) const {
    if (folder_.empty()) return score();
    for (const char c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            throw std::invalid_argument("a stored row's key is letters, digits, '-', '_' and '.', not '" + key + "'");
    const std::string path = (std::filesystem::path(folder_) / (key + ".json")).string();
    if (std::filesystem::exists(path)) {
        nlohmann::json stored = nlohmann::json::parse(read_file(path), nullptr, false);
        if (!stored.is_discarded()) {
            ++reused_;
            return stored;
        }
    }
    nlohmann::json scored = score();
    write_file_atomically(path, scored.dump() + "\n");
    return scored;
}

}  // namespace irl
