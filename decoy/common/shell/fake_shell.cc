#include "decoy/common/shell/fake_shell.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <sstream>

namespace decnet::decoy {
namespace {

constexpr std::size_t kMaxHistory = 200;

struct Stage {
  std::vector<std::string> words;
  bool redirected = false;  // stdout goes to a file: nothing shows
};

struct Pipeline {
  std::vector<Stage> stages;
  std::string next;  // operator after it: ";", "&&", "||", "&" or "" at the end
};

bool isOperatorChar(char c) { return c == ';' || c == '&' || c == '|' || c == '>' || c == '<'; }

// Splits a command line like bash does for the cases attackers type: quotes, escapes,
// $VARIABLES, ; && || | & and redirections.
std::vector<Pipeline> parse(std::string_view line, const std::map<std::string, std::string>& env) {
  std::vector<Pipeline> pipelines(1);
  pipelines.back().stages.emplace_back();
  std::string word;
  bool inWord = false;
  bool pendingRedirect = false;
  const auto endWord = [&] {
    if (!inWord) return;
    if (pendingRedirect) {
      pendingRedirect = false;
      if (word != "/dev/stdout" && word != "/dev/tty")
        pipelines.back().stages.back().redirected = true;
    } else {
      pipelines.back().stages.back().words.push_back(word);
    }
    word.clear();
    inWord = false;
  };
  const auto expand = [&](std::size_t& i) {
    std::size_t j = i + 1;
    const bool braced = j < line.size() && line[j] == '{';
    if (braced) ++j;
    std::size_t start = j;
    while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) ||
                               line[j] == '_' || (j == start && line[j] == '?'))) {
      ++j;
    }
    if (j == start) {
      word.push_back('$');
      return;
    }
    const std::string name(line.substr(start, j - start));
    if (braced && j < line.size() && line[j] == '}') ++j;
    auto it = env.find(name);
    if (it != env.end()) word += it->second;
    i = j - 1;
    inWord = true;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ' ' || c == '\t') {
      endWord();
    } else if (c == '\'') {
      inWord = true;
      const auto end = line.find('\'', i + 1);
      word.append(
          line.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1));
      i = end == std::string_view::npos ? line.size() : end;
    } else if (c == '"') {
      inWord = true;
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          word.push_back(line[++i]);
        } else if (line[i] == '$') {
          expand(i);
        } else {
          word.push_back(line[i]);
        }
      }
    } else if (c == '\\' && i + 1 < line.size()) {
      inWord = true;
      word.push_back(line[++i]);
    } else if (c == '$') {
      expand(i);
    } else if (c == '#' && !inWord) {
      break;  // a comment
    } else if (isOperatorChar(c) ||
               (c == '2' && !inWord && i + 1 < line.size() && line[i + 1] == '>')) {
      endWord();
      if (c == '2') {  // 2> file, 2>&1: stderr is mixed into the output anyway
        i += 1;
        if (line.substr(i, 3) == ">&1") {
          i += 2;
        } else {
          if (i + 1 < line.size() && line[i + 1] == '>') ++i;
          word.clear();
          // swallow the target word
          while (i + 1 < line.size() && line[i + 1] == ' ') ++i;
          while (i + 1 < line.size() && line[i + 1] != ' ' && !isOperatorChar(line[i + 1])) ++i;
        }
        continue;
      }
      if (c == '>') {
        if (i + 1 < line.size() && line[i + 1] == '>') ++i;
        if (i + 1 < line.size() && line[i + 1] == '&') {  // >&2 and friends
          ++i;
          while (i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1]))) ++i;
          continue;
        }
        pendingRedirect = true;
        continue;
      }
      if (c == '<') {
        pendingRedirect = false;
        while (i + 1 < line.size() && line[i + 1] == ' ') ++i;
        while (i + 1 < line.size() && line[i + 1] != ' ' && !isOperatorChar(line[i + 1])) ++i;
        continue;
      }
      if (c == '|' && !(i + 1 < line.size() && line[i + 1] == '|')) {
        pipelines.back().stages.emplace_back();
        continue;
      }
      std::string op(1, c);
      if (i + 1 < line.size() && line[i + 1] == c && c != ';') op.push_back(line[++i]);
      pipelines.back().next = op;
      pipelines.emplace_back();
      pipelines.back().stages.emplace_back();
    } else {
      inWord = true;
      word.push_back(c);
    }
  }
  endWord();
  return pipelines;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string joinLines(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += part + "\n";
  return out;
}

