#include "decoy/common/shell/fake_shell.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <sstream>

#include "decoy/common/shell/fake_filesystem.h"

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

}  // namespace

// The right-hand side of a pipe: the filters people chain onto recon commands.
std::string shellFilter(const std::vector<std::string>& words, const std::string& input) {
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

FakeShell::FakeShell(FakeHost host, std::string user)
    : host_(std::move(host)),
      user_(std::move(user)),
      home_(host_.osFamily == "windows" ? "C:\\Users\\" + user_
            : user_ == "root"           ? "/root"
                                        : "/home/" + user_),
      cwd_(home_) {}

std::string FakeShell::prettyName() const {
  if (!host_.prettyName.empty()) return host_.prettyName;
  return host_.sshVersion.find("Debian") != std::string::npos ? "Debian GNU/Linux 12 (bookworm)"
                                                              : "Ubuntu 22.04.5 LTS";
}

bool FakeShell::ubuntu() const { return prettyName().find("Ubuntu") != std::string::npos; }

bool FakeShell::debian() const {
  const std::string name = prettyName();
  return name.find("Debian") != std::string::npos || name.find("Kali") != std::string::npos;
}

std::time_t FakeShell::installTime() const {
  std::tm tm{};
  if (host_.installDate.size() == 10 && std::sscanf(host_.installDate.c_str(), "%d-%d-%d",
                                                    &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 10 + static_cast<int>(std::hash<std::string>{}(host_.hostname) % 8);
    tm.tm_min = static_cast<int>(std::hash<std::string>{}(host_.hostname + "m") % 60);
    const std::time_t at = ::timegm(&tm);
    if (at > 0 && at < std::time(nullptr)) return at;
  }
  return std::time(nullptr) - 400 * 86400;
}

std::time_t FakeShell::bootTime() const {
  // Stable per host within a run of the decoy, and never before the install.
  const auto seed = std::hash<std::string>{}(host_.hostname + "boot");
  const std::time_t uptime = static_cast<std::time_t>(9 * 86400 + seed % (50 * 86400));
  static const std::time_t started = std::time(nullptr);
  return std::max(started - uptime, installTime() + 86400);
}

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
  if (windows()) return cwd_ + ">";
  std::string where = cwd_;
  if (where == home_) {
    where = "~";
  } else if (where.rfind(home_ + "/", 0) == 0) {
    where = "~" + where.substr(home_.size());
  }
  return user_ + "@" + host_.hostname + ":" + where + (user_ == "root" ? "# " : "$ ");
}

std::string FakeShell::motd(std::string_view fromAddress) const {
  if (windows()) {
    return "Microsoft Windows [Version " + std::string(windowsBuild(prettyName())) +
           "]\n(c) Microsoft Corporation. All rights reserved.\n\n";
  }
  // The previous login: a few days ago, from the same network.
  std::time_t now = std::time(nullptr) - 86400 * 3 - 3600 * 5 -
                    static_cast<std::time_t>(std::hash<std::string>{}(host_.hostname) % 7200);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char last[64];
  std::strftime(last, sizeof(last), "%a %b %e %H:%M:%S %Y", &tm);
  std::string out;
  if (ubuntu()) {
    out = "Welcome to " + prettyName() + " (GNU/Linux " + release() +
          " x86_64)\n\n * Documentation:  https://help.ubuntu.com\n * Management:     "
          "https://landscape.canonical.com\n * Support:        https://ubuntu.com/pro\n\n"
          "Expanded Security Maintenance for Applications is not enabled.\n\n"
          "0 updates can be applied immediately.\n\n";
  } else if (debian()) {
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
  if (windows()) return std::string(path);
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

FakeShell::Outcome FakeShell::run(std::string_view line, bool interactive) {
  Outcome outcome;
  std::string trimmed(line);
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.pop_back();
  if (trimmed.empty()) return outcome;
  if (history_.size() >= kMaxHistory) history_.erase(history_.begin());
  history_.push_back(trimmed);
  if (windows()) {
    outcome.output = runWindows(trimmed, outcome.status, outcome.exit, outcome.downloads);
    return outcome;
  }

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
        output = runSimple(stage.words, interactive, status, outcome.exit, outcome.downloads);
      } else {
        output = shellFilter(stage.words, output);
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
