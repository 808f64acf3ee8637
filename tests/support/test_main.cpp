// irl_tests NAME [QtTest options]: runs the test class registered as NAME (one per ctest entry),
// in a QCoreApplication as QTEST_GUILESS_MAIN would.
#include "test_registry.h"

#include "irl/engine/core/compute.h"

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <map>

namespace irl::test {
namespace {

std::map<std::string, TestRunner>& registry() {
    static std::map<std::string, TestRunner> classes;
    return classes;
}

}  // namespace

bool register_test_class(const std::string& name, TestRunner run) {
    registry()[name] = std::move(run);
    return true;
}

int run_test_class(const std::string& name, int argc, char** argv) {
    const auto it = registry().find(name);
    return it == registry().end() ? -1 : it->second(argc, argv);
}

std::vector<std::string> test_class_names() {
    std::vector<std::string> names;
    for (const auto& entry : registry()) names.push_back(entry.first);
    return names;
}

}  // namespace irl::test

int main(int argc, char** argv) {
    irl::keep_freed_memory_for_reuse();  // as the CLI and the studio do
    const std::string name = argc > 1 ? argv[1] : "";
    const std::vector<std::string> names = irl::test::test_class_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::fprintf(stderr, "usage: %s NAME [QtTest options]; NAME is one of:", argv[0]);
        for (const std::string& n : names) std::fprintf(stderr, " %s", n.c_str());
        std::fprintf(stderr, "\n");
        return 2;
    }
    // QtTest sees the program name and the options after NAME.
    std::vector<char*> args{argv[0]};
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
    args.push_back(nullptr);
    int count = argc - 1;
    QCoreApplication app(count, args.data());
    app.setAttribute(Qt::AA_Use96Dpi, true);
    return irl::test::run_test_class(name, count, args.data());
}
