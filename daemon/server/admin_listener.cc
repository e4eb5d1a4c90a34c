#include "server/admin_listener.h"

#include <fmt/format.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "floatlm/proto/frame_reader.h"
#include "log/log.h"

namespace floatlm::admin {
namespace asio = server::asio;
using local = asio::local::stream_protocol;

// One admin connection: read a frame, answer it, repeat. Admin traffic is rare and
// small, so there is no pipelining and a short deadline for each frame.
class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(local::socket socket, const AdminHandler& handler)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), handler_(handler) {
    peer_ = PeerOf(socket_.native_handle()).value_or(PeerCredentials{0, static_cast<uid_t>(-1),
                                                                     static_cast<gid_t>(-1)});
  }

  void Start() {
    ArmDeadline();
    Continue();
  }

  void Finish() {
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  // Each frame must arrive, whole, within 30 s of the previous answer (or the connect).
  void ArmDeadline() {
    timer_.expires_after(std::chrono::seconds(30));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        self->socket_.close(ignored);
      }
    });
  }

  // Answers the next buffered frame, or reads until one is complete.
  void Continue() {
    const auto frame = in_.Next();
    switch (frame.state) {
      case proto::FrameReader::State::kBadLength:
        return Finish();
      case proto::FrameReader::State::kFrame:
        return Answer(frame.body);
      case proto::FrameReader::State::kNeedMore:
        break;
    }
    if (in_.Room().empty()) {
      // Room for the frame begun (its length is known and valid) or twice the buffer.
      in_.Resize(std::min(std::max(in_.frame_size(), in_.capacity() * 2), proto::kLargestFrame));
    }
    const auto room = in_.Room();
    socket_.async_read_some(
        asio::buffer(room.data(), room.size()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (ec) return self->Finish();
          self->in_.Commit(n);
          self->Continue();
        });
  }

  void Answer(std::span<const std::uint8_t> body) {
    timer_.cancel();  // no deadline while the daemon works on the request
    handler_(
        body, peer_,
        [self = shared_from_this()](const std::string& frames) { self->Write(frames, true); },
        [self = shared_from_this()](const std::string& frames) { self->Write(frames, false); });
  }

  // Queues frames of the answer; `last`: the reply, after which the next request is read.
  void Write(const std::string& frames, bool last) {
    if (!socket_.is_open() || replied_) return;
    pending_ += frames;
    replied_ = last;
    if (!writing_) Flush();
  }

  void Flush() {
    if (pending_.empty()) {
      if (replied_) {
        replied_ = false;
        ArmDeadline();
        Continue();
      }
      return;
    }
    writing_ = true;
    out_.swap(pending_);
    pending_.clear();
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          self->writing_ = false;
          if (ec) return self->Finish();
          self->Flush();
        });
  }

  local::socket socket_;
  asio::steady_timer timer_;
  AdminHandler handler_;
  PeerCredentials peer_;
  proto::FrameReader in_{512};
  std::string out_;      // being written
  std::string pending_;  // to write after out_
  bool writing_ = false;
  bool replied_ = false;  // the reply is in pending_ or out_: read on once it is written
};

AdminListener::AdminListener(asio::io_context& io, std::string path, AdminHandler handler)
    : acceptor_(io), path_(std::move(path)), handler_(std::move(handler)) {}

AdminListener::~AdminListener() { Stop(); }

