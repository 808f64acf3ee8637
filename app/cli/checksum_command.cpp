// `irlstudio-cli add-checksum FILE...`: gives files written before files carried a checksum of
// their own (weights, classifiers, policies, checkpoints) the header line with one, in place. The
// payload is kept byte for byte, so everything in the file loads as before.
#include "arguments.h"
#include "commands.h"

#include "irl/engine/core/diagnostics.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/io/atomic_file.h"

#include <filesystem>
#include <iostream>

namespace irl::cli {

int add_checksum_command(const std::vector<std::string>& raw) {
    const Arguments args(raw, {}, {"help"});
    if (args.flag("help") || args.positional().empty()) {
        std::cout << "usage: irlstudio-cli add-checksum FILE...\n\n"
                     "Rewrites each file of the studio that was written before files carried a checksum (weights,\n"
                     "classifiers, policies, checkpoints: a bare LibTorch archive) with the header line that holds one.\n"
                     "The contents stay byte for byte; a file that already has a checksum is left as it is.\n";
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    int failed = 0;
    for (const std::string& path : args.positional()) {
        try {
            namespace fs = std::filesystem;
            std::error_code error;
            if (!fs::is_regular_file(path, error)) throw std::runtime_error("'" + path + "' is not a file");
            // Through a symbolic link, the file it names is rewritten, and keeps its permissions.
            const fs::path target = fs::canonical(path, error);
            if (error) throw std::runtime_error("'" + path + "' cannot be resolved (" + error.message() + ")");
            const fs::perms permissions = fs::status(target).permissions();
            const std::string bytes = read_file(target.string());
            const std::string checked = with_checksum_header(bytes, path);
            if (checked.size() == bytes.size()) {
                std::cout << path << ": already carries a checksum, and it matches\n";
                continue;
            }
            write_file_atomically(target.string(), checked);
            fs::permissions(target, permissions, fs::perm_options::replace, error);
            std::cout << path << ": checksum added (" << checked.size() - bytes.size() << " bytes of header; the contents are unchanged)\n";
        } catch (const std::exception& e) {
            std::cerr << "irlstudio-cli add-checksum: " << user_message(e.what()) << "\n";
            ++failed;
        }
    }
    return failed ? kExitFailure : kExitOk;
}

}  // namespace irl::cli
