#pragma once
// Confinement of a decoy after it bound its ports: an unprivileged user, no new privileges, a
// bounded descriptor table and a seccomp allow-list. Nothing here can be undone.
#include <string>
#include <string_view>

#include "api/types/result.h"

namespace decnet::decoy {

// Becomes `user` (its uid and primary gid, no supplementary groups) and verifies root cannot
// be regained.
// kInvalid for an unknown user; kTerminal when the switch is impossible (not root). No-op when
// already running as `user`.
[[nodiscard]] Result<void> dropPrivileges(const std::string& user);

// Sets no_new_privs, RLIMIT_NOFILE = maxOpenFiles and a seccomp filter that allows only what
// an Asio/libssh/OpenSSL server needs: no new sockets, no exec, no writes to files. A denied
// call fails with EPERM and is reported on stderr ("<reportTag>: seccomp: denied syscall N").
// Call while the process has a single thread; every later thread inherits the filter.
[[nodiscard]] Result<void> applySandbox(int maxOpenFiles, std::string_view reportTag);

}  // namespace decnet::decoy