// The right-hand side of a pipe: the filters people chain onto recon commands.
std::string filter(const std::vector<std::string>& words, const std::string& input) {
  if (words.empty()) return input;
  const std::string& name = words[0];
  std::vector<std::string> in = lines(input);
  std::vector<std::string> out;
  if (name == "grep" || name == "egrep") {
    bool invert = false, ignoreCase = false;
    std::string pattern;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] == "-v")
        invert = true;
      else if (words[i] == "-i")
        ignoreCase = true;
      else if (pattern.empty() && words[i][0] != '-')
        pattern = words[i];
    }
    const auto low = [](std::string s) {
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      return s;
    };
    for (const auto& line : in) {
      const bool match = ignoreCase ? low(line).find(low(pattern)) != std::string::npos
                                    : line.find(pattern) != std::string::npos;
      if (match != invert) out.push_back(line);
    }
    return joinLines(out);
  }
  if (name == "head" || name == "tail") {
    std::size_t count = 10;
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::string arg = words[i];
      if (arg == "-n" && i + 1 < words.size()) arg = words[++i];
      if (!arg.empty() && arg[0] == '-') arg.erase(0, 1);
      if (!arg.empty() && std::all_of(arg.begin(), arg.end(), ::isdigit))
        count = std::stoul(arg.substr(0, 6));
    }
    count = std::min(count, in.size());
    if (name == "head")
      out.assign(in.begin(), in.begin() + static_cast<long>(count));
    else
      out.assign(in.end() - static_cast<long>(count), in.end());
    return joinLines(out);
  }
  if (name == "wc") {
    if (words.size() > 1 && words[1] == "-l") return std::to_string(in.size()) + "\n";
    std::size_t wordsCount = 0;
    std::istringstream stream(input);
    for (std::string w; stream >> w;) ++wordsCount;
    return "      " + std::to_string(in.size()) + "      " + std::to_string(wordsCount) + "     " +
           std::to_string(input.size()) + "\n";
  }
  if (name == "sort") {
    std::sort(in.begin(), in.end());
    return joinLines(in);
  }
  return input;  // awk, cut, ...: pretend they printed their input
}

}  // namespace

FakeShell::FakeShell(FakeHost host, std::string user)
    : host_(std::move(host)),
      user_(std::move(user)),
      home_(user_ == "root" ? "/root" : "/home/" + user_),
      cwd_(home_) {}

bool FakeShell::ubuntu() const { return host_.sshVersion.find("Debian") == std::string::npos; }

std::string FakeShell::release() const {
  std::istringstream in(host_.kernel);
  std::string system, node, version;
  in >> system >> node >> version;
  return version.empty() ? "5.15.0-91-generic" : version;
}

int FakeShell::uidOf(const std::string& user) const {
  if (user == "root") return 0;
  int uid = 1000;
  for (const auto& [name, password] : host_.users) {
    if (name == user) return uid;
    if (name != "root") ++uid;
  }
  return uid;
}

std::string FakeShell::prompt() const {
  std::string where = cwd_;
  if (where == home_) {
    where = "~";
  } else if (where.rfind(home_ + "/", 0) == 0) {
    where = "~" + where.substr(home_.size());
  }
  return user_ + "@" + host_.hostname + ":" + where + (user_ == "root" ? "# " : "$ ");
}

std::string FakeShell::motd(std::string_view fromAddress) const {
  std::time_t now = std::time(nullptr) - 86400 * 3 - 3600 * 5;
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char last[64];
  std::strftime(last, sizeof(last), "%a %b %e %H:%M:%S %Y", &tm);
  std::string out;
  if (ubuntu()) {
    out = "Welcome to Ubuntu 22.04.3 LTS (GNU/Linux " + release() +
          " x86_64)\n\n * Documentation:  https://help.ubuntu.com\n * Management:     "
          "https://landscape.canonical.com\n * Support:        https://ubuntu.com/advantage\n\n"
          "Expanded Security Maintenance for Applications is not enabled.\n\n"
          "0 updates can be applied immediately.\n\n";
  } else {
    out = host_.kernel +
          "\n\nThe programs included with the Debian GNU/Linux system are free software;\nthe "
          "exact distribution terms for each program are described in the\nindividual files in "
          "/usr/share/doc/*/copyright.\n\nDebian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to "
          "the extent\npermitted by applicable law.\n";
  }
  out += std::string("Last login: ") + last + " from " +
         (fromAddress.empty() ? std::string("10.0.0.5") : std::string(fromAddress)) + "\n";
  return out;
}

