#include "decoy/services/ssh/ssh_host_keys.h"

#include <fcntl.h>
#include <libssh/server.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace decnet::decoy::ssh {
namespace {

constexpr std::size_t kMaxKeyFile = 16384;
// In the state dir, after the hostname's hash: the ed25519 and ecdsa keys together (made at a
// decky's first start: one file and one sync, not a directory and two of each), and the RSA key
// (made later, off the start-up path). Decoys before these kept <state>/ssh/<hash>_<type>_key
// files: still read, so no decky's fingerprints change.
constexpr const char* kKeysFile = "ssh_host_keys";
constexpr const char* kRsaFile = "ssh_host_rsa_key";

// The first 16 hex digits of SHA-256(hostname): file names that change with the name.
std::string nameHash(const std::string& hostname) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(hostname.data(), hostname.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return "0000000000000000";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 8 && i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// The file's text, up to kMaxKeyFile bytes; "" when it cannot be read.
std::string readText(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0 || text.size() > kMaxKeyFile) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

ssh_key importKey(const std::string& text) {
  ssh_key key = nullptr;
  if (text.empty() ||
      ssh_pki_import_privkey_base64(text.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
    return nullptr;
  }
  return key;
}

ssh_key readKey(const std::string& path) { return importKey(readText(path)); }

// Every "-----BEGIN ...-----" block of `text`, in order.
std::vector<std::string> pemBlocks(const std::string& text) {
  std::vector<std::string> blocks;
  static constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t at = text.find(kBegin);
  while (at != std::string::npos) {
    const std::size_t next = text.find(kBegin, at + kBegin.size());
    blocks.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
    at = next;
  }
  return blocks;
}

bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Writes the keys' private halves to fd, one after the other, and syncs it once; closes fd.
bool storeKeys(const std::vector<ssh_key>& keys, int fd) {
  if (fd < 0) return false;
  std::string text;
  bool ok = true;
  for (ssh_key key : keys) {
    char* exported = nullptr;
    ok = ok && ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &exported) == SSH_OK &&
         exported != nullptr;
    if (exported != nullptr) {
      text += exported;
      if (!text.empty() && text.back() != '\n') text += '\n';
      ssh_string_free_char(exported);
    }
  }
  ok = ok && writeAll(fd, text.data(), text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

int openForWrite(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
}

}  // namespace

Result<RsaJob> loadHostKeys(ssh_bind bind, const std::string& stateDir, const std::string& hostname,
                            const std::string& keygenLock) {
  std::string prefix, legacy;
  if (!stateDir.empty()) {
    if (::mkdir(stateDir.c_str(), 0700) != 0 && errno != EEXIST) {
      return fail(Errc::kInternal, "cannot create " + stateDir + ": " + std::strerror(errno));
    }
    const std::string hash = nameHash(hostname);
    prefix = stateDir + "/" + hash + "_";
    legacy = stateDir + "/ssh/" + hash + "_";
  }
  // ed25519 and ecdsa: one file, in that order; or the two files of an older decoy.
  std::vector<ssh_key> keys;
  const auto drop = [&keys] {
    for (ssh_key key : keys) ssh_key_free(key);
    keys.clear();
  };
  if (!prefix.empty()) {
    for (const std::string& block : pemBlocks(readText(prefix + kKeysFile))) {
      if (ssh_key key = importKey(block)) keys.push_back(key);
    }
    if (keys.size() != 2 || ssh_key_type(keys[0]) != SSH_KEYTYPE_ED25519 ||
        ssh_key_type(keys[1]) != SSH_KEYTYPE_ECDSA_P256) {
      drop();
      for (const char* name : {"ed25519_key", "ecdsa_key"}) {
        if (ssh_key key = readKey(legacy + name)) keys.push_back(key);
      }
      if (keys.size() != 2) drop();
    }
  }
  if (keys.empty()) {
    for (const auto& [type, bits, name] : {std::tuple{SSH_KEYTYPE_ED25519, 0, "ed25519"},
                                           std::tuple{SSH_KEYTYPE_ECDSA_P256, 256, "ecdsa"}}) {
      ssh_key key = nullptr;
      if (ssh_pki_generate(type, bits, &key) != SSH_OK || key == nullptr) {
        drop();
        return fail(Errc::kInternal, std::string("host key generation failed: ") + name);
      }
      keys.push_back(key);
    }
    if (!prefix.empty() && !storeKeys(keys, openForWrite(prefix + kKeysFile))) {
      drop();
      return fail(Errc::kInternal, "cannot store the host keys in " + prefix + kKeysFile);
    }
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    // The bind takes ownership of the key.
    if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, keys[i]) != SSH_OK) {
      for (std::size_t j = i; j < keys.size(); ++j) ssh_key_free(keys[j]);
      return fail(Errc::kInternal, "host key import failed");
    }
  }
  RsaJob job;
  if (ssh_key rsa = prefix.empty() ? nullptr : readKey(prefix + kRsaFile)) {
    if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, rsa) != SSH_OK) ssh_key_free(rsa);
    return job;
  }
  if (ssh_key rsa = legacy.empty() ? nullptr : readKey(legacy + "rsa_key")) {
    if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, rsa) != SSH_OK) ssh_key_free(rsa);
    return job;
  }
  job.needed = true;
  // Only a session leader (as the agent starts decoys) lowers its session: started from a
  // shell, a bench or a test, the session is the caller's.
  if (::getsid(0) == ::getpid()) job.priority = std::make_shared<BackgroundPriority>();
  // Opened now: after the sandbox no file can be opened for writing.
  job.fd = prefix.empty() ? -1 : openForWrite(prefix + kRsaFile);
  if (!keygenLock.empty()) {
    job.lockFd = ::open(keygenLock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  return job;
}

ssh_key makeRsaKey(RsaJob job) {
  // Without the lock (it could not be opened or taken) the key is still made, only not in turn.
  // Polled, not waited for: each release of a lock that a thousand decoys block on wakes them
  // all, and an operator's (or a bench's) blocking flock would wait behind every one of them.
  // A decoy that has waited long polls less often (up to every 30 s): a thousand waiting decoys
  // still find the lock free within milliseconds, and cost almost nothing while it is held.
  if (job.lockFd >= 0) {
    std::minstd_rand jitter(static_cast<unsigned>(::getpid()));
    auto wait = std::chrono::milliseconds(1000 + jitter() % 2000);
    while (::flock(job.lockFd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) break;
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(30000));
    }
  }
  // The decoy already serves without this key: the agent and the decoys starting beside it
  // go first (about a CPU-second of work, one decoy at a time on the host).
  const bool lowered = job.priority != nullptr && job.priority->lower();
  ssh_key key = nullptr;
  if (ssh_pki_generate(SSH_KEYTYPE_RSA, 3072, &key) != SSH_OK) key = nullptr;
  if (lowered) job.priority->restore();
  if (job.lockFd >= 0) ::close(job.lockFd);  // releases the lock
  if (key == nullptr) {
    if (job.fd >= 0) ::close(job.fd);
    return nullptr;
  }
  if (job.fd >= 0) storeKeys({key}, job.fd);
  return key;
}

}  // namespace decnet::decoy::ssh
