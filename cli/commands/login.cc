// decnet login / logout: an identity for the CLI (and kubectl) from a user name and password.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "api/rest/rest_client.h"
#include "cli/context.h"
#include "cli/kubeconfig.h"

namespace decnet::cli {
namespace {

// A line from the terminal without echo (or from stdin when it is not a terminal).
std::string promptSecret(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool terminal = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return line;
}

// Where login writes: --kubeconfig, else $DECNET_CONFIG, else ~/.config/decnet/config.
std::string loginConfigPath(const Globals& globals) {
  if (!globals.kubeconfig.empty()) return globals.kubeconfig;
  if (const char* env = std::getenv("DECNET_CONFIG"); env != nullptr && *env != '\0') return env;
  return userConfigPath();
}

}  // namespace

void addLoginCommands(CLI::App& app, Globals& globals) {
  struct Options {
    std::string username = "admin", password, newPassword, caFile;
  };
  auto options = std::make_shared<Options>();
  auto* login = app.add_subcommand("login", "Log in to an API server and keep the token");
  login->footer(
      "Writes the server, its CA and a bearer token to ~/.config/decnet/config (or --kubeconfig,\n"
      "or $DECNET_CONFIG) in kubeconfig format: `kubectl --kubeconfig ~/.config/decnet/config\n"
      "get fleets` works with it too. A first login that must change its password asks for a\n"
      "new one (or takes --new-password).\n\n"
      "Examples:\n  decnet login --server https://10.0.0.5:8000 --username alice\n"
      "  decnet login --server http://127.0.0.1:8000 --username admin --password \"$PW\"");
  login->add_option("-u,--username", options->username, "User name")->capture_default_str();
  login->add_option("-p,--password", options->password,
                    "Password (default: asked for without echo)");
  login->add_option("--new-password", options->newPassword,
                    "The new password when the server requires a change");
  login
      ->add_option("--certificate-authority", options->caFile,
                   "CA (PEM) of an https server signed by decnet's own CA")
      ->check(CLI::ExistingFile);
  login->callback([options, &globals] {
    api::RestClientOptions client;
    if (!options->caFile.empty()) {
      std::ifstream ca(options->caFile);
      client.caPem.assign(std::istreambuf_iterator<char>(ca), std::istreambuf_iterator<char>());
    }
    std::string server = globals.server;
    if (server.empty()) {
      const char* env = std::getenv("DECNET_SERVER");
      server = env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8000";
    }
    std::string password = options->password;
    if (password.empty()) password = promptSecret("Password for " + options->username + ": ");
    auto answer = api::postJson(server, "/api/v1/auth/login",
                                {{"username", options->username}, {"password", password}}, client);
    if (!answer) exitWithError(answer.error());
    std::string token = answer->value("access_token", "");
    if (answer->value("must_change_password", false)) {
      std::string fresh = options->newPassword;
      if (fresh.empty()) {
        std::cerr << "The password of " << options->username << " must be changed now.\n";
        fresh = promptSecret("New password (8 characters or more): ");
        if (promptSecret("Again: ") != fresh) {
          exitWithError(Error{Errc::kInvalid, "the two new passwords differ", {}});
        }
      }
      api::RestClientOptions withToken = client;
      withToken.bearerToken = token;
      auto changed =
          api::postJson(server, "/api/v1/auth/password",
                        {{"current_password", password}, {"new_password", fresh}}, withToken);
      if (!changed) exitWithError(changed.error());
      token = changed->value("access_token", "");
      std::cout << "password changed" << std::endl;
    }
    const std::string path = loginConfigPath(globals);
    Kubeconfig config{server, options->username, token, client.caPem, path};
    if (auto written = writeKubeconfig(path, config); !written) exitWithError(written.error());
    std::cout << "logged in to " << server << " as " << options->username << "; token in " << path
              << std::endl;
  });

  auto* logout = app.add_subcommand("logout", "Revoke the token the CLI is using");
  logout->callback([&globals] {
    auto config = findKubeconfig(globals.kubeconfig);
    if (!config) exitWithError(config.error());
    if (!*config || (*config)->token.empty()) {
      exitWithError(Error{Errc::kNotFound, "no identity to log out of (no kubeconfig found)", {}});
    }
    api::RestClientOptions client{(*config)->token, (*config)->caPem};
    auto revoked =
        api::postJson(serverUrl(globals), "/api/v1/auth/logout", api::Json::object(), client);
    if (!revoked) exitWithError(revoked.error());
    std::cout << "token of " << (*config)->user << " in " << (*config)->path << " revoked"
              << std::endl;
  });
}

}  // namespace decnet::cli
