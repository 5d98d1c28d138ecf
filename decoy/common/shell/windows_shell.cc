// cmd.exe for Windows deckies: the handful of commands attackers type first, each in cmd's own
// words; everything else "is not recognized". Nothing is executed.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <sstream>

#include "decoy/common/shell/fake_filesystem.h"
#include "decoy/common/shell/fake_shell.h"

namespace decnet::decoy {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::string FakeShell::runWindows(std::string_view line, int& status, bool& exit,
                                  std::vector<Download>& downloads) {
  status = 0;
  std::istringstream in{std::string(line)};
  std::vector<std::string> words;
  for (std::string word; in >> word && words.size() < 64;) words.push_back(word);
  if (words.empty()) return "";
  const std::string name = lower(words[0]);
  const std::string host = lower(host_.hostname);
  if (name == "exit") {
    exit = true;
    return "";
  }
  if (name == "whoami") return host + "\\" + lower(user_) + "\n";
  if (name == "hostname") return host_.hostname + "\n";
  if (name == "ver") return "\nMicrosoft Windows [Version " + windowsBuild(prettyName()) + "]\n";
  if (name == "echo") {
    std::string rest(line.substr(std::min(line.size(), std::size_t{5})));
    return rest + "\n";
  }
  if (name == "cd" || name == "chdir") {
    if (words.size() == 1) return cwd_ + "\n";
    std::string target = words[1];
    if (target == "..") {
      const auto slash = cwd_.rfind('\\');
      if (slash != std::string::npos && slash > 2) cwd_ = cwd_.substr(0, slash);
      if (slash == 2) cwd_ = cwd_.substr(0, 3);
      return "";
    }
    if (target.size() >= 2 && target[1] == ':') {
      cwd_ = target;
    } else {
      cwd_ += (cwd_.back() == '\\' ? "" : "\\") + target;
    }
    return "";
  }
  if (name == "dir") {
    const std::time_t now = std::time(nullptr);
    const std::time_t installed = installTime();
    std::string out =
        " Volume in drive C has no label.\n Volume Serial Number is 6A3C-91F2\n\n "
        "Directory of " +
        cwd_ + "\n\n";
    const auto stamp = [](std::time_t t) {
      std::tm tm{};
      ::localtime_r(&t, &tm);
      char text[32];
      std::strftime(text, sizeof(text), "%m/%d/%Y  %I:%M %p", &tm);
      return std::string(text);
    };
    for (const char* entry : {".", "..", "Contacts", "Desktop", "Documents", "Downloads",
                              "Favorites", "Links", "Music", "Pictures", "Videos"}) {
      const std::time_t t = entry[0] == '.' ? now - 7200 : installed + 3600;
      out += stamp(t) + "    <DIR>          " + entry + "\n";
    }
    out +=
        "               0 File(s)              0 bytes\n              11 Dir(s)  "
        "38,214,762,496 bytes free\n";
    return out;
  }
  if (name == "ipconfig") {
    const std::string ip =
        host_.address.empty() || host_.address.rfind("127.", 0) == 0 ? "10.0.0.12" : host_.address;
    return "\nWindows IP Configuration\n\n\nEthernet adapter Ethernet0:\n\n   Connection-specific "
           "DNS Suffix  . : \n   IPv4 Address. . . . . . . . . . . : " +
           ip +
           "\n   Subnet Mask . . . . . . . . . . . : 255.255.255.0\n   Default Gateway . . . . . "
           ". . . . : " +
           ip.substr(0, ip.rfind('.')) + ".1\n";
  }
  if (name == "systeminfo") {
    return "\nHost Name:                 " + host_.hostname +
           "\nOS Name:                   Microsoft " +
           prettyName().substr(0, prettyName().rfind(' ')) +
           "\nOS Version:                " + windowsBuild(prettyName()).substr(5) + " N/A Build " +
           windowsBuild(prettyName()).substr(5, 5) +
           "\nOS Manufacturer:           Microsoft Corporation\nSystem Type:               "
           "x64-based PC\n";
  }
  if (name == "net" && words.size() > 1 && lower(words[1]) == "user") {
    std::string out = "\nUser accounts for \\\\" + host_.hostname +
                      "\n\n-------------------------------------------------------------------"
                      "------------\nAdministrator            DefaultAccount           Guest\n";
    for (const auto& [user, password] : host_.users) out += user + "\n";
    return out + "The command completed successfully.\n\n";
  }
  if (name == "tasklist") {
    return "\nImage Name                     PID Session Name        Session#    Mem Usage\n"
           "========================= ======== ================ =========== ============\n"
           "System Idle Process              0 Services                   0          8 K\n"
           "System                           4 Services                   0        144 K\n"
           "smss.exe                       376 Services                   0      1,212 K\n"
           "csrss.exe                      512 Services                   0      5,320 K\n"
           "wininit.exe                    596 Services                   0      6,944 K\n"
           "services.exe                   668 Services                   0      9,876 K\n"
           "lsass.exe                      684 Services                   0     18,440 K\n"
           "sshd.exe                      2956 Services                   0      6,812 K\n"
           "cmd.exe                       4412 Services                   0      4,096 K\n"
           "tasklist.exe                  4520 Services                   0      8,772 K\n";
  }
  if (name == "certutil" || name == "powershell" || name == "powershell.exe" ||
      name == "bitsadmin" || name == "curl" || name == "curl.exe") {
    for (const auto& word : words) {
      if (word.find("://") != std::string::npos) {
        std::string url = word;
        url.erase(std::remove(url.begin(), url.end(), '\''), url.end());
        url.erase(std::remove(url.begin(), url.end(), '"'), url.end());
        downloads.push_back({url, name.substr(0, name.find('.'))});
        status = 1;
        if (name.rfind("curl", 0) == 0) return "curl: (6) Could not resolve host\n";
        return "The remote name could not be resolved.\n";
      }
    }
  }
  status = 1;
  return "'" + words[0] +
         "' is not recognized as an internal or external command,\noperable program or batch "
         "file.\n";
}

}  // namespace decnet::decoy
