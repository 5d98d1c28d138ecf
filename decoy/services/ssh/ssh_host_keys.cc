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
// In the state dir, after the hostname's hash: every host key of the decky in one file, the
// ed25519 and ecdsa keys written at its first start (one file and one sync, not a directory and
// three files) and the RSA key appended once made, off the start-up path. Decoys before this kept
// <state>/ssh/<hash>_<type>_key files: still read, so no decky's fingerprints change.
constexpr const char* kKeysFile = "ssh_host_keys";

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

// Writes the keys' private halves to fd, one after the other, and syncs it once.
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
  return ok && writeAll(fd, text.data(), text.size()) && ::fsync(fd) == 0;
}

// Appends go to the end whatever was written before: keys added to a file later land after it.
int openForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
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
  // The keys by type: from the decky's key file (blocks that do not parse, such as a key cut
  // short by a crash, are skipped), or from the files of an older decoy.
  ssh_key ed25519 = nullptr, ecdsa = nullptr, rsa = nullptr;
  const auto take = [&](ssh_key key) {
    ssh_key* slot = nullptr;
    switch (ssh_key_type(key)) {
      case SSH_KEYTYPE_ED25519:
        slot = &ed25519;
        break;
      case SSH_KEYTYPE_ECDSA_P256:
        slot = &ecdsa;
        break;
      case SSH_KEYTYPE_RSA:
        slot = &rsa;
        break;
      default:
        break;
    }
    if (slot != nullptr && *slot == nullptr) {
      *slot = key;
    } else {
      ssh_key_free(key);
    }
  };
  const auto dropAll = [&] {
    for (ssh_key* key : {&ed25519, &ecdsa, &rsa}) {
      if (*key != nullptr) ssh_key_free(*key);
      *key = nullptr;
    }
  };
  bool legacyKeys = false;
  if (!prefix.empty()) {
    for (const std::string& block : pemBlocks(readText(prefix + kKeysFile))) {
      if (ssh_key key = importKey(block)) take(key);
    }
    if (ed25519 == nullptr && ecdsa == nullptr) {
      // Nothing of the decky's key file: an older decoy's files, if there are any.
      dropAll();
      for (const char* name : {"ed25519_key", "ecdsa_key", "rsa_key"}) {
        if (ssh_key key = readKey(legacy + name)) take(key);
      }
      legacyKeys = ed25519 != nullptr && ecdsa != nullptr;
    }
  }
  // Where keys made now go: the decky's key file (the RSA key of an older decoy's set beside
  // its other files). Opened before the sandbox, which allows no opening for writing.
  const std::string keyFile = prefix.empty() ? ""
                              : legacyKeys   ? legacy + "rsa_key"
                                             : prefix + kKeysFile;
  int keyFd = -1;
  if (ed25519 == nullptr || ecdsa == nullptr) {
    // A first start, or a set short of a key (a crash while it was written, an older decoy's
    // files in part): the missing keys are made and those found kept, so no fingerprint an
    // attacker may have seen changes. The decky's key file is written anew with all of them.
    for (const auto& [type, bits, slot] : {std::tuple{SSH_KEYTYPE_ED25519, 0, &ed25519},
                                           std::tuple{SSH_KEYTYPE_ECDSA_P256, 256, &ecdsa}}) {
      if (*slot == nullptr && (ssh_pki_generate(type, bits, slot) != SSH_OK || *slot == nullptr)) {
        dropAll();
        return fail(Errc::kInternal, "host key generation failed");
      }
    }
    if (!keyFile.empty()) {
      std::vector<ssh_key> keys = {ed25519, ecdsa};
      if (rsa != nullptr) keys.push_back(rsa);
      keyFd = openForAppend(keyFile);
      if (keyFd < 0 || ::ftruncate(keyFd, 0) != 0 || !storeKeys(keys, keyFd)) {
        if (keyFd >= 0) ::close(keyFd);
        dropAll();
        return fail(Errc::kInternal, "cannot store the host keys in " + keyFile);
      }
    }
  }
  const bool haveRsa = rsa != nullptr;
  for (ssh_key* key : {&ed25519, &ecdsa, &rsa}) {
    // The bind takes ownership of a key it imports.
    if (*key != nullptr &&
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, *key) != SSH_OK) {
      if (keyFd >= 0) ::close(keyFd);
      dropAll();
      return fail(Errc::kInternal, "host key import failed");
    }
    *key = nullptr;
  }
  RsaJob job;
  if (haveRsa) {
    if (keyFd >= 0) ::close(keyFd);
    return job;
  }
  job.needed = true;
  // Only a session leader (as the agent starts decoys) lowers its session: started from a
  // shell, a bench or a test, the session is the caller's.
  if (::getsid(0) == ::getpid()) job.priority = std::make_shared<BackgroundPriority>();
  // The RSA key goes after the others in the decky's key file; an older decoy's set gets a
  // file of its own, as before.
  if (keyFd < 0 && !keyFile.empty()) {
    keyFd = openForAppend(keyFile);
    if (keyFd >= 0 && legacyKeys && ::ftruncate(keyFd, 0) != 0) {
      ::close(keyFd);
      keyFd = -1;
    }
  }
  job.fd = keyFd;
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
  if (job.fd >= 0) {
    storeKeys({key}, job.fd);
    ::close(job.fd);
  }
  return key;
}

}  // namespace decnet::decoy::ssh
