// SftpServer driven with bytes: the SFTP v3 exchange OpenSSH's sftp and scp use.
#include "decoy/services/ssh/sftp_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace decnet::decoy::ssh {
namespace {

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void put64(std::string& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v >> 32));
  put32(out, static_cast<std::uint32_t>(v));
}
void putString(std::string& out, std::string_view s) {
  put32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
std::string frame(std::uint8_t type, std::uint32_t id, const std::string& rest) {
  std::string body(1, static_cast<char>(type));
  put32(body, id);
  body += rest;
  std::string out;
  put32(out, static_cast<std::uint32_t>(body.size()));
  return out + body;
}
std::string init() { return std::string("\0\0\0\5\1\0\0\0\3", 9); }

std::uint32_t get32(std::string_view s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}
// The status code of a STATUS reply, or -1.
int statusOf(const std::string& reply) {
  if (reply.size() < 13 || reply[4] != 101) return -1;
  return static_cast<int>(get32(reply, 9));
}
std::string field(const SftpRecord& record, const std::string& key) {
  for (const auto& [k, v] : record.fields) {
    if (k == key) return v;
  }
  return "<none>";
}

SftpFiles files() {
  SftpFiles f;
  FsFacts facts{"web-01", "admin",    "/home/admin", {"admin"},
                false,    1600000000, 1700000000,    1710000000};
  f.tree = fakeTree(facts);
  f.user = "admin";
  f.home = "/home/admin";
  f.uid = 1000;
  f.now = 1710000000;
  f.content = [](const std::string& path) -> std::optional<std::string> {
    if (path == "/etc/passwd") return std::string("root:x:0:0:root:/root:/bin/bash\n");
    return std::nullopt;
  };
  return f;
}

// Returns the handle string of a HANDLE reply.
std::string handleOf(const std::string& reply) {
  EXPECT_GE(reply.size(), 13u);
  EXPECT_EQ(reply[4], 102);
  return reply.substr(13, get32(reply, 9));
}

TEST(SftpProtocol, InitAnswersVersionThreeWithOpenSshExtensions) {
  SftpServer server(files());
  const auto out = server.feed(init());
  ASSERT_GE(out.reply.size(), 9u);
  EXPECT_EQ(out.reply[4], 2);
  EXPECT_EQ(get32(out.reply, 5), 3u);
  EXPECT_EQ(get32(out.reply, 0), out.reply.size() - 4);
  EXPECT_NE(out.reply.find("posix-rename@openssh.com"), std::string::npos);
  EXPECT_NE(out.reply.find("limits@openssh.com"), std::string::npos);
  EXPECT_FALSE(out.close);
}

TEST(SftpProtocol, RealpathOfDotIsTheHome) {
  SftpServer server(files());
  server.feed(init());
  std::string path;
  putString(path, ".");
  // Split across two feeds: framing must not care.
  const std::string request = frame(16, 7, path);
  auto out = server.feed(request.substr(0, 6));
  EXPECT_TRUE(out.reply.empty());
  out = server.feed(request.substr(6));
  ASSERT_GE(out.reply.size(), 13u);
  EXPECT_EQ(out.reply[4], 104);
  EXPECT_EQ(get32(out.reply, 5), 7u);
  EXPECT_EQ(get32(out.reply, 9), 1u);
  EXPECT_EQ(out.reply.substr(17, get32(out.reply, 13)), "/home/admin");
}

TEST(SftpProtocol, OpenWriteCloseRecordsTheUploadWithItsHash) {
  SftpServer server(files());
  server.feed(init());
  std::string open;
  putString(open, "/tmp/x.sh");
  put32(open, 0x1a);  // WRITE|CREAT|TRUNC
  put32(open, 0);     // no attributes
  auto out = server.feed(frame(3, 1, open));
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(field(out.records[0], "cmd"), "sftp open /tmp/x.sh (write)");
  const std::string handle = handleOf(out.reply);
  // "abc" as "bc" at offset 1 then "a" at 0: offsets, not arrival order, decide the content.
  std::string second;
  putString(second, handle);
  put64(second, 1);
  putString(second, "bc");
  std::string first;
  putString(first, handle);
  put64(first, 0);
  putString(first, "a");
  out = server.feed(frame(6, 2, second) + frame(6, 3, first));
  EXPECT_EQ(out.reply.size(), 2 * 28u);
  EXPECT_EQ(statusOf(out.reply), 0);
  std::string close;
  putString(close, handle);
  out = server.feed(frame(4, 4, close));
  EXPECT_EQ(statusOf(out.reply), 0);
  ASSERT_EQ(out.records.size(), 1u);
  const auto& upload = out.records[0];
  EXPECT_EQ(upload.type, "file_upload");
  EXPECT_EQ(field(upload, "name"), "x.sh");
  EXPECT_EQ(field(upload, "path"), "/tmp/x.sh");
  EXPECT_EQ(field(upload, "size"), "3");
  EXPECT_EQ(field(upload, "sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(field(upload, "anomaly"), "<none>");

  // The file is now in the tree with its size.
  std::string stat;
  putString(stat, "/tmp/x.sh");
  out = server.feed(frame(17, 5, stat));
  ASSERT_GE(out.reply.size(), 21u);
  EXPECT_EQ(out.reply[4], 105);
  EXPECT_EQ(get32(out.reply, 17), 3u);  // low half of the size
}

TEST(SftpProtocol, WritesOutsideWritableDirectoriesAreDenied) {
  SftpServer server(files());
  server.feed(init());
  std::string open;
  putString(open, "/etc/cron.d/evil");
  put32(open, 0x1a);
  put32(open, 0);
  const auto out = server.feed(frame(3, 1, open));
  EXPECT_EQ(statusOf(out.reply), 3);  // permission denied
}

TEST(SftpProtocol, ReadsPasswdAndMissingFiles) {
  SftpServer server(files());
  server.feed(init());
  std::string open;
  putString(open, "/etc/passwd");
  put32(open, 1);
  put32(open, 0);
  auto out = server.feed(frame(3, 1, open));
  const std::string handle = handleOf(out.reply);
  std::string read;
  putString(read, handle);
  put64(read, 0);
  put32(read, 32768);
  out = server.feed(frame(5, 2, read));
  EXPECT_EQ(out.reply[4], 103);
  EXPECT_NE(out.reply.find("root:x:0:0"), std::string::npos);
  std::string missing;
  putString(missing, "/nope/file");
  put32(missing, 1);
  put32(missing, 0);
  out = server.feed(frame(3, 3, missing));
  EXPECT_EQ(statusOf(out.reply), 2);
}

TEST(SftpProtocol, ListingsHaveLongNames) {
  SftpServer server(files());
  server.feed(init());
  std::string path;
  putString(path, "/");
  auto out = server.feed(frame(11, 1, path));
  const std::string handle = handleOf(out.reply);
  std::string readdir;
  putString(readdir, handle);
  out = server.feed(frame(12, 2, readdir));
  EXPECT_EQ(out.reply[4], 104);
  EXPECT_NE(out.reply.find("drwxrwxrwt"), std::string::npos);  // /tmp
  EXPECT_NE(out.reply.find(" etc"), std::string::npos);
  out = server.feed(frame(12, 3, readdir));
  EXPECT_EQ(statusOf(out.reply), 1);  // EOF
}

TEST(SftpProtocol, UnknownRequestsAreUnsupported) {
  SftpServer server(files());
  server.feed(init());
  std::string path;
  putString(path, "/tmp");
  const auto out = server.feed(frame(99, 1, path));
  EXPECT_EQ(statusOf(out.reply), 8);
  EXPECT_FALSE(out.close);
}

TEST(SftpProtocol, OversizedPacketIsAnAnomalyAndCloses) {
  SftpServer server(files());
  server.feed(init());
  const auto out = server.feed(std::string("\x7f\xff\xff\xff\x03garbage", 12));
  EXPECT_TRUE(out.close);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(field(out.records[0], "anomaly"), "packet_too_long");
  EXPECT_TRUE(server.feed(init()).close);
}

TEST(SftpProtocol, TruncatedFieldsAreAnAnomaly) {
  SftpServer server(files());
  server.feed(init());
  std::string open;
  put32(open, 1000);  // a filename longer than the packet
  open += "abc";
  const auto out = server.feed(frame(3, 1, open));
  EXPECT_TRUE(out.close);
  EXPECT_TRUE(out.reply.empty());
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(field(out.records[0], "anomaly"), "malformed_packet");
}

TEST(SftpProtocol, RequestBeforeInitIsAnAnomaly) {
  SftpServer server(files());
  std::string path;
  putString(path, ".");
  const auto out = server.feed(frame(16, 1, path));
  EXPECT_TRUE(out.close);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(field(out.records[0], "anomaly"), "request_before_init");
}

TEST(SftpProtocol, UploadBeyondTheBoundIsIncomplete) {
  SftpLimits limits;
  limits.maxStored = 4;
  SftpServer server(files(), limits);
  server.feed(init());
  std::string open;
  putString(open, "/tmp/big");
  put32(open, 0x1a);
  put32(open, 0);
  const std::string handle = handleOf(server.feed(frame(3, 1, open)).reply);
  std::string write;
  putString(write, handle);
  put64(write, 0);
  putString(write, "0123456789");
  EXPECT_EQ(statusOf(server.feed(frame(6, 2, write)).reply), 4);
  const auto records = server.finish();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(field(records[0], "size"), "10");
  EXPECT_EQ(field(records[0], "anomaly"), "incomplete_upload");
}

}  // namespace
}  // namespace decnet::decoy::ssh
