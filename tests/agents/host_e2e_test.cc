// The host side end to end, as root: a lab of our own (veth pair + attacker namespace), then
// `decnet up` with its embedded agent, real deckies, and real clients from the attacker side.
// Every step compares what exists on the host with what should.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "api/types/object.h"
#include "tests/support/process.h"
#include "tests/support/prometheus.h"

namespace decnet {
namespace {

using testing::CommandResult;
using testing::DecnetUp;
using testing::run;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool eventually(const std::function<bool()>& condition, int seconds = 30) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.insert(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Names unique to this test process, so a parallel or leftover run never collides.
struct Lab {
  const std::string tag = "h" + std::to_string(::getpid() % 100000);
  const std::string parent = "dn" + tag;  // veth host end, <= 15 chars
  const std::string attacker = "decnet-att-" + tag;
  const std::string subnet = "10.77.240.0/24";
  const std::string fleet = "it" + tag;  // deckies it<tag>-01 ...
  std::string labArgs() const {
    return " --parent " + parent + " --attacker-namespace " + attacker;
  }
  CommandResult attack(const std::string& command) const {
    return run("ip netns exec " + attacker + " " + command);
  }
};

class HostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto labUp = run(testing::decnetBinary() + " lab up --subnet " + lab_.subnet + lab_.labArgs());
    ASSERT_EQ(labUp.exitCode, 0) << labUp.output;
    up_ = std::make_unique<DecnetUp>();
    ASSERT_TRUE(up_->ready()) << up_->log();
  }

  void TearDown() override {
    // Clean up even after a failure: down through the API, then by force what is left.
    if (up_) {
      up_->cli("down --yes --timeout 60s");
      up_->stop();
      // Decoys left running: pids in the agent's records that still run decnet-decoy.
      for (const auto& pid :
           lines(run("cat " + up_->dataDir() + "/run/decoys.jsonl " + up_->dataDir() +
                     "/agent/run/decoys.jsonl 2>/dev/null | grep -o '\"pid\":[0-9]*' | "
                     "cut -d: -f2 | sort -u")
                     .output)) {
        run("grep -qa decnet-decoy /proc/" + pid + "/cmdline 2>/dev/null && kill -9 " + pid);
      }
    }
    for (const auto& ns : namespaces()) run("ip netns del " + ns);
    for (const auto& link : hairpins()) run("ip link del " + link);
    run(testing::decnetBinary() + " lab down" + lab_.labArgs());
    up_.reset();
  }

  std::string fleetYaml(int replicas, const std::string& extra = "",
                        const std::string& os = "linux") const {
    return "apiVersion: decnet.io/v1alpha1\nkind: Fleet\nmetadata: {name: " + lab_.fleet +
           "}\nspec:\n"
           "  network: {interface: " +
           lab_.parent + ", subnet: " + lab_.subnet +
           ", gateway: 10.77.240.1, ipRange: 10.77.240.10-10.77.240.60}\n"
           "  replicas: " +
           std::to_string(replicas) +
           "\n"
           "  template:\n    archetype: linux-server\n    osFamily: " +
           os +
           "\n    services:\n"
           "      - {name: ssh, persona: {version: \"OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\", users: "
           "\"root:toor\"}}\n"
           "      - {name: http, persona: {server_header: \"nginx/1.18.0\"}}\n" +
           extra;
  }

  CommandResult apply(const std::string& yaml) {
    const std::string path = up_->dataDir() + "/fleet.yaml";
    std::ofstream(path) << yaml;
    return up_->cli("apply -f " + path);
  }

  api::Json decky(const std::string& name) {
    return api::Json::parse(up_->cli("get decky " + name + " -o json").output, nullptr, false);
  }

  bool allReady(int count) {
    auto list = api::Json::parse(
        up_->cli("get deckies -o json -l decnet.io/fleet=" + lab_.fleet).output, nullptr, false);
    if (!list.is_object()) return false;
    api::Json items = list.contains("items") ? list["items"] : api::Json::array({list});
    if (static_cast<int>(items.size()) != count) return false;
    for (const auto& d : items) {
      if (d["status"].value("phase", "") != "Running") return false;
      if (d["status"].value("observedGeneration", 0) != d["metadata"].value("generation", 0))
        return false;
    }
    return true;
  }

  std::set<std::string> namespaces() const {
    std::set<std::string> out;
    for (const auto& line : lines(run("ip netns list").output)) {
      const std::string name = line.substr(0, line.find(' '));
      if (name.rfind("decnet-" + lab_.fleet + "-", 0) == 0) out.insert(name);
    }
    return out;
  }
  std::set<std::string> hairpins() const {
    std::set<std::string> out;
    for (const auto& line : lines(run("ip -o link show type macvlan").output)) {
      auto colon = line.find(": ");
      auto at = line.find('@', colon);
      const std::string name = line.substr(colon + 2, at - colon - 2);
      if (name.rfind("decnet-hp-", 0) == 0 && contains(line, "@" + lab_.parent)) out.insert(name);
    }
    return out;
  }
  std::set<std::string> decoyProcesses() const {
    std::set<std::string> out;
    for (const auto& line : lines(run("pgrep -a -f 'decoy --decky " + lab_.fleet + "-'").output)) {
      std::smatch m;
      if (std::regex_search(line, m, std::regex("--decky (" + lab_.fleet + "-[a-z0-9-]+)")))
        out.insert(m[1]);
    }
    return out;
  }
  // Nothing missing, nothing extra: namespaces, links and decoy processes match `deckies`.
  void expectHostHolds(const std::set<std::string>& deckies) {
    std::set<std::string> wantNs;
    for (const auto& d : deckies) wantNs.insert("decnet-" + d);
    EXPECT_TRUE(eventually([&] { return namespaces() == wantNs && decoyProcesses() == deckies; }))
        << "namespaces: " << run("ip netns list").output
        << "decoys: " << run("pgrep -a -f 'decoy --decky'").output;
    for (const auto& d : deckies) {
      // Links only: iproute2 may add a diagnostic on stderr (a peer namespace it cannot name).
      auto links = run("ip -n decnet-" + d + " -o link show 2>/dev/null").output;
      std::size_t count = 0;
      for (const auto& line : lines(links))
        count += std::regex_search(line, std::regex("^[0-9]+: ")) ? 1 : 0;
      EXPECT_EQ(count, 2u) << "lo and eth0 only in " << d << ": " << links;
    }
    EXPECT_EQ(hairpins().size(), deckies.empty() ? 0u : 1u);
  }

