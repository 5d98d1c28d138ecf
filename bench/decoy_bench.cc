// One decoy, measured: idle memory (VmRSS, PSS), http requests/s over keep-alive and new
// connections/s (wrk), ssh handshakes with a login/s (libssh clients), connections/s with a
// login attempt each for every other TCP service, memory under 1,000 idle connections and
// memory of one decoy serving all thirteen emulated services after the runs. As root the
// clients run in a lab attacker namespace across a veth pair (made here, removed on exit);
// otherwise on loopback. Prints figures, asserts nothing.
//   decoy_bench [--seconds N] [--runs N] [--decoy PATH (another decnet-decoy, to compare)]
#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agents/network/lab.h"
#include "bench/host_cpu.h"
#include "bench/socket_support.h"
#include "decoy/services/mssql/mssql_protocol.h"
#include "decoy/services/mysql/mysql_protocol.h"
#include "decoy/services/postgres/postgres_protocol.h"
#include "tests/decoy/services/mssql/mssql_login7.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A loopback port nobody listens on right now.

// Where the decoy listens and where its clients run: loopback, or (as root) the host end of a
// lab veth pair with the clients in the lab's attacker namespace.
struct Target {
  std::string address = "127.0.0.1";
  std::string netns;  // "" = the bench's own namespace
};
Target target;

// Moves the calling thread into the attacker namespace (a no-op on loopback).
void enterClientNamespace() {
  if (target.netns.empty()) return;
  const std::string path = "/run/netns/" + target.netns;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "cannot enter %s\n", path.c_str());
    std::exit(1);
  }
  ::close(fd);
}

// A shell prefix that runs a client command in the attacker namespace.
std::string clientPrefix() {
  return target.netns.empty() ? "" : "ip netns exec " + target.netns + " ";
}

int connectTo(int port) { return decnet::bench::connectTo(target.address, port); }

// The decoy under test: decnet-decoy on 127.0.0.1, events to a temp file; killed on scope exit.
class Decoy {
 public:
  // stateDir: where the decoy keeps its host keys ("" for none: an RSA key is made at start).
  Decoy(const std::string& binary, const std::string& spec, int maxConnections,
        const std::string& stateDir = "") {
    char pattern[] = "/tmp/decnet-decoy-bench-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    events_ = dir_ + "/events.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDERR_FILENO);
      const std::string max = std::to_string(maxConnections);
      std::vector<std::string> args = {binary,
                                       "--decky",
                                       "bench",
                                       "--bind",
                                       target.address,
                                       "--spec",
                                       spec,
                                       "--out",
                                       events_,
                                       "--max-connections",
                                       max,
                                       "--max-per-address",
                                       max};
      if (!stateDir.empty()) {
        args.push_back("--state-dir");
        args.push_back(stateDir);
      }
      if (::geteuid() == 0) {
        args.push_back("--user");
        args.push_back("nobody");
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
  }
  ~Decoy() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::string command = "rm -rf '" + dir_ + "'";
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "cannot remove %s\n", dir_.c_str());
  }
  // Waits until `count` listening lines were written.
  bool waitListening(int count) {
    for (int i = 0; i < 300; ++i) {
      const std::string text = readFile(events_);
      int seen = 0;
      for (std::size_t at = text.find(" listening "); at != std::string::npos;
           at = text.find(" listening ", at + 1))
        ++seen;
      if (seen >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // kB values from /proc: VmRSS and PSS.
  double rssMiB() const { return statusKb("/proc/" + std::to_string(pid_) + "/status", "VmRSS:"); }
  double pssMiB() const {
    return statusKb("/proc/" + std::to_string(pid_) + "/smaps_rollup", "Pss:");
  }
  pid_t pid() const { return pid_; }

 private:
  static double statusKb(const std::string& path, const std::string& key) {
    std::istringstream in(readFile(path));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + key.size()) / 1024.0;
    }
    return -1;
  }
  std::string dir_, events_;
  pid_t pid_ = -1;
};

