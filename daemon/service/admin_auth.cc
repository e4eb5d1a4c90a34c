#include "service/admin_auth.h"
#include "floatlm/licenses/text_file.h"

#include <grp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <vector>

namespace floatlm::admin {
namespace {
constexpr std::size_t kMaxTokenFileBytes = 4096;
}  // namespace
namespace {

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string UserName(uid_t uid) {
  passwd pw{};
  passwd* result = nullptr;
  std::array<char, 4096> buf{};
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) == 0 && result) return pw.pw_name;
  return "?";
}

}  // namespace

std::string PeerCredentials::Describe() const {
  return fmt::format("uid={}({}) pid={}", uid, UserName(uid), pid);
}

std::optional<PeerCredentials> PeerOf(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool IsAdmin(const PeerCredentials& peer) {
  if (peer.uid == 0 || peer.uid == geteuid()) return true;
  group gr{};
  group* gresult = nullptr;
  std::array<char, 8192> gbuf{};
  if (getgrnam_r(kAdminGroup, &gr, gbuf.data(), gbuf.size(), &gresult) != 0 || !gresult) {
    return false;
  }
  if (peer.gid == gr.gr_gid) return true;
  passwd pw{};
  passwd* presult = nullptr;
  std::array<char, 4096> pbuf{};
  if (getpwuid_r(peer.uid, &pw, pbuf.data(), pbuf.size(), &presult) != 0 || !presult) return false;
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
    if (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &count) < 0) return false;
  }
  groups.resize(static_cast<std::size_t>(count));
  for (gid_t g : groups) {
    if (g == gr.gr_gid) return true;
  }
  return false;
}

std::optional<AdminToken> AdminToken::Load(const std::string& path, std::string& error) {
  auto text = licenses::ReadTextFile(path, kMaxTokenFileBytes);
  if (!text) {
    error = text.error().message + " (the admin token file)";
    return std::nullopt;
  }
  std::string token = text.value().substr(0, text.value().find('\n'));
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) {
    error = fmt::format("{}: the admin token file is empty", path);
    return std::nullopt;
  }
  return AdminToken(std::move(token));
}

bool AdminToken::Matches(std::string_view presented) const {
  if (presented.empty()) return false;
  const auto a = Sha256(token_);
  const auto b = Sha256(presented);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace floatlm::admin