  std::set<std::string> names(int replicas, std::set<std::string> extra = {}) const {
    for (int i = 1; i <= replicas; ++i) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "%02d", i);
      extra.insert(lab_.fleet + "-" + buffer);
    }
    return extra;
  }

  Lab lab_;
  std::unique_ptr<DecnetUp> up_;
};

TEST_F(HostTest, DeckiesBecomeRealHostsThatAnAttackerCanReach) {
  const std::string extra =
      "  deckies:\n"
      "    - {name: win, osFamily: windows, services: [{name: http, persona: {server_header: "
      "\"Microsoft-IIS/10.0\"}}]}\n"
      "    - {name: emb, osFamily: embedded, services: [{name: http}]}\n";
  auto applied = apply(fleetYaml(1, extra));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  const std::string linux1 = lab_.fleet + "-01", win = lab_.fleet + "-win",
                    emb = lab_.fleet + "-emb";
  ASSERT_TRUE(eventually([&] { return allReady(3); }, 60))
      << up_->cli("get deckies -o wide").output << up_->log();

  // Each OS family answers with its own TTL.
  const std::map<std::string, std::string> ttl = {{linux1, "64"}, {win, "128"}, {emb, "255"}};
  for (const auto& [name, want] : ttl) {
    const std::string ip = decky(name)["spec"]["ip"];
    auto ping = lab_.attack("ping -c1 -W2 " + ip);
    EXPECT_TRUE(contains(ping.output, "ttl=" + want)) << name << ": " << ping.output;
    // MAC and address as the spec says, inside the decky's own namespace.
    auto addr = run("ip -n decnet-" + name + " addr show eth0").output;
    EXPECT_TRUE(contains(addr, decky(name)["spec"]["mac"].get<std::string>())) << addr;
    EXPECT_TRUE(contains(addr, ip + "/24")) << addr;
  }

  // The http persona's Server header, through a real client.
  const std::string winIp = decky(win)["spec"]["ip"];
  auto curl = lab_.attack("curl -sI --max-time 5 http://" + winIp + "/");
  EXPECT_TRUE(contains(curl.output, "Server: Microsoft-IIS/10.0")) << curl.output;

  // OpenSSH refuses a wrong password and the spool records principal and secret.
  const std::string ip1 = decky(linux1)["spec"]["ip"];
  const std::string askpass = up_->dataDir() + "/askpass.sh";
  std::ofstream(askpass) << "#!/bin/sh\necho hunter2-wrong\n";
  run("chmod +x " + askpass);
  auto ssh = lab_.attack(
      "env SSH_ASKPASS=" + askpass +
      " SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w ssh "
      "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "
      "-o PreferredAuthentications=password,keyboard-interactive -o NumberOfPasswordPrompts=1 "
      "admin@" +
      ip1 + " true");
  EXPECT_NE(ssh.exitCode, 0) << ssh.output;
  EXPECT_TRUE(contains(ssh.output, "Permission denied")) << ssh.output;
  EXPECT_TRUE(eventually([&] {
    auto spool = run("cat " + up_->dataDir() + "/spool/local.log").output;
    return contains(spool, "auth_attempt") && contains(spool, "principal=\"admin\"") &&
           contains(spool, "secret=\"hunter2-wrong\"") && contains(spool, "sequenceId=");
  })) << run("tail -5 " + up_->dataDir() + "/spool/local.log").output;

  // Each decky has its own hostname in its own UTS namespace.
  std::set<std::string> hostnames;
  for (const auto& name : {linux1, win, emb}) {
    const int pid = decky(name)["status"].value("decoyPid", 0);
    ASSERT_GT(pid, 0);
    auto hostname = run("nsenter --uts --target " + std::to_string(pid) + " hostname").output;
    EXPECT_EQ(hostname, decky(name)["spec"]["hostname"].get<std::string>() + "\n");
    hostnames.insert(hostname);
  }
  EXPECT_EQ(hostnames.size(), 3u);
  expectHostHolds({linux1, win, emb});

  // decnet down: every fleet deleted and torn down; nothing of it remains on the host.
  auto down = up_->cli("down --yes --timeout 60s");
  EXPECT_EQ(down.exitCode, 0) << down.output;
  EXPECT_TRUE(contains(down.output, "all deckies torn down")) << down.output;
  expectHostHolds({});
}

