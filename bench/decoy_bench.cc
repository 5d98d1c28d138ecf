// One decoy, measured: idle memory (VmRSS, PSS), http requests/s over keep-alive and new
// connections/s (wrk), ssh handshakes with a login/s (libssh clients), connections/s with a
// greeting for every other TCP service, and memory under 1,000 idle connections. Runs
// decnet-decoy on loopback; prints figures, asserts nothing.
//   decoy_bench [--seconds N] [--runs N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A loopback port nobody listens on right now.
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The decoy under test: decnet-decoy on 127.0.0.1, events to a temp file; killed on scope exit.
class Decoy {
 public:
  Decoy(const std::string& binary, const std::string& spec, int maxConnections) {
    char pattern[] = "/tmp/decnet-decoy-bench-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    events_ = dir_ + "/events.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDERR_FILENO);
      const std::string max = std::to_string(maxConnections);
      std::vector<std::string> args = {binary,       "--decky", "bench", "--bind", "127.0.0.1",
                                       "--spec",     spec,      "--out", events_,
                                       "--max-connections", max, "--max-per-address", max};
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

// wrk's Requests/sec, or -1 when wrk is missing or failed.
double wrk(int port, int seconds, bool closeEach) {
  std::string command = "wrk -t2 -c50 -d" + std::to_string(seconds) + "s ";
  if (closeEach) command += "-H 'Connection: close' ";
  command += "http://127.0.0.1:" + std::to_string(port) + "/ 2>/dev/null";
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
      while (!stop) {
        ssh_session session = ssh_new();
        int verbosity = SSH_LOG_NOLOG;
        const unsigned int p = static_cast<unsigned int>(port);
        ssh_options_set(session, SSH_OPTIONS_HOST, "127.0.0.1");
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

// Connections per second that each read the greeting (or, for protocols where the client speaks
// first, send `hello` and read the answer), then close; `clients` threads.
double greetings(int port, const std::string& hello, int seconds, int clients) {
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      char buffer[4096];
      while (!stop) {
        const int fd = connectTo(port);
        if (fd < 0) continue;
        timeval timeout{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        if (!hello.empty() && ::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) < 0) {
          ::close(fd);
          continue;
        }
        if (::recv(fd, buffer, sizeof buffer, 0) > 0) ++done;
        ::close(fd);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return static_cast<double>(done) / seconds;
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
  int seconds = 5, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  const std::string binary = DECNET_DECOY_PATH;
  ::signal(SIGPIPE, SIG_IGN);

  // 1. ssh + http: idle memory, http and ssh rates.
  {
    const int ssh = freePort(), http = freePort();
    const std::string spec =
        R"({"hostname":"SRV-BENCH-01","distro":"debian","services":[{"name":"ssh","ports":[)" +
        std::to_string(ssh) + R"(],"persona":{"users":"bench:bench"}},{"name":"http","ports":[)" +
        std::to_string(http) + "]}]}";
    Range rss, pss, keepAlive, fresh, logins;
    for (int run = 0; run < runs; ++run) {
      Decoy decoy(binary, spec, 1200);
      if (!decoy.waitListening(2)) {
        std::fprintf(stderr, "decoy did not listen\n");
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));  // background key generation
      rss.add(decoy.rssMiB());
      pss.add(decoy.pssMiB());
      keepAlive.add(wrk(http, seconds, false));
      fresh.add(wrk(http, seconds, true));
      logins.add(sshLogins(ssh, seconds, 8));
    }
    std::printf("ssh+http decoy, %d runs of %d s each (ranges):\n", runs, seconds);
    std::printf("  idle VmRSS %.2f-%.2f MiB, PSS %.2f-%.2f MiB\n", rss.low, rss.high, pss.low,
                pss.high);
    std::printf("  http keep-alive (wrk -t2 -c50): %.0f-%.0f requests/s\n", keepAlive.low,
                keepAlive.high);
    std::printf("  http new connection per request: %.0f-%.0f connections/s\n", fresh.low,
                fresh.high);
    std::printf("  ssh handshake + password login (8 clients): %.0f-%.0f /s\n", logins.low,
                logins.high);
  }

  // 2. 1,000 idle connections on one decky.
  {
    const int http = freePort();
    const std::string spec =
        R"({"services":[{"name":"http","ports":[)" + std::to_string(http) + "]}]}";
    Decoy decoy(binary, spec, 1100);
    decoy.waitListening(1);
    const double before = decoy.rssMiB();
    std::vector<int> sockets;
    for (int i = 0; i < 1000; ++i) {
      const int fd = connectTo(http);
      if (fd >= 0) sockets.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    std::printf("1,000 idle http connections: VmRSS %.2f MiB (idle %.2f MiB), %zu connected\n",
                decoy.rssMiB(), before, sockets.size());
    for (int fd : sockets) ::close(fd);
  }

  // 3. Every other TCP service: connections/s reading the greeting or first answer.
  struct Probe {
    const char* service;
    const char* hello;  // "" = the server speaks first
  };
  const Probe probes[] = {{"ftp", ""},      {"smtp", ""},     {"pop3", ""},
                          {"imap", ""},     {"telnet", ""},   {"mysql", ""},
                          {"redis", "PING\r\n"},
                          {"postgres", ""},  // an SSLRequest, set below (it holds NULs)
                          {"mssql", ""}};    // a PRELOGIN, set below
  std::string services;
  std::map<std::string, int> ports;
  for (const auto& probe : probes) {
    ports[probe.service] = freePort();
    services += std::string(services.empty() ? "" : ",") + R"({"name":")" + probe.service +
                R"(","ports":[)" + std::to_string(ports[probe.service]) + "]}";
  }
  Decoy decoy(binary, "{\"services\":[" + services + "]}", 1200);
  decoy.waitListening(1);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf("other services (connect, first answer, close; 8 clients, %d s):\n", seconds);
  for (const auto& probe : probes) {
    std::string hello = probe.hello;
    if (std::string(probe.service) == "postgres") hello = std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8);
    if (std::string(probe.service) == "mssql") {
      // A minimal TDS PRELOGIN (type 0x12) with only the terminator option.
      hello = std::string("\x12\x01\x00\x09\x00\x00\x01\x00\xff", 9);
    }
    std::printf("  %-8s %.0f connections/s\n", probe.service,
                greetings(ports[probe.service], hello, seconds, 8));
  }
  std::printf("decoy serving these %zu services, VmRSS after the runs: %.2f MiB\n", ports.size(), decoy.rssMiB());
  return 0;
}