std::string FakeShell::resolve(std::string_view path) const {
  std::string full;
  if (path.empty() || path == "~") return home_;
  if (path.rfind("~/", 0) == 0) {
    full = home_ + std::string(path.substr(1));
  } else if (path.front() == '/') {
    full = std::string(path);
  } else {
    full = cwd_ + "/" + std::string(path);
  }
  std::vector<std::string> parts;
  std::istringstream in(full);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string FakeShell::passwd() const {
  std::string out =
      "root:x:0:0:root:/root:/bin/bash\n"
      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
      "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
      "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
      "sync:x:4:65534:sync:/bin:/bin/sync\n"
      "games:x:5:60:games:/usr/games:/usr/sbin/nologin\n"
      "man:x:6:12:man:/var/cache/man:/usr/sbin/nologin\n"
      "lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n"
      "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n"
      "news:x:9:9:news:/var/spool/news:/usr/sbin/nologin\n"
      "uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\n"
      "proxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
      "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
      "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
      "list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\n"
      "irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
      "systemd-network:x:100:102:systemd Network Management,,,:/run/systemd:/usr/sbin/nologin\n"
      "systemd-resolve:x:101:103:systemd Resolver,,,:/run/systemd:/usr/sbin/nologin\n"
      "messagebus:x:102:105::/nonexistent:/usr/sbin/nologin\n"
      "systemd-timesync:x:103:106:systemd Time Synchronization,,,:/run/systemd:/usr/sbin/nologin\n"
      "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"
      "_apt:x:105:65534::/nonexistent:/usr/sbin/nologin\n"
      "uuidd:x:107:113::/run/uuidd:/usr/sbin/nologin\n"
      "tcpdump:x:108:114::/nonexistent:/usr/sbin/nologin\n"
      "sshd:x:110:65534::/run/sshd:/usr/sbin/nologin\n";
  for (const auto& [name, password] : host_.users) {
    if (name == "root") continue;
    const std::string uid = std::to_string(uidOf(name));
    out += name + ":x:" + uid + ":" + uid + ":" + name + ",,,:/home/" + name + ":/bin/bash\n";
  }
  return out;
}

std::string FakeShell::osRelease() const {
  if (ubuntu()) {
    return "PRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
           "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
           "ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\n"
           "SUPPORT_URL=\"https://help.ubuntu.com/\"\n"
           "BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n"
           "PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n"
           "UBUNTU_CODENAME=jammy\n";
  }
  return "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
         "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
         "HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\n"
         "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n";
}

std::string FakeShell::readFile(const std::string& path, int& status) const {
  status = 0;
  if (path == "/etc/passwd") return passwd();
  if (path == "/etc/hostname") return host_.hostname + "\n";
  if (path == "/etc/os-release" || path == "/usr/lib/os-release") return osRelease();
  if (path == "/etc/issue") {
    return ubuntu() ? "Ubuntu 22.04.3 LTS \\n \\l\n\n" : "Debian GNU/Linux 12 \\n \\l\n\n";
  }
  if (path == "/etc/hosts") {
    return "127.0.0.1 localhost\n127.0.1.1 " + host_.hostname +
           "\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost "
           "ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\n"
           "ff02::2 ip6-allrouters\n";
  }
  if (path == "/proc/version") {
    return "Linux version " + release() +
           " (buildd@lcy02-amd64-116) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU "
           "Binutils for Ubuntu) 2.38) #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023\n";
  }
  if (path == "/proc/cpuinfo") {
    std::string out;
    for (int cpu = 0; cpu < 2; ++cpu) {
      out +=
          "processor\t: " + std::to_string(cpu) +
          "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Intel(R) "
          "Xeon(R) Gold 6230 CPU @ 2.10GHz\nstepping\t: 7\ncpu MHz\t\t: 2095.078\ncache size\t: "
          "28160 KB\ncpu cores\t: 2\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr "
          "pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm "
          "constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 "
          "sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm "
          "3dnowprefetch avx2 avx512f avx512dq\nbogomips\t: 4190.15\n\n";
    }
    return out;
  }
  if (path == "/etc/shadow" || path == "/etc/sudoers" || path == "/etc/gshadow") {
    if (user_ != "root") {
      status = 1;
      return "cat: " + path + ": Permission denied\n";
    }
    if (path == "/etc/shadow") {
      std::string out = "root:$y$j9T$" +
                        std::to_string(std::hash<std::string>{}(host_.hostname) % 99999989) +
                        "kQ0PrlY.$Wv3sH2Ck0rB9x5fJ1nqYkG8u2o1N7mTcl4ZyR6aDpE1:19640:0:99999:7:::\n"
                        "daemon:*:19579:0:99999:7:::\nbin:*:19579:0:99999:7:::\n"
                        "sys:*:19579:0:99999:7:::\nwww-data:*:19579:0:99999:7:::\n"
                        "sshd:*:19579:0:99999:7:::\n";
      for (const auto& [name, password] : host_.users) {
        if (name == "root") continue;
        out += name + ":$y$j9T$" + std::to_string(std::hash<std::string>{}(name) % 99999989) +
               "Yx7fQ2.$3cH1k9Lr0aQvW5nM8tB2eJ6sD4fG7hK1lZ0xC9vB8n:19641:0:99999:7:::\n";
      }
      return out;
    }
    return "root\tALL=(ALL:ALL) ALL\n%admin ALL=(ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n";
  }
  if (path == home_ + "/.bashrc" || path == "/etc/bash.bashrc") {
    return "# ~/.bashrc: executed by bash(1) for non-login shells.\n\n"
           "# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n"
           "      *) return;;\nesac\n\nHISTCONTROL=ignoreboth\nshopt -s histappend\n"
           "HISTSIZE=1000\nHISTFILESIZE=2000\n";
  }
  if (path == home_ + "/.bash_history") return "";
  status = 1;
  const bool directory = path == "/" || path == "/etc" || path == "/home" || path == "/tmp" ||
                         path == "/var" || path == home_;
  return "cat: " + path + (directory ? ": Is a directory\n" : ": No such file or directory\n");
}

std::string FakeShell::listDirectory(const std::vector<std::string>& args, int& status) const {
  bool all = false, longFormat = false;
  std::vector<std::string> targets;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].size() > 1 && args[i][0] == '-') {
      all = all || args[i].find('a') != std::string::npos;
      longFormat = longFormat || args[i].find('l') != std::string::npos;
    } else {
      targets.push_back(args[i]);
    }
  }
  if (targets.empty()) targets.push_back(cwd_);
  std::map<std::string, std::vector<std::string>> tree = {
      {"/", {"bin",    "boot",       "dev",   "etc",      "home", "lib",  "lib32", "lib64",
             "libx32", "lost+found", "media", "mnt",      "opt",  "proc", "root",  "run",
             "sbin",   "snap",       "srv",   "swap.img", "sys",  "tmp",  "usr",   "var"}},
      {"/etc",
       {"adduser.conf", "alternatives", "apparmor.d", "apt",         "bash.bashrc", "cron.d",
        "crontab",      "default",      "fstab",      "group",       "hostname",    "hosts",
        "init.d",       "issue",        "ld.so.conf", "logrotate.d", "machine-id",  "netplan",
        "network",      "os-release",   "passwd",     "profile",     "resolv.conf", "security",
        "shadow",       "ssh",          "ssl",        "sudoers",     "systemd",     "timezone"}},
      {"/tmp",
       {"snap-private-tmp",
        "systemd-private-7c1c9c2e5b4b4f1e9d1e7b2f8a0c3d4e-systemd-resolved.service-Qx3kLm"}},
      {"/var",
       {"backups", "cache", "crash", "lib", "local", "lock", "log", "mail", "opt", "run", "snap",
        "spool", "tmp", "www"}},
      {"/var/www", {"html"}},
      {"/var/www/html", {"index.html"}},
      {"/opt", {}},
      {"/srv", {}},
      {"/mnt", {}},
      {"/usr",
       {"bin", "games", "include", "lib", "lib32", "lib64", "libexec", "libx32", "local", "sbin",
        "share", "src"}},
  };
  std::vector<std::string> homeUsers;
  for (const auto& [name, password] : host_.users) {
    if (name != "root") homeUsers.push_back(name);
  }
  tree["/home"] = homeUsers;
  tree[home_] = {};
  std::string out;
  for (const auto& target : targets) {
    const std::string path = resolve(target);
    if (path == "/root" && user_ != "root") {
      status = 2;
      out += "ls: cannot open directory '" + target + "': Permission denied\n";
      continue;
    }
    auto it = tree.find(path);
    if (it == tree.end()) {
      status = 2;
      out += "ls: cannot access '" + target + "': No such file or directory\n";
      continue;
    }
    std::vector<std::string> entries = it->second;
    if (path == home_ && all) {
      entries = {".bash_history", ".bash_logout", ".bashrc", ".cache", ".profile", ".ssh"};
    }
    if (all) entries.insert(entries.begin(), {".", ".."});
    if (targets.size() > 1) out += target + ":\n";
    if (longFormat) {
      out += "total " + std::to_string(entries.size() * 4) + "\n";
      for (const auto& entry : entries) {
        const bool file = entry.find('.') != std::string::npos && entry != "." && entry != ".." &&
                          entry.front() != '.';
        const std::string owner = path.rfind(home_, 0) == 0 ? user_ : "root";
        out += std::string(file ? "-rw-r--r--" : "drwxr-xr-x") + "  2 " + owner + " " + owner +
               " " + (file ? " 220" : "4096") + " Nov 14 13:41 " + entry + "\n";
      }
    } else if (!entries.empty()) {
      std::string row;
      for (const auto& entry : entries) row += (row.empty() ? "" : "  ") + entry;
      out += row + "\n";
    }
  }
  return out;
}