// One decky running the thirteen emulators; real clients from the attacker namespace; each
// credential must reach the node's spool, with its principal and secret, within a second.
TEST_F(HostTest, EveryEmulatorsCredentialsReachTheSpoolWithinASecond) {
  std::string yaml = fleetYaml(1);
  yaml = yaml.substr(0, yaml.find("    services:\n")) + "    services:\n";
  for (const char* service : {"ssh", "telnet", "http", "https", "ftp", "smtp", "pop3", "imap",
                              "redis", "mysql", "postgres", "mssql"}) {
    yaml += "      - {name: " + std::string(service) + "}\n";
  }
  yaml += "      - {name: snmp}\n";
  auto applied = apply(yaml);
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return allReady(1); }, 60))
      << up_->cli("get deckies -o wide").output << up_->log();
  const std::string ip = decky(lab_.fleet + "-01")["spec"]["ip"];
  const std::string spool = up_->dataDir() + "/spool/local.log";
  const std::string askpass = up_->dataDir() + "/askpass-all.sh";
  std::ofstream(askpass) << "#!/bin/sh\necho pw-ssh\n";
  run("chmod +x " + askpass);

  struct Attack {
    std::string service, command, principal, secret;
  };
  const std::vector<Attack> attacks = {
      {"ssh",
       "env SSH_ASKPASS=" + askpass +
           " SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w ssh -o StrictHostKeyChecking=no "
           "-o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o NumberOfPasswordPrompts=1 "
           "-o PreferredAuthentications=password alice@" +
           ip + " true",
       "alice", "pw-ssh"},
      {"http", "curl -s --max-time 5 -u alice:pw-http http://" + ip + "/", "alice", "pw-http"},
      {"https", "curl -sk --max-time 5 -u alice:pw-https https://" + ip + "/", "alice", "pw-https"},
      {"ftp", "curl -s --max-time 8 -u alice:pw-ftp ftp://" + ip + "/", "alice", "pw-ftp"},
      {"pop3", "curl -s --max-time 8 -u alice:pw-pop3 pop3://" + ip + "/", "alice", "pw-pop3"},
      {"imap", "curl -s --max-time 8 -u alice:pw-imap imap://" + ip + "/", "alice", "pw-imap"},
      {"smtp",
       "curl -s --max-time 8 -u alice:pw-smtp --mail-from a@example.test --mail-rcpt "
       "b@example.test -T /dev/null smtp://" +
           ip + "/",
       "alice", "pw-smtp"},
      {"redis", "redis-cli -h " + ip + " --user alice --pass pw-redis --no-auth-warning PING",
       "alice", "pw-redis"},
      {"mysql",
       "mysql --connect-timeout=5 --skip-ssl -h " + ip + " -u alice -ppw-mysql -e 'select 1'",
       "alice", ""},  // the secret is the scramble response, not the password
      {"postgres",
       "env PGPASSWORD=pw-pg PGCONNECT_TIMEOUT=5 psql 'host=" + ip +
           " user=alice dbname=app sslmode=disable' -c 'select 1'",
       "alice", ""},  // md5: the secret is the hash the client sent
      {"telnet", "hydra -l alice -p pw-telnet -t 1 " + ip + " telnet", "alice", "pw-telnet"},
      {"mssql", "hydra -l alice -p pw-mssql -t 1 " + ip + " mssql", "alice", "pw-mssql"},
      {"snmp", "snmpget -v2c -c pw-snmp -t 1 -r 0 " + ip + " 1.3.6.1.2.1.1.1.0", "", "pw-snmp"},
  };
  for (const auto& attack : attacks) {
    lab_.attack("timeout 20 " + attack.command + " </dev/null");
    const auto arrived = [&] {
      for (const auto& line : lines(run("cat " + spool).output)) {
        if (contains(line, " " + attack.service + " - ") &&
            contains(line, attack.service == "snmp" ? " get_request " : " auth_attempt ") &&
            (attack.principal.empty() ||
             contains(line, "principal=\"" + attack.principal + "\"")) &&
            (attack.secret.empty() || contains(line, "secret=\"" + attack.secret + "\"")) &&
            contains(line, "sequenceId=")) {
          return true;
        }
      }
      return false;
    };
    EXPECT_TRUE(eventually(arrived, 1))
        << attack.service << "'s credential did not reach the spool within a second\n"
        << run("grep ' " + attack.service + " - ' " + spool + " | tail -5").output;
  }
}

