// MySQL wire structures (see the MySQL client/server protocol documentation).
#include "decoy/services/mysql/mysql_protocol.h"

#include <openssl/sha.h>

namespace decnet::decoy::mysql {
namespace {

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

std::string sha1(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// A reader that never reads past the end: every failure is a clean false.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return at_ >= data_.size(); }
  bool bytes(std::size_t n, std::string& out) {
    if (data_.size() - at_ < n) return false;
    out.assign(data_.substr(at_, n));
    at_ += n;
    return true;
  }
  bool skip(std::size_t n) {
    if (data_.size() - at_ < n) return false;
    at_ += n;
    return true;
  }
  bool nulString(std::string& out) {
    const auto end = data_.find('\0', at_);
    if (end == std::string_view::npos) return false;
    out.assign(data_.substr(at_, end - at_));
    at_ = end + 1;
    return true;
  }
  // The rest, up to an optional NUL (old clients omit the terminator of the last string).
  std::string rest() {
    std::string out(data_.substr(at_));
    at_ = data_.size();
    if (!out.empty() && out.back() == '\0') out.pop_back();
    return out;
  }
  bool lengthEncodedInt(std::uint64_t& out) {
    if (done()) return false;
    const auto first = static_cast<unsigned char>(data_[at_++]);
    if (first < 0xfb) {
      out = first;
      return true;
    }
    const std::size_t width = first == 0xfc ? 2 : first == 0xfd ? 3 : first == 0xfe ? 8 : 0;
    if (width == 0 || data_.size() - at_ < width) return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i) {
      out |= static_cast<std::uint64_t>(static_cast<unsigned char>(data_[at_ + i])) << (8 * i);
    }
    at_ += width;
    return true;
  }
  bool lengthEncodedString(std::string& out) {
    std::uint64_t length = 0;
    if (!lengthEncodedInt(length) || length > data_.size() - at_) return false;
    return bytes(static_cast<std::size_t>(length), out);
  }
  std::size_t remaining() const { return data_.size() - at_; }

 private:
  std::string_view data_;
  std::size_t at_ = 0;
};

std::string columnDefinition(std::string_view name) {
  std::string out = lengthEncoded("def");
  out += lengthEncoded("");  // schema
  out += lengthEncoded("");  // table
  out += lengthEncoded("");  // org_table
  out += lengthEncoded(name);
  out += lengthEncoded("");  // org_name
  out.push_back('\x0c');
  put16(out, 33);  // utf8_general_ci
  put32(out, 255);
  out.push_back(static_cast<char>(0xfd));  // VAR_STRING
  put16(out, 0);                           // flags
  out.push_back('\x1f');                   // decimals
  put16(out, 0);
  return out;
}

}  // namespace

Frame takePacket(std::string& buffer, Packet& packet) {
  if (buffer.size() < 4) return Frame::kNeedMore;
  const std::size_t length =
      static_cast<unsigned char>(buffer[0]) |
      (static_cast<std::size_t>(static_cast<unsigned char>(buffer[1])) << 8) |
      (static_cast<std::size_t>(static_cast<unsigned char>(buffer[2])) << 16);
  if (length > kMaxPacket) return Frame::kTooLarge;
  if (buffer.size() < 4 + length) return Frame::kNeedMore;
  packet.sequence = static_cast<std::uint8_t>(buffer[3]);
  packet.payload = buffer.substr(4, length);
  buffer.erase(0, 4 + length);
  return Frame::kPacket;
}

std::string packet(std::uint8_t sequence, std::string_view payload) {
  std::string out;
  const auto length = static_cast<std::uint32_t>(payload.size());
  out.push_back(static_cast<char>(length & 0xff));
  out.push_back(static_cast<char>((length >> 8) & 0xff));
  out.push_back(static_cast<char>((length >> 16) & 0xff));
  out.push_back(static_cast<char>(sequence));
  out.append(payload);
  return out;
}

std::string lengthEncoded(std::string_view text) {
  std::string out;
  if (text.size() < 0xfb) {
    out.push_back(static_cast<char>(text.size()));
  } else if (text.size() <= 0xffff) {
    out.push_back(static_cast<char>(0xfc));
    put16(out, static_cast<std::uint16_t>(text.size()));
  } else {
    out.push_back(static_cast<char>(0xfd));
    out.push_back(static_cast<char>(text.size() & 0xff));
    out.push_back(static_cast<char>((text.size() >> 8) & 0xff));
    out.push_back(static_cast<char>((text.size() >> 16) & 0xff));
  }
  out.append(text);
  return out;
}

std::string handshake(std::string_view serverVersion, std::uint32_t connectionId,
                      std::string_view scramble, std::uint8_t charset) {
  std::string out;
  out.push_back('\x0a');
  out.append(serverVersion);
  out.push_back('\0');
  put32(out, connectionId);
  out.append(scramble.substr(0, 8));
  out.push_back('\0');
  put16(out, static_cast<std::uint16_t>(kServerCapabilities & 0xffff));
  out.push_back(static_cast<char>(charset));
  put16(out, 0x0002);  // SERVER_STATUS_AUTOCOMMIT
  put16(out, static_cast<std::uint16_t>(kServerCapabilities >> 16));
  out.push_back(static_cast<char>(21));  // scramble length + NUL
  out.append(10, '\0');
  out.append(scramble.substr(8, 12));
  out.push_back('\0');
  out.append("mysql_native_password");
  out.push_back('\0');
  return out;
}

