// Test-only entry point: runs one decoy with options from the command line, as `decnet decoy`
// will, so the service tests can start it as a separate process and measure it.
//   decoy_runner --decky NAME --spec JSON --out FILE [--bind ADDR] [--user U] [--no-sandbox]
//                [--max N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "decoy/decoy.h"

int main(int argc, char** argv) {
  decnet::decoy::DecoyOptions options;
  options.bindAddress = "127.0.0.1";
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--decky") {
      options.decky = value();
    } else if (arg == "--spec") {
      options.spec = decnet::api::Json::parse(value(), nullptr, false);
    } else if (arg == "--out") {
      out = value();
    } else if (arg == "--bind") {
      options.bindAddress = value();
    } else if (arg == "--user") {
      options.runAsUser = value();
    } else if (arg == "--no-sandbox") {
      options.sandbox = false;
    } else if (arg == "--max") {
      options.maxConnections = std::atoi(value().c_str());
    } else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (!out.empty()) {
    options.out = std::fopen(out.c_str(), "a");
    if (options.out == nullptr) {
      std::perror(out.c_str());
      return 2;
    }
  }
  return decnet::decoy::runDecoy(options);
}
