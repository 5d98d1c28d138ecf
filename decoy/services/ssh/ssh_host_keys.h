#pragma once
// Per-decky host keys: ed25519, ecdsa and rsa, as a stock sshd has. Kept in <stateDir> and
// named after the hostname, so restarts and mutations that keep the name keep the fingerprints,
// and a new name gets new ones. RSA takes about a second to make: when it is
// not on disk yet, it is made off the startup path (see RsaJob).
#include <libssh/libssh.h>
#include <libssh/server.h>

#include <memory>
#include <string>

#include "api/types/result.h"
#include "decoy/background_priority.h"

namespace decnet::decoy::ssh {

// The RSA key still to make: `fd` is where to keep it (-1: nowhere, ephemeral); `lockFd` is the
// host-wide key generation lock to hold meanwhile (-1: none).
struct RsaJob {
  bool needed = false;
  int fd = -1;
  int lockFd = -1;
  std::shared_ptr<BackgroundPriority> priority;  // lowered while the key is made
};

// Loads or makes the ed25519 and ecdsa keys (stored when stateDir is set) and the RSA key when it
// is on disk; imports them into `bind`. When RSA is still to make, opens its file and
// `keygenLock` (if set) for makeRsaKey. Runs before the sandbox (it opens files).
Result<RsaJob> loadHostKeys(ssh_bind bind, const std::string& stateDir, const std::string& hostname,
                            const std::string& keygenLock);

// Waits for the host-wide lock, makes an RSA-3072 key, writes it to job.fd, closes both and
// returns the key; nullptr on failure. Opens no files or sockets, so it may run after the
// sandbox.
ssh_key makeRsaKey(RsaJob job);

}  // namespace decnet::decoy::ssh
