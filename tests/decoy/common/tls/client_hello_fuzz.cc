// libFuzzer target: parseClientHello on the whole input and on prefixes of it (the https service
// re-parses as bytes arrive, so a prefix may only say "need more" or what the whole says), then
// the JA3 string and hash of a complete hello.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/common/tls/client_hello.h"

namespace {

using decnet::decoy::tls::ClientHello;
using decnet::decoy::tls::HelloStatus;

HelloStatus parse(std::string_view bytes, ClientHello& hello) {
  std::string anomaly;
  const HelloStatus status = decnet::decoy::tls::parseClientHello(bytes, hello, anomaly);
  if (status == HelloStatus::kMalformed && anomaly.empty()) __builtin_trap();
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ClientHello hello;
  const HelloStatus status = parse(bytes, hello);
  if (status == HelloStatus::kComplete) {
    if (hello.ciphers.size() > size / 2 || hello.alpn.size() > 16) __builtin_trap();
    if (hello.sni.size() > size || hello.pointFormats.size() > size) __builtin_trap();
    if (decnet::decoy::tls::ja3String(hello).empty()) __builtin_trap();
    if (decnet::decoy::tls::md5Hex(decnet::decoy::tls::ja3String(hello)).size() != 32) {
      __builtin_trap();
    }
  }
  for (const std::size_t cut : {size / 2, size > 0 ? size - 1 : 0}) {
    if (cut >= size) continue;
    ClientHello partial;
    const HelloStatus prefix = parse(bytes.substr(0, cut), partial);
    if (prefix != HelloStatus::kNeedMore && prefix != status) __builtin_trap();
  }
  return 0;
}
