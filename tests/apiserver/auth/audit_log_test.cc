#include "apiserver/auth/audit_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace decnet::apiserver::auth {
namespace {

TEST(AuditLog, OneRfc5424LinePerRecord) {
  const std::string line =
      auditLine({"alice", "create", "fleets", 201, "127.0.0.1"}, "2026-12-02T20:00:00Z", "ctl");
  EXPECT_EQ(line,
            "<109>1 2026-12-02T20:00:00Z ctl decnet.audit - create [audit@55555 user=\"alice\" "
            "verb=\"create\" object=\"fleets\" code=\"201\" src_ip=\"127.0.0.1\"] alice create "
            "fleets: 201");
  EXPECT_EQ(auditLine({"bob", "delete", "fleets/x", 403, "::1"}, "t", "h").rfind("<108>1 ", 0), 0u)
      << "refusals are warnings";
}

TEST(AuditLog, ClientChosenNamesCannotForgeLinesOrParams) {
  const std::string line =
      auditLine({"eve\"] \n<109>1 forged", "login", "auth/login", 401, "10.0.0.9"}, "t", "h");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find(R"(user="eve\"\] ?<109>1 forged")"), std::string::npos) << line;
}

TEST(AuditLog, AppendsToItsFile) {
  const std::string path = ::testing::TempDir() + "audit-log-test.log";
  std::remove(path.c_str());
  AuditLog log(path);
  log.write({"alice", "create", "fleets", 201, "127.0.0.1"});
  log.write({"alice", "delete", "fleets/corp", 200, "127.0.0.1"});
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string lines = text.str();
  EXPECT_NE(lines.find("decnet.audit - create"), std::string::npos);
  EXPECT_NE(lines.find("object=\"fleets/corp\""), std::string::npos);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace decnet::apiserver::auth
