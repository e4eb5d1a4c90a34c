#include "config/file_permissions.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>

#include "log/log.h"
#include "store/sqlite_lease_store.h"

namespace floatlm::config {
namespace {

constexpr std::string_view kStateEvent = "state.permissions";
constexpr std::string_view kKeyEvent = "license.key_permissions";
constexpr std::string_view kOptionsEvent = "options.permissions";
constexpr std::string_view kTokenEvent = "admin.token_permissions";

constexpr std::string_view kForeignOwner = "owned by a user other than root and the daemon's user";

// "group", "others" or "group and others"; empty when neither.
std::string Classes(bool group, bool others) {
  if (group && others) return "group and others";
  if (group) return "group";
  if (others) return "others";
  return {};
}

std::string_view EventOf(Trusted what) {
  switch (what) {
    case Trusted::kStateDir:
    case Trusted::kStateFile:
    case Trusted::kStateIndex:
      return kStateEvent;
    case Trusted::kKeyDir:
    case Trusted::kKeyFile:
      return kKeyEvent;
    case Trusted::kOptionsFile:
      return kOptionsEvent;
    case Trusted::kAdminToken:
      return kTokenEvent;
  }
  return kStateEvent;
}

// What someone who may write the path could do; `who` is "whoever can write it" or,
// for the owner rule, "its owner" (who can always make it writable).
std::string Risk(Trusted what, std::string_view who) {
  switch (what) {
    case Trusted::kStateDir:
      return fmt::format("{} can replace floatlm.db and so forge or erase leases", who);
    case Trusted::kStateFile:
    case Trusted::kStateIndex:
      return fmt::format("{} can forge or erase leases and usage records", who);
    case Trusted::kKeyDir:
      return fmt::format("{} can plant a vendor key and sign licenses of their own", who);
    case Trusted::kKeyFile:
      return fmt::format("{} can swap the vendor key and sign licenses of their own", who);
    case Trusted::kOptionsFile:
      return fmt::format("{} decides who may check out and which seats are reserved", who);
    case Trusted::kAdminToken:
      return fmt::format("{} can set a token of their own and run admin commands over TCP", who);
  }
  return {};
}

std::string Name(uid_t uid) {
  passwd pw{};
  passwd* found = nullptr;
  std::array<char, 4096> buf{};
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
    return fmt::format("{}({})", pw.pw_name, uid);
  }
  return fmt::format("{}", uid);
}

std::string GroupName(gid_t gid) {
  group gr{};
  group* found = nullptr;
  std::array<char, 8192> buf{};
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found) {
    return fmt::format("{}({})", gr.gr_name, gid);
  }
  return fmt::format("{}", gid);
}

}  // namespace

std::string FormatMode(mode_t mode) { return fmt::format("{:04o}", mode & 07777); }

std::vector<PermissionWarning> CheckPermissions(Trusted what, const std::string& path,
                                                const FileFacts& facts, const DaemonIds& self,
                                                const FileFacts* holder) {
  std::vector<PermissionWarning> out;
  const auto warn = [&](std::string problem, std::string risk) {
    out.push_back({EventOf(what), path, facts, std::move(problem), std::move(risk)});
  };
  // Who can reach the path at all: a database inside a state directory that others
  // cannot search is out of their reach whatever its own mode (the daemon creates its
  // database 0600, but a copy restored by hand may have any mode).
  bool group_reaches = true;
  bool others_reach = true;
  if ((what == Trusted::kStateFile || what == Trusted::kStateIndex) && holder) {
    group_reaches = (holder->mode & S_IXGRP) != 0;
    others_reach = (holder->mode & S_IXOTH) != 0;
  }
  const mode_t m = facts.mode;

  // Writable by group or others: the same rule for everything trusted. The daemon's own
  // group gets no pass for writing; nothing here needs a second writer.
  const std::string writers =
      Classes(group_reaches && (m & S_IWGRP), others_reach && (m & S_IWOTH));
  if (!writers.empty()) {
    const bool dir = what == Trusted::kStateDir || what == Trusted::kKeyDir;
    warn("writable by " + writers,
         Risk(what, dir ? "whoever can write in it" : "whoever can write it"));
  }

  // Owned by someone else: the owner can change the mode back at any time.
  if (facts.uid != 0 && facts.uid != self.uid) {
    warn(std::string(kForeignOwner), what == Trusted::kAdminToken
                                         ? "its owner can read or replace the token"
                                         : Risk(what, "its owner"));
  }

  if (what == Trusted::kStateFile && others_reach && (m & S_IROTH)) {
    warn("readable by others", "it names every user and host that holds or held a seat");
  }
  if (what == Trusted::kAdminToken) {
    const std::string risk = "whoever reads it can run admin commands over TCP";
    if (m & S_IROTH) warn("readable by others", risk);
    // The documented set-up is root:floatlm 0640: the daemon's own group may read.
    if ((m & S_IRGRP) && facts.gid != self.gid) {
      warn("readable by its group, which is not the daemon's", risk);
    }
  }
  return out;
}

std::size_t WarnAboutPermissions(const DaemonConfig& config, PermissionScope scope) {
  namespace fs = std::filesystem;
  const DaemonIds self{geteuid(), getegid()};
  std::vector<PermissionWarning> found;
  const auto look = [&](Trusted what, const std::string& path,
                        const FileFacts* holder = nullptr) -> std::optional<FileFacts> {
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
    const FileFacts facts{st.st_mode, st.st_uid, st.st_gid};
    auto warnings = CheckPermissions(what, path, facts, self, holder);
    found.insert(found.end(), std::make_move_iterator(warnings.begin()),
                 std::make_move_iterator(warnings.end()));
    return facts;
  };

  if (scope == PermissionScope::kStartup) {
    if (const auto dir = look(Trusted::kStateDir, config.state_dir)) {
      const std::string db =
          (fs::path(config.state_dir) / store::SqliteLeaseStore::kFileName).string();
      look(Trusted::kStateFile, db, &*dir);
      look(Trusted::kStateFile, db + "-wal", &*dir);
      look(Trusted::kStateIndex, db + "-shm", &*dir);
    }
    look(Trusted::kAdminToken, config.admin_token_file);
  }
  if (look(Trusted::kKeyDir, config.vendor_keys_dir)) {
    // Every key a license could name, not only the vendors loaded today: a reread
    // would pick up a planted one.
    std::vector<std::string> keys;
    std::error_code ec;
    for (fs::directory_iterator it(config.vendor_keys_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".pub") keys.push_back(it->path().string());
    }
    std::sort(keys.begin(), keys.end());
    for (const auto& key : keys) look(Trusted::kKeyFile, key);
  }
  look(Trusted::kOptionsFile, config.options_file);

  for (const auto& w : found) {
    FLOATLM_LOG(kWarn, w.event, "path={} mode={} owner={} group={} problem=\"{}\" risk=\"{}\"",
                w.path, FormatMode(w.facts.mode), Name(w.facts.uid), GroupName(w.facts.gid),
                w.problem, w.risk);
  }
  return found.size();
}

}  // namespace floatlm::config
