#include "decoy/common/tls/client_hello.h"

#include <openssl/evp.h>

namespace decnet::decoy::tls {
namespace {

// A bounds-checked big-endian reader over one byte range.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool u8(std::uint32_t& out) { return number(1, out); }
  bool u16(std::uint32_t& out) { return number(2, out); }
  bool u24(std::uint32_t& out) { return number(3, out); }
  bool take(std::size_t n, std::string_view& out) {
    if (bytes_.size() - at_ < n) return false;
    out = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  // A vector with a `width`-byte length prefix.
  bool vector(std::size_t width, std::string_view& out) {
    std::uint32_t n = 0;
    return number(width, n) && take(n, out);
  }
  bool empty() const { return at_ == bytes_.size(); }

 private:
  bool number(std::size_t width, std::uint32_t& out) {
    if (bytes_.size() - at_ < width) return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i) {
      out = (out << 8) | static_cast<unsigned char>(bytes_[at_ + i]);
    }
    at_ += width;
    return true;
  }

  std::string_view bytes_;
  std::size_t at_ = 0;
};

bool parseExtension(std::uint32_t type, std::string_view data, ClientHello& hello) {
  Reader in(data);
  std::string_view list;
  std::uint32_t value = 0;
  switch (type) {
    case 0: {  // server_name
      if (!in.vector(2, list)) return false;
      Reader names(list);
      while (!names.empty()) {
        std::string_view name;
        if (!names.u8(value) || !names.vector(2, name)) return false;
        if (value == 0 && hello.sni.empty()) hello.sni = std::string(name);
      }
      return true;
    }
    case 10: {  // supported_groups
      if (!in.vector(2, list) || list.size() % 2 != 0) return false;
      Reader groups(list);
      while (groups.u16(value)) hello.groups.push_back(static_cast<std::uint16_t>(value));
      return true;
    }
    case 11: {  // ec_point_formats
      if (!in.vector(1, list)) return false;
      for (char c : list) hello.pointFormats.push_back(static_cast<std::uint8_t>(c));
      return true;
    }
    case 16: {  // application_layer_protocol_negotiation
      if (!in.vector(2, list)) return false;
      Reader protocols(list);
      std::string_view protocol;
      while (hello.alpn.size() < 16 && protocols.vector(1, protocol)) {
        hello.alpn.emplace_back(protocol);
      }
      return true;
    }
    default:
      return true;
  }
}

template <class T>
void joinTo(std::string& out, const std::vector<T>& values, bool skipGrease) {
  bool first = true;
  for (const T value : values) {
    if (skipGrease && isGrease(static_cast<std::uint16_t>(value))) continue;
    if (!first) out += '-';
    out += std::to_string(value);
    first = false;
  }
}

}  // namespace

bool isGrease(std::uint16_t value) {
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

HelloStatus parseClientHello(std::string_view bytes, ClientHello& hello, std::string& anomaly) {
  if (bytes.empty()) return HelloStatus::kNeedMore;
  if (bytes[0] != 0x16) return HelloStatus::kNotTls;
  // Gather the handshake message across records (large hellos span several).
  std::string handshake;
  std::size_t at = 0;
  std::size_t needed = 4;  // the handshake header until its length is known
  while (handshake.size() < needed) {
    if (bytes.size() - at < 5) return HelloStatus::kNeedMore;
    const auto type = static_cast<unsigned char>(bytes[at]);
    const auto major = static_cast<unsigned char>(bytes[at + 1]);
    const std::size_t length = (static_cast<unsigned char>(bytes[at + 3]) << 8) |
                               static_cast<unsigned char>(bytes[at + 4]);
    if (type != 0x16 || major != 3) {
      anomaly = "not_a_handshake_record";
      return HelloStatus::kMalformed;
    }
    if (length == 0 || length > 16384 + 2048) {
      anomaly = "bad_record_length";
      return HelloStatus::kMalformed;
    }
    if (bytes.size() - at - 5 < length) return HelloStatus::kNeedMore;
    handshake.append(bytes.substr(at + 5, length));
    at += 5 + length;
    if (handshake.size() >= 4 && needed == 4) {
      if (handshake[0] != 0x01) {
        anomaly = "not_a_client_hello";
        return HelloStatus::kMalformed;
      }
      needed = 4 + ((static_cast<unsigned char>(handshake[1]) << 16) |
                    (static_cast<unsigned char>(handshake[2]) << 8) |
                    static_cast<unsigned char>(handshake[3]));
      if (needed > kMaxClientHello) {
        anomaly = "client_hello_too_large";
        return HelloStatus::kMalformed;
      }
    }
  }
  Reader in(std::string_view(handshake).substr(4, needed - 4));
  std::uint32_t value = 0;
  std::string_view random, session, ciphers, compression, extensions;
  anomaly = "malformed_client_hello";
  if (!in.u16(value) || !in.take(32, random) || !in.vector(1, session) || session.size() > 32 ||
      !in.vector(2, ciphers) || ciphers.size() % 2 != 0 || !in.vector(1, compression)) {
    return HelloStatus::kMalformed;
  }
  hello = ClientHello{};
  hello.version = static_cast<std::uint16_t>(value);
  Reader suites(ciphers);
  while (suites.u16(value)) hello.ciphers.push_back(static_cast<std::uint16_t>(value));
  if (!in.empty()) {  // extensions are optional (SSL 3.0-era clients)
    if (!in.vector(2, extensions) || !in.empty()) return HelloStatus::kMalformed;
    Reader list(extensions);
    while (!list.empty()) {
      std::string_view data;
      if (!list.u16(value) || !list.vector(2, data)) return HelloStatus::kMalformed;
      if (hello.extensions.size() >= 256) return HelloStatus::kMalformed;
      hello.extensions.push_back(static_cast<std::uint16_t>(value));
      if (!parseExtension(value, data, hello)) return HelloStatus::kMalformed;
    }
  }
  anomaly.clear();
  return HelloStatus::kComplete;
}

std::string ja3String(const ClientHello& hello) {
  std::string out = std::to_string(hello.version) + ',';
  joinTo(out, hello.ciphers, true);
  out += ',';
  joinTo(out, hello.extensions, true);
  out += ',';
  joinTo(out, hello.groups, true);
  out += ',';
  joinTo(out, hello.pointFormats, false);
  return out;
}

std::string md5Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace decnet::decoy::tls
