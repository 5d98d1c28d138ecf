// Redis wire format (RESP2, inline commands) and the handful of commands attackers use.
#include "decoy/services/redis/redis_protocol.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <random>

namespace decnet::decoy::redis {
namespace {

bool parseInteger(std::string_view text, long long& out) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto result = std::from_chars(first, last, out);
  return result.ec == std::errc() && result.ptr == last;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// sdssplitargs: words, "double quoted with \\n \\xHH escapes" and 'single quoted'.
bool splitArgs(std::string_view line, std::vector<std::string>& out) {
  std::size_t i = 0;
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (out.size() <= kMaxArgs) {
    while (i < line.size() && space(line[i])) ++i;
    if (i == line.size()) return true;
    std::string word;
    const char quote = (line[i] == '"' || line[i] == '\'') ? line[i] : 0;
    if (quote == 0) {
      while (i < line.size() && !space(line[i])) word.push_back(line[i++]);
      out.push_back(std::move(word));
      continue;
    }
    ++i;
    bool closed = false;
    while (i < line.size()) {
      const char c = line[i];
      if (quote == '"' && c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' &&
          hexDigit(line[i + 2]) >= 0 && hexDigit(line[i + 3]) >= 0) {
        word.push_back(static_cast<char>(hexDigit(line[i + 2]) * 16 + hexDigit(line[i + 3])));
        i += 4;
      } else if (c == '\\' && i + 1 < line.size() && (quote == '"' || line[i + 1] == '\'')) {
        const char e = line[i + 1];
        word.push_back(quote == '\'' ? e
                       : e == 'n'    ? '\n'
                       : e == 'r'    ? '\r'
                       : e == 't'    ? '\t'
                       : e == 'b'    ? '\b'
                       : e == 'a'    ? '\a'
                                     : e);
        i += 2;
      } else if (c == quote) {
        ++i;
        if (i < line.size() && !space(line[i])) return false;  // "foo"bar
        closed = true;
        break;
      } else {
        word.push_back(c);
        ++i;
      }
    }
    if (!closed) return false;
    out.push_back(std::move(word));
  }
  return true;
}

Parsed fail(std::string error, std::string anomaly) {
  Parsed parsed;
  parsed.status = Parsed::Status::kError;
  parsed.error = std::move(error);
  parsed.anomaly = std::move(anomaly);
  return parsed;
}

std::string hexString(std::mt19937& random, std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(kHex[random() % 16]);
  return out;
}

std::string joinArgs(const std::vector<std::string>& args) {
  std::string out;
  for (std::size_t i = 1; i < args.size() && out.size() < 1024; ++i) {
    if (i > 1) out.push_back(' ');
    out += args[i];
  }
  if (out.size() > 1024) out.resize(1024);
  return out;
}

std::string humanBytes(double bytes) {
  const char* units[] = {"B", "K", "M", "G"};
  int unit = 0;
  while (bytes >= 1024 && unit < 3) {
    bytes /= 1024;
    ++unit;
  }
  char buffer[32];
  if (unit == 0) {
    std::snprintf(buffer, sizeof(buffer), "%.0fB", bytes);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.2f%s", bytes, units[unit]);
  }
  return buffer;
}

}  // namespace

Parsed parseCommand(std::string_view buffer) {
  Parsed parsed;
  if (buffer.empty()) return parsed;
  if (buffer[0] == '*') {
    const auto eol = buffer.find("\r\n");
    if (eol == std::string_view::npos) {
      if (buffer.size() > kMaxInline) {
        return fail("Protocol error: too big mbulk count string", "mbulk_count_too_long");
      }
      return parsed;
    }
    long long count = 0;
    if (!parseInteger(buffer.substr(1, eol - 1), count) ||
        count > static_cast<long long>(kMaxArgs)) {
      return fail("Protocol error: invalid multibulk length", "invalid_multibulk_length");
    }
    std::size_t pos = eol + 2;
    if (count <= 0) {
      parsed.status = Parsed::Status::kEmpty;
      parsed.consumed = pos;
      return parsed;
    }
    for (long long i = 0; i < count; ++i) {
      if (pos >= buffer.size()) return Parsed{};
      if (buffer[pos] != '$') {
        return fail(std::string("Protocol error: expected '$', got '") + buffer[pos] + "'",
                    "expected_bulk");
      }
      const auto end = buffer.find("\r\n", pos);
      if (end == std::string_view::npos) {
        if (buffer.size() - pos > kMaxInline) {
          return fail("Protocol error: too big bulk count string", "bulk_count_too_long");
        }
        return Parsed{};
      }
      long long length = 0;
      if (!parseInteger(buffer.substr(pos + 1, end - pos - 1), length) || length < 0 ||
          length > static_cast<long long>(kMaxBulk)) {
        return fail("Protocol error: invalid bulk length", "invalid_bulk_length");
      }
      pos = end + 2;
      if (buffer.size() < pos + static_cast<std::size_t>(length) + 2) return Parsed{};
      parsed.args.emplace_back(buffer.substr(pos, static_cast<std::size_t>(length)));
      pos += static_cast<std::size_t>(length) + 2;
    }
    parsed.status = Parsed::Status::kCommand;
    parsed.consumed = pos;
    return parsed;
  }
  const auto newline = buffer.find('\n');
  if (newline == std::string_view::npos) {
    if (buffer.size() > kMaxInline) {
      return fail("Protocol error: too big inline request", "inline_too_long");
    }
    return parsed;
  }
  std::string_view line = buffer.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!splitArgs(line, parsed.args) || parsed.args.size() > kMaxArgs) {
    return fail("Protocol error: unbalanced quotes in request", "unbalanced_quotes");
  }
  parsed.status = parsed.args.empty() ? Parsed::Status::kEmpty : Parsed::Status::kCommand;
  parsed.consumed = newline + 1;
  return parsed;
}

