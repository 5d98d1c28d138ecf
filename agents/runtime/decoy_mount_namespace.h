#pragma once
// The mount namespace decoys start in: the host's mounts without the network namespaces' bind
// mounts under /run/netns. A decoy makes its own mount namespace by copying the one it starts
// in; copied from the host's, that copy held one mount per running decky (about 1.5 ms of
// kernel time per decoy at 1,000 deckies, growing with every decky).
#include "api/types/result.h"

namespace decnet::agents {

// A descriptor (O_CLOEXEC) of a new mount namespace: a private copy of this process's, with
// /run/netns emptied. It lives as long as the descriptor; the caller closes it.
[[nodiscard]] Result<int> makeDecoyMountNamespace();

}  // namespace decnet::agents
