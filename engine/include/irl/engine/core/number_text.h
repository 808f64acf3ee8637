// A number as a user writes it ("0.03", "1e-3", "-2"), read the same in every locale: strtod
// follows LC_NUMERIC, which a Qt application takes from the system, so in a decimal-comma
// locale it would stop at the '.'. No LibTorch here: any file may include it.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace irl {

// The whole text as a double, or nothing when it is empty, has anything after the number, or is
// out of range.
inline std::optional<double> number_from_text(std::string_view text) {
    double value = 0.0;
    const char* last = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), last, value);
    if (text.empty() || error != std::errc() || stop != last) return std::nullopt;
    return value;
}

}  // namespace irl