std::string FakeShell::runSimple(std::vector<std::string> words, bool interactive, int& status,
                                 bool& exit) {
  status = 0;
  if (words.empty()) return "";
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
    if (arg1 == "-v") return "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023\n";
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
    return filter(options, input);
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
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char clock[16];
    std::strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    std::string line =
        std::string(" ") + clock + " up 41 days,  3:17,  1 user,  load average: 0.08, 0.03, 0.01\n";
    if (name == "uptime") return line;
    return line + "USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n" + user_ +
           std::string(9 - std::min<std::size_t>(8, user_.size()), ' ') +
           "pts/0    -                " + std::string(clock).substr(0, 5) +
           "    0.00s  0.02s  0.00s w\n";
  }
  if (name == "ps") {
    return "    PID TTY          TIME CMD\n   1843 pts/0    00:00:00 bash\n   1871 pts/0    "
           "00:00:00 ps\n";
  }
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
  if (name == "wget" || name == "curl") {
    std::string url;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i][0] != '-') {
        url = words[i];
        break;
      }
    }
    std::string host = url;
    if (auto scheme = host.find("://"); scheme != std::string::npos) host = host.substr(scheme + 3);
    host = host.substr(0, host.find_first_of("/:"));
    status = name == "curl" ? 6 : 4;
    if (url.empty()) {
      status = 2;
      return name == "curl" ? "curl: try 'curl --help' or 'curl --manual' for more information\n"
                            : "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n";
    }
    if (name == "curl") return "curl: (6) Could not resolve host: " + host + "\n";
    return "--2024-01-01 00:00:00--  " + url + "\nResolving " + host + " (" + host +
           ")... failed: Temporary failure in name resolution.\nwget: unable to resolve host "
           "address '" +
           host + "'\n";
  }
  // Commands that succeed silently: the attacker's next step shows what they wanted.
  static const std::vector<std::string> silent = {
      "chmod", "chown", "rm",  "mkdir",  "touch",  "cp", "mv",  "kill",  "pkill", "crontab",
      "nohup", "sleep", "set", "ulimit", "source", ".",  "tar", "unset", "sync"};
  if (std::find(silent.begin(), silent.end(), name) != silent.end()) return "";
  status = 127;
  return (interactive ? "-bash: " : "bash: line 1: ") + name + ": command not found\n";
}

