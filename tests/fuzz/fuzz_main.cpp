// The libFuzzer entry point of one target, chosen when it is built (-DIRL_FUZZ_TARGET="graph-json").
#include "fuzz_targets.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const irl::fuzz::NamedTarget* target = [] {
        const irl::fuzz::NamedTarget* t = irl::fuzz::find_target(IRL_FUZZ_TARGET);
        if (!t) {
            std::fprintf(stderr, "no fuzz target '%s'\n", IRL_FUZZ_TARGET);
            std::abort();
        }
        return t;
    }();
    target->run(data, size);  // a std::logic_error escaping here is a finding: libFuzzer reports it
    return 0;
}