// The event pipeline end to end: the lab attacker scans three deckies and tries credentials on
// each. The correlator makes one attacker of it with the traversal and the credentials, the
// profiler classifies it, and an SSE client sees the events live and resumes without a gap.
TEST_F(HostTest, OneAttackerAcrossThreeDeckiesIsCorrelatedProfiledAndStreamed) {
  auto applied = apply(fleetYaml(3));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return allReady(3); }, 60))
      << up_->cli("get deckies -o wide").output << up_->log();
  std::vector<std::string> ips;
  for (const auto& name : names(3)) ips.push_back(decky(name)["spec"]["ip"]);
  std::smatch found;
  const std::string addresses = lab_.attack("ip -4 -o addr show").output;
  ASSERT_TRUE(std::regex_search(addresses, found, std::regex("inet (10\\.77\\.240\\.[0-9]+)/")))
      << addresses;
  const std::string attacker = found[1];
  const std::string stream = up_->server() + "/api/v1/stream?attacker=" + attacker;
  const std::string first = up_->dataDir() + "/stream-1.txt";
  const std::string second = up_->dataDir() + "/stream-2.txt";

  // Connected before the attack: the scan's events arrive live.
  const std::string reader = run("curl -sN --max-time 60 " + up_->bearer() + " '" + stream +
                                 "' > " + first + " 2>&1 & echo $!")
                                 .output;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto scan =
      lab_.attack("timeout 40 nmap -sV -Pn -n -p 22,80 " + ips[0] + " " + ips[1] + " " + ips[2]);
  EXPECT_EQ(scan.exitCode, 0) << scan.output;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the scan's last events arrive
  run("kill " + reader);                                 // the client goes away

  // Disconnected: credentials on each decky, then a reconnect from the last id seen.
  const std::string askpass = up_->dataDir() + "/askpass-e2e.sh";
  std::ofstream(askpass) << "#!/bin/sh\necho hunter2\n";
  run("chmod +x " + askpass);
  for (const auto& ip : ips) {
    lab_.attack("env SSH_ASKPASS=" + askpass +
                " SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w timeout 20 ssh "
                "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                "-o ConnectTimeout=5 -o NumberOfPasswordPrompts=1 "
                "-o PreferredAuthentications=password root@" +
                ip + " true </dev/null");
  }
  const auto ids = [](const std::string& text) {
    std::vector<std::string> out;
    std::smatch m;
    for (auto it = text.cbegin();
         std::regex_search(it, text.cend(), m, std::regex("id: ([0-9]+)\n"));
         it = m.suffix().first) {
      out.push_back(m[1]);
    }
    return out;
  };
  const std::vector<std::string> live = ids(run("cat " + first).output);
  ASSERT_FALSE(live.empty()) << "no event reached the first SSE client: "
                             << run("cat " + first).output << up_->log();
  // Wait until the credentials are stored, then resume.
  ASSERT_TRUE(eventually(
      [&] {
        return lines(up_->cli("events --json --type auth_attempt --attacker " + attacker).output)
                   .size() >= 3;
      },
      30))
      << up_->cli("events --attacker " + attacker).output;
  run("curl -sN --max-time 3 " + up_->bearer() + " -H 'Last-Event-ID: " + live.back() + "' '" +
      stream + "' > " + second + " 2>&1");
  std::vector<std::string> streamed = live;
  for (const auto& id : ids(run("cat " + second).output)) streamed.push_back(id);
  std::vector<std::string> stored;
  for (const auto& line :
       lines(up_->cli("events --json --limit 1000 --attacker " + attacker).output)) {
    auto event = api::Json::parse(line, nullptr, false);
    if (event.is_object()) stored.push_back(event["id"]);
  }
  std::sort(stored.begin(), stored.end(), [](const std::string& a, const std::string& b) {
    return std::stoll(a) < std::stoll(b);
  });
  EXPECT_EQ(streamed, stored) << "the two streams together are every event, once, in order";

  // One attacker: the traversal over the three deckies, its credentials, a behaviour class.
  api::Json record;
  ASSERT_TRUE(eventually(
      [&] {
        auto list = api::Json::parse(run("curl -s " + up_->bearer() + " '" + up_->server() +
                                         "/api/v1/attackers?ip=" + attacker + "'")
                                         .output,
                                     nullptr, false);
        if (!list.is_object() || list["items"].size() != 1) return false;
        record = list["items"][0];
        return record.value("profiled", false) && record["deckies"].size() == 3 &&
               record.value("credential_count", 0) >= 3 &&
               record.value("event_count", 0) == static_cast<int>(stored.size());
      },
      30))
      << record.dump(2);
  std::set<std::string> traversed;
  for (const auto& hop : record["traversal"]) traversed.insert(hop["decky"]);
  EXPECT_EQ(traversed, names(3)) << record.dump(2);
  const std::string behaviour = record["behaviour"];
  EXPECT_TRUE(behaviour == "scanning" || behaviour == "brute_force") << record.dump(2);
  EXPECT_GT(record.value("threat_score", 0), 0);
  // The lab attacker is a Linux namespace one link away: its SYNs arrive with TTL 64.
  EXPECT_EQ(record.value("os_guess", ""), "linux") << record.dump(2);
  auto described = up_->cli("describe attacker " + attacker);
  EXPECT_EQ(described.exitCode, 0) << described.output;
  EXPECT_TRUE(contains(described.output, "hunter2")) << described.output;
  EXPECT_TRUE(contains(described.output, "Behaviour:    " + behaviour)) << described.output;
  auto table = up_->cli("get attackers");
  EXPECT_TRUE(contains(table.output, attacker)) << table.output;
}

