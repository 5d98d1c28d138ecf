#pragma once
// One ssh connection on its own thread, blocking in libssh: key exchange, authentication (every
// try recorded), then one session channel: the fake shell, an exec request, scp or sftp.
#include "decoy/services/ssh/ssh_common.h"

namespace decnet::decoy::ssh {

class SshSession {
 public:
  explicit SshSession(SessionArgs& args) : args_(args), shared_(*args.shared) {}

  // Serves the connection to its end; closes the socket pair end.
  void run();

 private:
  void record(std::string type, Fields fields, int severity = kSeverityInfo);
  std::pair<std::string, std::string> client() const;
  void recordAuth(const char* method, const std::string& principal, const std::string& secret,
                  bool success, Fields extra = {});
  bool validLogin(const std::string& user, const std::string& password) const;
  void failDelay();
  bool authenticate();
  static int onLateMessage(ssh_session, ssh_message message, void*);
  void serveChannels();
  void finishChannel(ssh_channel channel);
  bool send(ssh_channel channel, std::string_view data, bool pty);
  FakeShell::Outcome execute(FakeShell& shell, const std::string& line, bool interactive);
  FakeHost host() const;
  void runShell(ssh_channel channel, bool pty);
  void runExec(ssh_channel channel, const std::string& command, bool pty);
  // Uploads (ssh_upload.cc).
  void recordUpload(const std::string& name, const std::string& path, std::uint64_t size,
                    const std::string& sha256, bool complete);
  void catSink(ssh_channel channel, const std::string& target);
  void scpSink(ssh_channel channel, const std::string& command, const std::string& cwd);
  // The sftp subsystem (ssh_sftp.cc): SftpServer over the channel until it ends.
  void runSftp(ssh_channel channel);

  SessionArgs& args_;
  SshShared& shared_;
  ssh_session session_ = nullptr;
  std::string user_;
  std::string term_;
  int exitStatus_ = 0;
};

// The session thread's entry point: owns `raw` (a SessionArgs).
void* sessionThread(void* raw);

}  // namespace decnet::decoy::ssh
