// The commands of the fake bash, one branch each; none runs anything.
#include <algorithm>
#include <ctime>
#include <functional>

#include "decoy/common/shell/fake_filesystem.h"
#include "decoy/common/shell/fake_shell.h"

namespace decnet::decoy {

std::string FakeShell::download(const std::vector<std::string>& words, int& status,
                                std::vector<Download>& downloads) const {
  const std::string& name = words[0];
  std::string url;
  if (name == "tftp") {
    // tftp [-g -r FILE] HOST | tftp HOST -c get FILE
    std::string host, file;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if ((words[i] == "-r" || words[i] == "get") && i + 1 < words.size()) {
        file = words[++i];
      } else if (words[i] == "-l") {
        ++i;
      } else if (!words[i].empty() && words[i][0] != '-' && host.empty()) {
        host = words[i];
      }
    }
    url = "tftp://" + host + "/" + file;
    downloads.push_back({url, name});
    status = 1;
    return "Transfer timed out.\n\n";
  }
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.empty()) continue;
    if (word[0] == '-') {
      // Options that take a value: the value is not the URL.
      static const std::vector<std::string> valued = {
          "-O", "-o", "-P", "-U", "-A",       "-H",           "-e",
          "-T", "-t", "-X", "-d", "--output", "--user-agent", "--header"};
      if (std::find(valued.begin(), valued.end(), word) != valued.end()) ++i;
      continue;
    }
    url = word;
    break;
  }
  if (url.empty()) {
    status = 2;
    return name == "curl" ? "curl: try 'curl --help' or 'curl --manual' for more information\n"
                          : "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget "
                            "--help' for more options.\n";
  }
  downloads.push_back({url, name});
  std::string host = url;
  if (auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/:"));
  if (name == "curl") {
    status = 6;
    return "curl: (6) Could not resolve host: " + host + "\n";
  }
  status = 4;
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::string shown = url.find("://") == std::string::npos ? "http://" + url : url;
  if (!host.empty() && host.find_first_not_of("0123456789.") == std::string::npos) {
    const std::string port = shown.rfind("https", 0) == 0 ? "443" : "80";
    return std::string("--") + stamp + "--  " + shown + "\nConnecting to " + host + ":" + port +
           "... failed: Network is unreachable.\n";
  }
  return std::string("--") + stamp + "--  " + shown + "\nResolving " + host + " (" + host +
         ")... failed: Temporary failure in name resolution.\nwget: unable to resolve host "
         "address \u2018" +
         host + "\u2019\n";
}