// kill -9 of the collector while the lab attacker runs a bounded hydra and nmap: every line the
// decoys emitted is stored exactly once, counted by sequence number.
TEST_F(HostTest, KillingTheCollectorLosesAndDoublesNothing) {
  auto applied = apply(fleetYaml(1));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return allReady(1); }, 60)) << up_->log();
  const std::string ip = decky(lab_.fleet + "-01")["spec"]["ip"];
  const std::string collectorMatch =
      "'collect --listen 127.0.0.1:" + std::to_string(up_->collectPort()) + "'";
  const std::string before = run("pgrep -f " + collectorMatch).output;
  ASSERT_FALSE(before.empty()) << up_->log();
  std::ofstream(up_->dataDir() + "/users.txt") << "root\nadmin\nalice\nbob\n";
  std::ofstream(up_->dataDir() + "/passwords.txt")
      << "123456\npassword\nletmein\nqwerty\ntoor\nadmin\nhunter2\nchangeme\n";
  std::thread attack([&] {
    lab_.attack("timeout 60 hydra -L " + up_->dataDir() + "/users.txt -P " + up_->dataDir() +
                "/passwords.txt -t 4 http-get://" + ip + "/admin");
    lab_.attack("timeout 60 nmap -sV -Pn -n -p 22,80 " + ip);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  run("pkill -9 -f " + collectorMatch);
  attack.join();
  // The supervisor starts a new collector; the forwarder resends from its committed position.
  std::string after;
  ASSERT_TRUE(eventually(
      [&] {
        after = run("pgrep -f " + collectorMatch).output;
        return !after.empty() && after != before;
      },
      10))
      << up_->log();

  const auto spooled = [&] {
    std::set<long long> out;
    std::smatch m;
    for (const auto& line : lines(run("cat " + up_->dataDir() + "/spool/local.log*").output)) {
      if (std::regex_search(line, m, std::regex("sequenceId=\"([0-9]+)\""))) {
        out.insert(std::stoll(m[1]));
      }
    }
    return out;
  };
  std::vector<long long> stored;
  std::set<long long> emitted;
  ASSERT_TRUE(eventually(
      [&] {
        emitted = spooled();
        stored.clear();
        for (const auto& line : lines(up_->cli("events --json --limit 1000").output)) {
          auto event = api::Json::parse(line, nullptr, false);
          if (event.is_object() && event["sequence_id"].is_number()) {
            stored.push_back(event["sequence_id"].get<long long>());
          }
        }
        return stored.size() >= emitted.size() && !emitted.empty();
      },
      30))
      << stored.size() << " stored of " << emitted.size() << "\n"
      << up_->log();
  EXPECT_GT(emitted.size(), 20u) << "hydra's attempts and nmap's probes";
  const std::set<long long> unique(stored.begin(), stored.end());
  EXPECT_EQ(unique.size(), stored.size()) << "an event was stored twice";
  EXPECT_EQ(unique, emitted) << "stored and emitted sequence numbers differ";
}

// A 30 s wrk flood against one decky: the data dir grows by little (folding at the agent, decoy
// logs released once spooled, spool segments trimmed), and the flood is in the events with its
// count.
TEST_F(HostTest, AWrkFloodIsRecordedAsAFloodWithBoundedDisk) {
  auto applied = apply(fleetYaml(1));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return allReady(1); }, 60)) << up_->log();
  const std::string ip = decky(lab_.fleet + "-01")["spec"]["ip"];
  const auto diskKiB = [&] {
    return std::stoll(run("du -sk " + up_->dataDir() + " | cut -f1").output);
  };
  const long long before = diskKiB();
  auto wrk = lab_.attack("wrk -t2 -c16 -d30s http://" + ip + "/wp-login.php");
  ASSERT_EQ(wrk.exitCode, 0) << wrk.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(wrk.output, m, std::regex("([0-9]+) requests in"))) << wrk.output;
  const long long requests = std::stoll(m[1]);
  EXPECT_GT(requests, 10000) << wrk.output;

  // Every request is accounted for: the lines stored as they came plus the counts of the folded.
  long long recorded = 0;
  int folded = 0;
  ASSERT_TRUE(eventually(
      [&] {
        recorded = 0;
        folded = 0;
        for (const auto& line :
             lines(up_->cli("events --json --limit 1000 --type request --service http").output)) {
          auto event = api::Json::parse(line, nullptr, false);
          if (!event.is_object()) continue;
          const std::string count = event["fields"].value("count", "");
          recorded += count.empty() ? 1 : std::stoll(count);
          folded += count.empty() ? 0 : 1;
        }
        return recorded >= requests;
      },
      30))
      << recorded << " of " << requests << " requests recorded";
  EXPECT_GT(folded, 10) << "the flood was not folded";
  const long long grown = diskKiB() - before;
  std::cout << "wrk: " << requests << " requests, data dir +" << grown << " KiB, " << folded
            << " count lines\n";
  // Unfolded, 30 s of this wrote ~200 MB; folded, about 100 lines a second stay.
  EXPECT_LT(grown, 20 * 1024) << wrk.output;
}

