#include "irl/engine/core/diagnostics.h"

#include <cstdio>
#include <mutex>

namespace irl {
namespace {

std::mutex& handler_mutex() {
    static std::mutex mutex;
    return mutex;
}

WarningHandler& current_handler() {
    static WarningHandler handler;
    return handler;
}

}  // namespace

WarningHandler set_warning_handler(WarningHandler handler) {
    std::lock_guard<std::mutex> lock(handler_mutex());
    WarningHandler previous = std::move(current_handler());
    current_handler() = std::move(handler);
    return previous;
}

void warn(const std::string& sentence) {
    WarningHandler handler;
    {
        std::lock_guard<std::mutex> lock(handler_mutex());
        handler = current_handler();
    }
    if (handler) handler(sentence);
    else std::fprintf(stderr, "warning: %s\n", sentence.c_str());
}

std::string user_message(const std::string& what) {
    std::string text = what;
    for (const char* marker : {"\nException raised from", "Exception raised from", "\nframe #", "frame #0"}) {
        const auto at = text.find(marker);
        if (at != std::string::npos) text.erase(at);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text.empty() ? std::string("an error without a message") : text;
}

}  // namespace irl