std::string simple(std::string_view text) { return "+" + std::string(text) + "\r\n"; }
std::string error(std::string_view text) { return "-" + std::string(text) + "\r\n"; }
std::string integer(long long value) { return ":" + std::to_string(value) + "\r\n"; }
std::string bulk(std::string_view data) {
  return "$" + std::to_string(data.size()) + "\r\n" + std::string(data) + "\r\n";
}
std::string nullBulk() { return "$-1\r\n"; }
std::string array(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const auto& item : items) out += item;
  return out;
}

bool globMatch(std::string_view pattern, std::string_view text, bool nocase) {
  const auto same = [nocase](char a, char b) {
    return nocase ? std::tolower(static_cast<unsigned char>(a)) ==
                        std::tolower(static_cast<unsigned char>(b))
                  : a == b;
  };
  // Iterative with one backtrack point for '*': linear enough and never recursive.
  std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    bool advanced = false;
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        starP = p++;
        starT = t;
        continue;
      }
      if (c == '?') {
        ++p, ++t;
        advanced = true;
      } else if (c == '[') {
        std::size_t q = p + 1;
        const bool negate = q < pattern.size() && pattern[q] == '^';
        if (negate) ++q;
        bool match = false;
        while (q < pattern.size() && pattern[q] != ']') {
          if (pattern[q] == '\\' && q + 1 < pattern.size()) ++q;
          if (q + 2 < pattern.size() && pattern[q + 1] == '-' && pattern[q + 2] != ']') {
            if (text[t] >= pattern[q] && text[t] <= pattern[q + 2]) match = true;
            q += 3;
          } else {
            if (same(pattern[q], text[t])) match = true;
            ++q;
          }
        }
        if (match != negate && q < pattern.size()) {
          p = q + 1;
          ++t;
          advanced = true;
        }
      } else {
        const char want = (c == '\\' && p + 1 < pattern.size()) ? pattern[p + 1] : c;
        if (same(want, text[t])) {
          p += (c == '\\' && p + 1 < pattern.size()) ? 2 : 1;
          ++t;
          advanced = true;
        }
      }
    }
    if (advanced) continue;
    if (starP == std::string_view::npos) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Engine::Engine(Settings settings, std::string peer, std::uint16_t localPort, std::uint64_t clientId)
    : settings_(std::move(settings)),
      peer_(std::move(peer)),
      localPort_(localPort),
      clientId_(clientId),
      authenticated_(settings_.password.empty()) {
  config_ = {{"appendfilename", "appendonly.aof"},
             {"appendonly", "no"},
             {"bind", "* -::*"},
             {"daemonize", "yes"},
             {"databases", "16"},
             {"dbfilename", "dump.rdb"},
             {"dir", "/var/lib/redis"},
             {"enable-module-command", "no"},
             {"logfile", "/var/log/redis/redis-server.log"},
             {"loglevel", "notice"},
             {"masterauth", ""},
             {"maxclients", "10000"},
             {"maxmemory", "0"},
             {"maxmemory-policy", "noeviction"},
             {"pidfile", "/run/redis/redis-server.pid"},
             {"port", std::to_string(localPort_)},
             {"protected-mode", "no"},
             {"replicaof", ""},
             {"requirepass", settings_.password},
             {"save", "3600 1 300 100 60 10000"},
             {"slaveof", ""},
             {"tcp-keepalive", "300"},
             {"timeout", "0"},
             {"unixsocket", ""}};
}

