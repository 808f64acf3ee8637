#include "irl/engine/core/cancel.h"

namespace irl {

void CancelToken::throw_if_cancelled() const {
    if (cancelled()) throw Cancelled();
}

}  // namespace irl