FakeShell::Outcome FakeShell::run(std::string_view line, bool interactive) {
  Outcome outcome;
  std::string trimmed(line);
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.pop_back();
  if (trimmed.empty()) return outcome;
  if (history_.size() >= kMaxHistory) history_.erase(history_.begin());
  history_.push_back(trimmed);

  const std::map<std::string, std::string> env = {
      {"HOME", home_},
      {"USER", user_},
      {"LOGNAME", user_},
      {"PWD", cwd_},
      {"SHELL", "/bin/bash"},
      {"HOSTNAME", host_.hostname},
      {"?", "0"},
      {"PATH",
       "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/"
       "snap/bin"}};
  int status = 0;
  std::string previous;  // operator before the current pipeline
  for (auto& pipeline : parse(trimmed, env)) {
    const bool skip = (previous == "&&" && status != 0) || (previous == "||" && status == 0);
    previous = pipeline.next;
    if (skip) continue;
    std::string output;
    for (std::size_t i = 0; i < pipeline.stages.size(); ++i) {
      Stage& stage = pipeline.stages[i];
      if (i == 0) {
        output = runSimple(stage.words, interactive, status, outcome.exit);
      } else {
        output = filter(stage.words, output);
      }
      if (stage.redirected) output.clear();
    }
    outcome.output += output;
    if (outcome.exit) break;
  }
  outcome.status = status;
  return outcome;
}

}  // namespace decnet::decoy
