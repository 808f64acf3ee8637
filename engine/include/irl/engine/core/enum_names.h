// Enum <-> name tables checked at compile time: each table lists every value in enum order
// (in_enum_order), and a static_assert beside it ties its size to the enum's last value, so
// to_string is a lookup and a value left out of a table fails the build, not a user. A value added
// after the last one must also move that assert (each such enum says where its table is).
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace irl {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, const char*>, N>;

template <typename Enum, std::size_t N>
constexpr bool in_enum_order(const EnumNames<Enum, N>& table) {
    for (std::size_t i = 0; i < N; ++i)
        if (static_cast<std::size_t>(table[i].first) != i) return false;
    return true;
}

template <typename Enum, std::size_t N>
const char* enum_name(const EnumNames<Enum, N>& table, Enum value) {
    return table[static_cast<std::size_t>(value)].second;
}

template <typename Enum, std::size_t N>
std::vector<std::string> enum_names(const EnumNames<Enum, N>& table) {
    std::vector<std::string> names;
    for (const auto& entry : table) names.emplace_back(entry.second);
    return names;
}

// Throws std::invalid_argument("unknown <what> 'name' (known: a, b, c)").
template <typename Enum, std::size_t N>
Enum enum_from_name(const EnumNames<Enum, N>& table, const std::string& name, const char* what) {
    for (const auto& entry : table)
        if (name == entry.second) return entry.first;
    std::string known;
    for (const auto& entry : table) known += (known.empty() ? "" : ", ") + std::string(entry.second);
    throw std::invalid_argument(std::string("unknown ") + what + " '" + name + "' (known: " + known + ")");
}

}  // namespace irl
