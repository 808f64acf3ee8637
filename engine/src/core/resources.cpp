#include "irl/engine/core/resources.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace irl {

std::vector<std::string> resource_folders() {
    namespace fs = std::filesystem;
    std::vector<std::string> folders;
    if (const char* env = std::getenv("IRLSTUDIO_DATA_DIR"); env && *env) folders.emplace_back(env);
    std::error_code error;
    const fs::path exe = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        folders.push_back((exe.parent_path().parent_path() / "share" / "irlstudio").string());
#ifdef IRL_BUILD_TREE_RESOURCES
        // Only a program that lives in the build tree falls back to the sources (the trailing slash
        // keeps a sibling such as build-install/ from counting as the build tree).
        if (exe.string().rfind(IRL_BUILD_TREE_ROOT "/", 0) == 0) folders.emplace_back(IRL_BUILD_TREE_RESOURCES);
#endif
    }
    return folders;
}

std::string find_resource(const std::string& relative) {
    std::string searched;
    for (const std::string& folder : resource_folders()) {
        const std::filesystem::path candidate = std::filesystem::path(folder) / relative;
        if (std::filesystem::exists(candidate)) return candidate.string();
        searched += (searched.empty() ? "" : ", ") + folder;
    }
    throw std::runtime_error("cannot find '" + relative + "' in " + (searched.empty() ? "no folder" : searched));
}

}  // namespace irl