std::optional<HandshakeResponse> parseHandshakeResponse(std::string_view payload,
                                                        std::string& anomaly) {
  HandshakeResponse response;
  if (payload.size() < 4) {
    anomaly = "short_handshake_response";
    return std::nullopt;
  }
  response.capabilities = get32(payload, 0);
  if ((response.capabilities & kClientProtocol41) == 0) {
    anomaly = "pre_41_handshake_response";
    return std::nullopt;
  }
  if (payload.size() < 32) {
    anomaly = "short_handshake_response";
    return std::nullopt;
  }
  response.maxPacket = get32(payload, 4);
  response.charset = static_cast<std::uint8_t>(payload[8]);
  if (payload.size() == 32) {
    if ((response.capabilities & kClientSsl) != 0) {
      response.sslRequest = true;
      return response;
    }
    anomaly = "short_handshake_response";
    return std::nullopt;
  }
  Reader reader(payload);
  reader.skip(32);
  if (!reader.nulString(response.user)) {
    anomaly = "malformed_user";
    return std::nullopt;
  }
  bool ok = true;
  if (response.capabilities & kClientPluginAuthLenenc) {
    ok = reader.lengthEncodedString(response.authResponse);
  } else if (response.capabilities & kClientSecureConnection) {
    std::string length;
    ok = reader.bytes(1, length) &&
         reader.bytes(static_cast<unsigned char>(length[0]), response.authResponse);
  } else {
    ok = reader.nulString(response.authResponse);
  }
  if (!ok) {
    anomaly = "malformed_auth_response";
    return std::nullopt;
  }
  if ((response.capabilities & kClientConnectWithDb) && !reader.done() &&
      !reader.nulString(response.database)) {
    response.database = reader.rest();
  }
  if ((response.capabilities & kClientPluginAuth) && !reader.done() &&
      !reader.nulString(response.plugin)) {
    response.plugin = reader.rest();
  }
  if ((response.capabilities & kClientConnectAttrs) && !reader.done()) {
    std::uint64_t total = 0;
    if (!reader.lengthEncodedInt(total) || total > reader.remaining()) {
      anomaly = "malformed_connect_attrs";
      return response;  // the credentials are still good
    }
    std::string key, value;
    while (!reader.done() && response.attributes.size() < 64) {
      if (!reader.lengthEncodedString(key) || !reader.lengthEncodedString(value)) {
        anomaly = "malformed_connect_attrs";
        break;
      }
      response.attributes.emplace_back(key, value);
    }
  }
  return response;
}

std::string authSwitch(std::string_view plugin, std::string_view scramble) {
  std::string out(1, static_cast<char>(0xfe));
  out.append(plugin);
  out.push_back('\0');
  out.append(scramble);
  out.push_back('\0');
  return out;
}

std::string nativePasswordResponse(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  const std::string stage1 = sha1(password);
  const std::string stage2 = sha1(stage1);
  std::string mix = sha1(std::string(scramble) + stage2);
  for (std::size_t i = 0; i < mix.size(); ++i) mix[i] = static_cast<char>(mix[i] ^ stage1[i]);
  return mix;
}

bool verifyNativePassword(std::string_view password, std::string_view scramble,
                          std::string_view response) {
  return nativePasswordResponse(password, scramble) == response;
}

std::string okPayload(std::uint16_t status) {
  std::string out(3, '\0');  // header, affected rows, last insert id
  put16(out, status);
  put16(out, 0);
  return out;
}

std::string errPayload(std::uint16_t code, std::string_view sqlState, std::string_view message) {
  std::string out(1, static_cast<char>(0xff));
  put16(out, code);
  out.push_back('#');
  out.append(sqlState.substr(0, 5));
  out.append(message);
  return out;
}

std::string eofPayload(std::uint16_t status) {
  std::string out(1, static_cast<char>(0xfe));
  put16(out, 0);
  put16(out, status);
  return out;
}

std::string resultSet(std::uint8_t& sequence, const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::optional<std::string>>>& rows) {
  std::string out = packet(sequence++, std::string(1, static_cast<char>(columns.size())));
  for (const auto& column : columns) out += packet(sequence++, columnDefinition(column));
  out += packet(sequence++, eofPayload());
  for (const auto& row : rows) {
    std::string payload;
    for (const auto& cell : row) {
      payload += cell ? lengthEncoded(*cell) : std::string(1, static_cast<char>(0xfb));
    }
    out += packet(sequence++, payload);
  }
  out += packet(sequence++, eofPayload());
  return out;
}

}  // namespace decnet::decoy::mysql
