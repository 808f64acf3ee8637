#include "irl/engine/core/setup_differences.h"

#include <nlohmann/json.hpp>

#include <set>

namespace irl {
namespace {

std::string shown(const nlohmann::json& value) {
    if (value.is_null()) return "nothing";
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (text.size() > 160) text = text.substr(0, 157) + "...";
    return text;
}

}  // namespace

std::string setup_differences(const std::string& stored_json, const std::string& current_json, const std::string& stored_name) {
    if (stored_json == current_json) return {};
    nlohmann::json stored, current;
    try {
        stored = nlohmann::json::parse(stored_json);
        current = nlohmann::json::parse(current_json);
    } catch (const nlohmann::json::exception&) {
        return "the setups differ";
    }
    if (!stored.is_object() || !current.is_object()) return stored == current ? "" : "the setups differ";
    std::set<std::string> keys;
    for (auto it = stored.begin(); it != stored.end(); ++it) keys.insert(it.key());
    for (auto it = current.begin(); it != current.end(); ++it) keys.insert(it.key());
    std::string out;
    for (const std::string& key : keys) {
        const nlohmann::json a = stored.contains(key) ? stored[key] : nlohmann::json(), b = current.contains(key) ? current[key] : nlohmann::json();
        if (a == b) continue;
        out += (out.empty() ? "" : "\n") + key + ": " + shown(a) + " in " + stored_name + ", " + shown(b) + " here";
    }
    return out;
}

}  // namespace irl
