#pragma once
// The fake host's file tree: what `ls` lists and `cat` reads. Sizes and times follow the host's
// install date and the clock, so two listings never show the same frozen timestamp.
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy {

struct FsNode {
  std::string name;
  char type = 'd';  // 'd', '-', 'l'
  std::string mode = "rwxr-xr-x";
  int links = 2;
  std::string owner = "root";
  std::uint64_t size = 4096;
  std::time_t mtime = 0;
  std::string target;  // symlinks
};

// What the tree depends on.
struct FsFacts {
  std::string hostname;
  std::string user;
  std::string home;
  std::vector<std::string> homeUsers;  // every non-root login
  bool ubuntu = false;
  std::time_t installed = 0;
  std::time_t booted = 0;
  std::time_t now = 0;
};

// Every directory the fake host knows, path -> entries (without . and ..).
std::map<std::string, std::vector<FsNode>> fakeTree(const FsFacts& facts);

// `ls -l`'s date column: "Nov 14 13:41" within six months of now, else "Nov 14  2022".
std::string lsTime(std::time_t when, std::time_t now);

// The filters people chain onto recon commands (grep, head, tail, wc, sort) applied to `input`.
std::string shellFilter(const std::vector<std::string>& words, const std::string& input);

// "10.0.17763.5329" for a Windows product name ("Windows Server 2019 Standard 17763").
std::string windowsBuild(std::string_view productName);

}  // namespace decnet::decoy