TEST_F(HostTest, LifecycleKeepsTheHostExactlyAsDeclared) {
  ASSERT_EQ(apply(fleetYaml(3)).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return allReady(3); }, 60))
      << up_->cli("get deckies -o wide").output;
  expectHostHolds(names(3));

  // Scale up and down.
  ASSERT_EQ(apply(fleetYaml(5)).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return allReady(5); }, 60));
  expectHostHolds(names(5));
  ASSERT_EQ(apply(fleetYaml(2)).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return allReady(2); }, 60));
  expectHostHolds(names(2));

  // An OS family change re-creates what it must: the deckies answer with the new TTL.
  const std::string d1 = lab_.fleet + "-01";
  ASSERT_EQ(apply(fleetYaml(2, "", "windows")).exitCode, 0);
  ASSERT_TRUE(eventually(
      [&] {
        return allReady(2) &&
               contains(
                   lab_.attack("ping -c1 -W1 " + decky(d1)["spec"]["ip"].get<std::string>()).output,
                   "ttl=128");
      },
      60))
      << up_->cli("get deckies -o wide").output;

  // A forced mutation: new hostname, the decky answers as its new self, others keep serving.
  const std::string before = decky(d1)["spec"]["hostname"];
  const int untouched = decky(lab_.fleet + "-02")["status"].value("decoyPid", 0);
  ASSERT_EQ(up_->cli("mutate decky " + d1).exitCode, 0);
  ASSERT_TRUE(eventually(
      [&] {
        auto now = decky(d1);
        const int pid = now["status"].value("decoyPid", 0);
        return now["spec"]["hostname"] != before && allReady(2) && pid > 0 &&
               run("nsenter --uts --target " + std::to_string(pid) + " hostname").output ==
                   now["spec"]["hostname"].get<std::string>() + "\n";
      },
      60));
  EXPECT_EQ(decky(lab_.fleet + "-02")["status"].value("decoyPid", 0), untouched)
      << "the other decky kept serving";

  // Drift: a link removed by hand comes back within a resync period.
  run("ip -n decnet-" + d1 + " link del eth0");
  ASSERT_TRUE(eventually(
      [&] {
        return contains(run("ip -n decnet-" + d1 + " addr show eth0").output,
                        decky(d1)["spec"]["ip"].get<std::string>());
      },
      30));
  // A namespace deleted by hand comes back, with its decoy in it.
  run("ip netns del decnet-" + d1);
  ASSERT_TRUE(eventually(
      [&] {
        return contains(lab_.attack("curl -sI --max-time 2 http://" +
                                    decky(d1)["spec"]["ip"].get<std::string>() + "/")
                            .output,
                        "Server: nginx/1.18.0");
      },
      40))
      << up_->cli("describe decky " + d1).output;

  // A decoy killed by hand is restarted, and the restart shows in status.
  const int victim = decky(d1)["status"].value("decoyPid", 0);
  ASSERT_GT(victim, 0);
  run("kill -9 " + std::to_string(victim));
  ASSERT_TRUE(eventually(
      [&] {
        auto now = decky(d1);
        return now["status"].value("restarts", 0) >= 1 &&
               now["status"].value("decoyPid", 0) != victim &&
               now["status"].value("phase", "") == "Running";
      },
      40))
      << up_->cli("describe decky " + d1).output;
  expectHostHolds(names(2));

  // kill -9 of the whole control plane and agent mid-apply; the next start converges.
  ASSERT_EQ(apply(fleetYaml(4)).exitCode, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  run("pkill -9 -f 'decnet up --data-dir " + up_->dataDir() + "'");
  up_->stop();
  up_->releaseDataDir();
  auto restarted = std::make_unique<DecnetUp>(std::vector<std::string>{}, up_->dataDir());
  restarted->adoptDataDir();
  ASSERT_TRUE(restarted->ready()) << restarted->log();
  up_.swap(restarted);
  restarted.reset();
  ASSERT_TRUE(eventually([&] { return allReady(4); }, 60))
      << up_->cli("get deckies -o wide").output;
  expectHostHolds(names(4));

  // Delete: the finalizer tears everything down before the objects go, and --wait returns
  // only then: no decky left, no namespace left, at once.
  auto deleted = up_->cli("delete fleet " + lab_.fleet + " --wait --timeout 60s");
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_EQ(up_->cli("get deckies").output.find(lab_.fleet), std::string::npos)
      << up_->cli("get deckies").output;
  EXPECT_TRUE(namespaces().empty()) << run("ip netns list").output;
  expectHostHolds({});
}

