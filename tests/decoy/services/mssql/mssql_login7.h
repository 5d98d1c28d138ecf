#pragma once
// Builds TDS PRELOGIN and LOGIN7 payloads the way clients do, for the mssql tests.
#include <string>
#include <vector>

#include "decoy/services/mssql/mssql_protocol.h"

namespace decnet::decoy::mssql::testing {

inline void putLe16(std::string& out, unsigned v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}

inline void putLe32(std::string& out, unsigned v) {
  putLe16(out, v & 0xffff);
  putLe16(out, v >> 16);
}

// nmap's ms-sql-s probe payload shape: VERSION, ENCRYPTION, INSTOPT, THREADID (+ MARS).
inline std::string preloginPayload(int encryption, bool mars) {
  std::string table, data;
  const int count = mars ? 5 : 4;
  const auto add = [&](int token, const std::string& value) {
    table.push_back(static_cast<char>(token));
    const unsigned offset = count * 5 + 1 + static_cast<unsigned>(data.size());
    table.push_back(static_cast<char>(offset >> 8));
    table.push_back(static_cast<char>(offset & 0xff));
    table.push_back(static_cast<char>(value.size() >> 8));
    table.push_back(static_cast<char>(value.size() & 0xff));
    data += value;
  };
  add(0, std::string("\x08\x00\x01\x55\x00\x00", 6));
  add(1, std::string(1, static_cast<char>(encryption)));
  add(2, std::string("MSSQLServer\0", 12));
  add(3, std::string("\x48\x0f\x00\x00", 4));
  if (mars) add(4, std::string(1, '\0'));
  table.push_back(static_cast<char>(0xff));
  return table + data;
}

inline std::string login7Payload(const std::string& host, const std::string& user,
                                 const std::string& password, const std::string& app,
                                 const std::string& server, const std::string& database) {
  std::string fixed;
  putLe32(fixed, 0);           // length, patched below
  putLe32(fixed, 0x74000004);  // TDS 7.4
  putLe32(fixed, 4096);
  putLe32(fixed, 7);
  putLe32(fixed, 1234);
  putLe32(fixed, 0);
  fixed += std::string("\xe0\x03\x00\x00", 4);
  putLe32(fixed, 0);
  putLe32(fixed, 0x0409);
  const std::vector<std::string> fields = {
      utf8ToUtf16(host),   utf8ToUtf16(user),   encodePassword(password),
      utf8ToUtf16(app),    utf8ToUtf16(server), std::string(),
      utf8ToUtf16("ODBC"), std::string(),       utf8ToUtf16(database)};
  std::string data;
  const unsigned base = 94;
  for (const auto& field : fields) {
    putLe16(fixed, base + static_cast<unsigned>(data.size()));
    putLe16(fixed, static_cast<unsigned>(field.size() / 2));
    data += field;
  }
  fixed += std::string(6, '\x01');  // ClientID
  for (int i = 0; i < 3; ++i) {     // SSPI, AtchDBFile, ChangePassword
    putLe16(fixed, base + static_cast<unsigned>(data.size()));
    putLe16(fixed, 0);
  }
  putLe32(fixed, 0);  // SSPILong
  std::string out = fixed + data;
  const auto length = static_cast<unsigned>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return out;
}

}  // namespace decnet::decoy::mssql::testing
