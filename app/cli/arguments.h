// A small command-line parser for irlstudio-cli: --name value, --name=value and flags.
// Every misuse raises UsageError with a message that names the option.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace irl::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Arguments {
public:
    // `flags` take no value; every other known option takes one. Unknown options are errors.
    // `renamed` maps an option's old name to its new one: the old name still works and a note
    // on stderr gives the new one.
    Arguments(const std::vector<std::string>& args, const std::set<std::string>& options,
              const std::set<std::string>& flags, const std::map<std::string, std::string>& renamed = {});

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    bool flag(const std::string& name) const { return has(name); }
    std::string text(const std::string& name, const std::string& fallback) const;
    double number(const std::string& name, double fallback) const;
    // An integer within [low, high].
    long long integer(const std::string& name, long long fallback, long long low, long long high) const;
    std::vector<double> numbers(const std::string& name) const;  // comma-separated
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

// --threads N (1..256, default one per core): the compute threads of LibTorch and OpenMP, set
// once for the command. Every command that samples or trains calls it before any tensor work.
void use_threads_option(const Arguments& args);
// The help line of --threads, with this machine's default.
std::string threads_option_help();

}  // namespace irl::cli