// Waits up to `seconds` for the decoy to store a non-empty RSA host key under `stateDir`.
bool waitForRsaKey(const std::string& stateDir, int seconds) {
  // A decky's host keys: one file with ed25519, ecdsa and, once made, RSA appended; decoys
  // before that (a --decoy to compare) keep ssh/<hash>_rsa_key.
  const auto made = [&] {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(stateDir, error)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with("_ssh_host_keys")) continue;
      std::ifstream in(entry.path());
      const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      int keys = 0;
      for (auto at = text.find("-----END "); at != std::string::npos;
           at = text.find("-----END ", at + 1)) {
        ++keys;
      }
      if (keys >= 3) return true;
    }
    for (const auto& entry : std::filesystem::directory_iterator(stateDir + "/ssh", error)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with("_rsa_key") && entry.file_size(error) > 0) return true;
    }
    return false;
  };
  for (int i = 0; i < seconds * 10; ++i) {
    if (made()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// wrk's Requests/sec, or -1 when wrk is missing or failed.
double wrk(int port, int seconds, bool closeEach) {
  std::string command = clientPrefix() + "wrk -t2 -c50 -d" + std::to_string(seconds) + "s ";
  if (closeEach) command += "-H 'Connection: close' ";
  command += "http://" + target.address + ":" + std::to_string(port) + "/ 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char line[512];
  double rate = -1;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    if (std::strncmp(line, "Requests/sec:", 13) == 0) rate = std::atof(line + 13);
  }
  ::pclose(pipe);
  return rate;
}

// SSH handshakes that end in a successful password login, per second, from `clients` threads.
double sshLogins(int port, int seconds, int clients) {
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      enterClientNamespace();
      while (!stop) {
        ssh_session session = ssh_new();
        int verbosity = SSH_LOG_NOLOG;
        const unsigned int p = static_cast<unsigned int>(port);
        ssh_options_set(session, SSH_OPTIONS_HOST, target.address.c_str());
        ssh_options_set(session, SSH_OPTIONS_PORT, &p);
        ssh_options_set(session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
        ssh_options_set(session, SSH_OPTIONS_USER, "bench");
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
        if (ssh_connect(session) == SSH_OK &&
            ssh_userauth_password(session, nullptr, "bench") == SSH_AUTH_SUCCESS) {
          ++done;
        }
        ssh_disconnect(session);
        ssh_free(session);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return static_cast<double>(done) / seconds;
}

// One step of a scripted client: send `send` (may be empty), then read until `expect` arrived
// ("" = any bytes).
struct Step {
  std::string send;
  std::string expect;
};

// Runs the steps on a fresh connection; true when every expected answer arrived.
bool runScript(int port, const std::vector<Step>& steps) {
  const int fd = connectTo(port);
  if (fd < 0) return false;
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  bool ok = true;
  char buffer[4096];
  for (const auto& step : steps) {
    if (!step.send.empty() && ::send(fd, step.send.data(), step.send.size(), MSG_NOSIGNAL) !=
                                  static_cast<ssize_t>(step.send.size())) {
      ok = false;
      break;
    }
    std::string seen;
    while (ok && (seen.empty() ||
                  (!step.expect.empty() && seen.find(step.expect) == std::string::npos))) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        ok = false;
      else
        seen.append(buffer, static_cast<std::size_t>(n));
    }
    if (!ok) break;
  }
  ::close(fd);
  return ok;
}

// Connections per second that each run the whole script (a login attempt), from `clients`
// threads; also how many scripts failed.
std::pair<double, long> logins(int port, const std::vector<Step>& steps, int seconds, int clients) {
  std::atomic<long> done{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      enterClientNamespace();
      while (!stop) ++(runScript(port, steps) ? done : failed);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return {static_cast<double>(done) / seconds, failed.load()};
}

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

// One login attempt per service, as its usual client makes it. ftp, pop3, imap and telnet log in
// as the persona's user: their failures are answered after a real server's delay (1-3 s), which
// would measure the delay, not the decoy. The others fail at once, as on the real servers.
std::vector<Step> loginScript(const std::string& service) {
  using namespace decnet::decoy;
  if (service == "ftp") return {{"", "220 "}, {"USER bench\r\n", "331"}, {"PASS bench\r\n", "230"}};
  if (service == "smtp") {
    return {{"", "220 "}, {"EHLO bench\r\n", "250 "}, {"AUTH PLAIN AGJlbmNoAHg=\r\n", "535"}};
  }
  if (service == "pop3")
    return {{"", "+OK"}, {"USER bench\r\n", "+OK"}, {"PASS bench\r\n", "Logged in"}};
  if (service == "imap") return {{"", "* OK"}, {"a1 LOGIN bench bench\r\n", "a1 OK"}};
  if (service == "telnet") {
    return {{"", "\xff\xfd'"},  // the server's DO TTYPE, TSPEED, XDISPLOC, NEW-ENVIRON; refused
            {"\xff\xfc\x18\xff\xfc\x20\xff\xfc\x23\xff\xfc\x27", "login: "},
            {"bench\r\n", "Password: "},
            {"bench\r\n", "~$ "}};
  }
  if (service == "redis") return {{"AUTH bench x\r\n", "\r\n"}};
  if (service == "mysql") {
    const std::uint32_t caps =
        mysql::kClientProtocol41 | mysql::kClientSecureConnection | mysql::kClientPluginAuth;
    std::string response = le32(caps) + le32(16777216) + std::string(1, '\x21') +
                           std::string(23, '\0') + "bench" + std::string(1, '\0') +
                           std::string(1, '\x14') + std::string(20, 'x') + "mysql_native_password" +
                           std::string(1, '\0');
    return {{"", ""}, {mysql::packet(1, response), std::string(1, '\xff')}};
  }
  if (service == "postgres") {
    // StartupMessage: big-endian length, protocol 3.0, user and database, a closing NUL.
    std::string startup = std::string("\0\x03\0\0", 4);
    for (const char* field : {"user", "bench", "database", "bench"}) {
      startup += field;
      startup += '\0';
    }
    startup += '\0';
    const auto length = static_cast<std::uint32_t>(startup.size() + 4);
    const std::string prefix = {static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                                static_cast<char>(length >> 8), static_cast<char>(length)};
    return {{prefix + startup, "R"}, {postgres::message('p', std::string("x\0", 2)), "E"}};
  }
  if (service == "mssql") {
    return {{mssql::packet(mssql::kPrelogin, mssql::testing::preloginPayload(0, false)), ""},
            {mssql::packet(mssql::kLogin7, mssql::testing::login7Payload("bench", "sa", "x",
                                                                         "bench", "db", "master")),
             std::string(1, '\xaa')}};
  }
  return {};
}

struct Range {
  double low = 1e18, high = -1;
  void add(double v) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const decnet::bench::HostCpu host;
  int seconds = 5, runs = 3;
  std::string binary = DECNET_DECOY_PATH;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--decoy") == 0) binary = argv[i + 1];
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  // As root: a lab veth pair, the decoy on its host end, clients in the attacker namespace.
  decnet::agents::LabOptions lab;
  const std::string tag = std::to_string(::getpid() % 100000);
  lab.subnet = "10.77.228.0/24";
  lab.parent = "dnd" + tag;
  lab.attackerNamespace = "decnet-attd" + tag;
  const bool useLab = ::geteuid() == 0;
  if (useLab) {
    const std::string hostAddress = "10.77.228.1";
    // The attacker namespace reuses TIME_WAIT ports, as loopback does by default: thousands of
    // short connections a second would otherwise run out of ports.
    const std::string addAddress = "ip addr add " + hostAddress + "/24 dev " + lab.parent +
                                   " && ip netns exec " + lab.attackerNamespace +
                                   " sysctl -qw net.ipv4.tcp_tw_reuse=1";
    if (auto up = decnet::agents::labUp(lab); !up || std::system(addAddress.c_str()) != 0) {
      std::fprintf(stderr, "lab: %s\n",
                   up ? "cannot address the host end" : up.error().message.c_str());
      (void)decnet::agents::labDown(lab);  // best effort on the way out
      return 1;
    }
    target = {hostAddress, lab.attackerNamespace};
    std::printf("decoy on %s (%s), clients in namespace %s\n", hostAddress.c_str(),
                lab.parent.c_str(), lab.attackerNamespace.c_str());
  } else {
    std::printf("not root: decoy and clients on loopback\n");
  }
  struct LabCleanup {
    bool active;
    decnet::agents::LabOptions options;
    ~LabCleanup() {
      if (active) (void)decnet::agents::labDown(options);  // best effort on the way out
    }
  } cleanup{useLab, lab};

  // 1. ssh + http: idle memory, http and ssh rates.
  {
    const int ssh = decnet::bench::freePort(), http = decnet::bench::freePort();
    const std::string spec =
        R"({"hostname":"SRV-BENCH-01","distro":"debian","services":[{"name":"ssh","ports":[)" +
        std::to_string(ssh) + R"(],"persona":{"users":"bench:bench"}},{"name":"http","ports":[)" +
        std::to_string(http) + "]}]}";
    // The decky's host keys, made once by a first start as the agent's state dir keeps them.
    char statePattern[] = "/tmp/decnet-decoy-bench-state-XXXXXX";
    const std::string stateDir = ::mkdtemp(statePattern);
    {
      Decoy first(binary, spec, 1200, stateDir);
      if (!first.waitListening(2) || !waitForRsaKey(stateDir, 120)) {
        std::fprintf(stderr, "decoy did not listen or make its RSA key\n");
        return 1;
      }
    }
    Range rss, pss, keepAlive, fresh, sshRate;
    for (int run = 0; run < runs; ++run) {
      Decoy decoy(binary, spec, 1200, stateDir);
      if (!decoy.waitListening(2)) {
        std::fprintf(stderr, "decoy did not listen\n");
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));  // idle
      rss.add(decoy.rssMiB());
      pss.add(decoy.pssMiB());
      keepAlive.add(wrk(http, seconds, false));
      fresh.add(wrk(http, seconds, true));
      sshRate.add(sshLogins(ssh, seconds, 8));
    }
    (void)std::system(("rm -rf '" + stateDir + "'").c_str());
    std::printf("ssh+http decoy, %d runs of %d s each (ranges):\n", runs, seconds);
    std::printf("  idle VmRSS %.2f-%.2f MiB, PSS %.2f-%.2f MiB\n", rss.low, rss.high, pss.low,
                pss.high);
    std::printf("  http keep-alive (wrk -t2 -c50): %.0f-%.0f requests/s\n", keepAlive.low,
                keepAlive.high);
    std::printf("  http new connection per request: %.0f-%.0f connections/s\n", fresh.low,
                fresh.high);
    std::printf("  ssh handshake + password login (8 clients): %.0f-%.0f /s\n", sshRate.low,
                sshRate.high);
  }

  // 2. 1,000 idle connections on one decky.
  {
    const int http = decnet::bench::freePort();
    const std::string spec =
        R"({"services":[{"name":"http","ports":[)" + std::to_string(http) + "]}]}";
    Decoy decoy(binary, spec, 1100);
    decoy.waitListening(1);
    const double before = decoy.rssMiB();
    std::vector<int> sockets;
    std::thread([&] {
      enterClientNamespace();
      for (int i = 0; i < 1000; ++i) {
        const int fd = connectTo(http);
        if (fd >= 0) sockets.push_back(fd);
      }
    }).join();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::printf("1,000 idle http connections: VmRSS %.2f MiB (idle %.2f MiB), %zu connected\n",
                decoy.rssMiB(), before, sockets.size());
    for (int fd : sockets) ::close(fd);
  }

  // 3. One decoy serving all thirteen emulated services: every other TCP service's login
  // attempts per second, then the decoy's memory after all the runs.
  const std::vector<std::string> others = {"ftp",   "smtp",  "pop3",     "imap", "telnet",
                                           "mysql", "redis", "postgres", "mssql"};
  std::map<std::string, int> ports;
  const std::set<std::string> persona = {"ftp", "pop3", "imap", "telnet"};  // bench:bench
  std::string services;
  for (const char* service : {"ssh", "http", "https", "snmp", "ftp", "smtp", "pop3", "imap",
                              "telnet", "mysql", "redis", "postgres", "mssql"}) {
    ports[service] = decnet::bench::freePort();
    services += std::string(services.empty() ? "" : ",") + R"({"name":")" + std::string(service) +
                R"(","ports":[)" + std::to_string(ports[service]) + R"(],"persona":{)" +
                (persona.count(service) ? R"("users":"bench:bench")" : "") + "}}";
  }
  Decoy decoy(binary, "{\"services\":[" + services + "]}", 1200);
  if (!decoy.waitListening(static_cast<int>(ports.size()))) {
    std::fprintf(stderr, "the thirteen-service decoy did not listen on every port\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf("all thirteen services in one decoy: idle VmRSS %.2f MiB\n", decoy.rssMiB());
  std::printf("other services (connect, one login attempt, close; 8 clients, %d runs of %d s):\n",
              runs, seconds);
  for (const auto& service : others) {
    Range rate;
    long failed = 0;
    for (int run = 0; run < runs; ++run) {
      const auto [perSecond, failures] = logins(ports[service], loginScript(service), seconds, 8);
      rate.add(perSecond);
      failed += failures;
    }
    std::printf("  %-8s %.0f-%.0f logins/s%s\n", service.c_str(), rate.low, rate.high,
                failed > 0 ? (" (" + std::to_string(failed) + " scripts failed)").c_str() : "");
  }
  std::printf("same decoy after all the runs: VmRSS %.2f MiB\n", decoy.rssMiB());
  std::printf("host CPU over the bench: %s\n", host.sinceStart().c_str());
  return 0;
}
