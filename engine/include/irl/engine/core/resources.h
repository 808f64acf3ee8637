// Finds the studio's bundled files (models, graphs) from wherever the program runs: an install
// prefix (<bin>/../share/irlstudio), $IRLSTUDIO_DATA_DIR, or the build tree's resources/.
#pragma once

#include <string>
#include <vector>

namespace irl {

// Folders searched, in order: $IRLSTUDIO_DATA_DIR, <dir of the executable>/../share/irlstudio,
// and, for a program run from its build tree, the source tree's resources/.
std::vector<std::string> resource_folders();
// The first existing <folder>/<relative>; throws std::runtime_error listing the folders searched.
std::string find_resource(const std::string& relative);

}  // namespace irl
