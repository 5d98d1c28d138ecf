#pragma once
// A pretend shell for attackers who log in: plausible answers for the reconnaissance commands
// they run first, "command not found" for the rest. Nothing is ever executed: downloads are
// reported to the caller (which records them) and answered like a host without a route out.
// Linux deckies get bash; Windows deckies get cmd.exe.
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy {

struct FakeHost {
  std::string hostname;                                    // "web-01"
  std::string kernel;                                      // full `uname -a` line ("" on Windows)
  std::string sshVersion;                                  // picks Ubuntu or Debian flavour
  std::vector<std::pair<std::string, std::string>> users;  // login users (name, password)
  std::string prettyName;          // PRETTY_NAME or the Windows product ("" = from sshVersion)
  std::string osFamily = "linux";  // "windows" switches to cmd.exe
  std::string installDate;         // YYYY-MM-DD: base of file times ("" = a year ago)
  std::string address;             // the decky's address as the attacker reached it
};

// A wget/curl/tftp the attacker asked for: recorded, never fetched.
struct Download {
  std::string url;
  std::string tool;
};

class FakeShell {
 public:
  struct Outcome {
    std::string output;  // "\n" line endings; the caller converts for a terminal
    int status = 0;      // $? of the last command
    bool exit = false;   // the session should end (exit, logout)
    std::vector<Download> downloads;
  };

  FakeShell(FakeHost host, std::string user);

  // Runs one input line. `interactive`: a login shell (error messages say "-bash: ..."), else
  // `bash -c` (an exec request: "bash: line 1: ..."). Pure apart from cwd and history.
  Outcome run(std::string_view line, bool interactive);

  // "admin@web-01:~$ " (or '#' for root); "C:\Users\admin>" on Windows.
  std::string prompt() const;
  // The banner a terminal login prints before the first prompt.
  std::string motd(std::string_view fromAddress) const;
  const std::string& cwd() const { return cwd_; }
  const std::string& user() const { return user_; }
  const std::string& home() const { return home_; }
  bool windows() const { return host_.osFamily == "windows"; }

 private:
  std::string runSimple(std::vector<std::string> words, bool interactive, int& status, bool& exit,
                        std::vector<Download>& downloads);
  std::string runWindows(std::string_view line, int& status, bool& exit,
                         std::vector<Download>& downloads);
  std::string download(const std::vector<std::string>& words, int& status,
                       std::vector<Download>& downloads) const;
  std::string processes(const std::vector<std::string>& words) const;
  std::string interfaces(const std::vector<std::string>& words) const;
  std::string resolve(std::string_view path) const;
  std::string listDirectory(const std::vector<std::string>& args, int& status) const;
  std::string readFile(const std::string& path, int& status) const;
  std::string passwd() const;
  std::string osRelease() const;
  std::string prettyName() const;
  bool ubuntu() const;
  bool debian() const;
  std::string release() const;  // "5.15.0-91-generic"
  int uidOf(const std::string& user) const;
  std::time_t installTime() const;
  std::time_t bootTime() const;

  const FakeHost host_;
  const std::string user_;
  const std::string home_;
  std::string cwd_;
  std::vector<std::string> history_;
};

}  // namespace decnet::decoy