// The split deployment: a control plane alone (`decnet up --no-agent`) serving the API over
// HTTPS (decnet's own CA) and the collector over TLS, both on a host address beyond loopback;
// `decnet agent` joins with a bootstrap token and the CA's hash, talks to the API over mutual TLS
// with its own node certificate (list + watch), runs the deckies placed on it by nodeSelector,
// and ships their events to the collector with that same certificate.
TEST_F(HostTest, RemoteAgentJoinsOverMutualTlsAndRunsTheDeckiesScheduledOnItsNode) {
  up_->stop();  // this test runs its own control plane without an agent
  // A host address beyond loopback, on the lab's own veth end (/32: no route to the decoy LAN).
  const std::string host = "10.77.240.2";
  ASSERT_EQ(run("ip addr add " + host + "/32 dev " + lab_.parent).exitCode, 0);
  const int port = testing::freePort(), collectPort = testing::freePort();
  const std::string server = "https://" + host + ":" + std::to_string(port);
  const std::string collector = host + ":" + std::to_string(collectPort);
  const std::string dir = up_->dataDir();
  testing::ChildProcess controller(
      {testing::decnetBinary(), "up", "--no-agent", "--data-dir", dir + "/ctl", "--listen",
       host + ":" + std::to_string(port), "--tls-self-signed", "--collect-listen", collector,
       "--worker-metrics-port", "0"},
      dir + "/controller.log");
  ASSERT_TRUE(eventually([&] { return run("curl -sfk " + server + "/readyz").exitCode == 0; }, 10))
      << controller.log();
  // The CA's hash as kubeadm documents computing it, from the CA file alone.
  const std::string caHash =
      "sha256:" + run("openssl x509 -pubkey -in " + dir +
                      "/ctl/pki/ca.crt | openssl pkey -pubin -outform der | sha256sum")
                      .output.substr(0, 64);
  auto token = run("(" + testing::decnetBinary() + " token create --ttl 10m --data-dir " + dir +
                   "/ctl 2>/dev/null)");
  ASSERT_EQ(token.exitCode, 0) << token.output;
  // Beyond loopback the collector speaks TLS only, and only to holders of a node certificate.
  EXPECT_TRUE(eventually([&] {
    return contains(run("openssl s_client -connect " + collector + " -CAfile " + dir +
                        "/ctl/pki/ca.crt -verify_ip " + host + " </dev/null 2>&1")
                        .output,
                    "Verify return code: 0 (ok)");
  })) << controller.log();
  testing::ChildProcess agent(
      {testing::decnetBinary(), "agent", "--node", "edge-" + lab_.tag, "--controller", server,
       "--data-dir", dir + "/agent", "-l", "site=edge", "--token",
       token.output.substr(0, token.output.find('\n')), "--ca-hash", caHash, "--collector",
       collector, "--certificate-check", "1s"},
      dir + "/agent.log");
  const auto cli = [&](const std::string& args) {
    return run(testing::decnetBinary() + " --server " + server + " --kubeconfig " + dir +
               "/ctl/admin.conf " + args);
  };
  ASSERT_TRUE(eventually([&] { return contains(cli("get nodes").output, "edge-" + lab_.tag); }, 10))
      << agent.log();
  EXPECT_TRUE(contains(agent.log(), "client certificate, mTLS")) << agent.log();
  EXPECT_TRUE(contains(run("cat " + dir + "/agent/node.conf").output, "client-certificate-data"));
  EXPECT_FALSE(contains(run("cat " + dir + "/agent/node.conf").output, "token:"))
      << "the node works by certificate, not by token";

  const std::string path = dir + "/edge.yaml";
  std::ofstream(path) << fleetYaml(2, "  nodeSelector: {site: edge}\n");
  ASSERT_EQ(cli("apply -f " + path).exitCode, 0);
  const auto ready = [&] {
    auto list = api::Json::parse(cli("get deckies -o json -l decnet.io/fleet=" + lab_.fleet).output,
                                 nullptr, false);
    if (!list.is_object() || !list.contains("items") || list["items"].size() != 2) return false;
    for (const auto& d : list["items"]) {
      if (d["spec"].value("node", "") != "edge-" + lab_.tag ||
          d["status"].value("phase", "") != "Running")
        return false;
    }
    return true;
  };
  ASSERT_TRUE(eventually(ready, 60)) << cli("get deckies -o wide").output << agent.log();
  auto curl = lab_.attack("curl -sI --max-time 5 http://10.77.240.10/");
  EXPECT_TRUE(contains(curl.output, "Server: nginx/1.18.0")) << curl.output;
  // The request reaches the collector over the node's mTLS link and is stored for the API.
  EXPECT_TRUE(eventually([&] {
    return contains(cli("events --service http --decky " + lab_.fleet + "-01").output, "request");
  })) << cli("events").output
      << agent.log() << controller.log();
  EXPECT_TRUE(contains(run("ls " + dir + "/agent/pki").output, "node.crt"));

  // A node certificate near its end is renewed while the agent runs: node.conf is given one of
  // the same node with 5 days left, signed by the same CA, and the agent replaces it (checking
  // each second here), then goes on working with the new one (the delete below needs it).
  const std::string node = "edge-" + lab_.tag, renew = dir + "/renew";
  ASSERT_EQ(
      run("mkdir -p " + renew +
          " && openssl req -newkey ec -pkeyopt "
          "ec_paramgen_curve:P-256 -nodes -subj /CN=system:node:" +
          node + " -keyout " + renew + "/n.key -out " + renew +
          "/n.csr 2>&1 && printf "
          "'extendedKeyUsage=clientAuth\\n' > " +
          renew + "/ext && openssl x509 -req -in " + renew + "/n.csr -CA " + dir +
          "/ctl/pki/ca.crt -CAkey " + dir + "/ctl/pki/ca.key -CAcreateserial -days 5 -extfile " +
          renew + "/ext -out " + renew + "/n.crt 2>&1")
          .exitCode,
      0);
  const std::string nodeConf = dir + "/agent/node.conf";
  const auto certificateDaysOk = [&](int days) {
    return run("grep client-certificate-data " + nodeConf +
               " | awk '{print $2}' | tr -d '\"' | base64 -d | openssl x509 -noout -checkend " +
               std::to_string(days * 86400))
               .exitCode == 0;
  };
  ASSERT_EQ(run("sed -i \"s|client-certificate-data: .*|client-certificate-data: $(base64 -w0 " +
                renew + "/n.crt)|; s|client-key-data: .*|client-key-data: $(base64 -w0 " + renew +
                "/n.key)|\" " + nodeConf)
                .exitCode,
            0);
  ASSERT_FALSE(certificateDaysOk(30)) << "the planted certificate has 5 days left";
  EXPECT_TRUE(eventually([&] { return certificateDaysOk(300); }, 15))
      << "not renewed while running: " << agent.log();
  EXPECT_TRUE(contains(agent.log(), "node certificate renewed")) << agent.log();

  auto deleted = cli("delete fleet " + lab_.fleet + " --wait --timeout 60s");
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  expectHostHolds({});
  agent.stop();
  controller.stop();
  run("ip addr del " + host + "/32 dev " + lab_.parent);
}