void AdminListener::Start() {
  std::error_code fec;
  const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, fec)) {
    // The default directory is the daemon's own (systemd's RuntimeDirectory= makes it);
    // started by hand, floatlmd makes it. Any other missing directory is the admin's call.
    if (path_ == kDefaultAdminSocket && std::filesystem::create_directory(dir, fec)) {
      ::chmod(dir.c_str(), 0755);
      FLOATLM_LOG(kInfo, "admin.socket_dir_created", "dir={}", dir.string());
    } else {
      throw std::runtime_error(fmt::format(
          "{}: cannot create the admin socket: its directory {} does not exist; create it, or "
          "pass --admin-socket PATH (--admin-socket '' runs without one)",
          path_, dir.string()));
    }
  }
  CheckDirectory(dir.empty() ? std::filesystem::path(".") : dir);
  RemoveStaleSocket();
  boost::system::error_code ec;
  acceptor_.open(local(), ec);
  if (!ec) {
    // The socket file is born with its final mode (0660): no moment in which others may
    // connect, and no chmod by path that a swapped-in symlink could redirect.
    const mode_t old_mask = ::umask(0117);
    acceptor_.bind(local::endpoint(path_), ec);
    ::umask(old_mask);
  }
  if (!ec) {
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      created_ = std::make_pair(st.st_dev, st.st_ino);
    }
  }
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create the admin socket: {}", path_, ec.message()));
  if (group* g = getgrnam(kAdminGroup)) {
    // lchown: if the path were swapped for a symlink meanwhile, the link changes, never
    // what it points to (and CheckDirectory refused a directory others may write).
    if (::lchown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
      FLOATLM_LOG(kWarn, "admin.socket_group", "path={} group={} reason=\"{}\"", path_, kAdminGroup,
                  std::strerror(errno));
    }
  }
  FLOATLM_LOG(kInfo, "admin.listening", "path={}", path_);
  DoAccept();
}

void AdminListener::Stop() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : sessions_) {
    if (auto s = weak.lock()) s->Finish();
  }
  sessions_.clear();
  RemoveOwnSocket();
}

void AdminListener::CheckDirectory(const std::filesystem::path& dir) const {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    throw std::runtime_error(fmt::format("{}: cannot create the admin socket: {}: {}", path_,
                                         dir.string(), std::strerror(errno)));
  }
  // Whoever may write the directory may replace the socket with a file or a link of
  // their own between floatlmd's steps, and catch the admins' commands.
  if ((st.st_mode & S_IWOTH) != 0) {
    throw std::runtime_error(fmt::format(
        "{}: refusing to create the admin socket: its directory {} is writable by every user "
        "(mode {:04o}); use a directory only floatlmd's user and root may write, such as "
        "/run/floatlm",
        path_, dir.string(), st.st_mode & 07777));
  }
}

void AdminListener::RemoveStaleSocket() const {
  struct stat st {};
  if (::lstat(path_.c_str(), &st) != 0) return;  // nothing there
  if (!S_ISSOCK(st.st_mode)) {
    throw std::runtime_error(fmt::format(
        "{}: refusing to create the admin socket: the path exists and is not a socket ({}); "
        "floatlmd removes only sockets, so remove it yourself or pass another --admin-socket",
        path_, S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory"
                                                                             : "a file"));
  }
  // A socket someone still listens on belongs to a running daemon: never take it over.
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) return;  // bind will say so
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  const int why = errno;
  ::close(fd);
  if (live) {
    throw std::runtime_error(fmt::format(
        "{}: refusing to create the admin socket: another process (a running floatlmd?) is "
        "listening on it; stop it first, or pass another --admin-socket",
        path_));
  }
  if (why != ECONNREFUSED) {
    throw std::runtime_error(fmt::format(
        "{}: refusing to replace the admin socket: cannot tell whether it is in use ({})",
        path_, std::strerror(why)));
  }
  // Left by a daemon that was killed: nobody listens on it any more.
  if (::unlink(path_.c_str()) == 0) {
    FLOATLM_LOG(kInfo, "admin.stale_socket_removed", "path={}", path_);
  }
}

void AdminListener::RemoveOwnSocket() {
  if (!created_) return;
  // Only the socket this process made: never a file that took its place meanwhile.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
      std::make_pair(st.st_dev, st.st_ino) == *created_) {
    ::unlink(path_.c_str());
  }
  created_.reset();
}

void AdminListener::DoAccept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, local::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      auto session = std::make_shared<AdminSession>(std::move(socket), handler_);
      std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
      sessions_.push_back(session);
      session->Start();
    }
    DoAccept();
  });
}

}  // namespace floatlm::admin