std::string FakeShell::processes(const std::vector<std::string>& words) const {
  bool full = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    full = full || w.find('a') != std::string::npos || w.find('e') != std::string::npos ||
           w.find('x') != std::string::npos;
  }
  const std::time_t now = std::time(nullptr);
  const int shellPid = 1800 + static_cast<int>(std::hash<std::string>{}(host_.hostname) % 4000);
  if (!full) {
    char out[160];
    std::snprintf(out, sizeof(out),
                  "    PID TTY          TIME CMD\n%7d pts/0    00:00:00 bash\n%7d pts/0    "
                  "00:00:00 ps\n",
                  shellPid, shellPid + 37);
    return out;
  }
  struct Proc {
    std::string user;
    int pid;
    double cpu, mem;
    long vsz, rss;
    const char* tty;
    const char* stat;
    bool boot;
    const char* time;
    std::string command;
  };
  const std::string systemd = ubuntu() || debian() ? "/lib/systemd/" : "/usr/lib/systemd/";
  const std::vector<Proc> table = {
      {"root", 1, 0.0, 0.3, 167744, 13100, "?", "Ss", true, "0:21", "/sbin/init"},
      {"root", 2, 0.0, 0.0, 0, 0, "?", "S", true, "0:00", "[kthreadd]"},
      {"root", 3, 0.0, 0.0, 0, 0, "?", "I<", true, "0:00", "[rcu_gp]"},
      {"root", 12, 0.0, 0.0, 0, 0, "?", "S", true, "0:04", "[ksoftirqd/0]"},
      {"root", 13, 0.0, 0.0, 0, 0, "?", "I", true, "1:02", "[rcu_sched]"},
      {"root", 389, 0.0, 0.4, 47964, 16412, "?", "S<s", true, "0:09", systemd + "systemd-journald"},
      {"root", 431, 0.0, 0.1, 25136, 6208, "?", "Ss", true, "0:01", systemd + "systemd-udevd"},
      {"systemd-timesync", 602, 0.0, 0.1, 89360, 6520, "?", "Ssl", true, "0:03",
       systemd + "systemd-timesyncd"},
      {"root", 688, 0.0, 0.0, 6896, 2880, "?", "Ss", true, "0:02", "/usr/sbin/cron -f"},
      {"messagebus", 690, 0.0, 0.1, 8772, 4724, "?", "Ss", true, "0:01",
       "@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation "
       "--syslog-only"},
      {"root", 701, 0.0, 0.1, 15380, 7040, "?", "Ss", true, "0:00", systemd + "systemd-logind"},
      {"root", 742, 0.0, 0.0, 5828, 1764, "tty1", "Ss+", true, "0:00",
       "/sbin/agetty -o -p -- \\u --noclear tty1 linux"},
      {"root", 761, 0.0, 0.2, 15432, 8960, "?", "Ss", true, "0:00",
       "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"},
      {"root", shellPid - 12, 0.0, 0.2, 17048, 10880, "?", "Ss", false, "0:00",
       "sshd: " + user_ + " [priv]"},
      {user_, shellPid - 3, 0.0, 0.1, 17180, 6540, "?", "S", false, "0:00",
       "sshd: " + user_ + "@pts/0"},
      {user_, shellPid, 0.0, 0.1, 8632, 5380, "pts/0", "Ss", false, "0:00", "-bash"},
      {user_, shellPid + 37, 0.0, 0.0, 10072, 3400, "pts/0", "R+", false, "0:00",
       "ps" + (words.size() > 1 ? " " + words[1] : std::string())},
  };
  std::string out = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n";
  const std::time_t boot = bootTime();
  for (const auto& p : table) {
    std::string user = p.user;
    if (user.size() > 8) user = user.substr(0, 7) + "+";
    std::tm tm{};
    const std::time_t start = p.boot ? boot : now - 90;
    ::localtime_r(&start, &tm);
    char when[16];
    std::strftime(when, sizeof(when), now - start < 86400 ? "%H:%M" : "%b%d", &tm);
    char line[512];
    std::snprintf(line, sizeof(line), "%-8s %7d %4.1f %4.1f %6ld %5ld %-8s %-4s %-5s %6s %s\n",
                  user.c_str(), p.pid, p.cpu, p.mem, p.vsz, p.rss, p.tty, p.stat, when, p.time,
                  p.command.c_str());
    out += line;
  }
  return out;
}

std::string FakeShell::interfaces(const std::vector<std::string>& words) const {
  const std::string ip = host_.address.empty() || host_.address.find(':') != std::string::npos ||
                                 host_.address.rfind("127.", 0) == 0
                             ? "10.0.0.12"
                             : host_.address;
  const auto seed = std::hash<std::string>{}(host_.hostname);
  char mac[32];
  std::snprintf(mac, sizeof(mac), "52:54:00:%02x:%02x:%02x", static_cast<unsigned>(seed & 0xff),
                static_cast<unsigned>(seed >> 8 & 0xff), static_cast<unsigned>(seed >> 16 & 0xff));
  const std::string nic = ubuntu() ? "ens3" : "eth0";
  const std::string net = ip.substr(0, ip.rfind('.'));
  const std::string broadcast = net + ".255";
  if (words[0] == "ip") {
    const std::string sub = words.size() > 1 ? words[1] : "";
    if (sub == "r" || sub == "route") {
      return "default via " + net + ".1 dev " + nic + " proto static\n" + net + ".0/24 dev " + nic +
             " proto kernel scope link src " + ip + "\n";
    }
    if (sub != "a" && sub != "addr" && sub != "address" && sub != "-4" && sub != "link") {
      return "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n";
    }
    return "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen "
           "1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 "
           "scope host lo\n       valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope "
           "host \n       valid_lft forever preferred_lft forever\n2: " +
           nic +
           ": <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default "
           "qlen 1000\n    link/ether " +
           mac + " brd ff:ff:ff:ff:ff:ff\n    altname enp0s3\n    inet " + ip + "/24 brd " +
           broadcast + " scope global " + nic +
           "\n       valid_lft forever preferred_lft forever\n";
  }
  const unsigned long rx = 180000000ul + seed % 900000000ul;
  const unsigned long tx = 20000000ul + seed % 90000000ul;
  char counters[512];
  std::snprintf(counters, sizeof(counters),
                "        RX packets %lu  bytes %lu (%.1f MB)\n        RX errors 0  dropped 12  "
                "overruns 0  frame 0\n        TX packets %lu  bytes %lu (%.1f MB)\n        TX "
                "errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n",
                rx / 700, rx, static_cast<double>(rx) / 1e6, tx / 500, tx,
                static_cast<double>(tx) / 1e6);
  return nic + ": flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet " + ip +
         "  netmask 255.255.255.0  broadcast " + broadcast + "\n        ether " + mac +
         "  txqueuelen 1000  (Ethernet)\n" + counters +
         "lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n"
         "        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n        loop  txqueuelen 1000  "
         "(Local Loopback)\n        RX packets 5216  bytes 412344 (412.3 KB)\n        RX errors 0  "
         "dropped 0  overruns 0  frame 0\n        TX packets 5216  bytes 412344 (412.3 KB)\n     "
         "   TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n";
}

