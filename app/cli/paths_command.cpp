// `irlstudio-cli paths`: where this program looks for node packs and bundled files, and what it
// finds there. An installed copy reports folders under its own prefix only; a copy run from the
// build tree also lists the build tree's plugin folder and the source tree's resources/.
#include "arguments.h"
#include "commands.h"

#include "irl/engine/core/resources.h"
#include "irl/nodes/plugin_loader.h"

#include <QFileInfo>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

namespace irl::cli {
namespace {

// The bundled files a default install is expected to provide.
const char* const kBundled[] = {"models/fashion-unet.pt", "models/fashion-classifier.pt", "graphs/default.json"};

std::optional<std::string> located(const std::string& relative) {
    try {
        return find_resource(relative);
    } catch (const std::runtime_error&) {
        return std::nullopt;
    }
}

}  // namespace

int paths_command(const std::vector<std::string>& raw) {
    const Arguments args(raw, {}, {"json", "help"});
    if (args.flag("help") || !args.positional().empty()) {
        std::cout << "usage: irlstudio-cli paths [--json]\n\n"
                     "Prints the folders searched for node packs ($IRLSTUDIO_PLUGIN_PATH, <prefix>/lib/irlstudio/plugins)\n"
                     "and bundled files ($IRLSTUDIO_DATA_DIR, <prefix>/share/irlstudio), the packs loaded and where\n"
                     "the bundled models and the default graph were found.\n";
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    std::error_code error;
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe", error).string();
    nodes::NodePacks packs;
    packs.load();

    nlohmann::json report = {{"executable", exe}};
    report["plugin_folders"] = nlohmann::json::array();
    for (const QString& folder : nodes::plugin_folders())
        report["plugin_folders"].push_back({{"path", folder.toStdString()}, {"exists", QFileInfo(folder).isDir()}});
    report["packs"] = nlohmann::json::array();
    for (const QString& entry : packs.loaded()) {
        // NodePacks reports "name (path)" for a pack loaded from a file.
        const qsizetype open = entry.lastIndexOf(QStringLiteral(" ("));
        if (open > 0 && entry.endsWith(')'))
            report["packs"].push_back({{"name", entry.left(open).toStdString()},
                                       {"path", entry.mid(open + 2, entry.size() - open - 3).toStdString()}});
        else
            report["packs"].push_back({{"name", entry.toStdString()}, {"path", ""}});
    }
    report["warnings"] = nlohmann::json::array();
    for (const QString& warning : packs.warnings()) report["warnings"].push_back(warning.toStdString());
    report["resource_folders"] = nlohmann::json::array();
    for (const std::string& folder : resource_folders())
        report["resource_folders"].push_back({{"path", folder}, {"exists", std::filesystem::is_directory(folder, error)}});
    report["resources"] = nlohmann::json::object();
    for (const char* relative : kBundled) {
        const auto path = located(relative);
        report["resources"][relative] = path ? nlohmann::json(*path) : nlohmann::json(nullptr);
    }

    if (args.flag("json")) {
        std::cout << report.dump() << std::endl;
        return kExitOk;
    }
    std::printf("executable: %s\n\nplugin folders, searched in order:\n", exe.c_str());
    for (const auto& folder : report["plugin_folders"])
        std::printf("  %s%s\n", folder["path"].get<std::string>().c_str(), folder["exists"].get<bool>() ? "" : "  (missing)");
    std::printf("\nnode packs loaded:\n");
    if (report["packs"].empty()) std::printf("  none\n");
    for (const auto& pack : report["packs"])
        std::printf("  %s  %s\n", pack["name"].get<std::string>().c_str(), pack["path"].get<std::string>().c_str());
    for (const auto& warning : report["warnings"]) std::printf("  warning: %s\n", warning.get<std::string>().c_str());
    std::printf("\nresource folders, searched in order:\n");
    for (const auto& folder : report["resource_folders"])
        std::printf("  %s%s\n", folder["path"].get<std::string>().c_str(), folder["exists"].get<bool>() ? "" : "  (missing)");
    std::printf("\nbundled files:\n");
    for (const char* relative : kBundled) {
        const auto& found = report["resources"][relative];
        std::printf("  %-30s %s\n", relative, found.is_null() ? "not found" : found.get<std::string>().c_str());
    }
    return kExitOk;
}

}  // namespace irl::cli
