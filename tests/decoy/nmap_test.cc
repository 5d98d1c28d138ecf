// nmap -sV against one decoy running every emulated TCP service on its standard ports: each port
// must be named as a real product (never unrecognised, never "honeypot"), with and without
// --version-light, and two deckies with different distros must not show the same banners. Each
// decoy gets its own network namespace holding only lo (root: label privileged); the namespaces
// are removed even when an assertion fails. Skips when nmap is absent.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include "api/catalog/catalog.h"
#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

const std::vector<std::string> kTcpServices = {"ssh",   "telnet", "http",     "https",
                                               "ftp",   "smtp",   "pop3",     "imap",
                                               "redis", "mysql",  "postgres", "mssql"};

struct ScanRow {
  std::string state, service, version;
};

// PORT -> row, from nmap's normal output ("2222/tcp open  ssh  OpenSSH 9.2p1 Debian ...").
std::map<int, ScanRow> parseScan(const std::string& output) {
  std::map<int, ScanRow> rows;
  std::istringstream in(output);
  std::string line;
  const std::regex row(R"(^(\d+)/tcp\s+(\S+)\s+(\S+)\s*(.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, row)) rows[std::stoi(m[1])] = {m[2], m[3], m[4]};
  }
  return rows;
}

// A network namespace with lo up, deleted on scope exit.
class Namespace {
 public:
  explicit Namespace(const std::string& name) : name_(name) {
    run("ip netns del " + name_ + " 2>/dev/null");
    ok_ = run("ip netns add " + name_ + " && ip -n " + name_ + " link set lo up").exitCode == 0;
  }
  ~Namespace() { run("ip netns del " + name_ + " 2>/dev/null"); }
  bool ok() const { return ok_; }
  std::string exec(const std::string& command) const {
    return run("ip netns exec " + name_ + " " + command).output;
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool ok_ = false;
};

struct Deployed {
  std::map<std::string, int> ports;  // service -> its standard port
  std::unique_ptr<Namespace> netns;
  std::unique_ptr<DecoyProcess> decoy;
};

Deployed deploy(const std::string& distro, const std::string& hostname) {
  Deployed out;
  out.netns =
      std::make_unique<Namespace>("decnet-nmaptest-" + std::to_string(::getpid()) + "-" + distro);
  api::Json services = api::Json::array();
  for (const auto& name : kTcpServices) {
    out.ports[name] = api::catalog::findService(name)->ports.front();
    services.push_back({{"name", name}});
  }
  out.decoy = std::make_unique<DecoyProcess>(
      api::Json{{"hostname", hostname}, {"distro", distro}, {"services", services}},
      std::vector<std::string>{"--netns", out.netns->name()});
  return out;
}

std::string portList(const Deployed& deployed) {
  std::string list;
  for (const auto& [name, port] : deployed.ports) {
    list += (list.empty() ? "" : ",") + std::to_string(port);
  }
  return list;
}

struct CommandResultView {
  std::string output;
};

class NmapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v nmap").exitCode != 0) GTEST_SKIP() << "nmap is not installed";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for its network namespaces";
  }
};

TEST_F(NmapTest, EveryTcpServiceIsNamedAsARealProduct) {
  Deployed deployed = deploy("debian", "SRV-FILES-21");
  ASSERT_TRUE(deployed.netns->ok());
  ASSERT_TRUE(deployed.decoy->waitFor({" mssql - listening "}, 10s)) << deployed.decoy->events();
  for (const std::string light : {"", "--version-light "}) {
    CommandResultView scan{deployed.netns->exec("nmap -n -Pn -sV " + light + "-p " +
                                                portList(deployed) + " 127.0.0.1 2>&1")};
    const auto rows = parseScan(scan.output);
    for (const auto& [name, port] : deployed.ports) {
      auto it = rows.find(port);
      ASSERT_NE(it, rows.end()) << name << " missing from:\n" << scan.output;
      const ScanRow& row = it->second;
      EXPECT_EQ(row.state, "open") << name << ": " << scan.output;
      EXPECT_EQ(row.service.find('?'), std::string::npos)
          << name << " unrecognised (" << light << "): " << row.service << " " << row.version;
      EXPECT_NE(row.service, "unknown") << name;
      EXPECT_NE(row.service, "tcpwrapped") << name;
      EXPECT_FALSE(row.version.empty()) << name << " shows no product (" << light << ")";
      std::string lower = row.version;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(lower.find("honeypot"), std::string::npos) << name << ": " << row.version;
    }
    EXPECT_EQ(scan.output.find("unrecognized despite returning data"), std::string::npos)
        << scan.output;
  }
  EXPECT_EQ(deployed.decoy->stop(), 0);
}

TEST_F(NmapTest, TwoDistrosShowDifferentBanners) {
  Deployed debian = deploy("debian", "SRV-ALPHA-11");
  Deployed ubuntu = deploy("ubuntu22", "SRV-BRAVO-12");
  ASSERT_TRUE(debian.netns->ok() && ubuntu.netns->ok());
  ASSERT_TRUE(debian.decoy->waitFor({" mssql - listening "}, 10s));
  ASSERT_TRUE(ubuntu.decoy->waitFor({" mssql - listening "}, 10s));
  const std::string scan = "nmap -n -Pn -sV -p 22,80,3306 127.0.0.1 2>&1";
  const auto a = parseScan(debian.netns->exec(scan));
  const auto b = parseScan(ubuntu.netns->exec(scan));
  for (const int port : {22, 80, 3306}) {
    ASSERT_TRUE(a.count(port) && b.count(port)) << port;
    EXPECT_NE(a.at(port).version, b.at(port).version) << port << ": banners must differ";
  }
  EXPECT_NE(a.at(22).version.find("Debian"), std::string::npos) << a.at(22).version;
  EXPECT_NE(b.at(22).version.find("Ubuntu"), std::string::npos) << b.at(22).version;
}

}  // namespace
}  // namespace decnet::decoy::testing