std::string Engine::unknown(const std::vector<std::string>& args) const {
  std::string text =
      "ERR unknown command '" + args[0].substr(0, 128) + "', with args beginning with: ";
  std::size_t budget = 128;
  for (std::size_t i = 1; i < args.size() && budget > args[i].size(); ++i) {
    text += "'" + args[i] + "' ";
    budget -= args[i].size();
  }
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return error(text);
}

std::string Engine::configGet(const std::vector<std::string>& args) const {
  std::vector<std::string> items;
  for (std::size_t i = 2; i < args.size(); ++i) {
    for (const auto& [key, value] : config_) {
      if (!globMatch(args[i], key, true)) continue;
      const std::string item = bulk(key);
      if (std::find(items.begin(), items.end(), item) != items.end()) continue;
      items.push_back(item);
      items.push_back(bulk(value));
    }
  }
  return array(items);
}

std::string Engine::clientList(std::uint64_t now) const {
  const std::string line =
      "id=" + std::to_string(clientId_) + " addr=" + peer_ + " laddr=" + settings_.hostname + ":" +
      std::to_string(localPort_) + " fd=8 name=" + name_ +
      " age=" + std::to_string(now - connectedAt_) + " idle=0 flags=N db=" + std::to_string(db_) +
      " sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 "
      "rbp=0 obl=0 oll=0 omem=0 tot-mem=22426 events=r cmd=client|list user=default redir=-1 "
      "resp=2 lib-name= lib-ver=\n";
  return bulk(line);
}

