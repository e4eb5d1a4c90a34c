#include "admin_channel.h"

#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "cli_common.h"
#include "connection.h"  // libfloatlm's own connection: TCP or TLS, as the library speaks
#include "floatlm/proto/frame_reader.h"
#include "floatlm/proto/messages.h"
#include "server_list.h"

namespace po = boost::program_options;

namespace floatlm::cli {
namespace {

namespace fc = floatlm::client;

constexpr const char* kDefaultSocket = "/run/floatlm/admin.sock";
constexpr int kTimeoutMs = 10'000;

// Closes the descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int ConnectUnix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw std::runtime_error(path + ": socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot reach the admin socket " + path + ": " + why +
                             " (is floatlmd running? --admin-socket PATH or -c PORT@HOST)");
  }
  return fd;
}

void SendFrame(int fd, std::uint32_t id, const proto::Message& msg) {
  std::string frame;
  proto::EncodeFrame(id, msg, frame);
  std::size_t off = 0;
  while (off < frame.size()) {
    ssize_t n = ::send(fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("connection lost while sending");
    off += static_cast<std::size_t>(n);
  }
}

proto::Decoded ReadFrame(int fd, proto::FrameReader& in) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  for (;;) {
    auto next = in.NextDecoded();
    if (auto* d = std::get_if<proto::Decoded>(&next)) return std::move(*d);
    if (std::holds_alternative<proto::FrameReader::BadLength>(next)) {
      throw std::runtime_error("the daemon sent a broken frame");
    }
    if (std::holds_alternative<proto::DecodeError>(next)) {
      throw std::runtime_error("the daemon sent an undecodable frame");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      throw std::runtime_error("the daemon sent nothing for 10 s");
    }
    std::uint8_t chunk[65536];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("the daemon closed the connection");
    in.Append({chunk, static_cast<std::size_t>(n)});
  }
}

// The first server of the -c list, reached as the client library reaches it ("tls:"
// entries over TLS, verified against --tls-ca / $FLOATLM_TLS_CA / the system store).
std::unique_ptr<fc::Connection> ConnectServer(const std::string& server) {
  std::string error;
  auto endpoints = fc::ParseServerList(server, &error);
  if (!endpoints) throw UsageError("-c: " + error);
  const fc::Endpoint& ep = endpoints->front();
  std::shared_ptr<const fc::TlsContext> tls;
  if (ep.tls) {
    tls = fc::TlsContext::Create(TlsCa(), &error);
    if (!tls) throw std::runtime_error("cannot set up TLS: " + error);
  }
  auto conn = fc::Connection::Open(ep, std::chrono::milliseconds(kTimeoutMs), tls.get(), &error);
  if (!conn) throw std::runtime_error("cannot connect to " + error);
  return conn;
}

proto::Decoded ReadFrame(fc::Connection& conn) {
  const auto deadline = fc::Clock::now() + std::chrono::milliseconds(kTimeoutMs);
  proto::Decoded d;
  bool timed_out = false;
  std::string error;
  if (!conn.WaitFrame(deadline, &d, &timed_out, &error)) {
    throw std::runtime_error(timed_out ? "the daemon sent nothing for 10 s"
                                       : conn.endpoint().ToString() + ": " + error);
  }
  return d;
}

// One admin exchange on either channel: the Unix socket's fd or a client connection.
class Channel {
 public:
  explicit Channel(const AdminTarget& target) {
    if (target.server.empty()) {
      fd_.fd = ConnectUnix(target.socket_path);
    } else {
      conn_ = ConnectServer(target.server);
    }
  }
  void Send(std::uint32_t id, const proto::Message& msg) {
    if (!conn_) return SendFrame(fd_.fd, id, msg);
    std::string error;
    if (!conn_->Send(id, msg, &error)) throw std::runtime_error("connection lost while sending: " + error);
  }
  proto::Decoded Read() { return conn_ ? ReadFrame(*conn_) : ReadFrame(fd_.fd, buffer_); }

 private:
  Fd fd_;
  std::unique_ptr<fc::Connection> conn_;
  proto::FrameReader buffer_;
};

std::string CurrentUser() {
  if (const char* u = std::getenv("FLOATLM_USER")) return u;
  if (passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "admin";
}

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name[0] ? name : "localhost";
}

