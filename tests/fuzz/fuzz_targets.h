// The project's readers of user files, as fuzz targets: each takes any bytes and must either
// accept them or refuse them with one sentence (an exception the caller shows), never crash,
// hang or touch memory it does not own. Built twice: instrumented by clang for libFuzzer
// (tests/fuzz/CMakeLists.txt, `./studio fuzz`), and by the normal build for the corpus replay
// test, so that every input that ever failed stays fixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace irl::fuzz {

using Target = void (*)(const uint8_t* data, size_t size);

struct NamedTarget {
    const char* name;  // also the folder of its corpus under tests/fuzz-corpus/
    Target run;
    const char* what;
};

// graph-json: a graph file; png-graph: a PNG that may carry a graph chunk; archive: the header and
// ZIP checks of weights, policies and checkpoints before LibTorch reads them; sidecar: a TorchScript
// sidecar.
const std::vector<NamedTarget>& targets();
const NamedTarget* find_target(const std::string& name);

}  // namespace irl::fuzz