std::string Engine::info(std::string_view section, std::uint64_t now) const {
  std::mt19937 random(settings_.runSeed);
  const std::string runId = hexString(random, 40);
  const std::string buildId = hexString(random, 16);
  const std::string replId = hexString(random, 40);
  const std::uint64_t pid = 600 + random() % 3000;
  const std::uint64_t uptime =
      now - std::min(now, settings_.startedAt) + 3600 + settings_.runSeed % (40 * 86400);
  const std::uint64_t memory = 1038776 + 160 * store_.size();
  const std::string want = lower(section);
  const bool all = want == "all" || want == "everything";
  const bool byDefault = want.empty() || want == "default" || all;
  std::vector<std::pair<std::string, std::string>> sections;
  const auto add = [&](const std::string& name, std::string body) {
    if (byDefault || want == lower(name)) sections.emplace_back(name, std::move(body));
  };
  const auto u = [](std::uint64_t v) { return std::to_string(v); };
  add("Server",
      "redis_version:" + settings_.version +
          "\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:" + buildId +
          "\r\nredis_mode:standalone\r\nos:" + settings_.os +
          "\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\n"
          "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\n"
          "process_id:" +
          u(pid) + "\r\nprocess_supervised:systemd\r\nrun_id:" + runId +
          "\r\ntcp_port:" + u(localPort_) + "\r\nserver_time_usec:" + u(now * 1000000) +
          "\r\nuptime_in_seconds:" + u(uptime) + "\r\nuptime_in_days:" + u(uptime / 86400) +
          "\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:" + u(now & 0xffffff) +
          "\r\nexecutable:/usr/bin/redis-server\r\nconfig_file:/etc/redis/redis.conf\r\n"
          "io_threads_active:0\r\nlistener0:name=tcp,bind=*,bind=-::*,port=" +
          u(localPort_) + "\r\n");
  add("Clients",
      "connected_clients:1\r\ncluster_connections:0\r\nmaxclients:10000\r\n"
      "client_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:0\r\n"
      "blocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n"
      "total_blocking_keys:0\r\ntotal_blocking_keys_on_nokey:0\r\n");
  add("Memory", "used_memory:" + u(memory) + "\r\nused_memory_human:" + humanBytes(memory) +
                    "\r\nused_memory_rss:7340032\r\nused_memory_rss_human:7.00M\r\n"
                    "used_memory_peak:1139320\r\nused_memory_peak_human:1.09M\r\n"
                    "used_memory_peak_perc:91.18%\r\nused_memory_overhead:867712\r\n"
                    "used_memory_startup:865344\r\nused_memory_dataset:171064\r\n"
                    "total_system_memory:4109328384\r\ntotal_system_memory_human:3.83G\r\n"
                    "used_memory_lua:31744\r\nused_memory_lua_human:31.00K\r\n"
                    "maxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\n"
                    "allocator_frag_ratio:1.25\r\nmem_fragmentation_ratio:7.07\r\n"
                    "mem_allocator:jemalloc-5.3.0\r\nlazyfree_pending_objects:0\r\n");
  add("Persistence",
      "loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
      "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
      "current_save_keys_total:0\r\nrdb_changes_since_last_save:" +
          u(store_.size()) +
          "\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:" + u(now - uptime / 2) +
          "\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:0\r\n"
          "rdb_current_bgsave_time_sec:-1\r\nrdb_saves:" +
          u(uptime / 3600) +
          "\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
          "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
          "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_last_write_status:ok\r\n"
          "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
  add("Stats", "total_connections_received:" + u(40 + uptime / 900) +
                   "\r\ntotal_commands_processed:" + u(200 + uptime / 60 + commands_) +
                   "\r\ninstantaneous_ops_per_sec:0\r\ntotal_net_input_bytes:" +
                   u(9000 + uptime / 10) + "\r\ntotal_net_output_bytes:" + u(60000 + uptime / 4) +
                   "\r\ninstantaneous_input_kbps:0.00\r\ninstantaneous_output_kbps:0.00\r\n"
                   "rejected_connections:0\r\nsync_full:0\r\nsync_partial_ok:0\r\n"
                   "sync_partial_err:0\r\nexpired_keys:0\r\nevicted_keys:0\r\n"
                   "keyspace_hits:0\r\nkeyspace_misses:0\r\npubsub_channels:0\r\n"
                   "pubsub_patterns:0\r\nlatest_fork_usec:312\r\ntotal_forks:" +
                   u(uptime / 3600) + "\r\nmigrate_cached_sockets:0\r\ntotal_error_replies:0\r\n");
  add("Replication",
      "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
      "master_replid:" +
          replId +
          "\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
          "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
          "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\n"
          "repl_backlog_histlen:0\r\n");
  char cpu[256];
  std::snprintf(cpu, sizeof(cpu),
                "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\nused_cpu_sys_children:0.000000\r\n"
                "used_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:%.6f\r\n"
                "used_cpu_user_main_thread:%.6f\r\n",
                uptime * 0.00061, uptime * 0.00043, uptime * 0.0006, uptime * 0.00042);
  add("CPU", cpu);
  add("Modules", "");
  add("Errorstats", "");
  add("Cluster", "cluster_enabled:0\r\n");
  std::map<int, std::size_t> counts;
  for (const auto& [key, value] : store_) ++counts[key.first];
  std::string keyspace;
  for (const auto& [db, count] : counts) {
    keyspace += "db" + std::to_string(db) + ":keys=" + u(count) + ",expires=0,avg_ttl=0\r\n";
  }
  add("Keyspace", keyspace);
  std::string out;
  for (const auto& [name, body] : sections) {
    if (!out.empty()) out += "\r\n";
    out += "# " + name + "\r\n" + body;
  }
  return out;
}

Reply Engine::execute(const std::vector<std::string>& args, std::uint64_t now) {
  Reply reply;
  if (args.empty()) return reply;
  if (connectedAt_ == 0) connectedAt_ = now;
  ++commands_;
  const std::string cmd = lower(args[0]);
  const std::size_t argc = args.size();
  reply.events.push_back({"command", {{"cmd", args[0]}, {"args", joinArgs(args)}}});
  const auto wrongArgs = [&] {
    return error("ERR wrong number of arguments for '" + cmd + "' command");
  };
  // Redis drops browsers and SSRF-smuggled HTTP outright (securityWarningCommand).
  if (cmd == "post" || cmd == "host:") {
    reply.events.back().fields.emplace_back("anomaly", "cross_protocol");
    reply.close = true;
    return reply;
  }
  const auto authenticate = [&](const std::string& user, const std::string& pass) {
    const bool ok = settings_.password.empty() || (user == "default" && pass == settings_.password);
    Fields fields;
    addCredential(fields, user, pass, ok);
    reply.events.push_back({"auth_attempt", std::move(fields)});
    if (ok) authenticated_ = true;
    return ok;
  };
  if (cmd == "quit") {
    reply.bytes = simple("OK");
    reply.close = true;
    return reply;
  }
  if (cmd == "auth") {
    if (argc < 2 || argc > 3) {
      reply.bytes = wrongArgs();
      return reply;
    }
    const bool ok = authenticate(argc == 3 ? args[1] : "default", args[argc - 1]);
    reply.bytes =
        ok ? simple("OK") : error("WRONGPASS invalid username-password pair or user is disabled.");
    return reply;
  }
  if (cmd == "hello") {
    long long proto = 2;
    if (argc >= 2 && (!parseInteger(args[1], proto) || proto < 2 || proto > 3)) {
      reply.bytes = error("NOPROTO unsupported protocol version");
      return reply;
    }
    for (std::size_t i = 2; i < argc; ++i) {
      const std::string option = lower(args[i]);
      if (option == "auth" && i + 2 < argc) {
        if (!authenticate(args[i + 1], args[i + 2])) {
          reply.bytes = error("WRONGPASS invalid username-password pair or user is disabled.");
          return reply;
        }
        i += 2;
      } else if (option == "setname" && i + 1 < argc) {
        name_ = args[++i];
      }
    }
    if (!authenticated_) {
      reply.bytes = error(
          "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
          "select the RESP protocol version at the same time");
      return reply;
    }
    if (proto == 3) {
      reply.bytes = error("NOPROTO sorry, this protocol version is not supported.");
      return reply;
    }
    reply.bytes = array(
        {bulk("server"), bulk("redis"), bulk("version"), bulk(settings_.version), bulk("proto"),
         integer(2), bulk("id"), integer(static_cast<long long>(clientId_)), bulk("mode"),
         bulk("standalone"), bulk("role"), bulk("master"), bulk("modules"), array({})});
    return reply;
  }
  if (!authenticated_) {
    reply.bytes = error("NOAUTH Authentication required.");
    return reply;
  }
  lastCommand_ = cmd;
  if (cmd == "ping") {
    reply.bytes = argc == 1 ? simple("PONG") : argc == 2 ? bulk(args[1]) : wrongArgs();
  } else if (cmd == "echo") {
    reply.bytes = argc == 2 ? bulk(args[1]) : wrongArgs();
  } else if (cmd == "select") {
    long long index = 0;
    if (argc != 2) {
      reply.bytes = wrongArgs();
    } else if (!parseInteger(args[1], index)) {
      reply.bytes = error("ERR value is not an integer or out of range");
    } else if (index < 0 || index > 15) {
      reply.bytes = error("ERR DB index is out of range");
    } else {
      db_ = static_cast<int>(index);
      reply.bytes = simple("OK");
    }
  } else if (cmd == "dbsize") {
    long long count = 0;
    for (const auto& [key, value] : store_) count += key.first == db_;
    reply.bytes = argc == 1 ? integer(count) : wrongArgs();
  } else if (cmd == "keys") {
    std::vector<std::string> items;
    if (argc != 2) {
      reply.bytes = wrongArgs();
    } else {
      for (const auto& [key, value] : store_) {
        if (key.first == db_ && globMatch(args[1], key.second)) items.push_back(bulk(key.second));
      }
      reply.bytes = array(items);
    }
  } else if (cmd == "get") {
    if (argc != 2) {
      reply.bytes = wrongArgs();
    } else {
      const auto it = store_.find({db_, args[1]});
      reply.bytes = it == store_.end() ? nullBulk() : bulk(it->second);
    }
  } else if (cmd == "set") {
    if (argc < 3) {
      reply.bytes = wrongArgs();
    } else {
      const auto key = std::make_pair(db_, args[1]);
      // Bounded: past kMaxKeys new keys are acknowledged and forgotten.
      if (store_.count(key) > 0 || store_.size() < kMaxKeys) {
        store_[key] = args[2].substr(0, 16 * 1024);
      }
      reply.bytes = simple("OK");
    }
  } else if (cmd == "del" || cmd == "exists") {
    long long count = 0;
    for (std::size_t i = 1; i < argc; ++i) {
      const auto it = store_.find({db_, args[i]});
      if (it == store_.end()) continue;
      ++count;
      if (cmd == "del") store_.erase(it);
    }
    reply.bytes = argc < 2 ? wrongArgs() : integer(count);
  } else if (cmd == "flushall" || cmd == "flushdb") {
    for (auto it = store_.begin(); it != store_.end();) {
      it = (cmd == "flushall" || it->first.first == db_) ? store_.erase(it) : std::next(it);
    }
    reply.bytes = simple("OK");
  } else if (cmd == "save") {
    reply.bytes = simple("OK");
  } else if (cmd == "bgsave") {
    reply.bytes = simple("Background saving started");
  } else if (cmd == "lastsave") {
    reply.bytes = integer(static_cast<long long>(now - 1800));
  } else if (cmd == "time") {
    reply.bytes = array({bulk(std::to_string(now)), bulk("123456")});
  } else if (cmd == "slaveof" || cmd == "replicaof") {
    reply.bytes = argc == 3 ? simple("OK") : wrongArgs();
  } else if (cmd == "info") {
    reply.bytes = bulk(info(argc >= 2 ? args[1] : "", now));
  } else if (cmd == "config") {
    const std::string sub = argc >= 2 ? lower(args[1]) : "";
    if (sub == "get" && argc >= 3) {
      reply.bytes = configGet(args);
    } else if (sub == "set" && argc >= 4 && argc % 2 == 0) {
      for (std::size_t i = 2; i + 1 < argc; i += 2) {
        const std::string name = lower(args[i]);
        if (config_.count(name) == 0 && config_.size() >= kMaxConfig + 24) {
          continue;  // bounded; the command event still holds it
        }
        config_[name] = args[i + 1].substr(0, 4096);
      }
      reply.bytes = simple("OK");
    } else if (sub == "rewrite" || sub == "resetstat") {
      reply.bytes = simple("OK");
    } else {
      reply.bytes = error("ERR unknown subcommand or wrong number of arguments for '" +
                          (argc >= 2 ? args[1] : std::string()) + "'. Try CONFIG HELP.");
    }
  } else if (cmd == "client") {
    const std::string sub = argc >= 2 ? lower(args[1]) : "";
    if (sub == "setname" && argc == 3) {
      name_ = args[2].substr(0, 128);
      reply.bytes = simple("OK");
    } else if (sub == "getname") {
      reply.bytes = name_.empty() ? nullBulk() : bulk(name_);
    } else if (sub == "list" || sub == "info") {
      reply.bytes = clientList(now);
    } else if (sub == "id") {
      reply.bytes = integer(static_cast<long long>(clientId_));
    } else if (sub == "setinfo" || sub == "no-evict" || sub == "no-touch" || sub == "reply") {
      reply.bytes = simple("OK");
    } else if (sub == "kill") {
      reply.bytes = error("ERR No such client");
    } else {
      reply.bytes = error("ERR unknown subcommand or wrong number of arguments for '" +
                          (argc >= 2 ? args[1] : std::string()) + "'. Try CLIENT HELP.");
    }
  } else if (cmd == "command") {
    const std::string sub = argc >= 2 ? lower(args[1]) : "";
    reply.bytes = sub == "count" ? integer(241) : array({});
  } else if (cmd == "module") {
    reply.bytes = (argc >= 2 && lower(args[1]) == "list")
                      ? array({})
                      : error(
                            "ERR MODULE command not allowed. If the enable-module-command option "
                            "is set to \"local\", you can run it from a local connection, "
                            "otherwise you need to set this option in the configuration file, "
                            "and then restart the server.");
  } else {
    reply.bytes = unknown(args);
  }
  return reply;
}

}  // namespace decnet::decoy::redis
