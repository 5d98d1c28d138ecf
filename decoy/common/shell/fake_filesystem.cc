#include "decoy/common/shell/fake_filesystem.h"

#include <algorithm>
#include <functional>

#include "decoy/common/shell/fake_shell.h"

namespace decnet::decoy {
namespace {

// A stable pseudo-random number per name: sizes and times differ between entries but not
// between two listings.
std::uint64_t spread(std::string_view salt, std::string_view name, std::uint64_t range) {
  return range == 0 ? 0
                    : std::hash<std::string>{}(std::string(salt) + "/" + std::string(name)) % range;
}

FsNode dir(std::string name, std::time_t mtime, int links = 2, std::string mode = "rwxr-xr-x") {
  return FsNode{std::move(name), 'd', std::move(mode), links, "root", 4096, mtime, {}};
}

FsNode link(std::string name, std::string target, std::time_t mtime) {
  const auto size = target.size();
  return FsNode{std::move(name), 'l', "rwxrwxrwx", 1, "root", size, mtime, std::move(target)};
}

FsNode file(std::string name, std::uint64_t size, std::time_t mtime, std::string mode = "rw-r--r--",
            std::string owner = "root") {
  return FsNode{std::move(name), '-', std::move(mode), 1, std::move(owner), size, mtime, {}};
}

}  // namespace

std::string lsTime(std::time_t when, std::time_t now) {
  std::tm tm{};
  ::localtime_r(&when, &tm);
  char out[32];
  const bool recent = when <= now + 3600 && now - when < 182 * 86400;
  std::strftime(out, sizeof(out), recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
  return out;
}

std::string windowsBuild(std::string_view productName) {
  for (const auto& [build, full] : {std::pair{"17763", "10.0.17763.5329"},
                                    {"14393", "10.0.14393.6614"},
                                    {"20348", "10.0.20348.2227"},
                                    {"19045", "10.0.19045.3930"},
                                    {"22631", "10.0.22631.3007"}}) {
    if (productName.find(build) != std::string_view::npos) return full;
  }
  return "10.0.17763.5329";
}

std::map<std::string, std::vector<FsNode>> fakeTree(const FsFacts& f) {
  const std::time_t in = f.installed;
  const auto since = [&](std::string_view name, std::time_t from) {
    return from + static_cast<std::time_t>(
                      spread(f.hostname, name,
                             static_cast<std::uint64_t>(std::max<std::time_t>(f.now - from, 1))));
  };
  const auto atInstall = [&](std::string_view name) {
    return in + static_cast<std::time_t>(spread(f.hostname, name, 3600));
  };
  std::map<std::string, std::vector<FsNode>> tree;
  auto& root = tree["/"];
  root = {
      link("bin", "usr/bin", atInstall("bin")),
      dir("boot", since("boot", in), 4),
      FsNode{
          "dev", 'd', "rwxr-xr-x", 20, "root", 3960 + spread(f.hostname, "dev", 400), f.booted, {}},
      dir("etc", since("etc", f.booted), 101 + static_cast<int>(spread(f.hostname, "etcl", 30))),
      dir("home", since("home", in), 3 + static_cast<int>(f.homeUsers.size())),
      link("lib", "usr/lib", atInstall("lib")),
      link("lib32", "usr/lib32", atInstall("lib32")),
      link("lib64", "usr/lib64", atInstall("lib64")),
      link("libx32", "usr/libx32", atInstall("libx32")),
      FsNode{"lost+found", 'd', "rwx------", 2, "root", 16384, in, {}},
      dir("media", atInstall("media")),
      dir("mnt", atInstall("mnt")),
      dir("opt", since("opt", in), 3),
      FsNode{"proc",
             'd',
             "r-xr-xr-x",
             180 + static_cast<int>(spread(f.hostname, "proc", 80)),
             "root",
             0,
             f.booted,
             {}},
      dir("root", since("root", f.booted), 6, "rwx------"),
      FsNode{"run",
             'd',
             "rwxr-xr-x",
             30,
             "root",
             880 + 20 * spread(f.hostname, "run", 10),
             since("run", f.booted),
             {}},
      link("sbin", "usr/sbin", atInstall("sbin")),
      dir("srv", atInstall("srv")),
      FsNode{"sys", 'd', "r-xr-xr-x", 13, "root", 0, f.booted, {}},
      FsNode{"tmp", 'd', "rwxrwxrwt", 12, "root", 4096, since("tmp", f.now - 3600), {}},
      dir("usr", atInstall("usr"), 14),
      dir("var", atInstall("var"), 13)};
  if (f.ubuntu) {
    root.push_back(dir("snap", since("snap", in), 5));
    root.push_back(file("swap.img", 2147483648ull, in, "rw-------"));
  }
  std::sort(root.begin(), root.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  auto& etc = tree["/etc"];
  for (const auto& [name, size] :
       std::initializer_list<std::pair<const char*, std::uint64_t>>{{"adduser.conf", 3028},
                                                                    {"bash.bashrc", 2319},
                                                                    {"crontab", 1136},
                                                                    {"fstab", 657},
                                                                    {"group", 0},
                                                                    {"hostname", 0},
                                                                    {"hosts", 221},
                                                                    {"issue", 26},
                                                                    {"ld.so.conf", 34},
                                                                    {"machine-id", 33},
                                                                    {"os-release", 0},
                                                                    {"passwd", 0},
                                                                    {"profile", 582},
                                                                    {"resolv.conf", 0},
                                                                    {"shadow", 0},
                                                                    {"sudoers", 1671},
                                                                    {"timezone", 8}}) {
    FsNode node =
        file(name, size != 0 ? size : 900 + spread(f.hostname, name, 2400), atInstall(name));
    if (std::string_view(name) == "hostname") node.size = f.hostname.size() + 1;
    if (std::string_view(name) == "shadow" || std::string_view(name) == "sudoers")
      node.mode = "r--r-----";
    if (std::string_view(name) == "resolv.conf") {
      node = link(name, "../run/systemd/resolve/stub-resolv.conf", atInstall(name));
    }
    etc.push_back(node);
  }
  for (const char* name : {"alternatives", "apparmor.d", "apt", "cron.d", "default", "init.d",
                           "logrotate.d", "network", "security", "ssh", "ssl", "systemd"}) {
    etc.push_back(dir(name, since(name, in), 2 + static_cast<int>(spread(f.hostname, name, 6))));
  }
  std::sort(etc.begin(), etc.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  tree["/tmp"] = {dir("systemd-private-" + std::to_string(spread(f.hostname, "tmp", 1ull << 62)) +
                          "-systemd-timesyncd.service-Qx3kLm",
                      f.booted, 3, "rwx------")};
  auto& var = tree["/var"];
  for (const char* name :
       {"backups", "cache", "lib", "local", "log", "mail", "opt", "spool", "tmp", "www"}) {
    var.push_back(dir(name, since(name, in), 2 + static_cast<int>(spread(f.hostname, name, 10))));
  }
  var.push_back(link("lock", "/run/lock", atInstall("lock")));
  var.push_back(link("run", "/run", atInstall("run")));
  std::sort(var.begin(), var.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  tree["/var/www"] = {dir("html", atInstall("html"))};
  tree["/var/www/html"] = {file("index.html", 10671, atInstall("index.html"))};
  tree["/var/tmp"] = {};
  tree["/opt"] = {};
  tree["/srv"] = {};
  tree["/mnt"] = {};
  tree["/media"] = {};
  auto& usr = tree["/usr"];
  for (const char* name : {"bin", "games", "include", "lib", "lib32", "lib64", "libexec", "libx32",
                           "local", "sbin", "share", "src"}) {
    usr.push_back(dir(name, since(name, in), 2 + static_cast<int>(spread(f.hostname, name, 90))));
  }
  auto& home = tree["/home"];
  for (const auto& name : f.homeUsers) {
    FsNode node = dir(name, since(name, in), 4, "rwxr-x---");
    node.owner = name;
    home.push_back(node);
  }
  std::vector<FsNode> dot = {file(".bash_history", 0, f.now - 600, "rw-------", f.user),
                             file(".bash_logout", 220, in, "rw-r--r--", f.user),
                             file(".bashrc", 3771, in, "rw-r--r--", f.user),
                             dir(".cache", since("cache" + f.user, in), 2, "rwx------"),
                             file(".profile", 807, in, "rw-r--r--", f.user),
                             dir(".ssh", since("ssh" + f.user, in), 2, "rwx------")};
  for (auto& node : dot) node.owner = f.user;
  if (f.user == "root") dot[1] = file(".lesshst", 20, since("less", in), "rw-------");
  tree[f.home] = dot;
  return tree;
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
    return "PRETTY_NAME=\"" + prettyName() +
           "\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n"
           "VERSION=\"22.04.5 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\n"
           "ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\n"
           "SUPPORT_URL=\"https://help.ubuntu.com/\"\n"
           "BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n"
           "PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n"
           "UBUNTU_CODENAME=jammy\n";
  }
  if (!debian()) return "PRETTY_NAME=\"" + prettyName() + "\"\n";
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
    std::string name = prettyName();
    if (debian()) name = name.substr(0, name.find(" ("));
    return name + " \\n \\l\n\n";
  }
  if (path == "/etc/hosts") {
    return "127.0.0.1 localhost\n127.0.1.1 " + host_.hostname +
           "\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost "
           "ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\n"
           "ff02::2 ip6-allrouters\n";
  }
  if (path == "/proc/version") {
    // "Linux version R (builder) #N SMP ..." from the uname line's release and version fields.
    const auto hash = host_.kernel.find(" #");
    std::string build = hash == std::string::npos ? "#1 SMP" : host_.kernel.substr(hash + 1);
    for (const char* tail :
         {" x86_64 x86_64 x86_64 GNU/Linux", " x86_64 GNU/Linux", " x86_64 Linux"}) {
      if (const auto at = build.rfind(tail); at != std::string::npos) build.erase(at);
    }
    return "Linux version " + release() +
           (ubuntu() ? " (buildd@lcy02-amd64-051) (x86_64-linux-gnu-gcc-12 (Ubuntu "
                       "12.3.0-1ubuntu1~22.04) 12.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) "
                     : " (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU "
                       "ld (GNU Binutils for Debian) 2.40) ") +
           build + "\n";
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
  bool all = false, almostAll = false, longFormat = false, human = false, onePerLine = false;
  std::vector<std::string> targets;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].size() > 1 && args[i][0] == '-' && args[i][1] != '-') {
      for (char c : args[i].substr(1)) {
        all = all || c == 'a';
        almostAll = almostAll || c == 'A';
        longFormat = longFormat || c == 'l';
        human = human || c == 'h';
        onePerLine = onePerLine || c == '1';
      }
    } else if (args[i].rfind("--", 0) != 0) {
      targets.push_back(args[i]);
    }
  }
  if (targets.empty()) targets.push_back(".");
  FsFacts facts{host_.hostname, user_,         home_,      {},
                ubuntu(),       installTime(), bootTime(), std::time(nullptr)};
  for (const auto& [name, password] : host_.users) {
    if (name != "root") facts.homeUsers.push_back(name);
  }
  const auto tree = fakeTree(facts);
  const auto sizeText = [&](std::uint64_t size) {
    if (!human || size < 1024) return std::to_string(size);
    const char* units = "KMGT";
    double value = static_cast<double>(size);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
      value /= 1024;
      ++unit;
    }
    char out[16];
    if (value < 10) {
      std::snprintf(out, sizeof(out), "%.1f%c", value, units[unit]);
    } else {
      std::snprintf(out, sizeof(out), "%.0f%c", value, units[unit]);
    }
    return std::string(out);
  };
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
    std::vector<FsNode> entries;
    for (const auto& node : it->second) {
      if (node.name[0] != '.' || all || almostAll) entries.push_back(node);
    }
    if (all) {
      FsNode self = dir(".", facts.now - 3600, 2 + static_cast<int>(it->second.size()));
      if (path == "/tmp") self.mode = "rwxrwxrwt";
      FsNode parent = dir("..", facts.installed, 19);
      if (path == "/") self.links = parent.links = 19 + (facts.ubuntu ? 1 : 0);
      entries.insert(entries.begin(), {self, parent});
    }
    if (targets.size() > 1) out += target + ":\n";
    if (longFormat) {
      std::uint64_t blocks = 0;
      std::size_t linkWidth = 1, ownerWidth = 1, sizeWidth = 1;
      for (const auto& node : entries) {
        if (node.type != 'l') blocks += (node.size + 4095) / 4096 * 4;
        linkWidth = std::max(linkWidth, std::to_string(node.links).size());
        ownerWidth = std::max(ownerWidth, node.owner.size());
        sizeWidth = std::max(sizeWidth, sizeText(node.size).size());
      }
      out += "total " + sizeText(blocks * 1024).substr(0, human ? std::string::npos : 0) +
             (human ? "" : std::to_string(blocks)) + "\n";
      for (const auto& node : entries) {
        const std::string links = std::to_string(node.links);
        const std::string size = sizeText(node.size);
        out += std::string(1, node.type) + node.mode + " " +
               std::string(linkWidth - links.size(), ' ') + links + " " + node.owner +
               std::string(ownerWidth - node.owner.size(), ' ') + " " + node.owner +
               std::string(ownerWidth - node.owner.size(), ' ') + " " +
               std::string(sizeWidth - size.size(), ' ') + size + " " +
               lsTime(node.mtime, facts.now) + " " + node.name +
               (node.type == 'l' ? " -> " + node.target : "") + "\n";
      }
    } else if (!entries.empty()) {
      std::string row;
      for (const auto& node : entries)
        row += (row.empty() ? "" : onePerLine ? "\n" : "  ") + node.name;
      out += row + "\n";
    }
  }
  return out;
}

}  // namespace decnet::decoy