TEST_F(HostTest, PrometheusScrapesTheLabFleetAndItsDashboardAndSeesANodeStop) {
  // A split deployment: `decnet up --no-agent` (controller, collector, correlator, profiler,
  // each serving /metrics) and a `decnet agent` for node edge-<tag> that runs the fleet, ships
  // to that collector and serves its own /metrics, so that it can be stopped.
  const int workers = testing::freePortRun();
  ASSERT_GT(workers, 0);
  up_->stop();
  up_ = std::make_unique<DecnetUp>(
      std::vector<std::string>{"--no-agent", "--worker-metrics-port", std::to_string(workers)});
  ASSERT_TRUE(up_->ready()) << up_->log();
  const std::string edge = "edge-" + lab_.tag;
  const int agentPort = testing::freePort();
  auto token = run("(" + testing::decnetBinary() + " token create --data-dir " + up_->dataDir() +
                   " 2>/dev/null)");
  ASSERT_EQ(token.exitCode, 0) << token.output;
  auto agent = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{testing::decnetBinary(), "agent", "--node", edge, "--controller",
                               up_->server(), "--data-dir", up_->dataDir() + "/agent", "--token",
                               token.output.substr(0, token.output.find('\n')), "-l", "site=edge",
                               "--collector", "127.0.0.1:" + std::to_string(up_->collectPort()),
                               "--metrics-listen", "127.0.0.1:" + std::to_string(agentPort)},
      up_->dataDir() + "/agent.log");
  ASSERT_TRUE(eventually([&] { return contains(up_->cli("get nodes").output, edge); }, 10))
      << agent->log();
  auto applied = apply(fleetYaml(1, "  nodeSelector: {site: edge}\n"));
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return allReady(1); }, 60))
      << up_->cli("get deckies -o wide").output << agent->log();
  testing::PrometheusServer prometheus(
      up_->dataDir() + "/prometheus", testing::decnetUpTargets(up_->server(), workers),
      "  - job_name: decnet-agent\n    static_configs:\n      - targets: [\"127.0.0.1:" +
          std::to_string(agentPort) + "\"]\n",
      {testing::sourceDir() + "/tests/manifests/prometheus/node_not_ready_fast.yml"});
  EXPECT_EQ(prometheus.valueOf("decnet_fleet_ready_replicas{fleet=\"" + lab_.fleet + "\"}",
                               [](double v) { return v == 1; }),
            1)
      << prometheus.targets();
  const double reconciles =
      prometheus.valueOf("sum(controller_runtime_reconcile_total)", [](double v) { return v > 0; });
  const std::string ip = decky(lab_.fleet + "-01")["spec"]["ip"];
  const std::string askpass = up_->dataDir() + "/askpass-prom.sh";
  std::ofstream(askpass) << "#!/bin/sh\necho hunter2\n";
  run("chmod +x " + askpass);
  const auto login =
      lab_.attack("env SSH_ASKPASS=" + askpass +
                  " SSH_ASKPASS_REQUIRE=force DISPLAY=none setsid -w timeout 20 ssh "
                  "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 "
                  "-o NumberOfPasswordPrompts=1 -o PreferredAuthentications=password root@" +
                  ip + " true </dev/null");
  lab_.attack("curl -s --max-time 5 http://" + ip + "/");
  EXPECT_GE(prometheus.valueOf("decnet_credentials_captured_total{service=\"ssh\"}",
                               [](double v) { return v >= 1; }),
            1)
      << prometheus.query("decnet_attacker_events_total").dump() << "\nssh: " << login.output
      << "\nspool: "
      << run("tail -c 3000 " + up_->dataDir() + "/agent/spool/" + edge + ".log").output;
  // The agent's exposition (decoys, spool, its reconciler) passes promtool's checks.
  const std::string agentMetrics = up_->dataDir() + "/agent-metrics.txt";
  ASSERT_EQ(run("curl -sf -o " + agentMetrics + " http://127.0.0.1:" + std::to_string(agentPort) +
                "/metrics")
                .exitCode,
            0);
  const auto checked = run("promtool check metrics < " + agentMetrics);
  EXPECT_EQ(checked.exitCode, 0) << checked.output;
  ASSERT_EQ(up_->cli("mutate decky " + lab_.fleet + "-01").exitCode, 0);
  EXPECT_FALSE(std::isnan(prometheus.valueOf("sum(controller_runtime_reconcile_total)",
                                             [&](double v) { return v > reconciles; })));

  // Every PromQL expression of the Grafana dashboard parses and returns series here.
  std::ifstream dashboardFile(testing::sourceDir() + "/manifests/grafana/decnet.json");
  const auto dashboard = api::Json::parse(dashboardFile, nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  int expressions = 0;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      ++expressions;
      const auto answer = api::Json::parse(prometheus.queryRaw(expr), nullptr, false);
      EXPECT_EQ(answer.value("status", ""), "success")
          << panel["title"] << ": " << expr << " -> " << answer.dump();
      EXPECT_TRUE(eventually([&] { return !prometheus.query(expr).empty(); }, 15))
          << panel["title"] << ": " << expr << " returns no series";
    }
  }
  EXPECT_GE(expressions, 10);

  // The second node's agent stops: the node goes NotReady after its grace, and the alert fires.
  EXPECT_EQ(prometheus.valueOf("decnet_node_ready{node=\"" + edge + "\"}",
                               [](double v) { return v == 1; }),
            1);
  agent.reset();
  EXPECT_TRUE(eventually(
      [&] {
        const auto alerts = api::Json::parse(prometheus.firingAlerts(), nullptr, false);
        if (!alerts.is_object()) return false;
        for (const auto& alert : alerts["data"]["alerts"]) {
          if (alert["labels"].value("alertname", "") == "NodeNotReady" &&
              alert["labels"].value("node", "") == edge && alert.value("state", "") == "firing") {
            return true;
          }
        }
        return false;
      },
      90))
      << prometheus.firingAlerts();
}

}  // namespace
}  // namespace decnet
