#include "arguments.h"

#include "irl/engine/core/compute.h"
#include "irl/engine/core/number_text.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace irl::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::set<std::string>& options,
                     const std::set<std::string>& flags, const std::map<std::string, std::string>& renamed) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            positional_.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2), value;
        const auto eq = name.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (const auto old = renamed.find(name); old != renamed.end()) {
            std::fprintf(stderr, "note: --%s is now called --%s; the old name still works\n", name.c_str(), old->second.c_str());
            name = old->second;
        }
        if (flags.count(name)) {
            if (inline_value) throw UsageError("--" + name + " takes no value");
            values_[name] = "1";
        } else if (options.count(name)) {
            if (!inline_value) {
                if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
                value = args[++i];
            }
            values_[name] = value;
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::string Arguments::text(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

double Arguments::number(const std::string& name, double fallback) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const std::optional<double> value = number_from_text(it->second);
    if (!value || !std::isfinite(*value)) throw UsageError("--" + name + ": expected a number, got \"" + it->second + "\"");
    return *value;
}

long long Arguments::integer(const std::string& name, long long fallback, long long low, long long high) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || errno == ERANGE || value < low || value > high)
        throw UsageError("--" + name + ": expected an integer in " + std::to_string(low) + ".." + std::to_string(high) +
                         ", got \"" + it->second + "\"");
    return value;
}

std::vector<double> Arguments::numbers(const std::string& name) const {
    std::vector<double> out;
    const std::string list = text(name, "");
    size_t start = 0;
    while (start <= list.size() && !list.empty()) {
        const size_t comma = list.find(',', start);
        const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const std::optional<double> value = number_from_text(item);
        if (!value) throw UsageError("--" + name + ": expected comma-separated numbers, got \"" + item + "\"");
        out.push_back(*value);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

void use_threads_option(const Arguments& args) {
    use_compute_threads(static_cast<int>(args.integer("threads", default_compute_threads(), 1, 256)));
}

std::string threads_option_help() {
    return "  --threads N        compute threads (default: OMP_NUM_THREADS if set, else one per core; " +
           std::to_string(default_compute_threads()) + " here)\n";
}

}  // namespace irl::cli
