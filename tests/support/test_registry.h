// The LibTorch tests share one program, irl_tests, compiled a few files at a time (LibTorch's
// header costs every file about 8 s before its own code, docs/building.md). Each test class stays
// its own ctest entry: `irl_tests test_solvers [QtTest options]` runs one class.
#pragma once

#include <QtTest/QtTest>

#include <functional>
#include <string>
#include <vector>

namespace irl::test {

using TestRunner = std::function<int(int argc, char** argv)>;
// Records a test class under the name ctest runs it by; true, for a static initialiser.
bool register_test_class(const std::string& name, TestRunner run);
// Runs the class registered as `name` with QtTest's own options; -1 when none is.
int run_test_class(const std::string& name, int argc, char** argv);
std::vector<std::string> test_class_names();

}  // namespace irl::test

// In place of QTEST_GUILESS_MAIN(Class) in a test of irl_tests: the class runs as `name`.
#define IRL_TEST_CLASS(name, Class)                                                              \
    namespace {                                                                                  \
    const bool irl_registered_##Class = ::irl::test::register_test_class(name, [](int argc, char** argv) { \
        Class test;                                                                              \
        return QTest::qExec(&test, argc, argv);                                                  \
    });                                                                                          \
    }