std::string FakeShell::runSimple(std::vector<std::string> words, bool interactive, int& status,
                                 bool& exit, std::vector<Download>& downloads) {
  status = 0;
  if (words.empty()) return "";
  if (words[0] == "busybox" && words.size() > 1) words.erase(words.begin());
  if (const auto slash = words[0].rfind('/');
      slash != std::string::npos && slash + 1 < words[0].size()) {
    words[0] = words[0].substr(slash + 1);  // /usr/bin/wget
  }
  // sudo as root just runs the command; others are not sudoers here.
  if (words[0] == "sudo") {
    if (user_ != "root") {
      status = 1;
      return "Sorry, user " + user_ + " may not run sudo on " + host_.hostname + ".\n";
    }
    words.erase(words.begin());
    while (!words.empty() && words[0].size() > 1 && words[0][0] == '-') words.erase(words.begin());
    if (words.empty()) return "";
  }
  const std::string& name = words[0];
  const std::string arg1 = words.size() > 1 ? words[1] : "";
  if (name == "exit" || name == "logout") {
    exit = true;
    return interactive ? "logout\n" : "";
  }
  if (name == "true" || name == ":" || name == "export" || name == "unset" || name == "alias") {
    return "";
  }
  if (name == "false") {
    status = 1;
    return "";
  }
  if (name == "whoami") return user_ + "\n";
  if (name == "id") {
    if (user_ == "root") return "uid=0(root) gid=0(root) groups=0(root)\n";
    const std::string uid = std::to_string(uidOf(user_));
    return "uid=" + uid + "(" + user_ + ") gid=" + uid + "(" + user_ + ") groups=" + uid + "(" +
           user_ + "),4(adm),24(cdrom),27(sudo),30(dip),46(plugdev),110(lxd)\n";
  }
  if (name == "hostname") return host_.hostname + "\n";
  if (name == "pwd") return cwd_ + "\n";
  if (name == "uname") {
    if (arg1.empty() || arg1 == "-s") return "Linux\n";
    if (arg1 == "-a" || arg1 == "--all") return host_.kernel + "\n";
    if (arg1 == "-r") return release() + "\n";
    if (arg1 == "-n") return host_.hostname + "\n";
    if (arg1 == "-m" || arg1 == "-p" || arg1 == "-i") return "x86_64\n";
    if (arg1 == "-o") return "GNU/Linux\n";
    if (arg1 == "-v") {
      const auto hash = host_.kernel.find(" #");
      const auto arch = host_.kernel.find(" x86_64");
      if (hash != std::string::npos && arch != std::string::npos && arch > hash) {
        return host_.kernel.substr(hash + 1, arch - hash - 1) + "\n";
      }
      return "#1 SMP\n";
    }
    return host_.kernel + "\n";
  }
  if (name == "cd") {
    const std::string target = resolve(arg1.empty() ? "~" : arg1);
    if (target == "/root" && user_ != "root") {
      status = 1;
      return (interactive ? "-bash: cd: " : "bash: line 1: cd: ") + arg1 + ": Permission denied\n";
    }
    static const std::vector<std::string> dirs = {
        "/",        "/etc",     "/home",      "/tmp", "/var",  "/var/www", "/var/www/html",
        "/opt",     "/srv",     "/mnt",       "/usr", "/root", "/var/tmp", "/dev/shm",
        "/var/log", "/usr/bin", "/usr/local", "/proc"};
    if (target == home_ || target.rfind("/home", 0) == 0 ||
        std::find(dirs.begin(), dirs.end(), target) != dirs.end()) {
      cwd_ = target;
      return "";
    }
    status = 1;
    return (interactive ? "-bash: cd: " : "bash: line 1: cd: ") + arg1 +
           ": No such file or directory\n";
  }
  if (name == "ls" || name == "dir") return listDirectory(words, status);
  if (name == "grep" || name == "egrep" || name == "head" || name == "tail" || name == "wc" ||
      name == "sort") {
    // With file arguments the filters read files; without, they would wait on a terminal.
    std::vector<std::string> options = {name};
    std::string input;
    bool patternSeen = name != "grep" && name != "egrep";
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i].size() > 1 && words[i][0] == '-') {
        options.push_back(words[i]);
        if (words[i] == "-n" && i + 1 < words.size()) options.push_back(words[++i]);
      } else if (!patternSeen) {
        options.push_back(words[i]);
        patternSeen = true;
      } else {
        int fileStatus = 0;
        std::string content = readFile(resolve(words[i]), fileStatus);
        if (fileStatus != 0) {
          status = 2;
          return name + content.substr(3);  // "cat: X: ..." -> "grep: X: ..."
        }
        input += content;
      }
    }
    return shellFilter(options, input);
  }
  if (name == "cat" || name == "more" || name == "less") {
    std::string out;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i][0] == '-') continue;
      int fileStatus = 0;
      out += readFile(resolve(words[i]), fileStatus);
      if (fileStatus != 0) status = fileStatus;
    }
    return out;
  }
  if (name == "echo") {
    std::string out;
    bool newline = true;
    std::size_t i = 1;
    if (i < words.size() && words[i] == "-n") {
      newline = false;
      ++i;
    } else if (i < words.size() && words[i] == "-e") {
      ++i;
    }
    for (; i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
    return newline ? out + "\n" : out;
  }
  if (name == "history") {
    std::string out;
    for (std::size_t i = 0; i < history_.size(); ++i) {
      char number[32];
      std::snprintf(number, sizeof(number), "%5zu  ", i + 1);
      out += number + history_[i] + "\n";
    }
    return out;
  }
  if (name == "w" || name == "uptime") {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char clock[16];
    std::strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    const long up = static_cast<long>(now - bootTime());
    char since[64];
    std::snprintf(since, sizeof(since), "up %ld days, %2ld:%02ld", up / 86400, up % 86400 / 3600,
                  up % 3600 / 60);
    std::string line =
        std::string(" ") + clock + " " + since + ",  1 user,  load average: 0.08, 0.03, 0.01\n";
    if (name == "uptime") return line;
    return line + "USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n" + user_ +
           std::string(9 - std::min<std::size_t>(8, user_.size()), ' ') +
           "pts/0    -                " + std::string(clock).substr(0, 5) +
           "    0.00s  0.02s  0.00s w\n";
  }
  if (name == "ps") return processes(words);
  if (name == "ifconfig" || name == "ip") return interfaces(words);
  if (name == "nproc") return "2\n";
  if (name == "free") {
    return "               total        used        free      shared  buff/cache   available\n"
           "Mem:         4012344      612836     2186212        1084     1213296     3139000\n"
           "Swap:        2097148           0     2097148\n";
  }
  if (name == "df") {
    return "Filesystem     1K-blocks    Used Available Use% Mounted on\ntmpfs             401236   "
           " "
           "1084    400152   1% /run\n/dev/sda2       40972512 6892404  31967008  18% /\ntmpfs    "
           "        2006172       0   2006172   0% /dev/shm\n";
  }
  if (name == "clear") return "\x1b[H\x1b[2J";
  if (name == "wget" || name == "curl" || name == "tftp") return download(words, status, downloads);
  // Commands that succeed silently: the attacker's next step shows what they wanted.
  static const std::vector<std::string> silent = {
      "chmod", "chown", "rm",  "mkdir",  "touch",  "cp", "mv",  "kill",  "pkill", "crontab",
      "nohup", "sleep", "set", "ulimit", "source", ".",  "tar", "unset", "sync"};
  if (std::find(silent.begin(), silent.end(), name) != silent.end()) return "";
  status = 127;
  return (interactive ? "-bash: " : "bash: line 1: ") + name + ": command not found\n";
}

}  // namespace decnet::decoy