// The daemon's PROGRESS sentences on one line of a terminal's stderr, rewritten in place
// and cleared at the end; nothing when stderr is not a terminal (scripts, logs).
class ProgressLine {
 public:
  ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() {
    if (width_ > 0) std::fprintf(stderr, "\r%*s\r", static_cast<int>(width_), "");
  }
  void Show(const std::string& sentence) {
    if (!tty_) return;
    std::fprintf(stderr, "\r%-*s", static_cast<int>(width_), sentence.c_str());
    std::fflush(stderr);
    width_ = std::max(width_, sentence.size());
  }

 private:
  bool tty_;
  std::size_t width_ = 0;
};

}  // namespace

void AddAdminOptions(po::options_description& desc, std::string* socket, std::string* server,
                     std::string* token_file) {
  desc.add_options()
      ("admin-socket", po::value(socket)->value_name("PATH"),
       "daemon's admin socket (default $FLOATLM_ADMIN_SOCKET, else /run/floatlm/admin.sock)")
      ("server,c", po::value(server)->value_name("PORT@HOST"),
       "send over TCP to this daemon, with the admin token (the daemon takes it only over TLS: "
       "tls:PORT@HOST)")
      ("admin-token-file", po::value(token_file)->value_name("FILE"),
       "file holding the admin token for -c (without it, $FLOATLM_ADMIN_TOKEN holds the "
       "token itself, not a path)");
  AddTlsOption(desc);
}

AdminTarget ResolveAdminTarget(const std::string& socket, const std::string& server,
                               const std::string& token_file) {
  AdminTarget t;
  t.server = server;
  if (!server.empty()) {
    if (!token_file.empty()) {
      std::ifstream in(token_file);
      if (!in) throw std::runtime_error(token_file + ": cannot read the admin token file");
      std::getline(in, t.token);
      while (!t.token.empty() && (t.token.back() == '\r' || t.token.back() == ' ')) t.token.pop_back();
    } else if (const char* env = std::getenv("FLOATLM_ADMIN_TOKEN")) {
      t.token = env;
    }
    if (t.token.empty()) {
      throw UsageError("-c needs the admin token: --admin-token-file FILE or $FLOATLM_ADMIN_TOKEN");
    }
    return t;
  }
  if (!socket.empty()) {
    t.socket_path = socket;
  } else if (const char* env = std::getenv("FLOATLM_ADMIN_SOCKET"); env && *env) {
    t.socket_path = env;
  } else {
    t.socket_path = kDefaultSocket;
  }
  return t;
}

AdminReply SendAdmin(const AdminTarget& target, const std::string& command,
                     const std::vector<std::string>& args) {
  Channel channel(target);
  if (!target.server.empty()) {
    proto::Hello hello;
    hello.user = CurrentUser();
    hello.host = HostName();
    hello.pid = static_cast<std::uint64_t>(getpid());
    hello.app = "floatlm";
    channel.Send(1, hello);
    auto reply = channel.Read();
    if (auto* err = std::get_if<proto::Error>(&reply.msg)) throw std::runtime_error(err->message);
  }
  channel.Send(2, proto::Admin{command, args, target.token});
  ProgressLine shown;
  AdminReply out;
  for (;;) {
    auto frame = channel.Read();
    if (frame.request_id != 2) continue;  // e.g. a LEASE_LOST push (request id 0)
    if (auto* ok = std::get_if<proto::Ok>(&frame.msg)) {
      out.text = ok->message;
      out.count = ok->count;
      return out;
    }
    if (auto* err = std::get_if<proto::Error>(&frame.msg)) {
      out.code = err->code;
      out.text = err->message;
      return out;
    }
    if (auto* chunk = std::get_if<proto::StatusChunk>(&frame.msg)) {
      out.text += chunk->body;
      if (chunk->last) return out;
      continue;
    }
    if (auto* progress = std::get_if<proto::Progress>(&frame.msg)) {
      // A long report or backup: the daemon is at it (and the 10 s start again).
      shown.Show(progress->message);
      continue;
    }
    throw std::runtime_error("the daemon answered with an unexpected message");
  }
}

int PrintAdminReply(const AdminReply& reply) {
  if (reply.code != Errc::kOk) {
    PrintError(reply.text);
    return kExitError;
  }
  std::fwrite(reply.text.data(), 1, reply.text.size(), stdout);
  if (!reply.text.empty() && reply.text.back() != '\n') std::fputc('\n', stdout);
  return kExitOk;
}

}  // namespace floatlm::cli
